"""Everything rnnpipe writes from its own source, so it cannot drift: each pipeline's params file,
each stage's code deps in its dvc.yaml, and the params tables of the docs.

- params files: rendered from the schema rules (core.params), the one place where a setting's
default and
  meaning are written;
- stage code deps: each stage lists, as deps, its script and exactly the rnnpipe modules the script
reaches
  through imports (core.hashing.code_closure), so a change to one module reruns exactly the stages
  that run it;
  the rest of dvc.yaml (data deps, params, outs, comments) is written by hand and kept as it is;
- docs tables: the params reference of docs/pipelines/<pipeline>.md, between its markers.

    python -m rnnpipe.render          # rewrite what differs
    python -m rnnpipe.render --check  # exit 1, naming each file that differs (the test suite runs
    this check)
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML, YAMLError

from .core.hashing import code_closure
from .core.params import Rule, Schema
from .forecast.params import FORECAST_SCHEMA
from .pairs.params import PAIRS_SCHEMA
from .sequences.params import SEQUENCES_SCHEMA
from .tagging.params import TAGGING_SCHEMA
from .text.params import TEXT_SCHEMA
from .trees.params import TREES_SCHEMA

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Pipeline:
    """One DVC pipeline of the repository: its folder ("" = the root), schema and what it is, in
    a few words."""

    name: str
    folder: str
    schema: Schema
    what: str
    example: str

    @property
    def params_file(self) -> str:
        return f"{self.folder}/params.yaml" if self.folder else "params.yaml"

    @property
    def dvc_file(self) -> str:
        return f"{self.folder}/dvc.yaml" if self.folder else "dvc.yaml"

    @property
    def docs_page(self) -> str:
        return f"docs/pipelines/{self.name}.md"

    def header(self) -> str:
        run = (
            f"dvc exp run -S {self.example}"
            if not self.folder
            else f"dvc exp run {self.dvc_file} -S {self.params_file}:{self.example}"
        )
        return (
            f"# The {self.what} pipeline's params ({self.dvc_file}). Every key is a leaf param; "
            "each stage lists\n"
            f"# exactly the ones it reads. Try ideas with\n#   {run}\n"
            f"# Rendered from the schema (src/rnnpipe/{self.name}/params.py): edit defaults and "
            "meanings there and\n"
            f"# run `python -m rnnpipe.render`. Allowed values: {self.docs_page}.\n"
        )


PIPELINES = {
    pipeline.name: pipeline
    for pipeline in (
        Pipeline("text", "", TEXT_SCHEMA, "text-classification", "train.lr=0.003"),
        Pipeline("tagging", "tagging", TAGGING_SCHEMA, "tagging", "train.hidden=128"),
        Pipeline("forecast", "forecast", FORECAST_SCHEMA, "forecasting", "train.hidden=64"),
        Pipeline(
            "sequences", "sequences", SEQUENCES_SCHEMA, "numeric-sequences", "train.hidden=64"
        ),
        Pipeline("trees", "trees", TREES_SCHEMA, "tree-structured", "train.model=bilstm"),
        Pipeline("pairs", "pairs", PAIRS_SCHEMA, "sentence-pairs", "train.encoder=childsum"),
    )
}
COMMENT_COLUMN = 27


def _yaml_value(value) -> str:
    """`value` as a YAML 1.2 scalar or flow list that reads back as exactly `value`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_flow_item(item) for item in value) + "]"
    try:
        if (
            value
            and "#" not in value
            and YAML(typ="safe", pure=True).load(f"key: {value}") == {"key": value}
        ):
            return value
    except YAMLError:  # not a plain scalar: quote it
        pass
    # Quoted as ruamel.yaml (DVC's writer) quotes it, so that `dvc exp run -S other.key=...`,
    # which rewrites the whole file, leaves this line as it was.
    return _ruamel_quoted(value)


def _flow_item(item: str) -> str:
    """A list item as ruamel.yaml writes it in a flow list: plain when it reads back as itself,
    else quoted as a scalar (numbers as numbers)."""
    if isinstance(item, (int, float)) and not isinstance(item, bool):
        return repr(item)
    try:
        if item and YAML(typ="safe", pure=True).load(f"key: [{item}]") == {"key": [item]}:
            return item
    except YAMLError:
        pass
    return _ruamel_quoted(item)


def _ruamel_quoted(value: str) -> str:
    """`value` quoted as ruamel.yaml (DVC's writer) quotes it."""
    stream = io.StringIO()
    writer = YAML()
    writer.width = 10**6
    writer.dump({"key": value}, stream)
    return stream.getvalue()[len("key: ") :].rstrip("\n")


def render_params_file(schema: Schema, header: str) -> str:
    lines = [header.rstrip("\n")]
    for section, rules in schema.items():
        lines.append(f"{section}:")
        for key, rule in rules.items():
            entry = f"  {key}: {_yaml_value(rule.default)}"
            if isinstance(rule.default, list):
                # A list key's comment goes on the line above: `dvc exp run -S key=[a]` rewrites the
                # value as a
                # block list, and a later `-S key=[]` then swallowed the newline after an
                # end-of-line comment,
                # corrupting the file (ruamel.yaml 0.18 and 0.19 alike; tests/core/test_params.py).
                lines += [f"  # {rule.meaning}", entry]
            else:
                lines.append(f"{entry.ljust(COMMENT_COLUMN - 1)} # {rule.meaning}")
    return "\n".join(lines) + "\n"


def _table_value(rule: Rule) -> str:
    shown = _yaml_value(rule.default)
    if "|" in shown or "`" in shown or len(shown) > 70:
        return "(see the params file)"
    return f"`{shown}`"


def _allowed(rule: Rule) -> str:
    if rule.choices:
        return ", ".join(f"`{c}`" for c in rule.choices)
    if rule.low is None and rule.high is None:
        return rule.kind.__name__
    return rule.describe().removeprefix("Expected ").removesuffix(".").replace("value", "x")


def render_table(schema: Schema) -> str:
    rows = ["| key | default | allowed | meaning |", "|---|---|---|---|"]
    for section, rules in schema.items():
        for key, rule in rules.items():
            rows.append(
                f"| `{section}.{key}` | {_table_value(rule)} | {_allowed(rule)} | "
                f"{rule.meaning.replace('|', '/').replace('<', '&lt;')} |"
            )
    return "\n".join(rows) + "\n"


def _marker(name: str) -> re.Pattern:
    return re.compile(
        rf"(<!-- params table: {name} -->\n)(.*?)(<!-- end of params table -->)", re.S
    )


STAGE = re.compile(r"^  (\w+):\n((?:(?:    .*|)\n)*)", re.M)
COMMAND = re.compile(r"(?:cd (\S+) && )?PYTHONPATH=(\S+) python (\S+\.py)")
CODE_DEP = re.compile(r"^      - (\S+\.py)\n", re.M)


def stage_code_deps(dvc_file: Path, body: str) -> list[str]:
    """A stage's code deps, relative to its wdir: its script first, then every rnnpipe module it
    runs, sorted."""
    wdir = re.search(r"^    wdir: (\S+)$", body, re.M)
    base = (dvc_file.parent / (wdir.group(1) if wdir else ".")).resolve()
    command = COMMAND.search(body)
    if command is None:
        raise SystemExit(
            f"{dvc_file}: a stage does not run one script as `PYTHONPATH=... python <script>.py`"
        )
    runs_in = base / (command.group(1) or ".")
    script = (runs_in / command.group(3)).resolve()
    relative = [
        Path(os.path.relpath(path, base)).as_posix() for path in code_closure(script, PACKAGE)
    ]
    script_dep = Path(os.path.relpath(script, base)).as_posix()
    return [script_dep, *sorted(dep for dep in relative if dep != script_dep)]


def render_dvc_file(dvc_file: Path, text: str) -> str:
    """`text` (a dvc.yaml) with every stage's code deps (the `- *.py` lines leading its deps)
    rendered anew."""

    def stage(match: re.Match) -> str:
        body = match.group(2)
        deps = re.search(r"^    deps:\n((?:      - \S+\.py\n)*)", body, re.M)
        if deps is None:
            raise SystemExit(f"{dvc_file}: stage {match.group(1)} has no deps list")
        rendered = "".join(f"      - {dep}\n" for dep in stage_code_deps(dvc_file, body))
        body = body[: deps.start(1)] + rendered + body[deps.end(1) :]
        return f"  {match.group(1)}:\n{body}"

    head, stages = text.split("\nstages:\n", 1)
    return head + "\nstages:\n" + STAGE.sub(stage, stages)


def rendered_files(root: Path = ROOT) -> dict[Path, str]:
    """Every rendered file's path and the text it should hold."""
    files = {}
    for pipeline in PIPELINES.values():
        files[root / pipeline.params_file] = render_params_file(pipeline.schema, pipeline.header())
        dvc_file = root / pipeline.dvc_file
        files[dvc_file] = render_dvc_file(dvc_file, dvc_file.read_text(encoding="utf-8"))
        page = root / pipeline.docs_page
        text = page.read_text(encoding="utf-8")
        if not _marker(pipeline.name).search(text):
            raise SystemExit(
                f"{page} lacks the markers <!-- params table: {pipeline.name} --> ... "
                f"<!-- end of params table -->"
            )
        files[page] = _marker(pipeline.name).sub(
            lambda m, schema=pipeline.schema: m.group(1) + render_table(schema) + m.group(3), text
        )
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="only report files that differ from what is rendered"
    )
    args = parser.parse_args(argv)
    stale = []
    for path, text in rendered_files().items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print(
            "differ from what is rendered from the source: "
            + ", ".join(str(p) for p in stale)
            + "; run `python -m rnnpipe.render`",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

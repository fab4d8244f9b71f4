"""Each pipeline's params file and the README's params tables, rendered from the schemas.

The schema rules (core.params) are the one place where a setting's default and meaning are written;
params.yaml, forecast/params.yaml, sequences/params.yaml and the README's tables are made from them:

    python -m rnnpipe.paramfiles          # rewrite them from the schemas
    python -m rnnpipe.paramfiles --check  # exit 1 if any differs (tests/test_params.py runs this check)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from ruamel.yaml import YAML, YAMLError

from .core.params import Rule, Schema
from .forecast.params import FORECAST_SCHEMA
from .sequences.params import SEQUENCES_SCHEMA
from .text.params import TEXT_SCHEMA
from .trees.params import TREES_SCHEMA

ROOT = Path(__file__).resolve().parents[2]

HEADERS = {
    "text": ("# The text pipeline's params (dvc.yaml). Every key is a leaf param; each stage lists exactly the\n"
             "# ones it reads. Try ideas with `dvc exp run -S train.lr=0.003`.\n"
             "# Rendered from the schema (src/rnnpipe/text/params.py): edit defaults and meanings there and run\n"
             "# `python -m rnnpipe.paramfiles`. Allowed values: README.md#params.\n"),
    "forecast": ("# The forecasting pipeline's params (forecast/dvc.yaml). Every key is a leaf param; each stage lists\n"
                 "# exactly the ones it reads. Try ideas with\n"
                 "#   dvc exp run forecast/dvc.yaml -S forecast/params.yaml:train.hidden=64\n"
                 "# Rendered from the schema (src/rnnpipe/forecast/params.py): edit defaults and meanings there and\n"
                 "# run `python -m rnnpipe.paramfiles`. Allowed values: README.md#forecasting.\n"),
    "sequences": ("# The numeric-sequences pipeline's params (sequences/dvc.yaml). Every key is a leaf param; each\n"
                  "# stage lists exactly the ones it reads. Try ideas with\n"
                  "#   dvc exp run sequences/dvc.yaml -S sequences/params.yaml:train.hidden=64\n"
                  "# Rendered from the schema (src/rnnpipe/sequences/params.py): edit defaults and meanings there\n"
                  "# and run `python -m rnnpipe.paramfiles`. Allowed values: README.md#numeric-sequences-sequences.\n"),
    "trees": ("# The tree-structured pipeline's params (trees/dvc.yaml). Every key is a leaf param; each stage lists\n"
              "# exactly the ones it reads. Try ideas with\n"
              "#   dvc exp run trees/dvc.yaml -S trees/params.yaml:train.model=bilstm\n"
              "# Rendered from the schema (src/rnnpipe/trees/params.py): edit defaults and meanings there and run\n"
              "# `python -m rnnpipe.paramfiles`. Allowed values: README.md#trees-trees.\n"),
}
PIPELINES = {"text": (TEXT_SCHEMA, "params.yaml"), "forecast": (FORECAST_SCHEMA, "forecast/params.yaml"),
             "sequences": (SEQUENCES_SCHEMA, "sequences/params.yaml"), "trees": (TREES_SCHEMA, "trees/params.yaml")}
COMMENT_COLUMN = 27


def _yaml_value(value) -> str:
    """`value` as a YAML 1.2 scalar or flow list that reads back as exactly `value`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(item) for item in value) + "]"
    try:
        if value and "#" not in value and YAML(typ="safe", pure=True).load(f"key: {value}") == {"key": value}:
            return value
    except YAMLError:  # not a plain scalar: quote it
        pass
    return json.dumps(value)


def render_params_file(schema: Schema, header: str) -> str:
    lines = [header.rstrip("\n")]
    for section, rules in schema.items():
        lines.append(f"{section}:")
        for key, rule in rules.items():
            entry = f"  {key}: {_yaml_value(rule.default)}"
            if isinstance(rule.default, list):
                # A list key's comment goes on the line above: `dvc exp run -S key=[a]` rewrites the value as a
                # block list, and a later `-S key=[]` then swallowed the newline after an end-of-line comment,
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
            rows.append(f"| `{section}.{key}` | {_table_value(rule)} | {_allowed(rule)} | "
                        f"{rule.meaning.replace('|', '/').replace('<', '&lt;')} |")
    return "\n".join(rows) + "\n"


def _marker(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- params table: {name} -->\n)(.*?)(<!-- end of params table -->)", re.S)


def rendered_files(root: Path = ROOT) -> dict[Path, str]:
    """Every rendered file's path and the text it should hold."""
    files = {root / path: render_params_file(schema, HEADERS[name]) for name, (schema, path) in PIPELINES.items()}
    readme = (root / "README.md").read_text(encoding="utf-8")
    for name, (schema, _) in PIPELINES.items():
        if not _marker(name).search(readme):
            raise SystemExit(f"README.md lacks the markers <!-- params table: {name} --> ... <!-- end of params table -->")
        readme = _marker(name).sub(lambda m: m.group(1) + render_table(schema) + m.group(3), readme)
    files[root / "README.md"] = readme
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report files that differ from the schemas")
    args = parser.parse_args(argv)
    stale = []
    for path, text in rendered_files().items():
        if path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print("differ from the schemas: " + ", ".join(str(p) for p in stale) + "; run `python -m rnnpipe.paramfiles`",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

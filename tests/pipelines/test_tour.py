"""The getting-started tour as a new user meets it, in order, in one fresh copy of the repository
(its tracked and new files, committed into a new git repository): the README's set-up command that
runs every pipeline's default (`dvc repro -P`), every line of the README's tour, the remote round
trip of docs/workflows.md into a second clone, a queued grid, and own data from docs/own-data.md.
The printed examples of the docs are compared with what the commands print here. It runs with 2
threads, as the committed run and the docs' examples were made (the thread count changes the last
digits)."""

import io
import json
import re
import shutil
import subprocess

import pandas as pd
import pytest

from conftest import ROOT, tool_env

pytestmark = [pytest.mark.slow, pytest.mark.longest]


def fenced_block(path, after: str) -> str:
    """The first fenced block after the line `after` in a docs file."""
    text = (ROOT / path).read_text(encoding="utf-8")
    start = text.index(after)
    match = re.search(r"```[a-z]*\n(.*?)```", text[start:], re.S)
    return match.group(1)


def tour_commands() -> list[str]:
    lines = fenced_block("README.md", "## A ten-line tour").splitlines()
    return [re.sub(r"\s+# .*$", "", line).strip() for line in lines if line.strip()]


def printed_examples() -> list[tuple[str, str]]:
    """(command, what it prints) of every bash block marked `<!-- printed by the tour -->` in the
    docs: a command line, then its output as `# ` lines."""
    examples = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for block in re.findall(r"<!-- printed by the tour -->\n```bash\n(.*?)```", text, re.S):
            for command, output in re.findall(r"^(?!# )(.+)\n((?:# .*\n?)+)", block, re.M):
                examples.append((command, "\n".join(line[2:] for line in output.splitlines())))
    assert examples, "no docs block is marked <!-- printed by the tour -->"
    return examples


def env(workdir):
    values = tool_env(workdir)
    values["OMP_NUM_THREADS"] = values["MKL_NUM_THREADS"] = "2"
    return values


def sh(command: str, cwd, stdout_only: bool = False) -> str:
    """`command` in bash in `cwd`; it must succeed. What it printed (stdout and stderr)."""
    result = subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env(cwd), capture_output=True, text=True, timeout=1200
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{command} failed ({result.returncode}):\n{output}"
    return result.stdout if stdout_only else output


def experiments(cwd) -> int:
    return len(pd.read_csv(io.StringIO(sh("dvc exp show --csv", cwd, stdout_only=True))))


def numbers_close(printed: str, expected: str, tolerance: float = 2e-3) -> bool:
    """The same text, numbers within `tolerance` (other machines may differ in the last digit)."""
    number = r"-?\d+\.\d+"
    if re.sub(number, "#", printed).split() != re.sub(number, "#", expected).split():
        return False
    return all(
        abs(float(a) - float(b)) <= tolerance
        for a, b in zip(re.findall(number, printed), re.findall(number, expected), strict=True)
    )


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """The repository as a fresh clone of it would be: tracked files and new ones not ignored."""
    project = tmp_path_factory.mktemp("tour") / "rnnpipe"
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for name in listed:
        source = ROOT / name
        if source.is_file():
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, project / name)
    for command in ("git init -q", "git add -A", "git commit -qm 'a fresh clone'"):
        sh(command, project)
    return project


def test_the_tour_runs_in_the_order_the_docs_give_it(fresh):
    # Set-up: every pipeline's default reproduces the committed metrics (to the last digits on
    # this machine; within the printed precision elsewhere).
    sh("dvc repro -P", fresh)
    summary = sh("rnnpipe summary", fresh, stdout_only=True)
    expected = fenced_block("README.md", "<!-- summary after setup -->")
    assert numbers_close(summary, expected), f"README's summary:\n{expected}\nprinted:\n{summary}"

    # The tagger example of `rnnpipe --help`'s text (cli.py), on the default tagger.
    example = re.search(r"prints `(The/DET .*?)`", (ROOT / "src/rnnpipe/cli.py").read_text())
    tagged = sh(
        'rnnpipe predict --model tagging/data/model "The old man the boat ."',
        fresh,
        stdout_only=True,
    )
    assert tagged.strip() == example.group(1)

    # Every docs block marked as printed by the tour: each command's output is the `# ` lines after
    # it (numbers within the printed precision).
    for command, printed in printed_examples():
        result = subprocess.run(
            ["bash", "-c", command], cwd=fresh, env=env(fresh), capture_output=True, text=True
        )
        got = " ".join((result.stdout + result.stderr).split())
        assert numbers_close(got, " ".join(printed.split())), f"{command}\n{printed}\n{got}"

    # Every line of the README's tour, in order.
    for command in tour_commands():
        output = sh(command, fresh, stdout_only=command.startswith("rnnpipe predict"))
        if command.startswith("dvc exp run -S"):
            ran = set(re.findall(r"Running stage '(\w+)'", output))
            assert ran == {"check_params", "train", "evaluate"}, output  # "only train and evaluate"
        if command.startswith("rnnpipe export"):
            shown = fenced_block("docs/predict-export.md", "## Export (ONNX)").replace("\n# ", " ")
            printed = re.search(
                r"(rnnpipe export: \S+ -> \S+) \(inputs: .*?\); (.*?examples)", shown
            )
            for part in printed.groups():  # the inputs vary with the model's linear member
                assert part in output.replace("\n", " "), output
        if command.startswith("rnnpipe predict"):
            assert len(output.strip().splitlines()) == 1, output

    # The remote round trip of docs/workflows.md, with an experiment in the workspace: the
    # committed run's outputs reach a second clone.
    sh("git stash && dvc push && git stash pop", fresh)
    second = fresh.parent / "second"
    sh(f"git clone -q {fresh} {second}", fresh.parent)
    sh("dvc pull", second)
    assert "Data and pipelines are up to date" in sh("dvc status", second)
    assert numbers_close(sh("rnnpipe summary", second, stdout_only=True), expected)

    # A queued grid, run in temporary copies.
    sh("git checkout -q -- . && dvc checkout -q", fresh)
    before = experiments(fresh)
    for lr in ("0.001", "0.01"):
        sh(f"dvc exp run --queue -S train.lr={lr}", fresh)
    sh("dvc exp run --run-all", fresh)
    assert experiments(fresh) == before + 2

    # Own data (docs/own-data.md's first command, on a table of one's own), then back to the
    # committed params as that page says.
    table = fresh.parent / "reviews.csv"
    words = ["good", "fine", "great", "bad", "dull", "awful"]
    pd.DataFrame(
        {
            "review": [f"a {words[i % 6]} film number {i}" for i in range(600)],
            "stars": [1 if i % 6 < 3 else 0 for i in range(600)],
        }
    ).to_csv(table, index=False)
    command = fenced_block("docs/own-data.md", "## Labeled texts").replace("\\\n", " ")
    command = command.replace("/path/to/reviews.csv", str(table))
    output = sh(command, fresh)
    assert "Running stage 'download'" in output
    report = json.loads((fresh / "data" / "report.json").read_text())
    assert report["source"] == "table" and report["classes"] == 2
    sh("git checkout params.yaml && dvc repro", fresh)
    assert "Running stage" not in sh("dvc repro", fresh)

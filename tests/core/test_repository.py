"""The house rules no other test checks: lint and format, the docs site, thin stage scripts, one
dispatch place, model configs without defaults of their own, and the README's test command being
CI's."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT


def tool(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_the_code_passes_the_linter_and_the_formatter():
    lint = tool("ruff", "check", "--no-cache", ".")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    formatted = tool("ruff", "format", "--no-cache", "--check", ".")
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr + "\nrun `ruff format .`"


def test_the_docs_site_builds_strictly_and_fetches_nothing(tmp_path):
    """`mkdocs build --strict`: no broken link or anchor, no page left out of the nav; and the
    pages load no script, style or font from the internet (they must render offline)."""
    built = tool("mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site"))
    assert built.returncode == 0, built.stdout + built.stderr
    fetched = []
    for page in (tmp_path / "site").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        fetched += [
            f"{page.name}: {m}" for m in re.findall(r"<script[^>]+src=\"https?://[^\"]+", html)
        ]
        fetched += [
            f"{page.name}: {m}"
            for m in re.findall(r"<link[^>]+href=\"https?://[^\"]+", html)
            if "stylesheet" in m or "preconnect" in m or "font" in m
        ]
    assert fetched == []
    assert (tmp_path / "site" / "pipelines" / "tagging.html").is_file()


def test_the_readme_is_a_front_page_whose_test_command_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 300
    commands = re.findall(r"^python3 -m venv .*$", readme, re.M)
    assert len(commands) == 2 and commands[1].endswith("pytest -q"), commands
    assert commands[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_stage_script_is_a_thin_shell():
    """Read params, call one function of the task package, report: the logic lives where unit
    tests reach it."""
    long = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in ROOT.glob("stages/*/*.py")
    }
    assert long and {path: n for path, n in long.items() if n > 40} == {}


def test_model_formats_are_dispatched_only_by_the_task_registry():
    dispatching = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "src").rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if 'startswith("rnnpipe-' in line or "startswith(('rnnpipe-" in line
    ]
    assert dispatching == []


@pytest.mark.parametrize(
    "config",
    [
        "rnnpipe.text.model:ClassifierConfig",
        "rnnpipe.tagging.model:TaggerConfig",
        "rnnpipe.forecast.model:ForecasterConfig",
        "rnnpipe.sequences.model:SequenceConfig",
        "rnnpipe.trees.model:TreeModelConfig",
    ],
)
def test_model_configs_take_every_value_from_the_params(config):
    """No config field has a default of its own: a default would be a second source beside the
    schema's rule."""
    from rnnpipe.tasks import resolve

    fields = dataclasses.fields(resolve(config))
    assert [
        f.name
        for f in fields
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    ] == []

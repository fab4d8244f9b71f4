"""The package layout's rules, and every stage's code deps in dvc.yaml, checked from the source
itself.

- core/, data/, nn/ and training/ never import a task package (text/, forecast/, the ones to come);
  core/ imports only core/.
- Package __init__ files hold a docstring only, so importing a package runs nothing that a stage's
  deps would have to list.
- Each stage runs its script with PYTHONPATH set to its own tree's src/ (not the editable
install's),
  and each stage of both pipelines lists, as code deps, exactly its script and every rnnpipe module
  the
  script reaches through imports (rnnpipe.core.hashing.code_closure): a missing module would leave a
  stale result after a change to it (DVC would skip the stage); an extra one reruns it for nothing.
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from rnnpipe.core.hashing import code_closure, imported_names

PACKAGE = ROOT / "src" / "rnnpipe"
SHARED = ("core", "data", "nn", "training")
PIPELINES = [
    ROOT / "dvc.yaml",
    *(ROOT / name / "dvc.yaml" for name in ("tagging", "forecast", "sequences", "trees", "pairs")),
]


def boundary_violations(package: Path) -> list[str]:
    """'module imports name' for each import that crosses the layout's rules inside `package`."""
    problems = []
    for folder in SHARED:
        allowed = (
            ("rnnpipe.core",) if folder == "core" else tuple(f"rnnpipe.{name}" for name in SHARED)
        )
        for path in sorted((package / folder).rglob("*.py")):
            for name in sorted(imported_names(path, package)):
                if (
                    (name == "rnnpipe" or name.startswith("rnnpipe."))
                    and name != "rnnpipe"
                    and not name.startswith(allowed)
                ):
                    problems.append(f"{path.relative_to(package)} imports {name}")
    return problems


def test_shared_packages_never_import_a_task_package():
    assert boundary_violations(PACKAGE) == []


def test_the_boundary_check_catches_a_shared_module_importing_a_task(tmp_path):
    for folder in (*SHARED, "text"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "__init__.py").write_text('"""A package."""\n')
    (tmp_path / "text" / "tokens.py").write_text("X = 1\n")
    (tmp_path / "nn" / "layer.py").write_text("from ..text.tokens import X\n")
    (tmp_path / "core" / "base.py").write_text("from ..nn import layer\n")
    assert boundary_violations(tmp_path) == [
        "core/base.py imports rnnpipe.nn",
        "core/base.py imports rnnpipe.nn.layer",
        "nn/layer.py imports rnnpipe.text.tokens",
        "nn/layer.py imports rnnpipe.text.tokens.X",
    ]


def test_package_init_files_hold_only_a_docstring():
    for path in PACKAGE.rglob("__init__.py"):
        body = ast.parse(path.read_text(encoding="utf-8")).body
        assert len(body) <= 1 and all(
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) for node in body
        ), f"{path} holds code; move it into a module"


def stage_code_problems(dvc_file: Path, stages: dict) -> list[str]:
    """How each stage's code deps differ from what its script runs."""
    problems = []
    for name, stage in stages.items():
        base = (
            dvc_file.parent / stage.get("wdir", ".")
        ).resolve()  # deps are relative to the stage's wdir
        match = re.fullmatch(r"(?:cd (\S+) && )?PYTHONPATH=(\S+) python (\S+\.py)", stage["cmd"])
        assert match, (
            f"{dvc_file}: stage {name} does not run one script with PYTHONPATH set: "
            f"{stage['cmd']!r}"
        )
        runs_in = base / (match.group(1) or ".")
        # The tree's own src/: a queued or --temp experiment runs the code of the copy it runs in.
        assert (runs_in / match.group(2)).resolve() == PACKAGE.parent.resolve(), (
            f"{dvc_file}: stage {name}"
        )
        script = (runs_in / match.group(3)).resolve()
        runs = {
            Path(os.path.relpath(path, base)).as_posix() for path in code_closure(script, PACKAGE)
        }
        listed = {dep for dep in stage.get("deps", []) if dep.endswith(".py")}
        for dep in sorted(runs - listed):
            problems.append(
                f"{dvc_file.relative_to(ROOT)}: stage {name} runs {dep} but does not list it"
            )
        for dep in sorted(listed - runs):
            problems.append(
                f"{dvc_file.relative_to(ROOT)}: stage {name} lists {dep}, which it never runs"
            )
    return problems


@pytest.mark.parametrize(
    "dvc_file", PIPELINES, ids=["text", "tagging", "forecast", "sequences", "trees", "pairs"]
)
def test_every_stage_lists_exactly_the_code_it_runs(dvc_file):
    stages = yaml.safe_load(dvc_file.read_text(encoding="utf-8"))["stages"]
    assert stage_code_problems(dvc_file, stages) == []


def test_the_deps_check_catches_a_missing_and_an_extra_module():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    evaluate = stages["evaluate"]
    evaluate["deps"] = [
        dep for dep in evaluate["deps"] if dep != "src/rnnpipe/training/inference.py"
    ]
    evaluate["deps"].append("src/rnnpipe/training/loop.py")
    assert stage_code_problems(ROOT / "dvc.yaml", {"evaluate": evaluate}) == [
        "dvc.yaml: stage evaluate runs src/rnnpipe/training/inference.py but does not list it",
        "dvc.yaml: stage evaluate lists src/rnnpipe/training/loop.py, which it never runs",
    ]


def test_the_code_closure_follows_imports_inside_functions_and_relative_imports(tmp_path):
    package = tmp_path / "rnnpipe"
    (package / "core").mkdir(parents=True)
    (package / "__init__.py").write_text('"""."""\n')
    (package / "core" / "__init__.py").write_text('"""."""\n')
    (package / "core" / "a.py").write_text("from .b import thing\n")
    (package / "core" / "b.py").write_text("def thing():\n    from . import c\n")
    (package / "core" / "c.py").write_text("import json\n")
    (package / "core" / "unused.py").write_text("")
    script = tmp_path / "stage.py"
    script.write_text("from rnnpipe.core.a import thing\n")
    assert [p.name for p in code_closure(script, package)] == ["a.py", "b.py", "c.py", "stage.py"]

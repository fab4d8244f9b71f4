"""The code fingerprint a training checkpoint is tied to: the stage script and the modules it
runs, wherever they live in the package, and nothing else."""

from rnnpipe.core.hashing import code_fingerprint
from rnnpipe.training.checkpoints import run_fingerprint


def make_package(root):
    package = root / "rnnpipe"
    for folder in ("core", "training", "text"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text('"""."""\n')
    (package / "__init__.py").write_text('"""."""\n')
    (package / "core" / "errors.py").write_text("class Oops(Exception):\n    pass\n")
    (package / "training" / "loop.py").write_text("from ..core.errors import Oops\n")
    (package / "text" / "unused.py").write_text("X = 1\n")
    script = root / "train.py"
    script.write_text("from rnnpipe.training.loop import Oops\n")
    return package, script


def test_a_change_to_any_module_the_stage_runs_changes_the_fingerprint(tmp_path):
    package, script = make_package(tmp_path)
    before = code_fingerprint(script, package)
    (package / "text" / "unused.py").write_text("X = 2\n")
    assert code_fingerprint(script, package) == before  # not imported by the stage
    (package / "core" / "errors.py").write_text(
        "class Oops(ValueError):\n    pass\n"
    )  # two imports away
    assert code_fingerprint(script, package) != before


def test_the_run_fingerprint_covers_params_inputs_and_code(tmp_path):
    data = tmp_path / "rows.bin"
    data.write_bytes(b"1")
    script = tmp_path / "stage.py"
    script.write_text("from rnnpipe.core.errors import ParamsError\n")
    first = run_fingerprint({"lr": 0.1}, [data], script)
    assert run_fingerprint({"lr": 0.1}, [data], script) == first
    assert run_fingerprint({"lr": 0.2}, [data], script) != first
    data.write_bytes(b"2")
    assert run_fingerprint({"lr": 0.1}, [data], script) != first

"""Shared fixtures: the repository root, tiny pipeline copies, and small generated data."""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_IMDB = ROOT.parent / "shared" / "datasets" / "imdb" / "aclImdb_v1.tar.gz"

# Small enough that a whole `dvc repro` takes seconds.
TINY_OVERRIDES = {
    "download": {"synthetic_train": 400, "synthetic_test": 200},
    "tokenize": {"num_words": 500},
    "pad": {"maxlen": 40},
    "embed": {"source": "random", "dim": 8},
    "train": {"cell": "lstm", "hidden": 8, "epochs": 2, "batch_size": 32, "threads": 1},
    "evaluate": {"threads": 1},
}


# The suite runs on two pytest-xdist workers (pyproject's addopts). Each worker and the stages it
# starts use one thread (the tiny pipelines below set train.threads / evaluate.threads to 1), so two
# workers share two cores instead of four torch threads fighting over them.
PARALLEL = "PYTEST_XDIST_WORKER" in os.environ
if PARALLEL:
    import torch

    torch.set_num_threads(1)


# Every stage a test runs (in this process or through dvc) takes its threads' cores from the
# machine's registry (rnnpipe.core.jobserver) like any other run: the tiny pipelines' 1-thread
# stages of two workers run at once, the tour's 2-thread stages wait for both cores, and a training
# started beside the suite shares the cores instead of oversubscribing them. Per stage, not per
# worker: `pytest -n 4` on 2 cores must not leave two workers waiting for the other two's sessions.
# A stage that cannot get its cores fails its test after half an hour instead of hanging CI.
os.environ.setdefault("RNNPIPE_ADMISSION_TIMEOUT", "1800")


def tool_env(workdir: Path) -> dict:
    """Environment in which `python` and `dvc` are this interpreter's, importing the copy's
    sources."""
    env = dict(os.environ)
    if PARALLEL:
        env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = "1"
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = str(workdir / "src")
    env["DVC_NO_ANALYTICS"] = "1"
    # Commits made by dvc exp (experiment refs) need an identity.
    for key in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        env.setdefault(key, "rnnpipe tests")
    for key in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        env.setdefault(key, "tests@rnnpipe.invalid")
    return env


def run(cmd: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """`cmd` in `cwd`; `python <script>` and `python -m <module>` run in this process (run_python),
    everything else (dvc, git, python -c) as a process of its own."""
    if cmd[0] == "python" and cmd[1] != "-c":
        result = run_python(cmd[1:], cwd)
    else:
        result = subprocess.run(cmd, cwd=cwd, env=tool_env(cwd), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def run_python(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """`python <args>` in `cwd` (a stage script, or `-m rnnpipe.cli ...`), run inside this process:
    the same code, its stdout, stderr and exit status captured, without a new interpreter importing
    torch, pandas and scikit-learn again (1-3 s a run, most of what a tiny stage costs). For tests
    of what one command says and writes; kills, DDP and DVC get processes of their own."""
    import io
    import runpy
    import traceback

    import torch

    out, err = io.StringIO(), io.StringIO()
    returncode = 0
    grad, argv, old_cwd = torch.is_grad_enabled(), sys.argv, os.getcwd()
    module = args[1] if args[0] == "-m" else None
    # The project's own src/ first, as tool_env's PYTHONPATH puts it: its rnnpipe modules are
    # imported afresh (paths computed from a module's location then point into the project, not
    # this checkout), and this process's own rnnpipe modules are put back afterwards.
    source = next(
        (
            str(p / "src")
            for p in (Path(cwd).resolve(), *Path(cwd).resolve().parents)
            if (p / "src" / "rnnpipe").is_dir()
        ),
        None,
    )
    own = {name: mod for name, mod in sys.modules.items() if name.split(".")[0] == "rnnpipe"}
    if source:
        for name in own:
            del sys.modules[name]
        sys.path.insert(0, source)
    try:
        os.chdir(cwd)
        sys.argv = [module or args[0], *args[2 if module else 1 :]]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                if module:
                    runpy.run_module(module, run_name="__main__", alter_sys=True)
                else:
                    runpy.run_path(args[0], run_name="__main__")
            except SystemExit as exit_:
                returncode = exit_.code if isinstance(exit_.code, int) else 1
            except Exception:  # what the interpreter would print, and its exit status
                traceback.print_exc()
                returncode = 1
    finally:
        os.chdir(old_cwd)
        sys.argv = argv
        torch.set_grad_enabled(grad)  # evaluate stages turn gradients off for their process
        if source:
            sys.path.remove(source)
            for name in [name for name in sys.modules if name.split(".")[0] == "rnnpipe"]:
                del sys.modules[name]
            sys.modules.update(own)
    return subprocess.CompletedProcess(
        ["python", *args], returncode, out.getvalue(), err.getvalue()
    )


def run_script(script: str, cwd: Path) -> subprocess.CompletedProcess:
    """A stage script run in this process (run_python)."""
    return run_python([script], cwd)


def edit_params(workdir: Path, overrides: dict) -> None:
    """Set params as `dvc exp run -S` does (DVC's own round-trip writer): the file keeps its
    layout and comments, so every pipeline copy reads a params file like the user's."""
    from dvc.utils.serialize import modify_yaml

    with modify_yaml(str(workdir / "params.yaml")) as params:
        for section, values in overrides.items():
            params[section].update(values)


def init_dvc(target: Path, git: bool = False) -> None:
    """What `dvc init` (`--no-scm` without `git`) writes, with this project's .dvc/config
    (analytics off; the default remote, a folder beside the project) and plot templates: the same
    files, without the two DVC processes (init, then config) each copy used to start."""
    (target / ".dvc").mkdir()
    (target / ".dvc" / ".gitignore").write_text("/config.local\n/tmp\n/cache\n")
    shutil.copy(ROOT / ".dvcignore", target / ".dvcignore")
    config = (ROOT / ".dvc" / "config").read_text()
    assert config.startswith("[core]\n"), "the project's .dvc/config must open with [core]"
    if not git:
        config = config.replace("[core]\n", "[core]\n    no_scm = True\n", 1)
    (target / ".dvc" / "config").write_text(config)
    shutil.copytree(ROOT / ".dvc" / "plots", target / ".dvc" / "plots")
    shutil.copy(ROOT / ".dvc" / "offline-plots.html", target / ".dvc" / "offline-plots.html")


def make_pipeline_copy(
    target: Path, overrides: dict | None = None, git: bool = False, with_forecast: bool = False
) -> Path:
    """A DVC project at `target` with this repo's dvc.yaml, params, stages and sources; with
    `git`, a git repository with everything committed (what `dvc exp run` needs), else no git;
    `with_forecast` adds the forecasting pipeline in forecast/ (tiny params), as the repository
    has it."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("dvc.yaml", "params.yaml"):
        shutil.copy(ROOT / name, target / name)
    if with_forecast:
        (target / "forecast").mkdir()
        for name in ("dvc.yaml", "params.yaml"):
            shutil.copy(ROOT / "forecast" / name, target / "forecast" / name)
        edit_params(target / "forecast", FORECAST_TINY)
    for folder in (
        "stages",
        "src",
        "inputs",
    ):  # inputs/: the default of the tracked data-path params
        shutil.copytree(
            ROOT / folder,
            target / folder,
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
        )
    if git:
        run(["git", "init", "-q"], target)
        (target / ".gitignore").write_text("__pycache__/\n*.egg-info/\n")
    init_dvc(target, git)
    edit_params(target, TINY_OVERRIDES)
    if overrides:
        edit_params(target, overrides)
    if git:
        run(["git", "add", "-A"], target)
        run(["git", "commit", "-qm", "pipeline"], target)  # the identity comes from tool_env
    return target


def plot_problems(workdir: Path) -> list[str]:
    """scripts/check_plots.py's static check of every plot `dvc plots show` renders in `workdir`."""
    spec = importlib.util.spec_from_file_location(
        "check_plots", ROOT / "scripts" / "check_plots.py"
    )
    checker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checker)
    plots = checker.dvc_plots(workdir, env=tool_env(workdir))
    assert plots, f"dvc plots show rendered nothing in {workdir}"
    return [
        problem
        for plot_id, content in plots.items()
        for problem in checker.plot_problems(plot_id, content)
    ]


@contextlib.contextmanager
def restored_afterwards(workdir: Path):
    """Let a block change the DVC project at `workdir`, then put back every file as it was, by
    copy: far cheaper than a `dvc repro` back to the old params, which reruns every stage with
    uncached metrics."""
    backup = workdir.parent / f".{workdir.name}.backup"
    shutil.rmtree(backup, ignore_errors=True)
    shutil.copytree(workdir, backup, symlinks=True)
    try:
        yield workdir
    finally:
        shutil.rmtree(workdir)
        backup.rename(workdir)


def built_once(tmp_path_factory, name: str, build: Callable[[Path], object]) -> Path:
    """The project `build(folder)` makes at `folder`, built once per test session even across the
    pytest-xdist workers (the first worker to ask builds it under a lock, the others wait for it),
    then copied for this test module, which may change its copy freely. A `dvc repro` of a tiny
    pipeline costs seconds, almost all of it process start-up; each worker building its own copy of
    every shared fixture cost a minute of the suite."""
    base = tmp_path_factory.getbasetemp()
    shared_root = base.parent if PARALLEL else base  # .../pytest-N/ holds every worker's popen-gwK/
    shared = shared_root / f"built-{name}"
    with open(shared_root / f"built-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, whatever happens
        if not (shared / "done").exists():
            shutil.rmtree(shared, ignore_errors=True)
            build(shared / "project")
            (shared / "done").touch()
    mine = tmp_path_factory.mktemp(name) / "project"
    shutil.copytree(shared / "project", mine, symlinks=True)
    return mine


@pytest.fixture
def pipeline_copy(tmp_path: Path) -> Path:
    return make_pipeline_copy(tmp_path / "project")


@pytest.fixture(scope="session")
def reproduced_pipeline(tmp_path_factory) -> Path:
    """One tiny pipeline copy on which `dvc repro` has run once; tests must leave it as they
    found it."""

    def build(folder: Path) -> None:
        run(["dvc", "repro"], make_pipeline_copy(folder))

    return built_once(tmp_path_factory, "reproduced", build)


# The architectures the unit tests build from: model configs have no defaults (the params schemas
# hold them), so
# the tests' small models spell out every field here once.
CLASSIFIER_FIELDS = {
    "cell": "lstm",
    "hidden": 64,
    "layers": 1,
    "bidirectional": False,
    "dropout": 0.0,
    "pooling": "last",
    "freeze_embeddings": False,
}
TAGGER_FIELDS = {
    "char_vocab": 0,
    "char_dim": 32,
    "char_hidden": 32,
    "cell": "lstm",
    "hidden": 64,
    "layers": 1,
    "bidirectional": True,
    "dropout": 0.0,
    "freeze_embeddings": False,
    "word_dropout": 0.0,
    "crf": False,
}


def classifier_config(**given):
    """A text ClassifierConfig of CLASSIFIER_FIELDS and `given` (sizes, and any field to change)."""
    from rnnpipe.core.params import config_from_params
    from rnnpipe.text.model import ClassifierConfig

    return config_from_params(ClassifierConfig, CLASSIFIER_FIELDS, **given)


def tagger_config(**given):
    """A TaggerConfig of TAGGER_FIELDS and `given`."""
    from rnnpipe.core.params import config_from_params
    from rnnpipe.tagging.model import TaggerConfig

    return config_from_params(TaggerConfig, TAGGER_FIELDS, **given)


FORECASTER_FIELDS = {
    "outputs": 1,
    "cell": "gru",
    "hidden": 32,
    "layers": 1,
    "bidirectional": False,
    "dropout": 0.0,
    "linear_inputs": 0,
}
SEQUENCE_FIELDS = {
    "cell": "gru",
    "hidden": 32,
    "layers": 1,
    "bidirectional": False,
    "dropout": 0.0,
    "pooling": "last",
}


def forecaster_config(**given):
    """A ForecasterConfig of FORECASTER_FIELDS and `given`."""
    from rnnpipe.core.params import config_from_params
    from rnnpipe.forecast.model import ForecasterConfig

    return config_from_params(ForecasterConfig, FORECASTER_FIELDS, **given)


def sequence_config(**given):
    """A sequences SequenceConfig of SEQUENCE_FIELDS and `given`."""
    from rnnpipe.core.params import config_from_params
    from rnnpipe.sequences.model import SequenceConfig

    return config_from_params(SequenceConfig, SEQUENCE_FIELDS, **given)


# The forecasting pipeline (forecast/dvc.yaml) at a size that reproduces in seconds.
FORECAST_TINY = {
    "download": {"synthetic_days": 90},
    "window": {"lookback": 48, "step": 2},
    "train": {"hidden": 8, "epochs": 2, "batch_size": 64, "threads": 1},
    "evaluate": {"linear_max_windows": 500, "plot_points": 48, "threads": 1},
}


def make_folder_pipeline_copy(
    target: Path, folder: str, tiny: dict, overrides: dict | None = None
) -> Path:
    """A DVC project at `target` holding the pipeline of this repo's `folder` (forecast/,
    sequences/) with the `tiny` params and then `overrides`."""
    target.mkdir(parents=True, exist_ok=True)
    (target / folder).mkdir()
    for name in ("dvc.yaml", "params.yaml"):
        shutil.copy(ROOT / folder / name, target / folder / name)
    for path in ("stages", "src", "inputs"):
        shutil.copytree(
            ROOT / path, target / path, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
        )
    init_dvc(target)
    edit_params(target / folder, tiny)
    if overrides:
        edit_params(target / folder, overrides)
    return target


def make_forecast_copy(target: Path, overrides: dict | None = None) -> Path:
    """A DVC project at `target` holding the forecasting pipeline in forecast/, with tiny params."""
    return make_folder_pipeline_copy(target, "forecast", FORECAST_TINY, overrides)


# The numeric-sequences pipeline (sequences/dvc.yaml) at a size that reproduces in seconds.
SEQUENCES_TINY = {
    "data": {"sequences": 400},
    "train": {"epochs": 8, "batch_size": 16, "threads": 1},
    "evaluate": {"threads": 1},
}


def make_sequences_copy(target: Path, overrides: dict | None = None) -> Path:
    """A DVC project at `target` holding the numeric-sequences pipeline in sequences/, with tiny
    params."""
    return make_folder_pipeline_copy(target, "sequences", SEQUENCES_TINY, overrides)


# The trees pipeline (trees/dvc.yaml) at a size that reproduces in seconds.
TREES_TINY = {
    "data": {"synthetic_train": 600},
    "train": {"hidden": 32, "epochs": 4, "lr": 0.01, "threads": 1},
    "evaluate": {"threads": 1},
}


# The tagging pipeline (tagging/dvc.yaml) at a size that reproduces in seconds: in-domain word2vec
# vectors from
# the given tokens, a small word + character BiGRU.
TAGGING_TINY = {
    "download": {"synthetic_train": 400, "synthetic_test": 200},
    "tokenize": {"num_words": 500},
    "pad": {"maxlen": 40},
    "embed": {"source": "word2vec", "dim": 8},
    "train": {
        "cell": "lstm",
        "epochs": 4,
        "lr": 0.01,
        "hidden": 16,
        "char_dim": 8,
        "char_hidden": 8,
        "batch_size": 32,
        "threads": 1,
    },
    "evaluate": {"threads": 1},
}


def make_tagging_copy(target: Path, overrides: dict | None = None) -> Path:
    """A DVC project at `target` holding the tagging pipeline in tagging/, with tiny params."""
    return make_folder_pipeline_copy(target, "tagging", TAGGING_TINY, overrides)


def make_trees_copy(target: Path, overrides: dict | None = None) -> Path:
    """A DVC project at `target` holding the trees pipeline in trees/, with tiny params."""
    return make_folder_pipeline_copy(target, "trees", TREES_TINY, overrides)


# The sentence-pairs pipeline (pairs/dvc.yaml) at a size that reproduces in seconds.
PAIRS_TINY = {
    "data": {"synthetic_train": 400},
    "embed": {"dim": 16},
    "train": {"hidden": 24, "head_hidden": 32, "epochs": 3, "lr": 0.01, "threads": 1},
    "evaluate": {"threads": 1},
}


def make_pairs_copy(target: Path, overrides: dict | None = None) -> Path:
    """A DVC project at `target` holding the sentence-pairs pipeline in pairs/, tiny params."""
    return make_folder_pipeline_copy(target, "pairs", PAIRS_TINY, overrides)


def built_pipeline(tmp_path_factory, folder: str) -> Path:
    """A project holding the pipeline in `folder` (forecast, sequences, trees, tagging) with tiny
    params, reproduced once per session (built_once), copied for the caller."""
    make_copy = {
        "forecast": make_forecast_copy,
        "sequences": make_sequences_copy,
        "trees": make_trees_copy,
        "tagging": make_tagging_copy,
        "pairs": make_pairs_copy,
    }[folder]

    def build(target: Path) -> None:
        run(["dvc", "repro", f"{folder}/dvc.yaml"], make_copy(target))

    return built_once(tmp_path_factory, folder, build)


def pytest_collection_modifyitems(items):
    """Tests marked `longest` (the tour: minutes of `dvc repro -P`) first: pytest-xdist hands the
    first tests to the first worker, so the other worker runs the rest meanwhile instead of the
    tour starting last and the suite waiting for it."""
    items.sort(key=lambda item: item.get_closest_marker("longest") is None)


@pytest.fixture(scope="session")
def tiny_classifier_folder(tmp_path_factory) -> Path:
    """A saved three-class text classifier over six words (untrained, seeded): what the predict
    and API tests read; tests that edit it work on a copy."""
    import torch

    from rnnpipe.core.labels import LabelMap
    from rnnpipe.text.classifier import TrainedClassifier
    from rnnpipe.text.model import RNNClassifier
    from rnnpipe.text.tokenizer import Tokenizer
    from rnnpipe.text.vocabulary import Vocabulary

    words = ["<pad>", "<unk>", "good", "bad", "plot", "acting"]
    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("classifier") / "model"
    model = RNNClassifier(
        classifier_config(vocab_size=len(words), embed_dim=4, num_classes=3, hidden=4)
    )
    TrainedClassifier(model, Tokenizer(), Vocabulary(words), LabelMap([-1, 0, 1]), 10, "pre").save(
        folder
    )
    return folder


ADMISSION_LINE = re.compile(r"^\w+: (waiting for .*|admitted \(\d+ core\(s\)\))$")


def without_admission(stderr: str) -> str:
    """A stage's stderr without the lines of its wait for free cores (core.jobserver), which
    appear first whenever other work holds the machine's cores: what the stage itself said."""
    return "".join(
        line
        for line in stderr.splitlines(keepends=True)
        if not ADMISSION_LINE.match(line.rstrip("\n"))
    )

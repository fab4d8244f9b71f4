"""The DVC experiment workflows a daily user runs, through real `dvc exp` commands in a git
repository."""

import io
import json

import pandas as pd
import pytest
import yaml

from conftest import TINY_OVERRIDES, edit_params, make_pipeline_copy, run

pytestmark = pytest.mark.slow


def test_a_queued_experiment_runs_the_code_it_was_queued_with(tmp_path):
    """Queue an experiment with a code change, revert the workspace, run the queue: the
    experiment must have run the changed code (its own tree's src/), which its dvc.lock records,
    not the workspace's."""
    wd = make_pipeline_copy(tmp_path / "project", git=True)
    metrics = wd / "src" / "rnnpipe" / "core" / "metrics.py"
    original = metrics.read_text()
    metrics.write_text(
        original.replace(
            '        "accuracy": metrics.accuracy_score(labels, predicted),',
            '        "accuracy": metrics.accuracy_score(labels, predicted),\n'
            '        "queued_change": 1.0,',
        )
    )
    run(["dvc", "exp", "run", "--queue", "--name", "changed"], wd)
    metrics.write_text(
        original
    )  # the workspace goes back to the committed code before the queue runs
    # A queued experiment with a bad param: DVC says only that it failed; the reason is the last
    # line of its log, where docs/errors.md sends the user.
    run(["dvc", "exp", "run", "--queue", "--name", "broken", "-S", "train.epochs=-1"], wd)
    run(["dvc", "exp", "run", "--run-all"], wd, check=False)
    log = run(["dvc", "queue", "logs", "broken"], wd, check=False)
    assert "check_params: error: params.yaml: 'train.epochs' is -1, out of range" in (
        log.stdout + log.stderr
    )
    run(["dvc", "exp", "apply", "changed"], wd)
    assert json.loads((wd / "metrics" / "eval.json").read_text())["queued_change"] == 1.0
    assert "queued_change" in metrics.read_text()  # the applied experiment brings its code along


def git(workdir, *args):
    return run(["git", *args], workdir)


def lock_md5(workdir, stage: str, path: str) -> str:
    lock = yaml.safe_load((workdir / "dvc.lock").read_text())
    return next(out["md5"] for out in lock["stages"][stage]["outs"] if out["path"] == path)


def test_push_in_one_clone_pull_in_another_and_check_out_an_older_commit(tmp_path):
    """The default remote (a folder beside the project) carries data, model and metrics between
    clones; `git checkout` + `dvc checkout` bring back an older commit's dataset and model. With
    both pipelines built (`dvc repro -P`, the README's first command), `dvc checkout` and `dvc
    exp apply` exit 0: after `dvc repro` alone they failed on the forecasting pipeline's
    never-built outputs."""
    first = make_pipeline_copy(tmp_path / "first", git=True, with_forecast=True)
    run(["dvc", "repro", "-P"], first)
    run(["dvc", "checkout"], first)
    git(first, "add", "-A")
    git(first, "commit", "-qm", "run 1")

    # An experiment, then the committed params again: train and evaluate come back from the
    # run-cache
    # (their uncached metrics and plots no longer keep them out of it).
    # The list sequence that once corrupted params.yaml: set a list, then empty it again (issue 16).
    assert (
        "Running stage 'train'"
        in run(
            ["dvc", "exp", "run", "-S", "train.epochs=1", "-S", "train.ensemble_cells=[gru]"], first
        ).stdout
    )
    # The workspace now holds the experiment's outputs and dvc.lock: `dvc push` alone would push
    # those, and a clone of the commit could not pull its model (issue 29). The documented way
    # (docs/workflows.md) pushes the committed run:
    git(first, "stash", "-q")
    run(["dvc", "push"], first)
    git(first, "stash", "pop", "-q")
    again = run(
        [
            "dvc",
            "exp",
            "run",
            "-S",
            f"train.epochs={TINY_OVERRIDES['train']['epochs']}",
            "-S",
            "train.ensemble_cells=[]",
        ],
        first,
    ).stdout
    assert "Running stage" not in again
    assert "Stage 'train' is cached" in again and "Stage 'evaluate' is cached" in again
    assert (
        git(first, "status", "--porcelain").stdout == ""
    )  # the committed run's files, restored exactly
    assert (tmp_path / "rnnpipe-dvc-store").is_dir()  # beside the project, outside it
    # One line per experiment: no param value holds a newline (tokenize.filters spells its tab and
    # newline).
    shown = run(["dvc", "exp", "show", "--csv"], first).stdout
    table = pd.read_csv(io.StringIO(shown))
    assert len(shown.strip().splitlines()) == len(table) + 1 and len(table) >= 3
    assert set(table["tokenize.filters"]) == {'!"#$%&()*+,-./:;<=>?@[\\\\]^_`{|}~\\t\\n'}

    second = tmp_path / "second"
    git(tmp_path, "clone", "-q", str(first), str(second))
    run(["dvc", "pull"], second)
    assert "Running stage" not in run(["dvc", "repro"], second).stdout
    assert "Running stage" not in run(["dvc", "repro", "forecast/dvc.yaml"], second).stdout
    for path in (
        "data/dataset.parquet",
        "data/model/model.safetensors",
        "metrics/eval.json",
        "forecast/data/model/model.safetensors",
    ):
        assert (second / path).read_bytes() == (first / path).read_bytes(), path
    run(["dvc", "exp", "run", "-S", "evaluate.batch_size=7", "--name", "quick"], second)
    run(["dvc", "exp", "apply", "quick"], second)
    git(second, "checkout", "-q", "--", ".")
    run(["dvc", "checkout"], second)

    edit_params(first, {"download": {"synthetic_train": 300}})
    run(["dvc", "repro"], first)
    git(first, "commit", "-qam", "run 2")
    run(["dvc", "push"], first)
    git(second, "pull", "-q")
    run(["dvc", "pull"], second)
    newer = (
        lock_md5(second, "download", "data/dataset.parquet"),
        lock_md5(second, "train", "data/model"),
    )
    git(second, "checkout", "-q", "HEAD~1")
    run(["dvc", "checkout"], second)
    older = (
        lock_md5(second, "download", "data/dataset.parquet"),
        lock_md5(second, "train", "data/model"),
    )
    assert older != newer
    assert run(["dvc", "status", "--json"], second).stdout.strip() in (
        "{}",
        "",
    )  # the workspace is that commit's


def test_queued_experiments_run_at_once_take_their_cores_from_the_registry(tmp_path, monkeypatch):
    """`dvc exp run --run-all -j 2`: DVC's queue workers run the stages, and the stages still
    wait for free cores of the machine's registry (a private one of 2 cores here) while another
    process holds them, say so in the experiment's log, and finish once they are freed."""
    import fcntl
    import subprocess
    import sys
    import time

    from conftest import tool_env

    registry = tmp_path / "registry"
    monkeypatch.setenv("RNNPIPE_JOBSERVER", str(registry))
    monkeypatch.setenv("RNNPIPE_CORES", "2")
    monkeypatch.delenv("RNNPIPE_ADMITTED", raising=False)
    wd = make_pipeline_copy(tmp_path / "project", git=True)
    for lr in ("0.01", "0.02"):
        run(["dvc", "exp", "run", "--queue", "--name", f"lr{lr[-1]}", "-S", f"train.lr={lr}"], wd)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from rnnpipe.core.jobserver import admitted\n"
            "with admitted('train', 2):\n    print('in', flush=True); time.sleep(600)",
        ],
        env=tool_env(wd),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "in"
    queue = subprocess.Popen(
        ["dvc", "exp", "run", "--run-all", "-j", "2"],
        cwd=wd,
        env=tool_env(wd),
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        # A stage is waiting once it holds the registry's queue lock (see core.jobserver).
        deadline = time.monotonic() + 300
        with open(registry / "queue.lock", "a+") as lock:
            while time.monotonic() < deadline:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    fcntl.flock(lock, fcntl.LOCK_UN)
                    time.sleep(0.2)
                except BlockingIOError:
                    break
            else:
                raise AssertionError("no queued stage ever waited for the held cores")
    finally:
        holder.kill()
        holder.wait()
    output, _ = queue.communicate(timeout=900)
    assert queue.returncode == 0, output
    logs = "".join(run(["dvc", "queue", "logs", name], wd).stdout for name in ("lr1", "lr2"))
    assert "waiting for 1 free core" in logs or "waiting for a free core" in logs
    assert f"pid {holder.pid}: train in" in logs  # the message names who held the cores
    shown = run(["dvc", "exp", "show", "--json"], wd).stdout
    assert "lr1" in shown and "lr2" in shown

"""`rnnpipe sweep` end to end on the tiny numeric-sequences pipeline: trials are DVC experiments
run two at a time, a failing trial is recorded and the study goes on, a killed sweep resumes with
the interrupted trial's params, and the best trial is one `dvc exp apply` away."""

from __future__ import annotations

import json
import socket
import subprocess

import optuna
import pandas as pd
import pytest

from conftest import make_sequences_copy, run, tool_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """A Git + DVC repository holding the tiny sequences pipeline, committed."""
    wd = make_sequences_copy(tmp_path_factory.mktemp("sweep") / "project")
    run(["dvc", "config", "core.no_scm", "false"], wd)
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "base"]):
        run(cmd, wd)
    (wd / "sweep.yaml").write_text(
        "objective: val_accuracy\n"
        "params:\n"
        "  window.length: [0, 100000]      # 100000: longer than every sequence, refused\n"
        "  train.hidden: [8]\n"
        "fixed:\n  train.epochs: 2\n"
        "sampler: grid\n"
    )
    return wd


def sweep(repo, *args):
    return run(
        ["rnnpipe", "sweep", "--pipeline", "sequences", "--space", "sweep.yaml", *args],
        repo,
        check=False,
    )


def test_trials_run_as_experiments_and_a_failing_one_is_recorded(repo):
    result = sweep(repo, "--trials", "5", "--jobs", "2", "--study", "grid")
    assert result.returncode == 0, result.stdout + result.stderr
    trials = pd.read_csv(repo / "sweeps/grid/trials.csv")
    assert len(trials) == 2  # the grid holds two points: --trials is capped at them
    ok = trials[trials["state"] == "complete"].iloc[0]
    failed = trials[trials["state"] == "fail"].iloc[0]
    assert ok["window.length"] == 0 and failed["window.length"] == 100000
    assert "window.length" in failed["error"]
    best = json.loads((repo / "sweeps/grid/best.json").read_text())
    assert best["experiment"] == ok["experiment"] and best["value"] == ok["val_accuracy"]
    listed = run(["dvc", "exp", "list", "--name-only"], repo).stdout.split()
    assert ok["experiment"] in listed and failed["experiment"] not in listed
    # the workspace's params are untouched; the best is applied by name
    assert "window:\n  length: 0" in (repo / "sequences/params.yaml").read_text()
    shown = run(["rnnpipe", "sweep", "--pipeline", "sequences", "--best", "--study", "grid"], repo)
    assert f"dvc exp apply {ok['experiment']}" in shown.stdout
    again = sweep(repo, "--trials", "2", "--study", "grid")
    assert again.returncode == 1 and "add --resume to continue it" in again.stderr


def test_a_killed_sweep_resumes_with_the_interrupted_trials_params(repo):
    (repo / ".dvc/tmp").mkdir(exist_ok=True)
    storage = f"sqlite:///{repo / '.dvc/tmp/rnnpipe-sweeps.db'}"
    study = optuna.create_study(study_name="killed", storage=storage, direction="maximize")
    study.enqueue_trial({"window.length": 0, "train.hidden": 8})
    choices = optuna.distributions.CategoricalDistribution
    trial = study.ask({"window.length": choices([0, 100000]), "train.hidden": choices([8])})
    # left running by a process that is gone (a pid above the kernel's pid_max, 2**22)
    trial.set_user_attr("host", socket.gethostname())
    trial.set_user_attr("pid", 2**22 + 17)
    result = sweep(repo, "--trials", "1", "--study", "killed", "--resume")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 trial(s) interrupted earlier run again first" in result.stdout
    trials = pd.read_csv(repo / "sweeps/killed/trials.csv")
    assert trials["state"].tolist() == ["fail", "complete"]
    assert trials["error"].iloc[0].startswith("interrupted")
    assert trials["window.length"].iloc[1] == trial.params["window.length"]


def test_two_processes_share_one_study_through_its_database(repo):
    # what two machines do with one --storage URL, here two processes and SQLite
    storage = f"sqlite:///{repo / 'shared-study.db'}"
    command = [
        "rnnpipe", "sweep", "--pipeline", "sequences", "--space", "sweep.yaml", "--study",
        "shared", "--storage", storage, "--trials", "2", "--resume",
    ]  # fmt: skip
    (repo / "shared.yaml").write_text(
        (repo / "sweep.yaml").read_text().replace("[0, 100000]", "[0]").replace("[8]", "[8, 16]")
    )
    command[command.index("sweep.yaml")] = "shared.yaml"
    first, second = (
        subprocess.Popen(
            command,
            cwd=repo,
            env=tool_env(repo),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    )
    outputs = [process.communicate(timeout=600)[0] for process in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    study = optuna.load_study(study_name="shared", storage=storage)
    finished = [t for t in study.trials if t.state.name == "COMPLETE"]
    assert len(finished) == 2 == len(study.trials)  # two in all, not two each
    assert sorted(t.params["train.hidden"] for t in finished) == [8, 16]  # the grid, shared
    # each process ran what the other had not: together, one trial each way or both in one
    assert sum(out.count(" done: val_accuracy") for out in outputs) == 2

"""The DVC experiment workflows a daily user runs, through real `dvc exp` commands in a git repository."""

import json

import pytest

from conftest import make_pipeline_copy, run

pytestmark = pytest.mark.slow


def test_a_queued_experiment_runs_the_code_it_was_queued_with(tmp_path):
    """Queue an experiment with a code change, revert the workspace, run the queue: the experiment must
    have run the changed code (its own tree's src/), which its dvc.lock records, not the workspace's."""
    wd = make_pipeline_copy(tmp_path / "project", git=True)
    metrics = wd / "src" / "rnnpipe" / "core" / "metrics.py"
    original = metrics.read_text()
    metrics.write_text(original.replace('        "accuracy": metrics.accuracy_score(labels, predicted),',
                                        '        "accuracy": metrics.accuracy_score(labels, predicted),\n'
                                        '        "queued_change": 1.0,'))
    run(["dvc", "exp", "run", "--queue", "--name", "changed"], wd)
    metrics.write_text(original)  # the workspace goes back to the committed code before the queue runs
    run(["dvc", "exp", "run", "--run-all"], wd)
    run(["dvc", "exp", "apply", "changed"], wd)
    assert json.loads((wd / "metrics" / "eval.json").read_text())["queued_change"] == 1.0
    assert "queued_change" in metrics.read_text()  # the applied experiment brings its code along


def test_an_experiment_run_again_restores_train_and_evaluate_from_the_run_cache(tmp_path):
    wd = make_pipeline_copy(tmp_path / "project", git=True)
    first = run(["dvc", "exp", "run", "-S", "train.epochs=1"], wd).stdout
    assert "Running stage 'train'" in first and "Running stage 'evaluate'" in first
    eval_first = (wd / "metrics" / "eval.json").read_text()
    assert "Running stage 'train'" in run(["dvc", "exp", "run", "-S", "train.epochs=2"], wd).stdout
    second = run(["dvc", "exp", "run", "-S", "train.epochs=1"], wd).stdout  # the first experiment again
    assert "Running stage" not in second
    assert "Stage 'train' is cached" in second and "Stage 'evaluate' is cached" in second
    assert (wd / "metrics" / "eval.json").read_text() == eval_first

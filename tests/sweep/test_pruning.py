"""A train stage run as a sweep's trial reports each epoch to the study and stops when the
study's pruner says it lags: its metrics say `pruned`, its best epoch is kept."""

from __future__ import annotations

import json

import optuna
import pytest

from conftest import make_sequences_copy, run, run_python
from rnnpipe.training.trial import ENV, WARMUP, make_pruner

pytestmark = pytest.mark.slow


def test_a_trial_that_lags_the_study_is_pruned_after_its_first_epoch(tmp_path, monkeypatch):
    wd = make_sequences_copy(tmp_path / "project", {"train": {"epochs": 6, "patience": 0}})
    run(["dvc", "repro", "sequences/dvc.yaml:prepare"], wd)
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    study = optuna.create_study(
        study_name="lag",
        storage=storage,
        direction="maximize",
        pruner=make_pruner("median"),
    )
    for _ in range(2):  # two earlier trials at validation accuracy 1.0 from their first epoch
        study.add_trial(
            optuna.trial.create_trial(
                value=1.0, intermediate_values={epoch: 1.0 for epoch in range(1, 7)}
            )
        )
    trial = study.ask()
    spec = {"storage": storage, "study": "lag", "trial_id": trial._trial_id}
    monkeypatch.setenv(ENV, json.dumps({**spec, "metric": "val_accuracy", "pruner": "median"}))
    result = run_python(["../stages/sequences/train.py"], wd / "sequences")
    assert result.returncode == 0, result.stderr
    # median pruning starts after the warm-up epochs: the first epoch it may stop at
    first = WARMUP + 1
    assert f"pruned: the sweep's study stops this trial after epoch {first}" in result.stderr
    metrics = json.loads((wd / "sequences/metrics/train.json").read_text())
    assert metrics["pruned"] is True and metrics["epochs_run"] == first
    reported = study.trials[-1].intermediate_values
    assert list(reported) == list(range(1, first + 1)) and max(reported.values()) < 1.0

"""A train stage running as a trial of `rnnpipe sweep`: it reports each epoch's validation metric
to the study and stops when the study's pruner says the trial lags behind the others.

The sweep passes the trial in the environment (RNNPIPE_TRIAL: JSON with the study's storage URL,
its name, the trial's id, the metric and the pruner, which a study's database does not hold), so
DVC runs the stage exactly as it always does; outside
a sweep the variable is absent and nothing here runs (Optuna is imported only then). A pruned run
ends like an early-stopped one, its best epoch kept and metrics/train.json saying `pruned: true`,
so the trial's experiment exists and shows why it stopped.
"""

from __future__ import annotations

import json
import os

ENV = "RNNPIPE_TRIAL"
# Median pruning: a trial stops when its metric at an epoch is worse than the median of the
# finished trials' at that epoch, once STARTUP trials have finished, from epoch WARMUP + 1 on
# (the first epochs are noise). Epochs are reported as steps 1, 2, ...
STARTUP, WARMUP = 2, 1


def make_pruner(kind: str):
    import optuna

    if kind == "median":
        # Optuna prunes at step >= n_warmup_steps; steps here start at 1
        return optuna.pruners.MedianPruner(n_startup_trials=STARTUP, n_warmup_steps=WARMUP + 1)
    return optuna.pruners.NopPruner()


class TrialReporter:
    def __init__(self, storage: str, study: str, trial_id: int, metric: str, pruner: str):
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        loaded = optuna.load_study(study_name=study, storage=storage, pruner=make_pruner(pruner))
        self.trial = optuna.trial.Trial(loaded, trial_id)
        self.metric = metric

    def should_stop(self, epoch: int, row: dict) -> bool:
        """Report this epoch's metric; whether the pruner stops the trial here."""
        value = row.get(self.metric)
        if value is None:
            return False
        self.trial.report(float(value), epoch)
        return bool(self.trial.should_prune())


def trial_reporter() -> TrialReporter | None:
    """The reporter of the trial this process runs as, or None outside a sweep."""
    spec = os.environ.get(ENV)
    if not spec:
        return None
    given = json.loads(spec)
    return TrialReporter(
        given["storage"],
        given["study"],
        int(given["trial_id"]),
        given["metric"],
        given.get("pruner", "median"),
    )

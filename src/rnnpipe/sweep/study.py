"""`rnnpipe sweep`: a hyperparameter study (Optuna) whose trials are DVC experiments.

The study lives in a database: by default SQLite in .dvc/tmp/rnnpipe-sweeps.db (one file, many
studies; DVC ignores .dvc/tmp), or any database URL given with --storage, which is Optuna's way of
sharing one study between machines: each runs the same command against the same database, asks
the study for its next trial's params and tells it the result. `--jobs N` runs N trials at once
here, each with its share of the cores. A trial is run by sweep.trials; Optuna's TPE (default),
random or grid sampler proposes the params, its median pruner stops a trial whose validation
curve lags (the train stage asks it every epoch: training.trial).

Every trial records who runs it (host, process); `--resume` marks this host's trials left running
by a killed sweep as failed ("interrupted") and runs their params again first, and never repeats a
finished trial. A failed trial is recorded as failed with its message and the study goes on.
sweeps/<study>/ holds what the study found: trials.csv (every trial), history.csv (the objective
and the best so far by trial: `dvc plots show sweeps/<study>/history.csv -x trial -y best`),
importance.csv (each param's importance, Optuna's fANOVA) and best.json.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import warnings
from pathlib import Path

import pandas as pd

from ..core.atomic import atomic_path, write_json
from ..core.errors import RnnpipeError
from ..core.jobserver import machine_cores
from ..training.trial import make_pruner
from .space import Space
from .trials import TrialFailed, TrialRun, experiment_name, run_trial

DEFAULT_STORAGE = "sqlite:///.dvc/tmp/rnnpipe-sweeps.db"
OUTPUT = Path("sweeps")


class SweepError(RnnpipeError):
    """A sweep cannot start or go on (its study exists, no trial finished, ...)."""


def open_study(space: Space, name: str, storage: str, resume: bool):
    import optuna
    from sqlalchemy.exc import SQLAlchemyError

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if space.sampler == "grid":
        sampler = optuna.samplers.GridSampler(
            {d.name: d.grid() for d in space.dimensions}, seed=space.seed
        )
    elif space.sampler == "random":
        sampler = optuna.samplers.RandomSampler(seed=space.seed)
    else:
        sampler = optuna.samplers.TPESampler(seed=space.seed)
    pruner = make_pruner(space.pruner)
    if storage.startswith("sqlite:///"):
        Path(storage.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(5):
        try:
            study = optuna.create_study(
                study_name=name,
                storage=storage,
                sampler=sampler,
                pruner=pruner,
                direction=space.direction,
                load_if_exists=True,
            )
            break
        except SQLAlchemyError:
            # Two processes opening a new database at once race to create its tables ("table
            # ... already exists", "UNIQUE constraint failed: alembic_version"); the loser finds
            # them made on its next try.
            if attempt == 4:
                raise
            time.sleep(0.5 + attempt)
    if study.trials and not resume:
        raise SweepError(
            f"study {name!r} already has {len(study.trials)} trials in {storage}; add --resume to "
            "continue it, or name a new one with --study."
        )
    return study


def recover_interrupted(study) -> int:
    """This host's trials left running by a dead process: failed ("interrupted"), their params
    queued to run first. How many."""
    from optuna.trial import TrialState

    host, recovered = socket.gethostname(), 0
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        attrs = trial.user_attrs
        if attrs.get("host") != host or _alive(int(attrs.get("pid", 0))):
            continue
        study._storage.set_trial_user_attr(trial._trial_id, "error", "interrupted (sweep killed)")
        study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)
        if trial.params:
            study.enqueue_trial(trial.params, skip_if_exists=False)
        recovered += 1
    return recovered


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def counted(study) -> int:
    """Trials that count toward --trials: finished ones (not those interrupted) and running."""
    from optuna.trial import TrialState

    return sum(
        1
        for t in study.get_trials(deepcopy=False)
        if t.state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
        or (t.state == TrialState.FAIL and not t.user_attrs.get("error", "").startswith("interr"))
    )


def trial_threads(pipeline_schema, space: Space, jobs: int) -> dict:
    """train.threads / evaluate.threads for each of `jobs` trials at once: its share of the
    cores, unless the space sets them."""
    share = max(1, machine_cores() // jobs)
    given = {d.name for d in space.dimensions} | set(space.fixed)
    return {
        f"{section}.threads": share
        for section in ("train", "evaluate")
        if "threads" in pipeline_schema.get(section, {}) and f"{section}.threads" not in given
    }


def run_sweep(pipeline, space: Space, run: TrialRun, trials: int, jobs: int, resume: bool) -> dict:
    """Run trials until the study holds `trials` of them (this process and any other sharing its
    storage); write sweeps/<study>/ and return best.json's contents."""
    from optuna.trial import TrialState

    study = open_study(space, run.study, run.storage, resume)
    if resume:
        recovered = recover_interrupted(study)
        if recovered:
            print(f"sweep: {recovered} trial(s) interrupted earlier run again first")
    threads = trial_threads(pipeline.schema, space, jobs)
    lock = threading.Lock()

    def worker() -> None:
        while True:
            with lock:
                if counted(study) >= trials:
                    return
                trial = study.ask()
                trial.set_user_attr("host", socket.gethostname())
                trial.set_user_attr("pid", os.getpid())
            searched = {d.name: d.suggest(trial) for d in space.dimensions}
            name = experiment_name(run.study, trial.number)
            trial.set_user_attr("experiment", name)
            started = time.monotonic()
            try:
                metrics = run_trial(
                    run, trial.number, trial._trial_id, {**space.fixed, **threads, **searched}
                )
            except TrialFailed as exc:
                trial.set_user_attr("error", str(exc))
                tell(study, trial, state=TrialState.FAIL)
                print(f"sweep: trial {trial.number} failed: {str(exc).splitlines()[-1]}")
                continue
            seconds = round(time.monotonic() - started, 1)
            trial.set_user_attr("seconds", seconds)
            if space.objective not in metrics:
                trial.set_user_attr("error", f"{run.metrics_file} has no {space.objective}")
                tell(study, trial, state=TrialState.FAIL)
                print(f"sweep: trial {trial.number} failed: no {space.objective} in its metrics")
                continue
            value = float(metrics[space.objective])
            trial.set_user_attr("value", value)
            if metrics.get("pruned"):
                tell(study, trial, state=TrialState.PRUNED)
                state = f"pruned after epoch {metrics.get('epochs_run')}"
            else:
                tell(study, trial, value)
                state = "done"
            print(
                f"sweep: trial {trial.number} ({name}) {state}: {space.objective} {value:.4f} "
                f"in {seconds:.0f} s; " + ", ".join(f"{k}={v}" for k, v in searched.items())
            )

    workers = [threading.Thread(target=worker) for _ in range(jobs)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return write_results(study, space, run)


def tell(study, trial, *args, **kwargs) -> None:
    """study.tell, where the grid sampler's "every point is done" (it calls Study.stop, which
    Optuna allows only inside study.optimize) does not end the sweep: the trial is stored first."""
    try:
        study.tell(trial, *args, **kwargs)
    except RuntimeError as exc:
        if "Study.stop" not in str(exc):
            raise


def write_results(study, space: Space, run: TrialRun) -> dict:
    """sweeps/<study>/: trials.csv, history.csv, importance.csv, best.json."""
    import optuna
    from optuna.trial import TrialState

    folder = OUTPUT / run.study
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for t in study.get_trials(deepcopy=False):
        rows.append(
            {
                "trial": t.number,
                "experiment": t.user_attrs.get("experiment", ""),
                "state": t.state.name.lower(),
                space.objective: t.user_attrs.get("value", t.value),
                "seconds": t.user_attrs.get("seconds"),
                **t.params,
                "error": t.user_attrs.get("error", ""),
            }
        )
    table = pd.DataFrame(rows)
    with atomic_path(folder / "trials.csv") as tmp:
        table.to_csv(tmp, index=False)
    complete = [t for t in study.get_trials(deepcopy=False) if t.state == TrialState.COMPLETE]
    if not complete:
        raise SweepError(
            f"study {run.study!r}: no trial finished; see sweeps/{run.study}/trials.csv for "
            "each trial's error."
        )
    history, best = [], None
    for t in sorted(complete, key=lambda t: t.number):
        better = best is None or (
            t.value > best if space.direction == "maximize" else t.value < best
        )
        best = t.value if better else best
        history.append({"trial": t.number, "value": t.value, "best": best})
    with atomic_path(folder / "history.csv") as tmp:
        pd.DataFrame(history).to_csv(tmp, index=False)
    varying = [d.name for d in space.dimensions]
    importance = {}
    if len(complete) >= 3 and varying:
        try:
            with warnings.catch_warnings():  # "importances will be equal" on flat objectives
                warnings.simplefilter("ignore")
                importance = optuna.importance.get_param_importances(
                    study, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=space.seed)
                )
        except (RuntimeError, ValueError):  # e.g. every trial drew the same values
            importance = {}
    with atomic_path(folder / "importance.csv") as tmp:
        pd.DataFrame(
            {"param": list(importance), "importance": [round(v, 4) for v in importance.values()]}
        ).to_csv(tmp, index=False)
    top = study.best_trial
    summary = {
        "study": run.study,
        "objective": space.objective,
        "direction": space.direction,
        "best_trial": top.number,
        "experiment": top.user_attrs.get("experiment"),
        "value": top.value,
        "params": top.params,
        "trials": {
            state: int((table["state"] == state).sum()) for state in table["state"].unique()
        },
    }
    write_json(folder / "best.json", summary)
    return summary


def best_summary(run: TrialRun) -> dict:
    """best.json of a study already run (`rnnpipe sweep --best`)."""
    path = OUTPUT / run.study / "best.json"
    if not path.is_file():
        raise SweepError(f"no {path}: run the sweep first (rnnpipe sweep ... --study {run.study}).")
    return json.loads(path.read_text(encoding="utf-8"))

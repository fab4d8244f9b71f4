"""One trial of a sweep as one DVC experiment: `dvc exp run <pipeline> --temp -n <study>-<number>
-S <params>...`, in DVC's temporary copy of the repository (the workspace's params are never
touched), its objective read from the experiment's own metrics/train.json.

DVC runs the stages as always, so a trial whose params were run before comes from the run-cache,
and every trial is in `dvc exp show` with its params, code, metrics and plots. The trial's identity
reaches the train stage in the environment (training.trial), which reports each epoch to the study.
Several `dvc exp run --temp` at once in one repository are DVC's own way of running its queue in
parallel (each in its own copy); each trial computes with its share of the cores (train.threads,
evaluate.threads).
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import RnnpipeError
from ..training.trial import ENV

TAIL = 12  # lines of a failed trial's output kept as its message


class TrialFailed(RnnpipeError):
    """A trial's experiment did not run to the end (a bad param combination, a stage error)."""


@dataclass(frozen=True)
class TrialRun:
    """What the sweep needs to run one trial of a pipeline."""

    repo: Path
    dvc_file: str  # dvc.yaml or <folder>/dvc.yaml
    params_file: str
    metrics_file: str  # <folder>/metrics/train.json, from the repository root
    storage: str
    study: str
    objective: str
    pruner: str  # median | none (sweep.yaml)
    timeout: float  # seconds before a trial is stopped and recorded as failed


def experiment_name(study: str, number: int) -> str:
    return f"{study}-{number}"


def command(run: TrialRun, name: str, params: dict) -> list[str]:
    settings = []
    for key, value in params.items():
        settings += ["-S", f"{run.params_file}:{key}={json.dumps(value)}"]
    return ["dvc", "exp", "run", run.dvc_file, "--temp", "-n", name, *settings]


def run_trial(run: TrialRun, number: int, trial_id: int, params: dict) -> dict:
    """Run the trial's experiment; its metrics/train.json. TrialFailed (with the output's last
    lines) when the experiment fails or runs past the timeout."""
    name = experiment_name(run.study, number)
    env = {
        **os.environ,
        ENV: json.dumps(
            {
                "storage": run.storage,
                "study": run.study,
                "trial_id": trial_id,
                "metric": run.objective,
                "pruner": run.pruner,
            }
        ),
    }
    try:
        result = subprocess.run(
            command(run, name, params),
            cwd=run.repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=run.timeout,
        )
    except subprocess.TimeoutExpired:
        raise TrialFailed(
            f"trial {number} ran past {run.timeout:.0f} s (--trial-timeout) and was stopped"
        ) from None
    if result.returncode != 0:
        lines = (result.stdout + result.stderr).strip().splitlines()
        errors = [line for line in lines if "error" in line.lower()]
        raise TrialFailed("\n".join((errors or lines)[-TAIL:]))
    return experiment_metrics(run.repo, name, run.metrics_file)


def experiment_ref(repo: Path, name: str) -> str:
    """The git ref of the experiment named `name` (refs/exps/<baseline>/<name>)."""
    refs = subprocess.run(
        ["git", "for-each-ref", "--format=%(refname)", "refs/exps"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    baseline = f"refs/exps/{head[:2]}/{head[2:]}/{name}"
    if baseline in refs:
        return baseline
    found = [ref for ref in refs if ref.rsplit("/", 1)[-1] == name]
    if not found:
        raise TrialFailed(f"experiment {name} ran but DVC recorded no experiment of that name")
    return found[-1]


def experiment_metrics(repo: Path, name: str, metrics_file: str) -> dict:
    """The experiment's metrics file, read from its commit."""
    ref = experiment_ref(repo, name)
    shown = subprocess.run(
        ["git", "show", f"{ref}:{metrics_file}"], cwd=repo, capture_output=True, text=True
    )
    if shown.returncode != 0:
        raise TrialFailed(f"experiment {name} holds no {metrics_file}")
    return json.loads(shown.stdout)

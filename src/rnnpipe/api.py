"""rnnpipe from Python (a notebook, a service): load a trained model folder, predict with it, read a
pipeline's metrics. The command line (`rnnpipe predict`) runs the same code.

    from rnnpipe import api

    model = api.load("data/model")                  # any task's model folder, verified
    model.predict(["a dull plot", "great acting"])  # one dict per text: label, probability, ...
    api.load("forecast/data/model").predict("recent.csv")   # forecasters and sequences read a file
    api.metrics("forecast")                         # {"train": {...}, "eval": {...}}
    api.version()

Rows are the objects `rnnpipe predict --json` prints (probabilities unrounded here): a classifier's
or trees model's `label`, `probability`, `probabilities`, `text`; a tagger's `tokens`, `tags`,
`probability`, `probabilities`, `text`; a forecaster's `time`, `target`, `forecast`; a sequences
model's `sequence`, `start`, `labels`, `probability`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from .core.errors import RnnpipeError
from .tasks import ModelKind, load_model, model_kind, resolve

# Each pipeline's folder (the text pipeline's is the repository root).
PIPELINE_FOLDERS = {
    "text": "",
    "tagging": "tagging",
    "forecast": "forecast",
    "sequences": "sequences",
    "trees": "trees",
    "pairs": "pairs",
}


@dataclass(frozen=True)
class Model:
    """A trained model: its folder, its kind (rnnpipe.tasks) and the loaded model itself
    (`trained`: TrainedClassifier, TrainedTagger, TrainedForecaster, ...)."""

    folder: Path
    kind: ModelKind
    trained: object

    def predict(self, inputs, batch_size: int = 256) -> list[dict]:
        """One dict per prediction. `inputs`: texts (a list, or one string) for classifiers,
        taggers and trees models; a file path for forecasters and sequences models."""
        if self.kind.takes == "texts":
            texts = [inputs] if isinstance(inputs, str) else list(inputs)
            if not all(isinstance(text, str) for text in texts):
                raise RnnpipeError(f"{self.folder} holds {self.kind.what}: it reads texts (str).")
            return resolve(self.kind.rows)(self.trained, texts, batch_size)
        if not isinstance(inputs, (str, Path)):
            raise RnnpipeError(
                f"{self.folder} holds {self.kind.what}: it reads a file (CSV, Parquet, ...) laid "
                "out as its training data; pass its path."
            )
        return resolve(self.kind.rows)(self.trained, str(inputs), batch_size)


def load(folder: str | Path = "data/model") -> Model:
    """The trained model in `folder`, verified as `rnnpipe predict` verifies it (ModelFileError
    naming the file at fault otherwise)."""
    kind = model_kind(folder)
    return Model(Path(folder), kind, load_model(folder, kind))


def metrics(pipeline: str = "text", root: str | Path = ".") -> dict[str, dict]:
    """A pipeline's metrics files (`metrics/train.json`, `metrics/eval.json`) as
    {"train": {...}, "eval": {...}}; a file not written yet is absent."""
    if pipeline not in PIPELINE_FOLDERS:
        raise RnnpipeError(
            f"no pipeline {pipeline!r}; the pipelines are {', '.join(PIPELINE_FOLDERS)}."
        )
    folder = Path(root) / PIPELINE_FOLDERS[pipeline] / "metrics"
    found = {}
    for name in ("train", "eval"):
        path = folder / f"{name}.json"
        if path.is_file():
            found[name] = json.loads(path.read_text(encoding="utf-8"))
    return found


# Per pipeline: its test score in metrics/eval.json and the baselines evaluate measured beside it
# (higher is better, except for forecasting's errors).
HEADLINES = {
    "text": ("accuracy", {"TF-IDF+LR": "baseline_accuracy"}, True),
    "tagging": ("accuracy", {"most frequent tag": "baseline_accuracy"}, True),
    "forecast": ("mae", {"naive": "naive_mae", "ridge": "linear_mae"}, False),
    "sequences": ("accuracy", {"linear, no memory": "baseline_accuracy"}, True),
    "trees": ("accuracy", {"TF-IDF+LR": "baseline_accuracy"}, True),
    "pairs": (
        "accuracy",
        {"lexical": "lexical_accuracy", "hypothesis only": "hypothesis_only_accuracy"},
        True,
    ),
}


def summary(root: str | Path = ".") -> list[dict]:
    """One row per pipeline with results under `root`: `pipeline`, its test `metric` and
    `score`, the `baselines` ({name: score}), `beats_baselines`, the `best_epoch` and
    `val_score` of training (what `dvc metrics show` spreads over 70 columns)."""
    rows = []
    for pipeline, (metric, baselines, higher) in HEADLINES.items():
        found = metrics(pipeline, root)
        evaluation, training = found.get("eval"), found.get("train", {})
        if not evaluation or metric not in evaluation:
            continue
        score = evaluation[metric]
        bars = {name: evaluation[key] for name, key in baselines.items() if key in evaluation}
        val_key = f"val_{metric}" if f"val_{metric}" in training else "val_loss"
        rows.append(
            {
                "pipeline": pipeline,
                "metric": metric,
                "score": score,
                "baselines": bars,
                "beats_baselines": all(
                    score > bar if higher else score < bar for bar in bars.values()
                ),
                "best_epoch": training.get("best_epoch"),
                "val_score": training.get(val_key),
            }
        )
    return rows


def version() -> str:
    """The installed rnnpipe's version."""
    return metadata.version("rnnpipe")

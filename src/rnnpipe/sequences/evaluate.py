"""The numeric-sequences pipeline's evaluate stage: the model on the test split, next to a simple
baseline on the same items.

metrics/eval.json: accuracy, macro precision/recall/F1 and log-loss over test items (per-step
targets: over every labeled test step, each once), and baseline_accuracy / baseline_f1_macro of the
matching linear baseline (rnnpipe.sequences.baselines: the current step alone, or per-item summary
statistics). A window classifier is also scored per step (step_accuracy, step_f1_macro): each
labeled test step gets the mean probabilities of the windows covering it
(rnnpipe.sequences.spreading), comparable with a per-step model's accuracy and f1_macro.
metrics/confusion.csv and metrics/per_class.csv are `dvc plots show`'s confusion matrix and
per-class bars.
"""

from __future__ import annotations

import pandas as pd
import torch

from ..core.atomic import atomic_path, write_json
from ..core.device import resolve_device
from ..core.errors import DataError
from ..core.metrics import (
    classification_metrics,
    confusion_rows,
    per_class_rows,
)
from ..training.inference import predict
from .baselines import baseline_probabilities, member_probabilities
from .model import TrainedSequenceModel
from .prepared import load_spans
from .spreading import spread_probabilities


@torch.no_grad()
def evaluate_sequence_model(params: dict) -> None:
    settings = params["evaluate"]
    device = resolve_device(settings["device"])
    trained = TrainedSequenceModel.load("data/model", device)
    sets, meta = load_spans("data/prepared", ("train", "test"))
    if (trained.features, trained.labels, trained.target) != (
        meta["features"],
        meta["labels"],
        meta["target"],
    ):
        raise DataError(
            "data/model was trained on other features, classes or target than data/prepared holds; "
            "rerun `dvc repro sequences/dvc.yaml`."
        )
    test = sets["test"]
    labels, proba = test.scored(predict(trained.scorer, test, settings["batch_size"], device))
    names = trained.labels
    if trained.baseline is not None:  # the member train fitted: the baseline the mix holds
        baseline = member_probabilities(trained.baseline.cpu(), test)
    else:
        baseline = baseline_probabilities(
            sets["train"], test, len(names), settings["baseline_max_items"]
        )
    scores = classification_metrics(labels, proba)
    baseline_scores = classification_metrics(labels, baseline)
    result = {
        **scores,
        "baseline_accuracy": baseline_scores["accuracy"],
        "baseline_f1_macro": baseline_scores["f1_macro"],
        ("steps" if test.per_step else "items"): int(len(labels)),
    }
    if trained.scorer is not trained.model:
        _, network = test.scored(predict(trained.model, test, settings["batch_size"], device))
        result.update(
            network_alone_accuracy=classification_metrics(labels, network)["accuracy"],
            baseline_weight=trained.baseline_weight,
        )
    if (
        meta["window"] and not test.per_step
    ):  # a window classifier, also scored per step (spreading.py)
        sequences = pd.read_parquet("data/prepared/sequences.parquet")
        step_labels, step_proba = spread_probabilities(
            trained.scorer,
            test.values,
            test.step_labels.numpy(),
            sequences[sequences["split"] == "test"],
            meta["window"],
            settings["batch_size"],
            device,
        )
        per_step = classification_metrics(step_labels, step_proba)
        result.update(
            step_accuracy=per_step["accuracy"],
            step_f1_macro=per_step["f1_macro"],
            steps=int(len(step_labels)),
        )
    write_json("metrics/eval.json", result)
    with atomic_path("metrics/confusion.csv") as tmp:
        confusion_rows(labels, proba, names).to_csv(tmp, index=False)
    with atomic_path("metrics/per_class.csv") as tmp:
        per_class_rows(labels, proba, names).to_csv(tmp, index=False)
    mixed = (
        f" (mixed with the baseline, weight {trained.baseline_weight:.2f}; the network alone: "
        f"{result['network_alone_accuracy']:.4f})"
        if "network_alone_accuracy" in result
        else ""
    )
    print(
        f"evaluate: accuracy {result['accuracy']:.4f}{mixed} (baseline "
        f"{result['baseline_accuracy']:.4f}), macro F1 "
        f"{result['f1_macro']:.4f} (baseline {result['baseline_f1_macro']:.4f}) on {len(labels)} "
        "test "
        f"{'steps' if test.per_step else 'items'}"
    )
    if result["accuracy"] < result["baseline_accuracy"]:
        print(
            f"evaluate: warning: the RNN ({result['accuracy']:.4f}) is below the linear baseline "
            f"({result['baseline_accuracy']:.4f}) on this test split."
        )

"""Test-split metrics: classification (accuracy, macro precision/recall/F1, log-loss, ROC AUC, the
confusion, per-class and ROC plot files) and regression (MAE, RMSE), and probabilities from logits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from sklearn import metrics

from .atomic import atomic_path, write_json


def classification_metrics(
    labels: np.ndarray, proba: np.ndarray, predicted: np.ndarray | None = None
) -> dict:
    """`labels` are class ids [n]; `proba` is [n, classes]; `predicted` the decisions when they
    are not the most probable class of each row (a CRF tagger's Viterbi path)."""
    predicted = proba.argmax(axis=1) if predicted is None else predicted
    precision, recall, f1, _ = metrics.precision_recall_fscore_support(
        labels, predicted, average="macro", zero_division=0
    )
    result = {
        "accuracy": metrics.accuracy_score(labels, predicted),
        "precision_macro": precision,
        "recall_macro": recall,
        "f1_macro": f1,
        "log_loss": metrics.log_loss(labels, _clipped(proba), labels=list(range(proba.shape[1]))),
    }
    if proba.shape[1] == 2 and len(np.unique(labels)) == 2:
        result["roc_auc"] = metrics.roc_auc_score(labels, proba[:, 1])
    return {k: round(float(v), 6) for k, v in result.items()}


def _clipped(proba: np.ndarray) -> np.ndarray:
    """Probabilities kept off 0 (a finite log-loss) and rows summing to 1 again, as log_loss
    checks."""
    clipped = np.clip(np.asarray(proba, dtype=np.float64), 1e-7, 1.0)
    return clipped / clipped.sum(axis=1, keepdims=True)


def confusion_rows(labels: np.ndarray, proba: np.ndarray, names: list) -> pd.DataFrame:
    """One row per example (actual, predicted), the input DVC's confusion template expects."""
    names = np.asarray([str(n) for n in names], dtype=object)
    return pd.DataFrame({"actual": names[labels], "predicted": names[proba.argmax(axis=1)]})


def roc_points(labels: np.ndarray, proba: np.ndarray, names: list) -> pd.DataFrame:
    """ROC curve points; for two classes the positive class only, else one-vs-rest per class."""
    classes = [1] if proba.shape[1] == 2 else range(proba.shape[1])
    frames = []
    for k in classes:
        if len(np.unique(labels == k)) < 2:
            continue  # a class absent from (or alone in) the test split has no curve
        fpr, tpr, thresholds = metrics.roc_curve(labels == k, proba[:, k])
        frames.append(
            pd.DataFrame(
                {
                    "class": str(names[k]),
                    "fpr": fpr,
                    "tpr": tpr,
                    "threshold": np.clip(thresholds, 0.0, 1.0),
                }
            )
        )
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["class", "fpr", "tpr", "threshold"])
    )


def class_probabilities(logits: torch.Tensor) -> torch.Tensor:
    """[n, classes] probabilities from one binary logit per row or a row of class logits (torch
    ops only, so an exported graph computes them too: text.export)."""
    if logits.dim() == 1:
        positive = torch.sigmoid(logits)
        return torch.stack([1 - positive, positive], dim=1)
    return torch.softmax(logits, dim=-1)


def probabilities(logits: torch.Tensor) -> np.ndarray:
    """class_probabilities as a numpy array."""
    return class_probabilities(logits).numpy()


def regression_metrics(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    error = np.asarray(predicted, dtype=np.float64) - np.asarray(truth, dtype=np.float64)
    return {
        "mae": round(float(np.abs(error).mean()), 6),
        "rmse": round(float(np.sqrt((error**2).mean())), 6),
    }


def per_class_rows(labels: np.ndarray, proba: np.ndarray, names: list) -> pd.DataFrame:
    """Precision, recall, F1 and support of every class (a bar plot per class in `dvc plots
    show`)."""
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        labels, proba.argmax(axis=1), labels=np.arange(len(names)), zero_division=0
    )
    return pd.DataFrame(
        {
            "class": [str(n) for n in names],
            "precision": precision.round(6),
            "recall": recall.round(6),
            "f1": f1.round(6),
            "support": support,
        }
    )


def write_classification_report(
    result: dict, labels: np.ndarray, proba: np.ndarray, names: list, roc: bool = True
) -> None:
    """An evaluate stage's outputs: metrics/eval.json (`result`), and the plots' data
    metrics/confusion.csv, metrics/per_class.csv and (with `roc`) metrics/roc.csv, each written
    atomically."""
    write_json("metrics/eval.json", result)
    with atomic_path("metrics/confusion.csv") as tmp:
        confusion_rows(labels, proba, names).to_csv(tmp, index=False)
    if roc:
        with atomic_path("metrics/roc.csv") as tmp:
            roc_points(labels, proba, names).to_csv(tmp, index=False, float_format="%.6f")
    with atomic_path("metrics/per_class.csv") as tmp:
        per_class_rows(labels, proba, names).to_csv(tmp, index=False)

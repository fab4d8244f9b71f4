"""The pairs pipeline's evaluate stage: the model on the test pairs (read here only), beside the
lexical and hypothesis-only baselines (pairs.baselines) on the same pairs.

Labels: metrics/eval.json holds accuracy, macro precision / recall / F1 and log loss of the model
and each baseline's accuracy and macro F1 (`lexical_accuracy`, `hypothesis_only_accuracy`, ...);
metrics/confusion.csv and metrics/per_class.csv are DVC plots. Relatedness: Pearson r, Spearman
rho and MSE of the model and of each baseline; metrics/scores.csv (truth and prediction per test
pair) is a DVC plot. The model is the network mixed with its lexical member (train.mix_lexical,
the weight chosen on validation: `network_weight`); the network alone is scored beside it
(`network_alone_accuracy`, `network_alone_pearson`, ...).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..core.atomic import atomic_path, write_json
from ..core.device import resolve_device
from ..core.metrics import classification_metrics, write_classification_report
from ..training.inference import predict
from .baselines import PairBaseline
from .classifier import TrainedPairModel
from .dataset import PairSet, read_split

DATA = "data/pairs.parquet"


def relatedness_metrics(truth: np.ndarray, predicted: np.ndarray) -> dict:
    return {
        "pearson": round(float(stats.pearsonr(truth, predicted)[0]), 6),
        "spearman": round(float(stats.spearmanr(truth, predicted)[0]), 6),
        "mse": round(float(np.mean((truth - predicted) ** 2)), 6),
    }


def write_empty(path: str, columns: list[str]) -> None:
    """A plot file the other target fills, with its header only: every declared plot exists."""
    with atomic_path(path) as tmp:
        pd.DataFrame(columns=columns).to_csv(tmp, index=False)


def split_text(table: dict) -> tuple[list, list, np.ndarray, np.ndarray]:
    """(premises' tokens, hypotheses' tokens, label ids, scores) of read_split's columns."""
    return (
        table["premise"],
        table["hypothesis"],
        np.asarray(table["label"], dtype=np.int64),
        np.asarray(table["score"], dtype=np.float64),
    )


def evaluate_pairs(params: dict) -> None:
    settings, parse = params["evaluate"], params["parse"]
    device = resolve_device(settings["device"])
    trained = TrainedPairModel.load("data/model", device)
    config = trained.model.config
    test_table = read_split(DATA, "test")
    test = PairSet(
        test_table,
        trained.vocabulary,
        config.encoder,
        parse["target"],
        parse["score_range"],
        trained.relations,
    )
    network = trained.outputs(predict(trained.model, test, settings["batch_size"], device))
    premises, hypotheses, labels, scores = split_text(read_split(DATA, "train"))
    test_p, test_h, test_labels, test_scores = split_text(test_table)
    outputs = trained.mixed(network, test_p, test_h)
    y = labels if parse["target"] == "label" else scores
    # the lexical member is the lexical baseline, fitted once (by train when it is mixed in)
    fitted = {"lexical": trained.lexical} if trained.lexical is not None else {}
    baselines = {
        kind: (
            fitted.get(kind)
            or PairBaseline(kind, parse["target"], settings["linear_c"]).fit(
                premises, hypotheses, y
            )
        ).predict(test_p, test_h)
        for kind in ("lexical", "hypothesis_only")
    }
    baselines["network_alone"] = network
    if parse["target"] == "label":
        result = classification_metrics(test_labels, outputs)
        for kind, proba in baselines.items():
            scored = classification_metrics(test_labels, proba)
            result[f"{kind}_accuracy"] = scored["accuracy"]
            result[f"{kind}_f1_macro"] = scored["f1_macro"]
        majority = np.bincount(labels).argmax()
        result["majority_accuracy"] = round(float(np.mean(test_labels == majority)), 6)
        result["test_pairs"] = len(test_labels)
        result["network_weight"] = trained.network_weight
        write_classification_report(result, test_labels, outputs, trained.labels, roc=False)
        write_empty("metrics/scores.csv", ["truth", "model", "lexical"])
        summary = (
            f"accuracy {result['accuracy']:.4f} macro F1 {result['f1_macro']:.4f}; lexical "
            f"{result['lexical_accuracy']:.4f}, hypothesis only "
            f"{result['hypothesis_only_accuracy']:.4f}, majority {result['majority_accuracy']:.4f}"
        )
        key, higher = "accuracy", True
    else:
        result = relatedness_metrics(test_scores, outputs)
        for kind, predicted in baselines.items():
            result.update(
                {f"{kind}_{k}": v for k, v in relatedness_metrics(test_scores, predicted).items()}
            )
        result["test_pairs"] = len(test_scores)
        result["network_weight"] = trained.network_weight
        write_json("metrics/eval.json", result)
        write_empty("metrics/confusion.csv", ["actual", "predicted"])
        write_empty("metrics/per_class.csv", ["class", "precision", "recall", "f1", "support"])
        with atomic_path("metrics/scores.csv") as tmp:
            pd.DataFrame(
                {"truth": test_scores, "model": outputs, "lexical": baselines["lexical"]}
            ).to_csv(tmp, index=False, float_format="%.4f")
        summary = (
            f"Pearson r {result['pearson']:.4f} Spearman {result['spearman']:.4f} MSE "
            f"{result['mse']:.4f}; lexical r {result['lexical_pearson']:.4f}, hypothesis only "
            f"r {result['hypothesis_only_pearson']:.4f}"
        )
        key, higher = "pearson", True
    mix = (
        f" (mixed with the lexical member, weight {1 - trained.network_weight:.2f}; the network "
        f"alone: {key} {result[f'network_alone_{key}']:.4f})"
        if trained.network_weight < 1
        else ""
    )
    print(f"evaluate: {config.encoder} on {len(test)} test pairs: {summary}{mix}")
    best = max(("lexical", "hypothesis_only"), key=lambda k: result[f"{k}_{key}"])
    if (result[key] < result[f"{best}_{key}"]) == higher:
        print(
            f"evaluate: warning: the {best.replace('_', ' ')} baseline's {key} "
            f"({result[f'{best}_{key}']:.4f}) is above the model's ({result[key]:.4f})."
        )

"""The text pipeline's evaluate stage: the trained classifier on the test split -> metrics/eval.json
and plots.

Writes metrics/eval.json, metrics/confusion.csv (`dvc plots show`: confusion matrix),
metrics/roc.csv (ROC curve; one-vs-rest per class when there are more than two) and
metrics/per_class.csv (precision, recall, F1 and support per class).

Beside the model, on the same test rows, the baseline a user must know about: baseline_accuracy /
baseline_f1_macro of the linear model (TF-IDF 1-2 grams + logistic regression on whole texts, fitted
on train with C chosen on validation; not the ensemble's linear member, an NB-weighted 1-3 gram
model), and a warning line when the model scores below it. With a linear member eval.json also holds
rnn_accuracy (the RNN alone) and linear_weight. This is the only stage that reads the test split.
"""

from __future__ import annotations

from ..core.device import resolve_device
from ..core.metrics import classification_metrics, probabilities, write_classification_report
from ..training.inference import predict
from .classifier import TrainedClassifier
from .datasets import aligned_label_ids, split_rows
from .linear import fit_linear
from .sequences import load_padded

DATASET = "data/dataset.parquet"


def evaluate_classifier(settings: dict) -> dict:
    """The `evaluate` params section -> the metrics and plot files; returns eval.json's contents."""
    device = resolve_device(settings["device"])
    classifier = TrainedClassifier.load("data/model", device)
    test = load_padded("data/padded.parquet", splits=("test",))[0]["test"]
    labels = test.labels.numpy()
    rows = split_rows(DATASET, ("train", "validation", "test"))
    aligned_label_ids(rows, classifier.label_map, {"test": labels}, DATASET)
    texts = rows["test"][0]
    rnn = probabilities(predict(classifier.model, test, settings["batch_size"], device))
    proba = classifier.with_linear(rnn, texts)
    extra = {}
    if classifier.linear is not None:
        extra = {
            "rnn_accuracy": round(float((rnn.argmax(1) == labels).mean()), 6),
            "linear_weight": classifier.linear_weight,
        }
    scores = classification_metrics(labels, fitted_baseline(classifier, rows).predict_proba(texts))
    baseline = {"baseline_accuracy": scores["accuracy"], "baseline_f1_macro": scores["f1_macro"]}
    result = {**classification_metrics(labels, proba), **extra, **baseline}
    write_classification_report(result, labels, proba, classifier.label_map.labels)
    print("evaluate: " + ", ".join(f"{k} {v:.4f}" for k, v in result.items()))
    if result["accuracy"] < result["baseline_accuracy"]:
        remedy = (
            ""
            if "linear_weight" in result
            else " Set train.ensemble_linear=true to mix the two (weight chosen on validation)."
        )
        print(
            f"evaluate: warning: the model ({result['accuracy']:.4f}) is below the linear (TF-IDF "
            "+ logistic "
            f"regression) baseline ({result['baseline_accuracy']:.4f}) on this test split.{remedy}"
        )
    return result


def fitted_baseline(classifier: TrainedClassifier, rows: dict):
    """The baseline: TF-IDF 1-2 grams + logistic regression fitted on train, C chosen on
    validation."""
    (train, train_labels), (val, val_labels) = rows["train"], rows["validation"]
    encode = classifier.label_map.encode
    model, _ = fit_linear(
        classifier.tokenizer,
        train,
        encode(train_labels, "train"),
        val,
        encode(val_labels, "validation"),
        len(classifier.label_map),
    )
    return model

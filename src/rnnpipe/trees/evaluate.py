"""The trees pipeline's evaluate stage: the classifier on the test trees -> metrics/eval.json and
plots.

metrics/eval.json: root accuracy (the SST sentence-level number; `fine` 5 classes or `binary` 2, by
parse.granularity), macro precision/recall/F1 and log-loss over roots, and all-phrases accuracy over
every labelled node (for the sequence baselines: each phrase read as a sentence of its own); a
fine-grained model also gets `binary_accuracy`, its predictions scored as SST-2 (non-neutral test
sentences, P(3)+P(4) against P(0)+P(1)). Beside them baseline_accuracy / baseline_f1_macro: the text
pipeline's linear model (TF-IDF 1-2 grams + logistic regression, C chosen on validation) on the same
test sentences, trained on the training sentences' root labels; a warning when the model's root
accuracy is below it. metrics/confusion.csv and metrics/per_class.csv: roots (`dvc plots show`).
"""

from __future__ import annotations

import numpy as np
import torch

from ..core.atomic import atomic_path, write_json
from ..core.device import resolve_device
from ..core.metrics import classification_metrics, confusion_rows, per_class_rows, probabilities
from ..text.linear import fit_linear
from ..text.tokenizer import Tokenizer
from ..training.inference import predict
from ..training.objectives import IGNORE_INDEX
from .classifier import TrainedTreeClassifier
from .dataset import tree_set
from .files import binary_accuracy_of_fine, read_trees
from .ptb import UNLABELED


@torch.no_grad()
def evaluate_tree_classifier(params: dict) -> None:
    settings = params["evaluate"]
    device = resolve_device(settings["device"])
    trained = TrainedTreeClassifier.load("data/model", device)
    trees = read_trees("data/trees.parquet", "test")
    test = tree_set(trees, trained.vocabulary)
    proba = probabilities(predict(trained.model, test, settings["batch_size"], device))
    roots = test.sizes - 1
    root_labels = test.targets.numpy()[np.arange(len(test)), roots]
    labeled = root_labels != IGNORE_INDEX
    root_proba = proba[np.arange(len(test)), roots][labeled]
    result = classification_metrics(root_labels[labeled], root_proba)
    result["all_phrases_accuracy"] = round(
        phrase_accuracy(
            trained, trees, settings["batch_size"], device, proba, test.targets.numpy()
        ),
        6,
    )
    if (
        trained.granularity == "fine"
    ):  # the same predictions scored as SST-2 (neutral sentences left out)
        result["binary_accuracy"] = round(
            binary_accuracy_of_fine(root_labels[labeled], root_proba), 6
        )
    result["test_trees"] = int(labeled.sum())
    result.update(sentence_baseline(trees, len(trained.class_names)))
    write_json("metrics/eval.json", result)
    names = trained.class_names
    with atomic_path("metrics/confusion.csv") as tmp:
        confusion_rows(root_labels[labeled], root_proba, names).to_csv(tmp, index=False)
    with atomic_path("metrics/per_class.csv") as tmp:
        per_class_rows(root_labels[labeled], root_proba, names).to_csv(tmp, index=False)
    print(
        f"evaluate: root accuracy {result['accuracy']:.4f} ({trained.granularity}), all phrases "
        f"{result['all_phrases_accuracy']:.4f}, macro F1 {result['f1_macro']:.4f} on "
        f"{result['test_trees']} trees; "
        f"linear baseline {result['baseline_accuracy']:.4f}"
    )
    if result["accuracy"] < result["baseline_accuracy"]:
        print(
            f"evaluate: warning: the model ({result['accuracy']:.4f}) is below the linear (TF-IDF "
            "+ logistic "
            f"regression) baseline ({result['baseline_accuracy']:.4f}) on these test sentences."
        )


def sentence_baseline(test_trees, classes: int) -> dict:
    """The linear model on each labelled root's sentence: fitted on train, C chosen on
    validation."""

    def sentences(trees):
        kept = [t for t in trees if t.label[-1] != UNLABELED]
        return [" ".join(t.words) for t in kept], np.array(
            [t.label[-1] for t in kept], dtype=np.int64
        )

    (train, train_labels), (val, val_labels) = (
        sentences(read_trees("data/trees.parquet", split)) for split in ("train", "validation")
    )
    model, _ = fit_linear(
        Tokenizer(lowercase=True, filters=""), train, train_labels, val, val_labels, classes
    )
    test, test_labels = sentences(test_trees)
    scores = classification_metrics(test_labels, model.predict_proba(test))
    return {"baseline_accuracy": scores["accuracy"], "baseline_f1_macro": scores["f1_macro"]}


def phrase_accuracy(trained, trees, batch_size, device, proba, targets) -> float:
    """Accuracy over every labelled node: the Tree-LSTM's own node outputs, or, for a sequence
    model, each phrase classified as a sentence of its own."""
    if trained.model.config.model in ("treelstm", "spinn"):
        real = targets != IGNORE_INDEX
        return float((proba.argmax(-1)[real] == targets[real]).mean())
    phrases = tree_set(trees, trained.vocabulary, phrases=True)
    phrase_proba = probabilities(predict(trained.model, phrases, batch_size, device))
    roots = phrases.sizes - 1
    return float(
        (
            phrase_proba[np.arange(len(phrases)), roots].argmax(-1)
            == phrases.targets.numpy()[np.arange(len(phrases)), roots]
        ).mean()
    )

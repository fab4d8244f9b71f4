"""Stage 6, evaluate: the trained model on the test split -> metrics/eval.json and plots.

    python stages/text/evaluate.py      # reads params: data.task, evaluate.batch_size, evaluate.device

Writes metrics/eval.json, metrics/confusion.csv (`dvc plots show`: confusion matrix), metrics/roc.csv
(ROC curve; one-vs-rest per class when there are more than two) and metrics/per_class.csv (precision,
recall, F1 and support per class). With data.task=tag the same per token (every test token, padding
never), and for BIO-style tag sets (NER, chunks) entity precision / recall / F1 by seqeval.
"""

import numpy as np

from rnnpipe.core.atomic import atomic_path, write_json
from rnnpipe.core.device import resolve_device
from rnnpipe.core.metrics import classification_metrics, confusion_rows, per_class_rows, probabilities, roc_points
from rnnpipe.core.stage import run_stage
from rnnpipe.tagging.metrics import entity_scores, is_span_tagging
from rnnpipe.tagging.sequences import load_tagged
from rnnpipe.tagging.tagger import TrainedTagger
from rnnpipe.text.classifier import TrainedClassifier
from rnnpipe.text.params import TEXT_SCHEMA
from rnnpipe.text.sequences import load_padded
from rnnpipe.training.inference import predict
from rnnpipe.training.objectives import IGNORE_INDEX


def main(params: dict) -> None:
    settings = params["evaluate"]
    device = resolve_device(settings["device"])
    if params["data"]["task"] == "tag":
        labels, proba, names, extra = tagged_test_predictions(settings, device)
    else:
        classifier = TrainedClassifier.load("data/model", device)
        test = load_padded("data/padded.parquet", splits=("test",))[0]["test"]
        proba = probabilities(predict(classifier.model, test, settings["batch_size"], device))
        labels, names, extra = test.labels.numpy(), classifier.label_map.labels, {}
    result = {**classification_metrics(labels, proba), **extra}
    write_json("metrics/eval.json", result)
    with atomic_path("metrics/confusion.csv") as tmp:
        confusion_rows(labels, proba, names).to_csv(tmp, index=False)
    with atomic_path("metrics/roc.csv") as tmp:
        roc_points(labels, proba, names).to_csv(tmp, index=False, float_format="%.6f")
    with atomic_path("metrics/per_class.csv") as tmp:
        per_class_rows(labels, proba, names).to_csv(tmp, index=False)
    print("evaluate: " + ", ".join(f"{k} {v:.4f}" for k, v in result.items()))


def tagged_test_predictions(settings: dict, device):
    """Every real test token's tag id and tag probabilities, the tag names, and entity scores for span tags."""
    tagger = TrainedTagger.load("data/model", device)
    sets, sentence_ids = load_tagged("data/padded.parquet", tagger.characters, splits=("test",))
    test = sets["test"]
    logits = predict(tagger.model, test, settings["batch_size"], device)
    tags = test.tags[:, :logits.size(1)].numpy()
    real = tags != IGNORE_INDEX
    proba = probabilities(logits)[real]
    labels = tags[real]
    names = tagger.tag_map.labels
    extra = {"tokens": int(real.sum())}
    if is_span_tagging(names):
        extra.update(entity_scores(*sentence_tags(tags, logits.argmax(-1).numpy(), sentence_ids["test"], names)))
    return labels, proba, names, extra


def sentence_tags(tags: np.ndarray, predicted: np.ndarray, sentences: np.ndarray, names: list):
    """(true, predicted) tag-name lists per sentence, the pieces of a long sentence joined again."""
    truth, guess = {}, {}
    for row, sentence in enumerate(sentences):
        real = tags[row] != IGNORE_INDEX
        truth.setdefault(sentence, []).extend(names[t] for t in tags[row][real])
        guess.setdefault(sentence, []).extend(names[t] for t in predicted[row][real])
    return list(truth.values()), list(guess.values())


if __name__ == "__main__":
    run_stage("evaluate", main, TEXT_SCHEMA)

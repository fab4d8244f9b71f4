"""Stage 6, evaluate: the trained model on the test split -> metrics/eval.json and plots.

    python stages/text/evaluate.py      # reads params: data.task, evaluate.batch_size, evaluate.device

Writes metrics/eval.json, metrics/confusion.csv (`dvc plots show`: confusion matrix), metrics/roc.csv
(ROC curve; one-vs-rest per class when there are more than two) and metrics/per_class.csv (precision,
recall, F1 and support per class). With data.task=tag the same per token (every test token, padding
never), and for BIO-style tag sets (NER, chunks) entity precision / recall / F1 by seqeval.

Beside the model, on the same test rows, a baseline a user must know about: baseline_accuracy /
baseline_f1_macro of the linear model (TF-IDF 1-2 grams + logistic regression on whole texts, fitted on
train with C chosen on validation; not the ensemble's linear member, an NB-weighted 1-3 gram model) or,
tagging, of each word's most frequent training tag. A warning line
when the model scores below it. With a linear member eval.json also holds rnn_accuracy (the RNN alone)
and linear_weight.
"""

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score

from rnnpipe.core.atomic import atomic_path, write_json
from rnnpipe.core.device import resolve_device
from rnnpipe.core.metrics import classification_metrics, confusion_rows, per_class_rows, probabilities, roc_points
from rnnpipe.core.stage import run_stage
from rnnpipe.tagging.baselines import MostFrequentTag
from rnnpipe.tagging.metrics import entity_scores, is_span_tagging
from rnnpipe.tagging.sequences import load_tagged
from rnnpipe.tagging.tagger import TrainedTagger
from rnnpipe.text.classifier import TrainedClassifier
from rnnpipe.text.datasets import aligned_label_ids, split_rows
from rnnpipe.text.linear import fit_linear
from rnnpipe.text.params import TEXT_SCHEMA
from rnnpipe.text.sequences import load_padded
from rnnpipe.training.inference import predict
from rnnpipe.training.objectives import IGNORE_INDEX


DATASET = "data/dataset.parquet"


def main(params: dict) -> None:
    settings = params["evaluate"]
    device = resolve_device(settings["device"])
    if params["data"]["task"] == "tag":
        labels, proba, names, extra = tagged_test_predictions(settings, device)
        baseline = tagging_baseline()
    else:
        labels, proba, names, extra, baseline = classified_test_predictions(settings, device)
    result = {**classification_metrics(labels, proba), **extra, **baseline}
    write_json("metrics/eval.json", result)
    with atomic_path("metrics/confusion.csv") as tmp:
        confusion_rows(labels, proba, names).to_csv(tmp, index=False)
    with atomic_path("metrics/roc.csv") as tmp:
        roc_points(labels, proba, names).to_csv(tmp, index=False, float_format="%.6f")
    with atomic_path("metrics/per_class.csv") as tmp:
        per_class_rows(labels, proba, names).to_csv(tmp, index=False)
    print("evaluate: " + ", ".join(f"{k} {v:.4f}" for k, v in result.items()))
    if result["accuracy"] < result["baseline_accuracy"]:
        kind = "most-frequent-tag" if params["data"]["task"] == "tag" else "linear (TF-IDF + logistic regression)"
        remedy = "" if params["data"]["task"] == "tag" or "linear_weight" in result else \
            " Set train.ensemble_linear=true to mix the two (weight chosen on validation)."
        print(f"evaluate: warning: the model ({result['accuracy']:.4f}) is below the {kind} baseline "
              f"({result['baseline_accuracy']:.4f}) on this test split.{remedy}")


def classified_test_predictions(settings: dict, device):
    """Test class ids, the saved classifier's probabilities (its linear member mixed in), label names, the
    RNN-alone accuracy and member weight, and the linear baseline's scores on the same texts."""
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
        extra = {"rnn_accuracy": round(float((rnn.argmax(1) == labels).mean()), 6),
                 "linear_weight": classifier.linear_weight}
    scores = classification_metrics(labels, fitted_baseline(classifier, rows).predict_proba(texts))
    baseline = {"baseline_accuracy": scores["accuracy"], "baseline_f1_macro": scores["f1_macro"]}
    return labels, proba, classifier.label_map.labels, extra, baseline


def fitted_baseline(classifier: TrainedClassifier, rows: dict):
    """The baseline: TF-IDF 1-2 grams + logistic regression fitted on train, C chosen on validation."""
    (train, train_labels), (val, val_labels) = rows["train"], rows["validation"]
    encode = classifier.label_map.encode
    model, _ = fit_linear(classifier.tokenizer, train, encode(train_labels, "train"), val,
                          encode(val_labels, "validation"), len(classifier.label_map))
    return model


def tagging_baseline() -> dict:
    """Each test token tagged with its word's most frequent training tag (tagging.baselines), token accuracy and
    macro F1 over the tags, as the tagger is scored."""
    frame = pd.read_parquet(DATASET, columns=["tokens", "tags", "split"])
    train, test = frame[frame["split"] == "train"], frame[frame["split"] == "test"]
    baseline = MostFrequentTag(zip(train["tokens"], train["tags"]))
    truth = [tag for tags in test["tags"] for tag in tags]
    guess = [tag for tokens in test["tokens"] for tag in baseline.predict(tokens)]
    return {"baseline_accuracy": round(float(accuracy_score(truth, guess)), 6),
            "baseline_f1_macro": round(float(f1_score(truth, guess, average="macro", zero_division=0)), 6)}


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

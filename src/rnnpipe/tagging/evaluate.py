"""The tagging pipeline's evaluate stage: the trained tagger on every test token ->
metrics/eval.json and plots.

Per token (every real test token, padding never): accuracy, macro precision / recall / F1 and
log-loss, the confusion, ROC and per-tag plot files; for BIO-style tag sets (NER, chunks) entity
precision / recall / F1 by seqeval. Beside them baseline_accuracy / baseline_f1_macro: each word's
most frequent training tag (tagging.baselines), scored the same way. This is the only stage that
reads the test split.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score

from ..core.device import resolve_device
from ..core.metrics import classification_metrics, write_classification_report
from ..training.inference import predict
from ..training.objectives import IGNORE_INDEX
from .baselines import MostFrequentTag
from .metrics import entity_scores, is_span_tagging
from .sequences import load_tagged
from .tagger import TrainedTagger, tag_decisions

DATASET = "data/dataset.parquet"


def evaluate_tagger(settings: dict) -> dict:
    """The `evaluate` params section -> the metrics and plot files; returns eval.json's contents."""
    device = resolve_device(settings["device"])
    tagger = TrainedTagger.load("data/model", device)
    sets, sentence_ids = load_tagged("data/padded.parquet", tagger.characters, splits=("test",))
    test = sets["test"]
    logits = predict(tagger.model, test, settings["batch_size"], device).cpu()
    tags = test.tags[:, : logits.size(1)].numpy()
    real = tags != IGNORE_INDEX
    all_proba, chosen = tag_decisions(tagger.model, logits, test.lengths.cpu())
    proba, labels, names = all_proba[real], tags[real], tagger.tag_map.labels
    extra = {"tokens": int(real.sum())}
    if is_span_tagging(names):
        extra.update(entity_scores(*sentence_tags(tags, chosen, sentence_ids["test"], names)))
    scores = classification_metrics(labels, proba, predicted=chosen[real])
    result = {**scores, **extra, **most_frequent_tag_baseline()}
    write_classification_report(result, labels, proba, names)
    print(
        "evaluate: "
        + ", ".join(
            f"{k} {v}" if isinstance(v, int) else f"{k} {v:.4f}"  # counts as counts
            for k, v in result.items()
        )
    )
    if result["accuracy"] < result["baseline_accuracy"]:
        print(
            f"evaluate: warning: the model ({result['accuracy']:.4f}) is below the "
            "most-frequent-tag baseline "
            f"({result['baseline_accuracy']:.4f}) on this test split."
        )
    return result


def most_frequent_tag_baseline() -> dict:
    """Each test token tagged with its word's most frequent training tag, token accuracy and
    macro F1 over the tags, as the tagger is scored."""
    frame = pd.read_parquet(DATASET, columns=["tokens", "tags", "split"])
    train, test = frame[frame["split"] == "train"], frame[frame["split"] == "test"]
    baseline = MostFrequentTag(zip(train["tokens"], train["tags"]))
    truth = [tag for tags in test["tags"] for tag in tags]
    guess = [tag for tokens in test["tokens"] for tag in baseline.predict(tokens)]
    return {
        "baseline_accuracy": round(float(accuracy_score(truth, guess)), 6),
        "baseline_f1_macro": round(
            float(f1_score(truth, guess, average="macro", zero_division=0)), 6
        ),
    }


def sentence_tags(tags: np.ndarray, predicted: np.ndarray, sentences: np.ndarray, names: list):
    """(true, predicted) tag-name lists per sentence, the pieces of a long sentence joined again."""
    truth, guess = {}, {}
    for row, sentence in enumerate(sentences):
        real = tags[row] != IGNORE_INDEX
        truth.setdefault(sentence, []).extend(names[t] for t in tags[row][real])
        guess.setdefault(sentence, []).extend(names[t] for t in predicted[row][real])
    return list(truth.values()), list(guess.values())

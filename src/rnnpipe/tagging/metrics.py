"""Entity-level scores for BIO-style tag sets (NER, chunks), computed by seqeval, the reference
implementation of CoNLL span matching, rather than by hand-written span code."""

from __future__ import annotations

from seqeval.metrics import f1_score, precision_score, recall_score

PREFIXES = ("B-", "I-", "E-", "S-", "L-", "U-")


def is_span_tagging(tags: list[str]) -> bool:
    """Tags that mark spans: every tag is `O` or starts with B-/I-/E-/S- (and some tag is not
    `O`)."""
    return any(t != "O" for t in tags) and all(
        t == "O" or str(t).startswith(PREFIXES) for t in tags
    )


def entity_scores(truth: list[list[str]], predicted: list[list[str]]) -> dict[str, float]:
    """Entity precision, recall and F1 over sentences of tags (an entity counts only if its span
    and type match)."""
    return {
        "entity_precision": round(float(precision_score(truth, predicted)), 6),
        "entity_recall": round(float(recall_score(truth, predicted)), 6),
        "entity_f1": round(float(f1_score(truth, predicted)), 6),
    }

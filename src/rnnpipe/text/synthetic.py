"""The embedded default dataset: seeded synthetic movie reviews whose label depends on word order.

A review is one to three sentences; its label is the polarity of the *last* sentence (the verdict).
Sentences use negation ("not good" is negative) and contrast ("good acting, but a dull plot" is
negative, "a dull plot, but good acting" is positive: the same words, opposite labels). So a
bag-of-words model sees nearly the same counts for both classes and stays weak, while a recurrent
model that reads in order can solve it. Made-up film titles add rare words, so that the vocabulary
limits and out-of-vocabulary handling are exercised as on real text. LABEL_NOISE of the labels are
flipped, as real reviewers' stars sometimes contradict their words, so no model can reach 100%.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from ..data.digests import DigestSet, digests, first_new

POSITIVE = [
    "good",
    "great",
    "excellent",
    "wonderful",
    "superb",
    "brilliant",
    "enjoyable",
    "moving",
    "clever",
    "fresh",
]
NEGATIVE = [
    "bad",
    "awful",
    "terrible",
    "dull",
    "boring",
    "weak",
    "poor",
    "clumsy",
    "bland",
    "messy",
]
ASPECTS = [
    "acting",
    "plot",
    "script",
    "music",
    "cast",
    "direction",
    "ending",
    "dialogue",
    "pacing",
    "camera work",
    "story",
    "soundtrack",
    "editing",
    "lead",
    "humour",
]
INTENSIFIERS = ["very", "really", "truly", "quite", "rather", "incredibly", "somewhat"]
OPENERS = [
    "honestly ,",
    "overall",
    "in the end",
    "i thought",
    "to be fair ,",
    "frankly ,",
    "i felt",
    "sadly ,",
]
FILLERS = [
    "i watched {title} last night .",
    "{title} came out last year .",
    "my friends recommended {title} .",
    "i saw {title} at the cinema .",
    "we rented {title} on a rainy sunday .",
]
LABEL_NOISE = 0.03
SYLLABLES = [
    "ka",
    "zor",
    "blu",
    "mi",
    "tran",
    "vel",
    "oth",
    "rix",
    "sa",
    "dun",
    "pel",
    "gro",
    "lin",
    "qua",
    "fe",
]


def _clause(rng: np.random.Generator, polarity: int) -> str:
    """'the plot was (very) (not) good' with the requested polarity (+1 / -1)."""
    negated = rng.random() < 0.35
    word_polarity = -polarity if negated else polarity
    adjective = rng.choice(POSITIVE if word_polarity > 0 else NEGATIVE)
    words = ["the", rng.choice(ASPECTS), rng.choice(["was", "is"])]
    if negated:
        words.append("not")
    if rng.random() < 0.3:
        words.append(rng.choice(INTENSIFIERS))
    words.append(adjective)
    return " ".join(words)


def _sentence(rng: np.random.Generator, polarity: int) -> str:
    """A sentence whose overall polarity is `polarity`; contrast sentences put the decisive
    clause last ('but') or mark the other clause as subordinate ('although')."""
    kind = rng.random()
    opener = (rng.choice(OPENERS) + " ") if rng.random() < 0.3 else ""
    if kind < 0.45:
        return opener + _clause(rng, polarity)
    other = -polarity if rng.random() < 0.85 else polarity
    if kind < 0.8:
        return f"{opener}{_clause(rng, other)} , but {_clause(rng, polarity)}"
    if rng.random() < 0.5:
        return f"{opener}although {_clause(rng, other)} , {_clause(rng, polarity)}"
    return f"{opener}{_clause(rng, polarity)} , although {_clause(rng, other)}"


def _title(rng: np.random.Generator) -> str:
    return "".join(rng.choice(SYLLABLES, size=rng.integers(2, 4)))


def synthetic_review(rng: np.random.Generator) -> tuple[str, str]:
    """One review and its label ('pos' / 'neg')."""
    label = 1 if rng.random() < 0.5 else -1
    parts = []
    if rng.random() < 0.5:
        parts.append(rng.choice(FILLERS).format(title=_title(rng)))
    for _ in range(rng.integers(0, 3)):  # distractor sentences of random polarity
        parts.append(_sentence(rng, 1 if rng.random() < 0.5 else -1) + " .")
    parts.append(_sentence(rng, label) + " .")
    separator = " <br /><br /> " if rng.random() < 0.2 else " "
    text = separator.join(parts)
    if rng.random() < LABEL_NOISE:
        label = -label
    return text[0].upper() + text[1:], ("pos" if label > 0 else "neg")


def synthetic_review_batches(
    n_train: int, n_test: int, seed: int, batch_rows: int
) -> Iterator[tuple[list[str], list[str]]]:
    """synthetic_reviews' rows, in order, as (texts, labels) of at most `batch_rows` rows: the
    same draws, each text kept only when new, with 8 bytes a text remembered (data.digests)
    instead of the texts themselves."""
    rng = np.random.default_rng(seed)
    seen = DigestSet()
    remaining = n_train + n_test
    while remaining > 0:
        drawn = [synthetic_review(rng) for _ in range(min(batch_rows, remaining))]
        values = digests(text for text, _ in drawn)
        keep = np.flatnonzero(first_new(values, seen))[:remaining]
        seen.add(values[keep])
        remaining -= len(keep)
        yield [drawn[i][0] for i in keep], [drawn[i][1] for i in keep]


def synthetic_reviews(n_train: int, n_test: int, seed: int) -> pd.DataFrame:
    """A DataFrame text/label/split with `n_train` train and `n_test` test reviews, deterministic
    in `seed`."""
    rng = np.random.default_rng(seed)
    # Short reviews repeat by chance; a repeat across train and test would be a leak, so every
    # text is drawn until it is new.
    rows, seen = [], set()
    while len(rows) < n_train + n_test:
        text, label = synthetic_review(rng)
        if text not in seen:
            seen.add(text)
            rows.append((text, label))
    frame = pd.DataFrame(rows, columns=["text", "label"])
    frame["split"] = ["train"] * n_train + ["test"] * n_test
    return frame

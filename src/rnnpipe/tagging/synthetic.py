"""The embedded tagging default: seeded sentences from a small grammar with UD tags, offline in
seconds.

Some words are both nouns and verbs ("book", "watch", "run", ...): their tag follows from the words
around them (a noun after a determiner, a verb after a subject), so a tagger that looks only at the
word itself (the most-frequent-tag baseline) stays well below one that reads the sentence.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

DETERMINERS = ["the", "a", "this", "every", "that"]
ADJECTIVES = ["old", "red", "quiet", "happy", "small", "strange", "bright", "late"]
NOUNS = ["man", "dog", "city", "teacher", "garden", "river", "child", "letter", "house", "song"]
VERBS = ["sees", "likes", "finds", "carries", "paints", "opens", "hears", "follows"]
BOTH = [
    "book",
    "watch",
    "run",
    "plant",
    "ship",
    "light",
    "park",
    "train",
]  # noun or verb by position
PRONOUNS = ["they", "we", "you", "i"]
PREPOSITIONS = ["in", "near", "behind", "under", "with"]
PUNCT = [".", "!"]


def _noun_phrase(rng: np.random.Generator) -> list[tuple[str, str]]:
    words = [(rng.choice(DETERMINERS), "DET")]
    words += [(rng.choice(ADJECTIVES), "ADJ") for _ in range(rng.integers(0, 3))]
    words.append((rng.choice(BOTH if rng.random() < 0.5 else NOUNS), "NOUN"))
    return words


def synthetic_sentence(rng: np.random.Generator) -> list[tuple[str, str]]:
    """One sentence as (word, tag) pairs."""
    if rng.random() < 0.5:
        subject = _noun_phrase(rng)
        verb = (
            rng.choice(BOTH if rng.random() < 0.5 else VERBS),
            "VERB",
        )  # "the old man ships ..."
    else:
        subject = [(rng.choice(PRONOUNS), "PRON")]
        verb = (rng.choice(BOTH), "VERB")  # "they book", "we watch"
    words = [*subject, verb, *_noun_phrase(rng)]
    if rng.random() < 0.5:
        words += [(rng.choice(PREPOSITIONS), "ADP"), *_noun_phrase(rng)]
    words.append((rng.choice(PUNCT), "PUNCT"))
    if rng.random() < 0.3:
        words[0] = (words[0][0].capitalize(), words[0][1])
    return words


def synthetic_tagged_batches(
    train: int, test: int, seed: int, val_fraction: float, batch_rows: int
) -> Iterator[pd.DataFrame]:
    """synthetic_tagged's sentences, in order, with validation carved from train exactly as
    datasets.assign_sentence_splits carves it (the same draws), as frames of at most `batch_rows`
    sentences: the download stage holds one batch, not the corpus."""
    rng = np.random.default_rng(seed)
    carve = np.random.default_rng(seed + 1)  # assign_sentence_splits' validation draws
    for split, count in (("train", train), ("test", test)):
        for start in range(0, count, batch_rows):
            sentences = [synthetic_sentence(rng) for _ in range(min(batch_rows, count - start))]
            splits = np.full(len(sentences), split, dtype=object)
            if split == "train":
                splits[carve.random(len(sentences)) < val_fraction] = "validation"
            yield pd.DataFrame(
                {
                    "tokens": [[str(w) for w, _ in words] for words in sentences],
                    "tags": [[t for _, t in words] for words in sentences],
                    "split": splits,
                }
            )


def synthetic_tagged(train: int, test: int, seed: int) -> pd.DataFrame:
    """tokens, tags, split (train / test) for `train` + `test` sentences, in one frame."""
    return pd.concat(
        list(synthetic_tagged_batches(train, test, seed, 0.0, max(train, test, 1))),
        ignore_index=True,
    )

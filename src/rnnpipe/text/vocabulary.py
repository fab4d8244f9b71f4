"""The vocabulary: words <-> ids, built from tokenized training text, and whole corpora encoded at
once.

The vocabulary is built from the training split only, so nothing about validation or test text leaks
into the model. Id 0 is `<pad>`, id 1 is `<unk>` (every word outside the vocabulary).
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import DataError, ModelFileError

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1


class Vocabulary:
    """Words by id; `encode` maps unknown words to `<unk>`."""

    def __init__(self, words: Sequence[str]):
        if list(words[:2]) != [PAD, UNK]:
            raise ValueError(f"a vocabulary starts with {PAD!r}, {UNK!r}; got {list(words[:2])}")
        self.words = list(words)
        self.index = {word: i for i, word in enumerate(self.words)}
        if len(self.index) != len(self.words):
            raise ValueError("a vocabulary cannot list a word twice")

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, tokens: Iterable[str]) -> list[int]:
        get = self.index.get
        return [get(token, UNK_ID) for token in tokens]

    def sha256(self) -> str:
        return hashlib.sha256("\n".join(self.words).encode("utf-8")).hexdigest()

    def save(self, path: str | Path) -> None:
        Path(path).write_text("\n".join(self.words) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Vocabulary:
        return cls(Path(path).read_text(encoding="utf-8").splitlines())


def load_verified(path: str | Path, sha256: str, what: str = "vocabulary") -> Vocabulary:
    """The vocabulary a model folder keeps at `path`, checked against the hash its model.json
    recorded; ModelFileError when it is missing, unreadable or another one."""
    path = Path(path)
    try:
        vocabulary = Vocabulary.load(path)
    except (OSError, ValueError):
        vocabulary = None
    if vocabulary is None or vocabulary.sha256() != sha256:
        raise ModelFileError(
            f"{path} is missing or not the {what} this model was trained with (hash differs); "
            "restore the folder (`dvc checkout`) or retrain."
        )
    return vocabulary


def build_vocabulary(
    token_lists: Iterable[Sequence[str]], num_words: int, min_freq: int = 1
) -> Vocabulary:
    """The `num_words - 2` most frequent words with count >= `min_freq` (ties broken
    alphabetically), after `<pad>` and `<unk>`: `num_words` is the total size including the two
    reserved ids."""
    counts: Counter[str] = Counter()
    for tokens in token_lists:
        counts.update(tokens)
    return vocabulary_from_counts(counts, num_words, min_freq)


def vocabulary_from_counts(counts: Counter[str], num_words: int, min_freq: int = 1) -> Vocabulary:
    """build_vocabulary from word counts gathered elsewhere (a streaming pass over a corpus: the
    counts grow with the distinct words, not with the corpus)."""
    ranked = sorted(
        ((word, count) for word, count in counts.items() if count >= min_freq),
        key=lambda wc: (-wc[1], wc[0]),
    )
    return Vocabulary([PAD, UNK] + [w for w, _ in ranked[: num_words - 2] if w not in (PAD, UNK)])


def encode_corpus(
    token_lists: Sequence[Sequence[str]], vocabulary: Vocabulary
) -> tuple[np.ndarray, np.ndarray]:
    """All documents as one flat int32 id array plus offsets (len = documents + 1), vectorised:
    words are hashed once by pandas instead of one dict look-up per token in Python."""
    lengths = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=len(token_lists))
    offsets = np.zeros(len(token_lists) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    flat = list(itertools.chain.from_iterable(token_lists))
    codes, uniques = pd.factorize(pd.Series(flat, dtype=object), sort=False)
    lookup = np.fromiter(
        (vocabulary.index.get(w, UNK_ID) for w in uniques), dtype=np.int32, count=len(uniques)
    )
    return lookup[codes] if len(flat) else np.zeros(0, dtype=np.int32), offsets


# Above this share of <unk> tokens in training the model reads mostly unknown words (IMDB at the
# default
# 20,000 words: about 2%; num_words=3 made it 100% and the model trained to chance without a word).
UNKNOWN_WARNING = 0.25


class UnknownTally:
    """The share of <unk> among training tokens, counted batch by batch."""

    def __init__(self) -> None:
        self.tokens = self.unknown = 0

    def add(self, ids: np.ndarray, offsets: np.ndarray, is_train: np.ndarray) -> None:
        """One batch: its flat ids, their offsets per row, and which rows are training rows."""
        train_ids = ids[np.repeat(is_train, np.diff(offsets))]
        self.tokens += len(train_ids)
        self.unknown += int((train_ids == UNK_ID).sum())

    @property
    def rate(self) -> float:
        return self.unknown / self.tokens if self.tokens else 0.0


def unknown_rate(
    vocabulary: Vocabulary, train_ids: np.ndarray, num_words: int, min_freq: int
) -> float:
    """The share of training tokens that are <unk>; DataError when the vocabulary holds no word
    at all, a loud warning (printed) when most tokens are unknown. Messages name
    tokenize.num_words / min_freq."""
    check_vocabulary(vocabulary, num_words, min_freq)
    rate = float((train_ids == UNK_ID).mean()) if len(train_ids) else 0.0
    return warn_unknown(rate, vocabulary, num_words, min_freq)


def _settings(num_words: int, min_freq: int) -> str:
    return (
        f"tokenize.num_words={num_words} (<pad> and <unk> included), tokenize.min_freq={min_freq}"
    )


def check_vocabulary(vocabulary: Vocabulary, num_words: int, min_freq: int) -> None:
    """DataError when the vocabulary holds no word besides <pad> and <unk>."""
    if len(vocabulary) == 2:
        raise DataError(
            f"the vocabulary holds no word ({_settings(num_words, min_freq)}): every token would "
            "be <unk> and the model could only learn the class frequencies. Raise "
            "tokenize.num_words or lower tokenize.min_freq."
        )


def warn_unknown(rate: float, vocabulary: Vocabulary, num_words: int, min_freq: int) -> float:
    """`rate` (the share of <unk> training tokens), printing a warning when most tokens are
    unknown."""
    if rate > UNKNOWN_WARNING:
        print(
            f"tokenize: WARNING: {rate:.1%} of the training tokens are <unk> with a vocabulary of "
            f"{len(vocabulary) - 2:,} words ({_settings(num_words, min_freq)}); the model will "
            "read mostly unknown words. Raise tokenize.num_words or lower tokenize.min_freq."
        )
    return rate

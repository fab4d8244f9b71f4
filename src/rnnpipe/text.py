"""Text normalisation, word tokenization, the vocabulary and the label map.

The vocabulary is built from the training split only, so nothing about validation or test text
leaks into the model. Id 0 is `<pad>`, id 1 is `<unk>` (every word outside the vocabulary).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .errors import DataError, ModelFileError

PAD, UNK = "<pad>", "<unk>"
PAD_ID, UNK_ID = 0, 1
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


@dataclass(frozen=True)
class Tokenizer:
    """Lowercase (optional), turn HTML line breaks and every character in `filters` into spaces, split."""

    lowercase: bool = True
    filters: str = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'

    def __post_init__(self):
        object.__setattr__(self, "_table", str.maketrans({c: " " for c in self.filters}))

    def normalise(self, text: str) -> str:
        text = _HTML_BREAK.sub(" ", text)
        if self.lowercase:
            text = text.lower()
        return text.translate(self._table)

    def tokenize(self, text: str) -> list[str]:
        return self.normalise(text).split()

    def to_dict(self) -> dict:
        return {"lowercase": self.lowercase, "filters": self.filters}

    @classmethod
    def load(cls, path: str | Path) -> "Tokenizer":
        """The settings the tokenize stage wrote (data/tokenizer.json), extra keys ignored."""
        meta = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(lowercase=meta["lowercase"], filters=meta["filters"])


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
    def load(cls, path: str | Path) -> "Vocabulary":
        return cls(Path(path).read_text(encoding="utf-8").splitlines())


def build_vocabulary(token_lists: Iterable[Sequence[str]], num_words: int, min_freq: int = 1) -> Vocabulary:
    """The `num_words - 2` most frequent words with count >= `min_freq` (ties broken alphabetically),
    after `<pad>` and `<unk>`: `num_words` is the total size including the two reserved ids."""
    flat = pd.Series(list(itertools.chain.from_iterable(token_lists)), dtype=object)
    counts = flat.value_counts()
    counts = counts[counts >= min_freq]
    ranked = sorted(zip(counts.index, counts.to_numpy()), key=lambda wc: (-wc[1], wc[0]))
    return Vocabulary([PAD, UNK] + [w for w, _ in ranked[: num_words - 2] if w not in (PAD, UNK)])


def encode_corpus(token_lists: Sequence[Sequence[str]], vocabulary: Vocabulary) -> tuple[np.ndarray, np.ndarray]:
    """All documents as one flat int32 id array plus offsets (len = documents + 1), vectorised:
    words are hashed once by pandas instead of one dict look-up per token in Python."""
    lengths = np.fromiter((len(t) for t in token_lists), dtype=np.int64, count=len(token_lists))
    offsets = np.zeros(len(token_lists) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    flat = list(itertools.chain.from_iterable(token_lists))
    codes, uniques = pd.factorize(pd.Series(flat, dtype=object), sort=False)
    lookup = np.fromiter((vocabulary.index.get(w, UNK_ID) for w in uniques), dtype=np.int32, count=len(uniques))
    return lookup[codes] if len(flat) else np.zeros(0, dtype=np.int32), offsets


class LabelMap:
    """Original label values (ints like -1/0/1, or strings) <-> class ids 0..k-1, in sorted order."""

    def __init__(self, labels: Sequence):
        self.labels = list(labels)
        self.index = {label: i for i, label in enumerate(self.labels)}

    @classmethod
    def from_training_labels(cls, labels: Iterable) -> "LabelMap":
        values = sorted(set(labels), key=lambda v: (isinstance(v, str), v))
        if len(values) < 2:
            raise DataError(f"the training split has a single class ({values[0]!r} if any); a classifier needs "
                            f"at least two. Check download.label_column or the data.")
        return cls([v.item() if hasattr(v, "item") else v for v in values])

    def encode(self, labels: Iterable, split: str = "") -> np.ndarray:
        labels = list(labels)
        unknown = sorted({l for l in labels if l not in self.index}, key=str)
        if unknown:
            raise DataError(f"labels {unknown[:5]} occur in the {split or 'given'} split but never in training; "
                            f"known labels: {self.labels}. Fix the labels or move such rows into training.")
        return np.fromiter((self.index[l] for l in labels), dtype=np.int64, count=len(labels))

    def __len__(self) -> int:
        return len(self.labels)

    def to_json(self) -> str:
        return json.dumps({"labels": self.labels}, indent=2) + "\n"

    @classmethod
    def load(cls, path: str | Path) -> "LabelMap":
        try:
            return cls(json.loads(Path(path).read_text(encoding="utf-8"))["labels"])
        except (OSError, ValueError, KeyError) as exc:
            raise ModelFileError(f"{path}: not a readable label map ({exc}).") from None

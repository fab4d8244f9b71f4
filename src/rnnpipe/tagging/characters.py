"""The character vocabulary (from the training words) and words as padded character ids.

Id 0 pads, 1 stands for a character never seen in training; the others are the training words'
characters, most frequent first. Words keep their case here: capitals and suffixes are what the
character-level encoder reads (a proper noun, an -ly adverb) when the word itself is rare or
unknown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import numpy as np

MAX_WORD_CHARS = 24  # longer words (URLs, e-mail addresses) keep their first and last 12 characters


class CharVocabulary:
    def __init__(self, characters: str):
        self.characters = characters
        self.index = {c: i + 2 for i, c in enumerate(characters)}

    @classmethod
    def from_words(cls, words: Iterable[str]) -> CharVocabulary:
        return cls.from_counts(Counter(c for word in words for c in word))

    @classmethod
    def from_counts(cls, counts: Counter[str]) -> CharVocabulary:
        """From character counts gathered elsewhere (a streaming pass): most frequent first."""
        return cls("".join(sorted(counts, key=lambda c: (-counts[c], c))))

    def __len__(self) -> int:
        return len(self.characters) + 2

    def encode(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(ids [words, longest word] left-aligned, lengths [words]); every word has at least one
        position."""
        clipped = [
            w
            if len(w) <= MAX_WORD_CHARS
            else w[: MAX_WORD_CHARS // 2] + w[-(MAX_WORD_CHARS // 2) :]
            for w in words
        ]
        lengths = np.array([max(len(w), 1) for w in clipped], dtype=np.int64)
        ids = np.zeros((len(clipped), int(lengths.max()) if len(clipped) else 1), dtype=np.int64)
        for row, word in enumerate(clipped):
            ids[row, : len(word)] = [self.index.get(c, 1) for c in word]
        return ids, lengths

"""The pad stage's tagged rows in memory: one TagSet (a BatchSource) per split.

Each batch is cut to its own longest row, and the character encoder gets each distinct word of the
batch once ([distinct words, longest of them]) plus an index from every position to its word: common
words ("the", ".") are encoded once per batch instead of once per occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow.parquet as pq
import torch

from ..core.errors import DataError
from ..data.bucketing import bucketed_batches
from ..training.objectives import IGNORE_INDEX
from .characters import CharVocabulary


@dataclass
class TagSet:
    """Word ids [n, maxlen], kept lengths [n], tag ids [n, maxlen] (IGNORE_INDEX past each row's
    length), the position's word form [n, maxlen] (0 = padding) and every form's character ids
    [forms, longest] / lengths."""

    ids: torch.Tensor
    lengths: torch.Tensor
    tags: torch.Tensor
    forms: torch.Tensor
    form_chars: torch.Tensor
    form_lengths: torch.Tensor

    def __len__(self) -> int:
        return len(self.lengths)

    def to(self, device: torch.device) -> TagSet:
        return TagSet(
            *(
                getattr(self, name).to(device)
                for name in ("ids", "lengths", "tags", "forms", "form_chars", "form_lengths")
            )
        )

    @property
    def targets(self) -> torch.Tensor:
        return self.tags

    def batches(
        self, batch_size: int, rng: np.random.Generator | None, bucket_batches: int = 1
    ) -> list[np.ndarray]:
        return bucketed_batches(self.lengths.cpu().numpy(), batch_size, rng, bucket_batches)

    def batch(self, rows, device: torch.device, non_blocking: bool = False):
        """((ids [b, T], lengths [b], chars [words, W], char lengths [words], word index [b, T]),
        tags [b, T])."""
        rows = torch.as_tensor(rows, device=self.ids.device)
        lengths = self.lengths[rows]
        longest = max(int(lengths.max()), 1)
        forms, word_index = torch.unique(self.forms[rows, :longest], return_inverse=True)
        char_lengths = self.form_lengths[forms]
        chars = self.form_chars[forms, : int(char_lengths.max())]
        inputs = (self.ids[rows, :longest], lengths, chars, char_lengths, word_index)
        move = dict(device=device, non_blocking=non_blocking)
        return tuple(x.to(**move) for x in inputs), self.tags[rows, :longest].to(**move)


def tag_set(
    ids: np.ndarray,
    lengths: np.ndarray,
    tags: np.ndarray,
    words: list[list[str]],
    characters: CharVocabulary,
) -> TagSet:
    """A TagSet from left-aligned rows; `words` are each row's words as written."""
    vocabulary = {"": 0}
    forms = np.zeros(ids.shape, dtype=np.int64)
    for row, row_words in enumerate(words):
        forms[row, : len(row_words)] = [
            vocabulary.setdefault(word, len(vocabulary)) for word in row_words
        ]
    form_chars, form_lengths = characters.encode(list(vocabulary))
    real = np.arange(ids.shape[1])[None, :] < lengths[:, None]
    return TagSet(
        torch.from_numpy(ids.astype(np.int64)),
        torch.from_numpy(lengths.astype(np.int64)),
        torch.from_numpy(np.where(real, tags, IGNORE_INDEX).astype(np.int64)),
        torch.from_numpy(forms),
        torch.from_numpy(form_chars),
        torch.from_numpy(form_lengths),
    )


def load_tagged(
    path: str, characters: CharVocabulary, splits=("train", "validation", "test")
) -> tuple[dict[str, TagSet], dict[str, np.ndarray]]:
    """One TagSet per split from the pad stage's Parquet, and each split's rows' source sentence
    numbers."""
    table = pq.read_table(path)
    metadata = {
        k.decode(): v.decode()
        for k, v in (table.schema.metadata or {}).items()
        if k.startswith(b"rnnpipe.")
    }
    if metadata.get("rnnpipe.task") != "tag":
        raise DataError(
            f"{path} holds no tagged rows (written by another pipeline's pad stage?); run `dvc "
            "repro tagging/dvc.yaml`."
        )
    maxlen = int(metadata["rnnpipe.maxlen"])
    split = table.column("split").to_numpy()
    ids = table.column("ids").combine_chunks().flatten().to_numpy().reshape(-1, maxlen)
    tags = table.column("tags").combine_chunks().flatten().to_numpy().reshape(-1, maxlen)
    lengths = table.column("length").to_numpy()
    sentences = table.column("sentence").to_numpy()
    words = table.column("words").to_pylist()
    sets, sentence_ids = {}, {}
    for name in splits:
        rows = np.flatnonzero(split == name)
        sets[name] = tag_set(
            ids[rows], lengths[rows], tags[rows], [words[r] for r in rows], characters
        )
        sentence_ids[name] = sentences[rows]
    return sets, sentence_ids

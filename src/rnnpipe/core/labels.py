"""Class labels: original values (ints like -1/0/1, or strings) <-> class ids 0..k-1, in sorted
order."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .errors import DataError, ModelFileError


def shown_values(values: Sequence, most: int = 12) -> str:
    """Plain values (7, not np.int64(7)), at most `most` of them and a count of the rest."""
    plain = [v.item() if hasattr(v, "item") else v for v in values]
    head = ", ".join(map(str, plain[:most]))
    return head + (f" ... and {len(plain) - most} more" if len(plain) > most else "")


class LabelMap:
    """Original label values (ints like -1/0/1, or strings) <-> class ids 0..k-1, in sorted
    order."""

    def __init__(self, labels: Sequence):
        self.labels = list(labels)
        self.index = {label: i for i, label in enumerate(self.labels)}

    @classmethod
    def from_training_labels(cls, labels: Iterable) -> LabelMap:
        values = sorted(set(labels), key=lambda v: (isinstance(v, str), v))
        if len(values) < 2:
            raise DataError(
                f"the training split has a single class ({values[0]!r} if any); a classifier needs "
                f"at least two. Check download.label_column or the data."
            )
        return cls([v.item() if hasattr(v, "item") else v for v in values])

    @classmethod
    def from_split_labels(cls, split_labels: dict[str, set]) -> LabelMap:
        """From each split's distinct label values (gathered in a streaming pass): the training
        split's labels, every other split checked against them (encode's error, naming the
        split's unseen labels once)."""
        label_map = cls.from_training_labels(split_labels.get("train", ()))
        for split, labels in split_labels.items():
            label_map.encode(sorted(labels, key=lambda v: (isinstance(v, str), v)), split)
        return label_map

    def encode(self, labels: Iterable, split: str = "") -> np.ndarray:
        labels = list(labels)
        unknown = sorted(
            {label for label in labels if label not in self.index},
            key=lambda v: (isinstance(v, str), v),
        )
        if unknown:
            raise DataError(
                f"{len(unknown)} label(s) occur in the {split or 'given'} split but never in "
                "training: "
                f"{shown_values(unknown)}; known labels: {shown_values(self.labels)}. Fix the "
                "labels or "
                f"move such rows into training."
            )
        return np.fromiter(
            (self.index[label] for label in labels), dtype=np.int64, count=len(labels)
        )

    def __len__(self) -> int:
        return len(self.labels)

    def to_json(self) -> str:
        return json.dumps({"labels": self.labels}, indent=2) + "\n"

    @classmethod
    def load(cls, path: str | Path) -> LabelMap:
        try:
            return cls(json.loads(Path(path).read_text(encoding="utf-8"))["labels"])
        except (OSError, ValueError, KeyError) as exc:
            raise ModelFileError(f"{path}: not a readable label map ({exc}).") from None

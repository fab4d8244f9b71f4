"""A seeded, stratified share of rows: how the text and sequences pipelines carve validation (and
test) from the rows a source gives without a split."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection._split import _validate_shuffle_split
from sklearn.utils.extmath import _approximate_mode

from ..core.errors import DataError


def stratified_split(
    labels: np.ndarray,
    fraction: float,
    seed: int,
    remedy: str = "change download.test_fraction / data.val_fraction, or give a split column",
) -> np.ndarray:
    """A boolean mask selecting about `fraction` of rows, stratified by label when every class
    allows it: the rows scikit-learn's `train_test_split(..., test_size=fraction,
    random_state=seed, stratify=labels)` puts in its test part (tested equal), computed with a few
    bytes per row instead of the Python list of index scalars scikit-learn builds (~100 MB at
    millions of rows, most of the streamed download's memory). `remedy` ends the refusal of a
    split that cannot be made."""
    n_rows = len(labels)
    classes, counts = np.unique(labels, return_counts=True)
    stratify = counts.min() >= 2 and round(fraction * n_rows) >= len(counts)
    try:
        n_train, n_test = _validate_shuffle_split(n_rows, fraction, None, default_test_size=0.25)
        if stratify and min(n_train, n_test) < len(classes):
            part = "train_size" if n_train < len(classes) else "test_size"
            raise ValueError(
                f"The {part} = {min(n_train, n_test)} should be greater or equal to the number "
                f"of classes = {len(classes)}"
            )
    except ValueError as exc:  # scikit-learn's message names its own arguments
        raise DataError(
            f"{n_rows} rows cannot be split with a fraction of {fraction} ({exc}). Add rows, "
            f"{remedy}."
        ) from None
    rng = np.random.RandomState(seed)  # what scikit-learn's check_random_state(seed) makes
    mask = np.zeros(n_rows, dtype=bool)
    if not stratify:  # ShuffleSplit
        mask[rng.permutation(n_rows)[:n_test]] = True
        return mask
    # StratifiedShuffleSplit, one split: the same draws from rng in the same order
    kept = _approximate_mode(counts, n_train, rng)
    tested = _approximate_mode(counts - kept, n_test, rng)
    for i, label in enumerate(classes):
        members = np.flatnonzero(labels == label)  # the class's rows in order (a stable argsort)
        order = rng.permutation(counts[i])
        mask[members.take(order[kept[i] : kept[i] + tested[i]], mode="clip")] = True
    return mask

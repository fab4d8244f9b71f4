"""Which sequences go to train, validation and test: a split column (train / dev / test, any
case; when it names no validation sequence, validation is carved from its train sequences,
stratified and seeded), whole groups, or seeded fractions.

A group (download.group_column, e.g. the user who wore the sensor) is never in two splits, so the
test score says how the model does on people it has never seen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import DataError
from ..data.file_names import SPLIT_NAMES
from ..data.stratify import stratified_split
from .tables import GROUP, LABEL, SPLIT, SPLITS


def assign_splits(sequences: pd.DataFrame, settings: dict) -> np.ndarray:
    """The split of every row of `sequences` (one row per sequence, with GROUP / SPLIT if given)
    as a uint8 code: its index in SPLITS (train 0, validation 1, test 2)."""
    if SPLIT in sequences:
        names = np.array(
            [
                SPLIT_NAMES.get(str(n).lower(), n) if isinstance(n, str) else n
                for n in sequences[SPLIT]
            ],
            dtype=object,
        )
        unknown = sorted(set(names) - set(SPLITS), key=str)
        if unknown:
            raise DataError(f"the split column holds {unknown[:5]}; allowed: {', '.join(SPLITS)}.")
        codes = np.zeros(len(names), dtype=np.uint8)
        for code, name in enumerate(SPLITS):
            codes[names == name] = code
        if not (names == "validation").any():
            codes = _carve_validation(codes, sequences, settings)
    elif GROUP in sequences:
        codes = _split_groups(sequences[GROUP].to_numpy(), settings)
    else:
        codes = _split_units(len(sequences), settings, "sequences")
    empty = [name for code, name in enumerate(SPLITS) if not (codes == code).any()]
    if empty:
        remedy = (
            "the split column names no sequence of it: give it some"
            if SPLIT in sequences
            else "give them more data (prepare.val_fraction / test_fraction) or more sequences"
        )
        raise DataError(
            f"the {', '.join(empty)} split(s) would hold no sequence ({len(sequences)} sequences "
            f"in all); {remedy}."
        )
    return codes


def _carve_validation(codes: np.ndarray, sequences: pd.DataFrame, settings: dict) -> np.ndarray:
    """A split column naming train and test only (UCR / UEA archives): validation is
    prepare.val_fraction of the train sequences, stratified by their first label and seeded, as
    the text pipeline carves it."""
    train = np.flatnonzero(codes == SPLITS.index("train"))
    if len(train) < 2:
        return codes  # refused below, naming the empty split
    labels = (
        sequences[LABEL].to_numpy()[train].astype(str)
        if LABEL in sequences
        else np.zeros(len(train), dtype=str)
    )
    chosen = stratified_split(
        labels,
        settings["val_fraction"],
        settings["seed"],
        "change prepare.val_fraction, or name validation sequences in the split column",
    )
    codes = codes.copy()
    codes[train[chosen]] = SPLITS.index("validation")
    return codes


def _split_units(count: int, settings: dict, what: str) -> np.ndarray:
    """Seeded split codes of `count` units by prepare.val_fraction / test_fraction (at least one
    unit each)."""
    if settings["val_fraction"] + settings["test_fraction"] >= 1:
        raise DataError(
            "prepare.val_fraction + prepare.test_fraction must stay below 1 (train needs a share)."
        )
    if count < 3:
        raise DataError(f"only {count} {what}; train, validation and test need at least one each.")
    order = np.random.default_rng(settings["seed"]).permutation(count)
    n_test = max(1, round(count * settings["test_fraction"]))
    n_val = max(1, round(count * settings["val_fraction"]))
    codes = np.zeros(count, dtype=np.uint8)  # train
    codes[order[:n_test]] = SPLITS.index("test")
    codes[order[n_test : n_test + n_val]] = SPLITS.index("validation")
    return codes


def _split_groups(groups: np.ndarray, settings: dict) -> np.ndarray:
    names = np.array(sorted(set(groups), key=_natural))
    if settings["test_groups"]:
        missing = sorted(set(settings["test_groups"]) - set(names), key=_natural)
        if missing:
            raise DataError(
                f"prepare.test_groups names {missing[:5]}, which the group column never holds; its "
                f"groups: {list(names[:12])}{' ...' if len(names) > 12 else ''}."
            )
        test = np.isin(names, settings["test_groups"])
        rest = names[~test]
        if len(rest) < 2:
            raise DataError(
                "prepare.test_groups leaves fewer than 2 groups for train and validation."
            )
        rng = np.random.default_rng(settings["seed"])
        n_val = max(1, round(len(names) * settings["val_fraction"]))
        validation = np.isin(names, rng.permutation(rest)[:n_val])
        per_group = np.select(
            [test, validation], [SPLITS.index("test"), SPLITS.index("validation")], 0
        )
    else:
        per_group = _split_units(len(names), settings, "groups")
    return per_group.astype(np.uint8)[pd.Index(names).get_indexer(groups)]


def _natural(value: str):
    return (0, int(value), "") if value.lstrip("-").isdigit() else (1, 0, value)

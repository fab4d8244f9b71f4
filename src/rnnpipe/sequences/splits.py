"""Which sequences go to train, validation and test: a split column, whole groups, or seeded
fractions.

A group (download.group_column, e.g. the user who wore the sensor) is never in two splits, so the
test score says how the model does on people it has never seen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.errors import DataError
from .tables import GROUP, SPLIT, SPLITS


def assign_splits(sequences: pd.DataFrame, settings: dict) -> np.ndarray:
    """The split of every row of `sequences` (one row per sequence, with GROUP / SPLIT if given)
    as a uint8 code: its index in SPLITS (train 0, validation 1, test 2)."""
    if SPLIT in sequences:
        names = sequences[SPLIT].to_numpy()
        unknown = sorted(set(names) - set(SPLITS))
        if unknown:
            raise DataError(f"the split column holds {unknown[:5]}; allowed: {', '.join(SPLITS)}.")
        codes = np.zeros(len(names), dtype=np.uint8)
        for code, name in enumerate(SPLITS):
            codes[names == name] = code
    elif GROUP in sequences:
        codes = _split_groups(sequences[GROUP].to_numpy(), settings)
    else:
        codes = _split_units(len(sequences), settings, "sequences")
    empty = [name for code, name in enumerate(SPLITS) if not (codes == code).any()]
    if empty:
        raise DataError(
            f"the {', '.join(empty)} split(s) would hold no sequence ({len(sequences)} sequences "
            "in "
            f"all). Give them more data (prepare.val_fraction / test_fraction) or more sequences."
        )
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

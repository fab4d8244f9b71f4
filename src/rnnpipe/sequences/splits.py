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
    """The split name of every row of `sequences` (one row per sequence, with GROUP / SPLIT if
    given)."""
    if SPLIT in sequences:
        splits = sequences[SPLIT].to_numpy()
        unknown = sorted(set(splits) - set(SPLITS))
        if unknown:
            raise DataError(f"the split column holds {unknown[:5]}; allowed: {', '.join(SPLITS)}.")
    elif GROUP in sequences:
        splits = _split_groups(sequences[GROUP].to_numpy(), settings)
    else:
        splits = _split_units(np.arange(len(sequences)), settings, "sequences")
    empty = [name for name in SPLITS if not (splits == name).any()]
    if empty:
        raise DataError(
            f"the {', '.join(empty)} split(s) would hold no sequence ({len(sequences)} sequences "
            "in "
            f"all). Give them more data (prepare.val_fraction / test_fraction) or more sequences."
        )
    return splits


def _split_units(units: np.ndarray, settings: dict, what: str) -> np.ndarray:
    """Seeded split of `units` by prepare.val_fraction / test_fraction (at least one unit each)."""
    if settings["val_fraction"] + settings["test_fraction"] >= 1:
        raise DataError(
            "prepare.val_fraction + prepare.test_fraction must stay below 1 (train needs a share)."
        )
    if len(units) < 3:
        raise DataError(
            f"only {len(units)} {what}; train, validation and test need at least one each."
        )
    order = np.random.default_rng(settings["seed"]).permutation(len(units))
    n_test = max(1, round(len(units) * settings["test_fraction"]))
    n_val = max(1, round(len(units) * settings["val_fraction"]))
    splits = np.full(len(units), "train", dtype=object)
    splits[order[:n_test]] = "test"
    splits[order[n_test : n_test + n_val]] = "validation"
    return splits


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
        validation = set(rng.permutation(rest)[:n_val])
        per_group = {
            g: "test" if t else ("validation" if g in validation else "train")
            for g, t in zip(names, test)
        }
    else:
        per_group = dict(zip(names, _split_units(names, settings, "groups")))
    return np.array([per_group[g] for g in groups], dtype=object)


def _natural(value: str):
    return (0, int(value), "") if value.lstrip("-").isdigit() else (1, 0, value)

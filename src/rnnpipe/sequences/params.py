"""The numeric-sequences pipeline's params schema (sequences/params.yaml, sequences/dvc.yaml)."""

from __future__ import annotations

from ..core.params import (
    BUCKET_BATCHES,
    EVALUATION_RULES,
    RECURRENT_RULES,
    TRAINING_RULES,
    Rule,
    Schema,
    fraction,
    one_of,
    seed_rule,
    with_defaults,
)


def windows_without_length(params: dict) -> str | None:
    """A schema check: window.stride / window.label act only on windows (window.length > 0)."""
    window = params["window"]
    if window["length"]:
        return None
    idle = [
        f"window.{key}={window[key]}"
        for key, default in (("stride", 0), ("label", "last"))
        if window[key] != default
    ]
    if idle:
        verb = "act" if len(idle) > 1 else "acts"
        return (
            f"{' and '.join(idle)} {verb} only on windows, but window.length is 0 (whole "
            "sequences); set window.length to cut windows, or leave "
            f"{' and '.join(item.split('=')[0] for item in idle)} at the default."
        )
    return None


def test_groups_without_groups(params: dict) -> str | None:
    """A schema check: prepare.test_groups names groups of download.group_column."""
    if params["prepare"]["test_groups"] and not params["download"]["group_column"].strip():
        return (
            "prepare.test_groups names test groups, but download.group_column is empty; name the "
            "column holding the groups, or empty prepare.test_groups."
        )
    return None


def fractions_leave_train(params: dict) -> str | None:
    """A schema check: validation and test shares leave a training share."""
    prepare = params["prepare"]
    if prepare["val_fraction"] + prepare["test_fraction"] >= 1:
        return (
            f"prepare.val_fraction ({prepare['val_fraction']}) + prepare.test_fraction "
            f"({prepare['test_fraction']}) must stay below 1 (train needs a share)."
        )
    return None


SEQUENCES_SCHEMA = Schema(
    {
        "data": {
            "source": one_of(
                ("digits", "documents", "table"),
                "digits",
                "digits (embedded default: a class per step from the last two binary digits) | "
                "documents "
                "(50-d sentence vectors, a -1/0/1 label per document set by their order) | table "
                "(download.path)",
            ),
            "seed": seed_rule("seed of the synthetic sequences"),
            "sequences": Rule(int, 2000, "digits / documents: sequences generated", low=30),
        },
        "download": {
            "path": Rule(
                str,
                "inputs/sequences",
                "table: a long CSV / Parquet (one row per step), a Parquet with one "
                "row per sequence and list columns, or an .npz (X, y, lengths); "
                "relative to the repository root; a dependency of download",
                nonempty=True,
            ),
            "sequence_columns": Rule(
                list,
                ["sequence"],
                "long tables: the columns whose values together name a "
                'sequence (e.g. ["user", "session"])',
            ),
            "step_column": Rule(
                str,
                "",
                'long tables: steps are sorted by this column within a sequence; "" = file order',
            ),
            "feature_columns": Rule(
                list, [], "the numeric feature columns; [] = every column not named elsewhere"
            ),
            "label_column": Rule(
                str, "label", "a label per step, or one per sequence (any values)", nonempty=True
            ),
            "group_column": Rule(
                str, "", "e.g. user: the split keeps each group's sequences together"
            ),
            "split_column": Rule(
                str, "", 'train / validation / test per row or sequence; "" = split by fraction'
            ),
            "unlabeled": Rule(
                list,
                [],
                'label values that mark a step as unlabeled (e.g. ["-1"]): masked out of '
                "loss and metrics, as empty labels are",
            ),
        },
        "prepare": {
            "target": one_of(
                ("auto", "step", "sequence"),
                "auto",
                "step (a class per step) | sequence (a class per sequence or window) | auto (step "
                "when "
                "labels vary within a sequence)",
            ),
            "classes": Rule(
                list,
                [],
                'keep only these label values (e.g. ["1", "2"]); other steps become '
                "unlabeled; [] = all",
            ),
            "val_fraction": fraction(
                0.15,
                "share of sequences (or groups) for validation; with a split column naming "
                "train and test only, the share of its train sequences (stratified)",
            ),
            "test_fraction": fraction(0.15, "share of sequences (or groups) for test"),
            "test_groups": Rule(
                list, [], "with download.group_column: exactly these groups are the test split"
            ),
            "seed": seed_rule("seed of the split"),
        },
        "window": {
            "length": Rule(
                int, 0, "cut sequences into windows of this many steps; 0 = whole sequences", low=0
            ),
            "stride": Rule(int, 0, "steps between window starts; 0 = length (no overlap)", low=0),
            "label": one_of(
                ("last", "majority", "pure"),
                "last",
                "target sequence: a window's class is its last step's | the most common | the one "
                "all "
                "its steps share (windows of mixed steps dropped)",
            ),
        },
        "train": {
            **with_defaults(RECURRENT_RULES, cell="gru", hidden=32),
            "pooling": one_of(
                ("last", "mean", "max", "meanmax"),
                "last",
                "target sequence: how step outputs become one vector: last | mean | max | meanmax",
            ),
            **with_defaults(TRAINING_RULES, lr=0.003, batch_size=32, epochs=10),
            "bucket_batches": BUCKET_BATCHES,
            "adapt_to_size": Rule(
                bool,
                True,
                "on few training items, a smaller batch and more epochs and patience, so training "
                "makes at least 16 updates per epoch and 400 in all (printed and recorded in "
                "metrics/train.json); false = batch_size / epochs / patience as given",
            ),
            "mix_baseline": Rule(
                bool,
                True,
                "mix the linear baseline evaluate prints into the model's probabilities, its "
                "weight (0..1) chosen on validation log loss; false = the network alone",
            ),
        },
        "evaluate": {
            **EVALUATION_RULES,
            "baseline_max_items": Rule(
                int,
                20000,
                "training items (sequences, windows or steps) the linear baseline "
                "is fitted on (seeded sample)",
                low=10,
            ),
        },
    },
    checks=(windows_without_length, test_groups_without_groups, fractions_leave_train),
)

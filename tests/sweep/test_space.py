"""sweep.yaml checked against the pipeline's schema before any trial runs."""

from __future__ import annotations

import pytest

from rnnpipe.core.errors import ParamsError
from rnnpipe.sequences.params import SEQUENCES_SCHEMA
from rnnpipe.sweep.space import load_space


def space(tmp_path, text):
    path = tmp_path / "sweep.yaml"
    path.write_text(text)
    return load_space(path, SEQUENCES_SCHEMA)


def test_ranges_choices_and_fixed_params_are_read_and_checked_by_their_rules(tmp_path):
    found = space(
        tmp_path,
        "objective: val_accuracy\nparams:\n"
        "  train.lr: {low: 0.0003, high: 0.01, log: true}\n"
        "  train.hidden: {low: 16, high: 64, step: 16}\n"
        "  train.cell: [gru, lstm]\n"
        "fixed:\n  train.epochs: 3\n",
    )
    kinds = {d.name: d.kind for d in found.dimensions}
    assert kinds == {"train.lr": "float", "train.hidden": "int", "train.cell": "choice"}
    assert found.fixed == {"train.epochs": 3} and found.direction == "maximize"
    hidden = next(d for d in found.dimensions if d.name == "train.hidden")
    assert hidden.grid() == [16, 32, 48, 64]


@pytest.mark.parametrize(
    "text, message",
    [
        ("objective: accuracy\nparams: {train.lr: [0.1]}", "'accuracy' is not a validation"),
        ("objective: test_accuracy\nparams: {train.lr: [0.1]}", "A test metric is never"),
        ("objective: val_accuracy\nparams: {train.lrr: [0.1]}", "'train.lrr' is not a param"),
        ("objective: val_accuracy\nparams: {train.cell: [gru, tcn]}", "'train.cell' is 'tcn'"),
        (
            "objective: val_accuracy\nparams: {train.lr: {low: 0.1, high: 0.01}}",
            "low \\(0.1\\) must be below high",
        ),
        (
            "objective: val_accuracy\nparams: {train.hidden: {low: 0, high: 8}}",
            "'train.hidden' is 0, out of range",
        ),
        (
            "objective: val_accuracy\nparams: {train.lr: {low: 0.001, high: 0.1}}\nsampler: grid",
            "grid needs a step for train.lr",
        ),
        (
            "objective: val_accuracy\nparams: {train.lr: [0.1]}\nfixed: {train.lr: 0.2}",
            "both searched and fixed",
        ),
    ],
)
def test_a_bad_space_is_one_line_naming_the_key(tmp_path, text, message):
    with pytest.raises(ParamsError, match=message):
        space(tmp_path, text)

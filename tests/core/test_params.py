import copy

import pytest
import yaml

from conftest import ROOT
from rnnpipe.core.errors import ParamsError
from rnnpipe.core.params import load_params, validate
from rnnpipe.text.params import TEXT_SCHEMA

DEFAULTS = yaml.safe_load((ROOT / "params.yaml").read_text())


def with_change(section, key, value):
    params = copy.deepcopy(DEFAULTS)
    params[section][key] = value
    return params


def test_committed_params_are_valid_and_cover_the_schema():
    params = load_params(ROOT / "params.yaml", TEXT_SCHEMA)
    assert {s: set(v) for s, v in params.items()} == {s: set(v) for s, v in TEXT_SCHEMA.items()}


def test_every_param_is_declared_by_exactly_the_stages_that_read_it():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    declared = {p for stage in stages.values() for p in stage.get("params", [])}
    assert declared == {f"{s}.{k}" for s, keys in TEXT_SCHEMA.items() for k in keys}


def test_typo_in_a_key_suggests_the_right_one():
    params = copy.deepcopy(DEFAULTS)
    params["train"]["lrr"] = params["train"].pop("lr")
    with pytest.raises(ParamsError, match=r"unknown key 'train.lrr'. Did you mean 'lr'\?"):
        validate(params, TEXT_SCHEMA)


def test_typo_in_a_section_suggests_the_right_one():
    params = copy.deepcopy(DEFAULTS)
    params["trian"] = params.pop("train")
    with pytest.raises(ParamsError, match=r"unknown section 'trian'. Did you mean 'train'\?"):
        validate(params, TEXT_SCHEMA)


@pytest.mark.parametrize("section, key, value, message", [
    ("pad", "maxlen", 0, r"'pad.maxlen' is 0, out of range"),
    ("tokenize", "num_words", 2, r"'tokenize.num_words' is 2, out of range"),
    ("train", "dropout", 1.0, r"'train.dropout' is 1.0, out of range; Expected 0.0 <= value < 1.0"),
    ("train", "cell", "transformer", r"allowed: rnn, lstm, gru"),
    ("train", "optimizer", "adamw", r"allowed: adam, rmsprop, sgd"),
    ("pad", "padding", "both", r"allowed: pre, post"),
    ("train", "lr", "fast", r"'train.lr' must be float, got 'fast'"),
    ("train", "epochs", 2.5, r"'train.epochs' must be int"),
    ("train", "bidirectional", 1, r"'train.bidirectional' must be bool"),
    ("train", "ensemble_cells", "gru", r"'train.ensemble_cells' must be list"),
    ("train", "ensemble_cells", ["gru", "transformer"], r"'train.ensemble_cells' holds 'transformer'; each item must "
                                                         r"be one of: rnn, lstm, gru"),
    ("train", "ema_decay", 1.0, r"'train.ema_decay' is 1.0, out of range"),
])
def test_bad_values_name_the_key_and_what_is_allowed(section, key, value, message):
    with pytest.raises(ParamsError, match=message):
        validate(with_change(section, key, value), TEXT_SCHEMA)


def test_integers_are_accepted_for_floats():
    assert validate(with_change("train", "lr", 1), TEXT_SCHEMA)["train"]["lr"] == 1.0

"""Read and validate params.yaml before any stage does work.

Every stage validates the whole file (a typo anywhere is caught by the first stage that runs) and
then reads only its own sections, which are the ones its dvc.yaml entry lists as dependencies.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML, YAMLError

from .errors import ParamsError

KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"


@dataclass(frozen=True)
class Rule:
    """One leaf param: its type, its allowed range or choices, and a one-line meaning."""

    kind: type
    choices: tuple = ()
    low: float | None = None
    high: float | None = None
    high_open: bool = False
    low_open: bool = False

    def check(self, key: str, value: Any, source: str = "params.yaml") -> Any:
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if self.kind is int and isinstance(value, bool) or not isinstance(value, self.kind):
            raise ParamsError(
                f"{source}: '{key}' must be {self.kind.__name__}, got {value!r} "
                f"({type(value).__name__}). {self.describe()}"
            )
        if self.kind is list and not all(isinstance(item, str) for item in value):
            hint = (" YAML reads unquoted No/Yes/On/Off as booleans: quote such names, e.g. [\"No\", \"station\"]."
                    if any(isinstance(item, bool) for item in value) else "")
            what = "names" if self.choices else "column names"
            raise ParamsError(f"{source}: '{key}' must be a list of {what} (strings), got {value!r}.{hint}")
        if self.kind is list and self.choices:
            wrong = [item for item in value if item not in self.choices]
            if wrong:
                raise ParamsError(f"{source}: '{key}' holds {', '.join(map(repr, wrong))}; each item must be one of: "
                                  f"{', '.join(self.choices)}.")
        elif self.choices and value not in self.choices:
            raise ParamsError(f"{source}: '{key}' is {value!r}; allowed: {', '.join(map(str, self.choices))}.")
        too_low = self.low is not None and (value <= self.low if self.low_open else value < self.low)
        too_high = self.high is not None and (value >= self.high if self.high_open else value > self.high)
        if too_low or too_high:
            raise ParamsError(f"{source}: '{key}' is {value!r}, out of range; {self.describe()}")
        return value

    def describe(self) -> str:
        if self.choices:
            return "Allowed: " + ", ".join(map(str, self.choices)) + "."
        if self.low is None and self.high is None:
            return f"Expected a {self.kind.__name__}."
        lo = "" if self.low is None else f"{self.low} {'<' if self.low_open else '<='} "
        hi = "" if self.high is None else f" {'<' if self.high_open else '<='} {self.high}"
        return f"Expected {lo}value{hi}."


def _choice(*options: str) -> Rule:
    return Rule(str, choices=options)


SCHEMA: dict[str, dict[str, Rule]] = {
    "data": {
        "source": _choice("synthetic", "imdb", "table"),
        "val_fraction": Rule(float, low=0.0, high=1.0, low_open=True, high_open=True),
        "seed": Rule(int, low=0),
    },
    "download": {
        "url": Rule(str),
        "sha256": Rule(str),
        "table_path": Rule(str),
        "text_column": Rule(str),
        "label_column": Rule(str),
        "split_column": Rule(str),
        "test_fraction": Rule(float, low=0.0, high=1.0, low_open=True, high_open=True),
        "encoding": Rule(str),
        "blank_texts": _choice("drop", "keep"),
        "synthetic_train": Rule(int, low=20),
        "synthetic_test": Rule(int, low=10),
    },
    "tokenize": {
        "lowercase": Rule(bool),
        "filters": Rule(str),
        "num_words": Rule(int, low=3),
        "min_freq": Rule(int, low=1),
    },
    "pad": {
        "maxlen": Rule(int, low=1),
        "padding": _choice("pre", "post"),
        "truncating": _choice("pre", "post"),
    },
    "embed": {
        "source": _choice("random", "glove", "glove-package", "word2vec"),
        "dim": Rule(int, low=1),
        "path": Rule(str),
        "seed": Rule(int, low=0),
        "w2v_epochs": Rule(int, low=1),
        "w2v_window": Rule(int, low=1),
    },
    "train": {
        "cell": _choice("rnn", "lstm", "gru"),
        "layers": Rule(int, low=1, high=8),
        "hidden": Rule(int, low=1),
        "bidirectional": Rule(bool),
        "dropout": Rule(float, low=0.0, high=1.0, high_open=True),
        "freeze_embeddings": Rule(bool),
        "pooling": _choice("last", "max", "mean", "meanmax"),
        "optimizer": _choice("adam", "rmsprop", "sgd"),
        "lr": Rule(float, low=0.0, low_open=True),
        "weight_decay": Rule(float, low=0.0),
        "batch_size": Rule(int, low=1),
        "bucket_batches": Rule(int, low=1),
        "epochs": Rule(int, low=1),
        "clip_norm": Rule(float, low=0.0),
        "patience": Rule(int, low=0),
        "schedule": _choice("none", "step", "cosine", "plateau"),
        "step_size": Rule(int, low=1),
        "gamma": Rule(float, low=0.0, high=1.0, low_open=True),
        "seed": Rule(int, low=0),
        "device": _choice("auto", "cpu", "cuda"),
        "precision": _choice("auto", "fp32", "bf16", "fp16"),
        "ema_decay": Rule(float, low=0.0, high=1.0, high_open=True),
        "ensemble_cells": Rule(list, choices=("rnn", "lstm", "gru")),
    },
    "evaluate": {
        "batch_size": Rule(int, low=1),
        "device": _choice("auto", "cpu", "cuda"),
    },
}


# The forecasting pipeline (forecast/params.yaml): same rules, its own sections.
_TRAINING_RULES = {k: v for k, v in SCHEMA["train"].items()
                   if k not in ("freeze_embeddings", "pooling", "bucket_batches", "ensemble_cells")}
FORECAST_SCHEMA: dict[str, dict[str, Rule]] = {
    "data": {
        "source": _choice("synthetic", "jena", "files"),
        "seed": Rule(int, low=0),
    },
    "download": {
        "url": Rule(str),
        "path": Rule(str),
        "pattern": Rule(str),
        "sha256": Rule(str),
        "synthetic_days": Rule(int, low=30),
    },
    "prepare": {
        "encoding": Rule(str),
        "na_values": Rule(list),
        "time_column": Rule(str),
        "time_format": Rule(str),
        "drop_columns": Rule(list),
        "direction_columns": Rule(list),
        "frequency": Rule(str),
        "duplicates": _choice("first", "mean", "error"),
        "fill": _choice("interpolate", "ffill", "none"),
        "max_gap": Rule(int, low=0),
        "train_fraction": Rule(float, low=0.0, high=1.0, low_open=True, high_open=True),
        "val_fraction": Rule(float, low=0.0, high=1.0, low_open=True, high_open=True),
        "val_start": Rule(str),
        "test_start": Rule(str),
    },
    "window": {
        "target": Rule(str),
        "lookback": Rule(int, low=1),
        "step": Rule(int, low=1),
        "delay": Rule(int, low=1),
        "predict_change": Rule(bool),
    },
    "train": {**{k: v for k, v in _TRAINING_RULES.items() if k not in ("device", "precision")},
              "loss": _choice("mae", "mse"),
              "device": _TRAINING_RULES["device"], "precision": _TRAINING_RULES["precision"]},
    "evaluate": {
        "batch_size": Rule(int, low=1),
        "device": _choice("auto", "cpu", "cuda"),
        "linear_alpha": Rule(float, low=0.0),
        "linear_max_windows": Rule(int, low=10),
        "plot_points": Rule(int, low=1),
    },
}


def _did_you_mean(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


def validate(raw: Any, source: str = "params.yaml", schema: dict | None = None) -> dict[str, dict[str, Any]]:
    """Check every section and leaf against `schema` (default: the text pipeline's SCHEMA); return the
    values with ints widened to floats."""
    SCHEMA = schema or globals()["SCHEMA"]  # noqa: N806 - the messages below name the active schema
    if not isinstance(raw, dict):
        raise ParamsError(f"{source}: expected a mapping of sections ({', '.join(SCHEMA)}), got {type(raw).__name__}.")
    checked: dict[str, dict[str, Any]] = {}
    for section, values in raw.items():
        if section not in SCHEMA:
            raise ParamsError(
                f"{source}: unknown section '{section}'.{_did_you_mean(str(section), SCHEMA)} "
                f"Known sections: {', '.join(SCHEMA)}."
            )
        if not isinstance(values, dict):
            raise ParamsError(f"{source}: section '{section}' must be a mapping of keys to values.")
        rules = SCHEMA[section]
        for key in values:
            if key not in rules:
                raise ParamsError(
                    f"{source}: unknown key '{section}.{key}'.{_did_you_mean(str(key), rules)} "
                    f"Keys of '{section}': {', '.join(rules)}."
                )
        missing = [key for key in rules if key not in values]
        if missing:
            raise ParamsError(f"{source}: section '{section}' lacks {', '.join(section + '.' + m for m in missing)}.")
        checked[section] = {key: rules[key].check(f"{section}.{key}", values[key], source) for key in rules}
    absent = [s for s in SCHEMA if s not in checked]
    if absent:
        raise ParamsError(f"{source}: missing section(s) {', '.join(absent)}; see the README's params table.")
    return checked


def load_params(path: str | Path = "params.yaml", schema: dict | None = None) -> dict[str, dict[str, Any]]:
    path = Path(path)
    try:
        # YAML 1.2, as DVC reads and writes params files: `No` stays a string (a column name), and
        # `1e-3` is a float; PyYAML's YAML 1.1 would make them False and a string.
        raw = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParamsError(f"{path}: not found; run the stage through `dvc repro` (or from the folder of its "
                          f"dvc.yaml).") from None
    except YAMLError as exc:
        raise ParamsError(f"{path}: not valid YAML: {exc}") from None
    return validate(raw, str(path), schema)

"""Params: one Rule per leaf (type, range or choices, default, meaning), shared rule groups,
validation.

A pipeline's schema is a mapping section -> key -> Rule; each task package builds its own from the
groups below (text/params.py, forecast/params.py). The rule is the one place a setting's default and
meaning are written: each pipeline's params file and the docs' params tables are rendered from the
schemas (`python -m rnnpipe.render`) and tests/core/test_params.py fails when either drifts.

Every stage validates the whole params file (a typo anywhere is caught by the first stage that runs)
and then reads only its own sections, which are the ones its dvc.yaml entry lists as dependencies.
Messages name the params file the stage actually read.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML, YAMLError

from .errors import ParamsError


class Schema(dict):
    """section -> key -> Rule, and `checks`: functions of the validated params that return a
    problem (one line naming the params at fault and the remedy) or None. Every stage runs them,
    so a combination a later stage would refuse stops the first stage that runs, not the one that
    needs it."""

    def __init__(self, sections: dict[str, dict[str, Rule]], checks: tuple = ()):
        super().__init__(sections)
        self.checks = tuple(checks)


@dataclass(frozen=True)
class Rule:
    """One leaf param: its type, allowed range / choices / pattern, default, and a one-line
    meaning."""

    kind: type
    default: Any
    meaning: str
    choices: tuple = ()
    low: float | None = None
    high: float | None = None
    high_open: bool = False
    low_open: bool = False
    pattern: str = ""  # a full-match regular expression for strings, described in `meaning`
    nonempty: bool = False  # a string that must name something (a column, a path, a codec)
    # a list's item type: str (names), float or int (numbers, each within low..high)
    items: type = str
    # a string rule that also takes an integer, as its text (`-S download.tag_column=-1`: DVC's
    # -S writes YAML, which reads -1 as a number)
    integers_as_text: bool = False

    def check(self, key: str, value: Any, source: str = "params.yaml") -> Any:
        if self.integers_as_text and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if self.kind is str and isinstance(value, datetime.date):
            raise ParamsError(
                f"{source}: '{key}' is the unquoted date {value}; write it in quotes ('{value}'): "
                "YAML "
                f"reads an unquoted date as a date, which rnnpipe and DVC both refuse."
            )
        if self.kind is int and isinstance(value, bool) or not isinstance(value, self.kind):
            raise ParamsError(
                f"{source}: '{key}' must be {self.kind.__name__}, got {value!r} "
                f"({type(value).__name__}). {self.describe()}"
            )
        if self.kind is float and not math.isfinite(value):
            # NaN passes every range check (each comparison with it is false), so it is refused by
            # itself.
            raise ParamsError(
                f"{source}: '{key}' is {value!r}; it must be a finite number. {self.describe()}"
            )
        if self.kind is list and self.items in (float, int):
            return self._check_numbers(key, value, source)
        if self.kind is list and not all(isinstance(item, str) for item in value):
            hint = (
                ' YAML reads unquoted No/Yes/On/Off as booleans: quote such names, e.g. ["No", '
                '"station"].'
                if any(isinstance(item, bool) for item in value)
                else ""
            )
            what = "names" if self.choices else "column names"
            raise ParamsError(
                f"{source}: '{key}' must be a list of {what} (strings), got {value!r}.{hint}"
            )
        if self.kind is list and self.choices:
            wrong = [item for item in value if item not in self.choices]
            if wrong:
                raise ParamsError(
                    f"{source}: '{key}' holds {', '.join(map(repr, wrong))}; each item must be one "
                    "of: "
                    f"{', '.join(self.choices)}."
                )
        elif self.choices and value not in self.choices:
            raise ParamsError(
                f"{source}: '{key}' is {value!r}; allowed: {', '.join(map(str, self.choices))}."
            )
        if self.nonempty and not value.strip():
            raise ParamsError(
                f"{source}: '{key}' is {value!r}; it must not be empty ({self.meaning})."
            )
        if self.pattern and not re.fullmatch(self.pattern, value):
            raise ParamsError(f"{source}: '{key}' is {value!r}; expected {self.meaning}")
        too_low = self.low is not None and (
            value <= self.low if self.low_open else value < self.low
        )
        too_high = self.high is not None and (
            value >= self.high if self.high_open else value > self.high
        )
        if too_low or too_high:
            raise ParamsError(f"{source}: '{key}' is {value!r}, out of range; {self.describe()}")
        return value

    def _check_numbers(self, key: str, value: list, source: str) -> list:
        """A list of numbers: each finite and within low..high (whole numbers for items=int), none
        repeated."""
        numbers = []
        for item in value:
            if self.items is int and isinstance(item, float) and item.is_integer():
                item = int(item)
            number = Rule(
                self.items,
                0.0,
                self.meaning,
                low=self.low,
                high=self.high,
                low_open=self.low_open,
                high_open=self.high_open,
            )
            try:
                numbers.append(number.check(key, item, source))
            except ParamsError as exc:
                raise ParamsError(f"{exc} (an item of the list {value!r})") from None
        if len(set(numbers)) < len(numbers):
            raise ParamsError(f"{source}: '{key}' repeats a value: {value!r}.")
        return numbers

    def describe(self) -> str:
        if self.choices:
            return "Allowed: " + ", ".join(map(str, self.choices)) + "."
        if self.low is None and self.high is None:
            return f"Expected a {self.kind.__name__}."
        lo = "" if self.low is None else f"{self.low} {'<' if self.low_open else '<='} "
        hi = "" if self.high is None else f" {'<' if self.high_open else '<='} {self.high}"
        return f"Expected {lo}value{hi}."


# numpy's generators (and scikit-learn's splits) take seeds in [0, 2**32 - 1]; torch would take
# more.
SEED_MAX = 2**32 - 1


def seed_rule(meaning: str, default: int = 42) -> Rule:
    return Rule(int, default, meaning, low=0, high=SEED_MAX)


def one_of(options: tuple[str, ...], default: str, meaning: str) -> Rule:
    return Rule(str, default, meaning, choices=options)


def fraction(default: float, meaning: str) -> Rule:
    """A share strictly between 0 and 1."""
    return Rule(float, default, meaning, low=0.0, high=1.0, low_open=True, high_open=True)


def with_defaults(group: dict[str, Rule], **defaults) -> dict[str, Rule]:
    """`group` with other defaults for some keys (a pipeline whose data call for other starting
    values)."""
    unknown = set(defaults) - set(group)
    if unknown:
        raise KeyError(f"not in the group: {sorted(unknown)}")
    return {
        key: dataclasses.replace(rule, default=defaults[key]) if key in defaults else rule
        for key, rule in group.items()
    }


CELLS = ("rnn", "lstm", "gru")
DEVICE_RULE = Rule(
    str,
    "auto",
    "auto (CUDA when present) | cpu | cuda | cuda:N (one GPU, e.g. per queued experiment)",
    pattern=r"auto|cpu|cuda(:\d+)?",
)

# The recurrent stack (nn.recurrent.RecurrentStack), under any head.
RECURRENT_RULES: dict[str, Rule] = {
    "cell": one_of(CELLS, "lstm", "rnn (Elman) | lstm | gru"),
    "layers": Rule(int, 1, "recurrent layers", low=1, high=8),
    "hidden": Rule(int, 64, "units per layer and direction", low=1, high=16384),
    "bidirectional": Rule(
        bool, False, "add a backward direction that reads each row's real steps in reverse"
    ),
    "dropout": Rule(
        float,
        0.0,
        "on the inputs, between layers and before the output layer",
        low=0.0,
        high=1.0,
        high_open=True,
    ),
}

THREADS_RULE = Rule(
    int,
    2,
    "threads this stage computes with (part of the result: 1 and 2 threads round differently); "
    "it starts when that many of the machine's cores are free (docs/workflows.md)",
    low=1,
    high=1024,
)

# The shared training loop (training.loop.train_model): optimiser, schedule, early stopping, device.
TRAINING_RULES: dict[str, Rule] = {
    "optimizer": one_of(
        ("adam", "rmsprop", "adagrad", "sgd"),
        "adam",
        "adam | rmsprop | adagrad | sgd (momentum 0.9)",
    ),
    "lr": Rule(float, 0.003, "learning rate", low=0.0, low_open=True),
    "weight_decay": Rule(float, 0.0, "L2 penalty", low=0.0),
    "batch_size": Rule(int, 64, "rows per training step", low=1, high=1_000_000),
    "epochs": Rule(int, 8, "most passes over the training rows", low=1, high=100_000),
    "clip_norm": Rule(float, 5.0, "max gradient norm; 0 disables clipping", low=0.0),
    "patience": Rule(
        int,
        3,
        "early stopping after this many epochs without validation improvement; 0 disables",
        low=0,
    ),
    "schedule": one_of(
        ("none", "step", "multistep", "exponential", "cosine", "plateau"),
        "none",
        "LR schedule: none | step (x gamma every step_size epochs) | multistep (x gamma after each "
        "epoch in milestones) | exponential (x gamma every epoch) | cosine (to 0 over the epochs) "
        "| plateau (x gamma when validation stalls)",
    ),
    "step_size": Rule(
        int, 3, "step: epochs per decay; plateau: epochs without improvement before a decay", low=1
    ),
    "milestones": Rule(
        list,
        [],
        "multistep: the epochs after which the LR is multiplied by gamma (e.g. [5, 8])",
        items=int,
        low=1,
    ),
    "gamma": Rule(
        float,
        0.5,
        "LR decay factor of step / multistep / exponential / plateau",
        low=0.0,
        high=1.0,
        low_open=True,
    ),
    "warmup_steps": Rule(
        int,
        0,
        "the LR rises linearly from lr / warmup_steps to the schedule's over the first this many "
        "optimiser steps (a LambdaLR-style warmup, on top of any schedule); 0 = none",
        low=0,
    ),
    "seed": seed_rule("model initialisation, dropout and batch order"),
    "device": DEVICE_RULE,
    "precision": one_of(
        ("auto", "fp32", "bf16", "fp16"),
        "auto",
        "auto (fp16 mixed precision on CUDA, fp32 on CPU) | fp32 | bf16 | fp16 (CUDA)",
    ),
    "ema_decay": Rule(
        float,
        0.0,
        "validate and keep an exponential moving average of the weights, updated every "
        "step (0.999 ~ the last 1,000 steps); 0 = off",
        low=0.0,
        high=1.0,
        high_open=True,
    ),
    "processes": Rule(
        int,
        1,
        "data-parallel worker processes (torch DDP via torchrun; gloo on CPU, NCCL on CUDA), "
        "sharing each batch of train.batch_size rows; 0 = one per visible GPU",
        low=0,
        high=64,
    ),
    "threads": THREADS_RULE,
}

# Length bucketing (data.bucketing): for datasets of variable-length rows.
BUCKET_BATCHES = Rule(
    int,
    5,
    "batches are cut from length-sorted pools of this many batches (less padding); "
    "1 = plain random batches",
    low=1,
)

# The epoch a run keeps, which early stopping also watches. Loop-only by default (the pipelines keep
# the
# loss); the trees pipeline offers it as train.select_on, defaulting to accuracy as the SST papers
# choose.
SELECT_ON = one_of(
    ("loss", "accuracy"),
    "loss",
    "the epoch kept (and early stopping's yardstick): lowest validation loss | highest validation "
    "accuracy",
)

# GloVe 6B 50d, the word vectors installed with rnnpipe (text and trees:
# embed.source=glove-package).
GLOVE_PACKAGE_DIM = 50


def glove_package_dim(params: dict) -> str | None:
    """A schema check: embed.source=glove-package with an embed.dim its vectors do not have."""
    embed = params["embed"]
    if embed["source"] == "glove-package" and embed["dim"] != GLOVE_PACKAGE_DIM:
        return (
            f"embed.source=glove-package holds {GLOVE_PACKAGE_DIM}-dimensional vectors but "
            "embed.dim is "
            f"{embed['dim']}; set embed.dim={GLOVE_PACKAGE_DIM} (for other sizes, another "
            "embed.source)."
        )
    return None


# Scoring a trained model on the test split.
EVALUATION_RULES: dict[str, Rule] = {
    "batch_size": Rule(int, 512, "rows per forward pass", low=1, high=1_000_000),
    "device": DEVICE_RULE,
    "threads": THREADS_RULE,
}

MIN_RATE_RULE = Rule(
    int,
    1024,
    "a remote download slower than this many bytes per second over a minute is stopped (a "
    "stalled server); 0 = no limit",
    low=0,
)

SHA256_RULE = Rule(
    str,
    "auto",
    "auto (a published hash for a known URL, or a SHA256SUMS file beside the data) | "
    "none | 64 hex digits",
    pattern=r"(?i)auto|none|[0-9a-f]{64}",
)


def defaults(schema: Schema) -> dict[str, dict[str, Any]]:
    """The params a schema's rules default to, section by section."""
    return {
        section: {key: rule.default for key, rule in rules.items()}
        for section, rules in schema.items()
    }


def _did_you_mean(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


def validate(raw: Any, schema: Schema, source: str = "params.yaml") -> dict[str, dict[str, Any]]:
    """Check every section and leaf against `schema`; return the values with ints widened to
    floats. Messages name `source`, the file the values came from."""
    if not isinstance(raw, dict):
        raise ParamsError(
            f"{source}: expected a mapping of sections ({', '.join(schema)}), got "
            f"{type(raw).__name__}."
        )
    checked: dict[str, dict[str, Any]] = {}
    for section, values in raw.items():
        if section not in schema:
            raise ParamsError(
                f"{source}: unknown section '{section}'.{_did_you_mean(str(section), schema)} "
                f"Known sections: {', '.join(schema)}."
            )
        if not isinstance(values, dict):
            raise ParamsError(f"{source}: section '{section}' must be a mapping of keys to values.")
        rules = schema[section]
        for key in values:
            if key not in rules:
                raise ParamsError(
                    f"{source}: unknown key '{section}.{key}'.{_did_you_mean(str(key), rules)} "
                    f"Keys of '{section}': {', '.join(rules)}."
                )
        missing = [key for key in rules if key not in values]
        if missing:
            raise ParamsError(
                f"{source}: section '{section}' lacks "
                f"{', '.join(section + '.' + m for m in missing)}."
            )
        checked[section] = {
            key: rules[key].check(f"{section}.{key}", values[key], source) for key in rules
        }
    absent = [s for s in schema if s not in checked]
    if absent:
        raise ParamsError(
            f"{source}: missing section(s) {', '.join(absent)}; see docs/pipelines/<pipeline>.md, "
            "Params."
        )
    for check in getattr(schema, "checks", ()):
        problem = check(checked)
        if problem:
            raise ParamsError(f"{source}: {problem}")
    return checked


def read_yaml(path: str | Path) -> Any:
    """A params file as DVC reads it (YAML 1.2)."""
    path, shown = Path(path), display_path(path)
    try:
        # YAML 1.2, as DVC reads and writes params files: `No` stays a string (a column name), and
        # `1e-3` is a float; PyYAML's YAML 1.1 would make them False and a string.
        return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParamsError(
            f"{shown}: not found; run the stage through `dvc repro` (or from the folder of its "
            f"dvc.yaml)."
        ) from None
    except YAMLError as exc:
        raise ParamsError(f"{shown}: not valid YAML: {yaml_problem(exc)}") from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        binary = ": it holds NUL bytes, is it a binary file?" if b"\0" in exc.object else ""
        raise ParamsError(
            f"{shown}: not UTF-8 text (byte {exc.start + 1}, line {line}{binary}); "
            "save the params file as UTF-8 (DVC reads it so too)."
        ) from None
    except RecursionError:
        raise ParamsError(
            f"{shown}: nested too deeply to read (thousands of brackets); a params file is "
            "sections of keys and plain values: restore it (`git checkout`)."
        ) from None


def yaml_problem(exc: YAMLError) -> str:
    """ruamel's error on one line (its own text spans several, with the offending line drawn
    under a caret)."""
    problem = " ".join(
        str(part) for part in (getattr(exc, "context", None), getattr(exc, "problem", None)) if part
    )
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return f"{problem or ' '.join(str(exc).split())}{where}"


def display_path(path: str | Path) -> str:
    """`path` as a user knows it: relative to the DVC project root (forecast/params.yaml, not
    params.yaml in the forecast stage's working folder), or as given outside a project."""
    resolved = Path(path).resolve()
    root = dvc_root(resolved)
    return resolved.relative_to(root).as_posix() if root is not None else str(path)


def dvc_root(path: Path) -> Path | None:
    """The DVC project holding the resolved `path` (the nearest folder, `path` itself included,
    with a .dvc folder), or None outside a project."""
    return next((folder for folder in (path, *path.parents) if (folder / ".dvc").is_dir()), None)


def load_params(path: str | Path, schema: Schema) -> dict[str, dict[str, Any]]:
    return validate(read_yaml(path), schema, display_path(path))


def config_from_params(config_class, section: dict, **given):
    """A model config dataclass built from a validated params section: each field is `given`
    (what the data decide: vocabulary size, classes, ...) or the section's value of the same
    name, so a config has no default of its own: the schema's rule is the one source of every
    default."""
    names = [field.name for field in dataclasses.fields(config_class)]
    missing = [name for name in names if name not in given and name not in section]
    if missing:
        raise KeyError(
            f"{config_class.__name__}: neither given nor in the params section: "
            f"{', '.join(missing)}"
        )
    return config_class(**{name: given[name] if name in given else section[name] for name in names})

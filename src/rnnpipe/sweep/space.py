"""A sweep's space file (sweep.yaml): which params a study searches and over what, what it
maximises or minimises, and the params every trial fixes. Checked against the pipeline's schema
before any trial runs, so a typo or an out-of-range bound is one line naming the key.

    objective: val_accuracy          # a validation metric of the pipeline's metrics/train.json
    direction: maximize              # maximize | minimize
    params:
      train.lr: {low: 0.0003, high: 0.01, log: true}     # a float range (log: sampled in log space)
      train.hidden: {low: 16, high: 128, step: 16}         # an int range (ints in, ints out)
      train.cell: [gru, lstm]                              # a choice
    fixed:                                                 # optional: set in every trial
      train.epochs: 4
    sampler: tpe                     # tpe (default) | random | grid (choices and stepped ranges)
    pruner: median                   # median (default) | none
    seed: 42

The objective must be a validation metric: the test split is read once, by evaluate, and a search
that chose on it would report a test score it had fitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import ParamsError
from ..core.params import Rule, Schema, read_yaml

SAMPLERS = ("tpe", "random", "grid")
PRUNERS = ("median", "none")
KEYS = {"objective", "direction", "params", "fixed", "sampler", "pruner", "seed"}


@dataclass(frozen=True)
class Dimension:
    """One searched param: a float or int range (low, high, log, step) or a list of choices."""

    name: str  # section.key
    kind: str  # float | int | choice
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: tuple = ()

    def suggest(self, trial) -> Any:
        """The value an Optuna trial draws for this param."""
        if self.kind == "choice":
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.kind == "int":
            return trial.suggest_int(
                self.name, int(self.low), int(self.high), step=int(self.step or 1), log=self.log
            )
        return trial.suggest_float(self.name, self.low, self.high, log=self.log, step=self.step)

    def grid(self) -> list:
        """Every value (the grid sampler): a choice's, or a stepped range's."""
        if self.kind == "choice":
            return list(self.choices)
        if self.step is None:
            raise ParamsError(
                f"sweep: sampler grid needs a step for {self.name} (a {self.kind} range), or a "
                "list of values."
            )
        count = int(round((self.high - self.low) / self.step)) + 1
        values = [self.low + k * self.step for k in range(count)]
        return [int(v) for v in values] if self.kind == "int" else values


@dataclass(frozen=True)
class Space:
    objective: str
    direction: str
    dimensions: tuple[Dimension, ...]
    fixed: dict = field(default_factory=dict)
    sampler: str = "tpe"
    pruner: str = "median"
    seed: int = 42


def rule_of(schema: Schema, name: str, source: str) -> Rule:
    section, _, key = name.partition(".")
    if section not in schema or key not in schema[section]:
        raise ParamsError(
            f"{source}: {name!r} is not a param of this pipeline; its params are section.key, "
            f"e.g. {next(iter(schema))}.{next(iter(schema[next(iter(schema))]))}."
        )
    return schema[section][key]


def dimension(name: str, spec: Any, rule: Rule, source: str) -> Dimension:
    """A Dimension from its sweep.yaml entry, its bounds and choices checked by the param's rule."""
    if isinstance(spec, list):
        if not spec:
            raise ParamsError(f"{source}: params.{name} lists no value.")
        return Dimension(name, "choice", choices=tuple(rule.check(name, v, source) for v in spec))
    if not isinstance(spec, dict) or not {"low", "high"} <= set(spec):
        raise ParamsError(
            f"{source}: params.{name} must be a list of values or a range "
            "{low: ..., high: ..., log: true|false, step: ...}."
        )
    unknown = set(spec) - {"low", "high", "log", "step"}
    if unknown:
        raise ParamsError(f"{source}: params.{name} has unknown keys {sorted(unknown)}.")
    if rule.kind not in (int, float):
        raise ParamsError(
            f"{source}: params.{name} is a {rule.kind.__name__} param: give its values as a list."
        )
    low, high = (rule.check(name, spec[k], source) for k in ("low", "high"))
    if not low < high:
        raise ParamsError(f"{source}: params.{name}: low ({low}) must be below high ({high}).")
    log = bool(spec.get("log", False))
    if log and low <= 0:
        raise ParamsError(f"{source}: params.{name}: a log range needs low > 0 (got {low}).")
    kind = "int" if rule.kind is int else "float"
    return Dimension(name, kind, low, high, log, spec.get("step"))


def load_space(path: str | Path, schema: Schema) -> Space:
    """The sweep.yaml at `path`, checked against the pipeline's `schema`."""
    source = str(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ParamsError(f"{source}: expected a mapping with objective, direction and params.")
    unknown = set(raw) - KEYS
    if unknown:
        raise ParamsError(f"{source}: unknown keys {sorted(unknown)}; allowed: {sorted(KEYS)}.")
    objective = str(raw.get("objective", ""))
    if not objective.startswith("val_"):
        raise ParamsError(
            f"{source}: objective {objective!r} is not a validation metric; name one of "
            "metrics/train.json's val_* metrics (val_accuracy, val_loss, ...). A test metric is "
            "never an objective: the test split is read once, by evaluate."
        )
    direction = raw.get("direction", "maximize")
    if direction not in ("maximize", "minimize"):
        raise ParamsError(f"{source}: direction must be maximize or minimize, got {direction!r}.")
    params = raw.get("params") or {}
    if not isinstance(params, dict) or not params:
        raise ParamsError(f"{source}: params names no param to search.")
    dimensions = tuple(
        dimension(name, spec, rule_of(schema, name, source), source)
        for name, spec in params.items()
    )
    fixed = raw.get("fixed") or {}
    for name, value in fixed.items():
        fixed[name] = rule_of(schema, name, source).check(name, value, source)
    both = sorted(set(fixed) & set(params))
    if both:
        raise ParamsError(f"{source}: {', '.join(both)} both searched and fixed; keep one.")
    sampler, pruner = raw.get("sampler", "tpe"), raw.get("pruner", "median")
    if sampler not in SAMPLERS or pruner not in PRUNERS:
        raise ParamsError(
            f"{source}: sampler must be one of {', '.join(SAMPLERS)} and pruner one of "
            f"{', '.join(PRUNERS)} (got {sampler!r}, {pruner!r})."
        )
    seed = raw.get("seed", 42)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ParamsError(f"{source}: seed must be an integer, got {seed!r}.")
    space = Space(objective, direction, dimensions, dict(fixed), sampler, pruner, seed)
    if sampler == "grid":
        for d in dimensions:
            d.grid()
    return space

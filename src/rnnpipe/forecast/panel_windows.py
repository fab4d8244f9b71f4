"""Windows of many series, served lazily: one flat array of every series' scaled values and, per
split, the forecast origins (window ends); a batch gathers its windows from the array, so nothing
of size windows x lookback is ever materialised.

A window is the `lookback` values before an origin, its targets the `horizon` values from the
origin on; a window never crosses a series' start, and a training window's targets never reach
its series' validation period. Values are scaled per series (window.scaling: log, or divided by
the series' training standard deviation) and then per window: minus the mean of the window's last
season (its level), so series of any level share one model; forecasts add the level back.
Origins per split: training, every position of a series' training part with a whole window before
it and the horizon after it inside the training part; validation, the start of each series'
validation period; test, the start of its test period (the window then reads validation values
too: they are history by then).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..core.errors import DataError
from .bins import bin_labels


@dataclass
class Panel:
    """Every series' values (original units) end to end, with where each series and its
    validation and test periods start."""

    names: list[str]
    values: np.ndarray  # float64, all series concatenated
    starts: np.ndarray  # int64 [series + 1]: series i is values[starts[i]:starts[i + 1]]
    validation_starts: np.ndarray  # int64 [series]: absolute positions
    test_starts: np.ndarray  # int64 [series]
    times: np.ndarray | None = None  # datetime64 per value, when the data had timestamps

    def history(self, i: int, split: str) -> np.ndarray:
        """Series i's values before `split` (validation: the training part; test: training and
        validation)."""
        stop = self.validation_starts[i] if split == "validation" else self.test_starts[i]
        return self.values[self.starts[i] : stop]

    def actual(self, i: int, split: str) -> np.ndarray:
        start = self.validation_starts[i] if split == "validation" else self.test_starts[i]
        stop = self.test_starts[i] if split == "validation" else self.starts[i + 1]
        return self.values[start:stop]


def training_values(panel: Panel) -> np.ndarray:
    """Every series' training part, end to end, without its missing values."""
    values = np.concatenate(
        [panel.values[a:b] for a, b in zip(panel.starts[:-1], panel.validation_starts)]
    )
    return values[~np.isnan(values)]


def load_panel(path: str | Path = "data/series.parquet") -> Panel:
    frame = pd.read_parquet(path)
    codes = frame["series"].cat.codes.to_numpy()
    if len(codes) and (np.diff(codes) < 0).any():
        raise DataError(f"{path}: rows are not grouped by series; rerun prepare.")
    names = list(frame["series"].cat.categories)
    counts = np.bincount(codes, minlength=len(names))
    starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    split = frame["split"].cat.codes.to_numpy()
    first_of = {}
    for code in (1, 2):
        at = np.flatnonzero((split == code) & np.r_[True, split[:-1] != code])
        first_of[code] = at
    return Panel(
        names,
        frame["value"].to_numpy(dtype=np.float64),
        starts,
        first_of[1].astype(np.int64),
        first_of[2].astype(np.int64),
        frame["time"].to_numpy() if "time" in frame.columns else None,
    )


CALENDAR_PERIODS = {"hour": 24.0, "weekday": 7.0, "month": 12.0}


def calendar_features(times, names: list[str]) -> np.ndarray:
    """[len(times), 2 x len(names)] float32: the sine and cosine of each calendar position
    (hour of day with its minutes, day of week, month of year) on its circle."""
    stamps = pd.DatetimeIndex(times)
    position = {
        "hour": stamps.hour + stamps.minute / 60.0,
        "weekday": stamps.day_of_week,
        "month": stamps.month - 1,
    }
    columns = []
    for name in names:
        angle = 2 * np.pi * np.asarray(position[name], dtype=np.float64) / CALENDAR_PERIODS[name]
        columns += [np.sin(angle), np.cos(angle)]
    return (
        np.stack(columns, 1).astype(np.float32)
        if columns
        else np.empty((len(stamps), 0), np.float32)
    )


def scaled_values(panel: Panel, scaling: str) -> tuple[np.ndarray, np.ndarray]:
    """(the flat values in the model's units as float32, each series' divisor): log values, or
    values divided by the series' training standard deviation (log: divisors of 1)."""
    divisors = np.ones(len(panel.names))
    if scaling == "log":
        return np.log(panel.values).astype(np.float32), divisors
    scaled = np.empty(len(panel.values), dtype=np.float32)
    for i in range(len(panel.names)):
        train = panel.values[panel.starts[i] : panel.validation_starts[i]]
        train = train[~np.isnan(train)]
        divisors[i] = (
            (float(train.std()) or float(np.abs(train).mean()) or 1.0) if len(train) else 1.0
        )
        span = slice(panel.starts[i], panel.starts[i + 1])
        scaled[span] = panel.values[span] / divisors[i]
    return scaled, divisors


def unscale(quantiles: np.ndarray, levels: np.ndarray, divisors: np.ndarray, scaling: str):
    """Model outputs [windows, horizon, quantiles] relative to each window's level -> original
    units."""
    absolute = quantiles + levels[:, None, None]
    if scaling == "log":
        return np.exp(absolute)
    return absolute * divisors[:, None, None]


def training_origins(panel: Panel, lookback: int, horizon: int) -> np.ndarray:
    """Every origin with `lookback` values of its series before it and `horizon` after it inside
    its training part, none of them missing."""
    ranges = [
        np.arange(start + lookback, validation - horizon + 1)
        for start, validation in zip(panel.starts[:-1], panel.validation_starts)
    ]
    origins = np.concatenate(ranges).astype(np.int64) if ranges else np.empty(0, np.int64)
    return complete(panel, origins, lookback, horizon)


def period_origins(panel: Panel, starts: np.ndarray, stops: np.ndarray, horizon: int):
    """Origins from each series' `starts` on, `horizon` apart, while a whole horizon fits before
    its `stops` (validation: up to the test period; test: to the series' end)."""
    return np.concatenate(
        [np.arange(start, stop - horizon + 1, horizon) for start, stop in zip(starts, stops)]
    ).astype(np.int64)


def backtest_origins(panel: Panel, horizon: int) -> np.ndarray:
    """The backtest's origins, series by series: the start of each series' test period and every
    `horizon` steps after it while a whole horizon follows (evaluate.origins of them)."""
    return period_origins(panel, panel.test_starts, panel.starts[1:], horizon)


def complete(panel: Panel, origins: np.ndarray, lookback: int, horizon: int) -> np.ndarray:
    """The origins whose window and horizon hold no missing value."""
    missing = np.concatenate([[0], np.cumsum(np.isnan(panel.values))])
    return origins[missing[origins + horizon] == missing[origins - lookback]]


def series_of(panel: Panel, positions: np.ndarray) -> np.ndarray:
    """The series index of each flat position."""
    return np.searchsorted(panel.starts, positions, side="right") - 1


class PanelWindows:
    """A BatchSource (data.batch_source) of windows at `origins` of the scaled flat `values`:
    inputs [batch, lookback] (minus each window's level), targets [batch, horizon] (the same
    level removed), or with `labels` (each flat position's bin: forecast.bins) the targets' bins
    [batch, horizon]. With `per_epoch` > 0 a training epoch draws that many origins (seeded)."""

    def __init__(
        self,
        values: torch.Tensor,
        origins: np.ndarray,
        lookback: int,
        horizon: int,
        season: int,
        per_epoch: int = 0,
        calendar: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
    ):
        self.values, self.origins = values, np.asarray(origins, dtype=np.int64)
        self.calendar = calendar  # [values, features] or None
        self.labels = labels  # [values] int64 or None
        self.lookback, self.horizon, self.season = lookback, horizon, season
        self.per_epoch = per_epoch
        self._span = torch.arange(-lookback, horizon)

    def __len__(self) -> int:
        return len(self.origins)

    def batches(
        self, batch_size: int, rng: np.random.Generator | None, bucket_batches: int = 1
    ) -> list[np.ndarray]:
        """Origins per batch: with `rng` (training) `per_epoch` drawn without replacement (all,
        shuffled, when 0 or more than there are); without, in order. Every window has the same
        length, so `bucket_batches` has no meaning here."""
        if rng is None:
            order = np.arange(len(self))
        elif 0 < self.per_epoch < len(self):
            order = rng.choice(len(self), self.per_epoch, replace=False)
        else:
            order = rng.permutation(len(self))
        return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]

    def _positions(self, rows) -> torch.Tensor:
        """[b, lookback + horizon]: the flat positions of each window's values and targets."""
        origins = torch.from_numpy(self.origins[np.asarray(rows)]).to(self.values.device)
        return origins[:, None] + self._span.to(self.values.device)

    def _gather(self, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(windows and targets side by side [b, lookback + horizon] minus their levels, the
        levels [b])."""
        spans = self.values[positions]
        levels = spans[:, self.lookback - self.season : self.lookback].mean(1)
        return spans - levels[:, None], levels

    def batch(self, rows, device: torch.device, non_blocking: bool = False):
        """((windows [b, lookback], calendar [b, lookback + horizon, features] when there is
        one), targets [b, horizon]: values, or bins with labels)."""
        positions = self._positions(rows)  # values, labels and calendar share one device
        spans, _ = self._gather(positions)
        windows, targets = spans[:, : self.lookback], spans[:, self.lookback :]
        if self.labels is not None:
            targets = self.labels[positions[:, self.lookback :]]
        inputs = (windows,)
        if self.calendar is not None:
            inputs += (self.calendar[positions],)
        return tuple(x.to(device, non_blocking=non_blocking) for x in inputs), targets.to(
            device, non_blocking=non_blocking
        )

    @property
    def targets(self) -> torch.Tensor:
        return self.batch(np.arange(len(self)), torch.device("cpu"))[1]

    def levels(self) -> np.ndarray:
        """Every window's level (in the scaled units), in origin order."""
        return self._gather(self._positions(np.arange(len(self))))[1].numpy().astype(np.float64)

    def to(self, device: torch.device) -> PanelWindows:
        return PanelWindows(
            self.values.to(device),
            self.origins,
            self.lookback,
            self.horizon,
            self.season,
            self.per_epoch,
            self.calendar.to(device) if self.calendar is not None else None,
            self.labels.to(device) if self.labels is not None else None,
        )


def load_splits(params: dict, splits: tuple[str, ...], per_epoch: int = 0):
    """({split: its PanelWindows}, the panel, each series' divisor, the scaling) from the prepared
    files, read once: the splits' windows share one array of scaled values (and of calendar
    features). `per_epoch` is the training split's draw per epoch."""
    window = params["window"]
    stats = json.loads(Path("data/stats.json").read_text(encoding="utf-8"))
    panel = load_panel("data/series.parquet")
    scaled, divisors = scaled_values(panel, stats["scaling"])
    values = torch.from_numpy(scaled)
    calendar = None
    if panel.times is not None and window["calendar"]:
        calendar = torch.from_numpy(calendar_features(panel.times, window["calendar"]))
    labels = None
    if window["bins"]:
        labels = torch.from_numpy(bin_labels(panel.values, window["bins"]))
    lookback, horizon = window["lookback"], window["horizon"]
    windows = {}
    for split in splits:
        origins = split_origins(panel, split, lookback, horizon)
        if not len(origins):
            raise DataError(
                f"no {split} window of window.lookback {lookback} + window.horizon {horizon} "
                "steps without a missing value in any series; fill longer gaps "
                "(prepare.max_gap) or shorten the window."
            )
        draw = per_epoch if split == "train" else 0
        windows[split] = PanelWindows(
            values, origins, lookback, horizon, window["season"], draw, calendar, labels
        )
    return windows, panel, divisors, stats["scaling"]


def split_origins(panel: Panel, split: str, lookback: int, horizon: int) -> np.ndarray:
    """The origins of a split's complete windows (training: every position; validation and
    test: a horizon apart)."""
    if split == "train":
        return training_origins(panel, lookback, horizon)
    if split == "validation":
        origins = period_origins(panel, panel.validation_starts, panel.test_starts, horizon)
    else:
        origins = backtest_origins(panel, horizon)
    return complete(panel, origins, lookback, horizon)

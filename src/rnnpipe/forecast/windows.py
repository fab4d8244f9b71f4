"""Forecasting windows, cut lazily by index from one series held once in memory.

A window is named by its anchor `t`, the last row its inputs read. Its inputs are the rows t -
lookback + 1 ... t taken every `step` rows (lookback // step time steps, the last one being t), and
its target is the target column at row t + delay. A batch is copied from a strided view of the
series with one index operation, so memory is the series itself plus 8 bytes per window (its
anchor), whatever the number of windows: the full Jena file (420,551 rows x 14 features, 23 MB)
gives 420k windows of 240 x 14 that would take 5.6 GB if materialised.

With `base_offset` k > 0 the windows' targets are changes rather than values: target[t + delay]
minus target[t + delay - k], the value the naive forecast would give (see prepared.naive_offset). A
recurrent model then learns a correction to "same time yesterday" instead of having to reproduce the
level through its gates; on the Beijing data this lowered validation and test MAE.

Windows never cross a split boundary (inputs and target lie inside the split) and never touch a row
marked invalid (a gap the prepare stage declined to fill), so no window sees made-up values or the
future of another split.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..core.errors import DataError


def window_offsets(lookback: int, step: int) -> np.ndarray:
    """Row offsets of a window's inputs relative to its anchor, oldest first, ending at 0."""
    return -np.arange(0, lookback, step)[::-1].copy()


@dataclass
class WindowSet:
    """Windows over `values` [rows, features] (float32) with targets `target` [rows].

    `anchors` [windows] are the windows' last input rows; targets are `target[anchors + delay]`,
    minus `target[anchors + delay - base_offset]` when `base_offset` > 0. Training batches are
    shuffled windows; evaluation batches keep time order.
    """

    values: torch.Tensor
    target: torch.Tensor
    anchors: np.ndarray
    offsets: np.ndarray
    delay: int
    base_offset: int = 0

    def __post_init__(self):
        # Every possible window as a strided view of the series (no copy): row r of the view is the
        # window whose first input row is r. A batch is then one index_select of whole windows,
        # which copies contiguous runs and measured faster than an element-wise gather.
        rows, features = self.values.shape
        span = int(self.offsets[-1] - self.offsets[0])
        step = int(self.offsets[1] - self.offsets[0]) if len(self.offsets) > 1 else 1
        values = self.values.contiguous()
        self._all_windows = values.as_strided(
            (max(rows - span, 0), len(self.offsets), features), (features, step * features, 1)
        )
        self._first = int(self.offsets[0])

    def __len__(self) -> int:
        return len(self.anchors)

    @property
    def steps(self) -> int:
        return len(self.offsets)

    def _rows(self, shift: int) -> torch.Tensor:
        return torch.from_numpy(self.anchors + shift).to(self.target.device)

    @property
    def absolute_targets(self) -> torch.Tensor:
        """The target values at each window's predicted time."""
        return self.target[self._rows(self.delay)]

    @property
    def baseline(self) -> torch.Tensor:
        """What training targets are relative to: the naive forecast, or zeros."""
        if not self.base_offset:
            return torch.zeros(len(self), dtype=self.target.dtype, device=self.target.device)
        return self.target[self._rows(self.delay - self.base_offset)]

    @property
    def targets(self) -> torch.Tensor:
        """Training targets: values, or changes from the baseline (`base_offset` > 0)."""
        return self.absolute_targets - self.baseline

    def absolute(self, outputs: torch.Tensor) -> torch.Tensor:
        """Model outputs for every window (in order) as target values."""
        return outputs + self.baseline.to(outputs.device)

    def to(self, device: torch.device) -> WindowSet:
        return WindowSet(
            self.values.to(device),
            self.target.to(device),
            self.anchors,
            self.offsets,
            self.delay,
            self.base_offset,
        )

    def batches(
        self, batch_size: int, rng: np.random.Generator | None, bucket_batches: int = 1
    ) -> list[np.ndarray]:
        """Window indices per batch: a seeded shuffle with `rng` (training), time order without.

        `bucket_batches` (length bucketing) has no meaning here: every window has the same length.
        """
        order = rng.permutation(len(self)) if rng is not None else np.arange(len(self))
        return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]

    def batch(self, rows: np.ndarray, device: torch.device, non_blocking: bool = False):
        """((windows [b, steps, features],), targets [b]) on `device`."""
        anchors = torch.from_numpy(np.asarray(self.anchors[rows])).to(self.values.device)
        windows = self._all_windows[anchors + self._first]
        targets = self.target[anchors + self.delay]
        if self.base_offset:
            targets = targets - self.target[anchors + self.delay - self.base_offset]
        return (windows.to(device, non_blocking=non_blocking),), targets.to(
            device, non_blocking=non_blocking
        )

    def flat(self, rows: np.ndarray) -> np.ndarray:
        """Windows as flat rows [b, steps * features] (for scikit-learn baselines)."""
        (windows,), _ = self.batch(rows, torch.device("cpu"))
        return windows.reshape(len(rows), -1).numpy()


def window_anchors(
    valid: np.ndarray, start: int, stop: int, lookback: int, delay: int, reach_back: int = 0
) -> np.ndarray:
    """Anchors of every window whose rows lie in [start, stop) and are all valid.

    A window spans rows anchor - max(lookback - 1, reach_back) ... anchor + delay; `reach_back`
    covers rows a baseline reads before the window (e.g. the naive forecast's "same time
    yesterday").
    """
    back = max(lookback - 1, reach_back)
    first, last = start + back, stop - 1 - delay
    if last < first:
        return np.empty(0, dtype=np.int64)
    invalid = np.concatenate(
        [[0], np.cumsum(~valid[start:stop])]
    )  # invalid rows before each position
    anchors = np.arange(first, last + 1)
    span_start, span_stop = anchors - back - start, anchors + delay + 1 - start
    return anchors[invalid[span_stop] == invalid[span_start]].astype(np.int64)


def make_windows(
    values: np.ndarray,
    target: np.ndarray,
    valid: np.ndarray,
    start: int,
    stop: int,
    *,
    lookback: int,
    step: int,
    delay: int,
    reach_back: int = 0,
    base_offset: int = 0,
    split: str = "train",
) -> WindowSet:
    """A WindowSet over rows [start, stop) of the series; a clear error when no window fits."""
    if step > lookback:
        raise DataError(
            f"window.step ({step}) is larger than window.lookback ({lookback}); a window would "
            f"hold one row. Use a step <= lookback."
        )
    anchors = window_anchors(valid, start, stop, lookback, delay, reach_back)
    if len(anchors) == 0:
        rows = stop - start
        need = max(lookback - 1, reach_back) + delay + 1
        raise DataError(
            f"the {split} period has {rows} rows ({int(valid[start:stop].sum())} valid), but one "
            "window needs "
            f"{need} consecutive valid rows (window.lookback {lookback} + window.delay {delay}). "
            "Shorten "
            f"window.lookback / window.delay, give the {split} split a larger fraction, or fill "
            "gaps "
            f"(prepare.fill, prepare.max_gap)."
        )
    return WindowSet(
        torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32)),
        torch.from_numpy(np.ascontiguousarray(target)),
        anchors,
        window_offsets(lookback, step),
        delay,
        base_offset,
    )

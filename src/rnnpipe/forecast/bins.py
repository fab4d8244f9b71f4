"""Forecasts as bins (window.bins): each forecast step's value classified into the bins that
ascending edges cut ([7, 30] -> under 7, 7 to under 30, 30 and over), as a shop asks "will this
customer come back within a week, a month, or later?" of the gaps in its event log.

Here: the bin of a value, the bins' names, and the baselines a binned forecast is scored
beside, each a probability per bin for every forecast step:
- `frequency`: how often each bin held in every series' training part (the same for every window);
- `series_frequency`: how often each bin held in the window's own series before the origin
  (add-one smoothed, so no bin is impossible);
- `naive`: the bin of the series' last value, for every step (all of the probability on it).
"""

from __future__ import annotations

import numpy as np


def bin_labels(values: np.ndarray, edges) -> np.ndarray:
    """The bin index (int64, 0..len(edges)) of each value: the number of edges at or below it. A
    missing value gets len(edges) and is never read (no window holds one)."""
    return np.searchsorted(np.asarray(edges, dtype=np.float64), values, side="right").astype(
        np.int64
    )


def bin_names(edges) -> list[str]:
    """['under 7', '7 to 30', '30 and over'] for edges [7, 30]: each bin's lower edge is in it."""
    edges = [f"{float(e):g}" for e in edges]
    return (
        [f"under {edges[0]}"]
        + [f"{low} to {high}" for low, high in zip(edges, edges[1:])]
        + [f"{edges[-1]} and over"]
    )


def frequencies(labels: np.ndarray, bins: int, smoothing: float = 0.0) -> np.ndarray:
    """[bins] the share of each bin among `labels` (plus `smoothing` counts each)."""
    counts = np.bincount(labels, minlength=bins)[:bins] + smoothing
    total = counts.sum()
    return counts / total if total else np.full(bins, 1.0 / bins)


def baseline_probabilities(
    histories: list[np.ndarray], horizon: int, edges, training: np.ndarray
) -> dict[str, np.ndarray]:
    """{baseline: [windows, horizon, bins] probabilities} for windows whose series' values before
    the origin are `histories`; `training` holds the labels of every series' training part."""
    bins = len(edges) + 1
    overall = frequencies(training, bins)
    own, last = [], []
    for history in histories:
        labels = bin_labels(history[~np.isnan(history)], edges)
        own.append(frequencies(labels, bins, smoothing=1.0))
        last.append(np.eye(bins)[labels[-1]])
    steps = (1, horizon, 1)
    return {
        "frequency": np.tile(overall, (len(histories), horizon, 1)),
        "series_frequency": np.tile(np.array(own)[:, None, :], steps),
        "naive": np.tile(np.array(last)[:, None, :], steps),
    }

"""Forecasting baselines, on exactly the windows the model is scored on.

- naive: the target's value at the same time of day, `delay` or more steps before the predicted
  time (for a 24 h delay: the last value in the window, "tomorrow = today");
- linear: ridge regression on the flattened window (scikit-learn), fitted on training windows.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.linalg import LinAlgWarning
from sklearn.linear_model import Ridge

from .linear import predict_flat, sample_rows
from .prepared import PreparedSeries, naive_offset
from .windows import WindowSet


def naive_forecast(series: PreparedSeries, windows: WindowSet) -> np.ndarray:
    """The naive baseline's predictions (target units) for each window."""
    return series.raw_target[
        windows.anchors + windows.delay - naive_offset(series.frequency, windows.delay)
    ]


def linear_forecast(
    train: WindowSet,
    test: WindowSet,
    alpha: float,
    max_windows: int,
    seed: int,
    batch_size: int = 4096,
) -> np.ndarray:
    """Ridge regression on flattened windows predicting the target's value (standardised units),
    fitted on <= max_windows training windows."""
    rows = sample_rows(len(train), max_windows, seed)
    with warnings.catch_warnings():  # lagged readings are nearly collinear (see forecast.linear)
        warnings.simplefilter("ignore", LinAlgWarning)
        model = Ridge(alpha=alpha).fit(train.flat(rows), train.absolute_targets.numpy()[rows])
    return predict_flat(model, test, batch_size)

"""Forecast accuracy as the M4 competition defines it (Makridakis et al., 2018; the organisers'
R code), so that scores compare with its published tables.

Per series, over the h forecast steps (y actual, f forecast, m the seasonal period, x the series'
training part):
- sMAPE = mean(200 |y - f| / (|y| + |f|));
- MASE = mean(|y - f|) / scale, scale = mean(|x[t] - x[t - m]|) over the training part (the
  in-sample seasonal naive's error; m = 1 for non-seasonal data);
- MSIS (interval of level 1 - a, bounds l <= u) = mean((u - l) + 2/a (l - y)[y < l]
  + 2/a (y - u)[y > u]) / scale;
- coverage: the share of steps with l <= y <= u; ACD = |coverage - (1 - a)| over all series' steps.
A data set's score is the mean of its series' scores; OWA = (sMAPE / sMAPE of Naive2 + MASE / MASE
of Naive2) / 2, both means over the same series.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import DataError


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Symmetric MAPE in percent (0-200) over the steps of one series."""
    actual, forecast = np.asarray(actual, float), np.asarray(forecast, float)
    denominator = np.abs(actual) + np.abs(forecast)
    # 0/0 (both zero) is a perfect forecast: 0, not NaN
    error = np.abs(actual - forecast)
    ratio = np.divide(error, denominator, out=np.zeros_like(denominator), where=denominator > 0)
    return float(200 * ratio.mean())


def seasonal_scale(history: np.ndarray, season: int) -> float:
    """MASE's and MSIS's scale: the mean absolute seasonal difference of the training part."""
    history = np.asarray(history, float)
    if len(history) <= season:
        raise DataError(
            f"a series of {len(history)} training values has no seasonal difference at period "
            f"{season} (window.season); it needs more than {season} values."
        )
    scale = float(np.abs(history[season:] - history[:-season]).mean())
    if scale == 0:
        raise DataError(
            "a series repeats itself exactly every season in training (seasonal differences all "
            "0): MASE is undefined for it. Drop the series or change window.season."
        )
    return scale


def mase(actual: np.ndarray, forecast: np.ndarray, scale: float) -> float:
    """Mean absolute error over the steps, in units of the series' seasonal_scale."""
    return float(np.abs(np.asarray(actual, float) - np.asarray(forecast, float)).mean() / scale)


def msis(
    actual: np.ndarray, lower: np.ndarray, upper: np.ndarray, scale: float, alpha: float = 0.05
) -> float:
    """Mean scaled interval score of the (1 - alpha) interval [lower, upper] over the steps."""
    actual, lower, upper = (np.asarray(a, float) for a in (actual, lower, upper))
    below = (lower - actual) * (actual < lower)
    above = (actual - upper) * (actual > upper)
    return float(((upper - lower) + 2 / alpha * (below + above)).mean() / scale)


def coverage(actual: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of steps whose actual value lies within [lower, upper]."""
    actual = np.asarray(actual, float)
    return float(((actual >= lower) & (actual <= upper)).mean())


def mean_scores(pairs, forecasts, season: int) -> tuple[float, float]:
    """A data set's sMAPE and MASE: each the mean over its series of the series' score. `pairs`:
    (training values, actual values) per series; `forecasts`: a point forecast per series."""
    smapes, mases = [], []
    for (history, actual), forecast in zip(pairs, forecasts, strict=True):
        smapes.append(smape(actual, forecast))
        mases.append(mase(actual, forecast, seasonal_scale(history, season)))
    return float(np.mean(smapes)), float(np.mean(mases))


def owa(smape_mean: float, mase_mean: float, naive2_smape: float, naive2_mase: float) -> float:
    """Overall weighted average relative to Naive2 (1.0 = Naive2; lower is better)."""
    return 0.5 * (smape_mean / naive2_smape + mase_mean / naive2_mase)


def pinball_loss(actual: np.ndarray, quantile_forecast: np.ndarray, level: float) -> float:
    """Mean pinball (quantile) loss of a forecast of the `level` quantile."""
    difference = np.asarray(actual, float) - np.asarray(quantile_forecast, float)
    return float(np.maximum(level * difference, (level - 1) * difference).mean())

"""The M4 competition's benchmark forecasts, as its organisers' R code computes them: Naive (the
last value), seasonal Naive (the last season repeated) and Naive2 (Naive on the seasonally adjusted
series, the season put back; the benchmark OWA is relative to); and the Theta method (statsmodels'
ThetaModel), the statistical forecast a forecaster would try first.

Naive2 adjusts a series only when it passes M4's seasonality test: the autocorrelation at the
seasonal lag exceeds its 90% limit (1.645 / sqrt(n) * sqrt(1 + 2 * sum of the squared
autocorrelations below that lag)), with at least three seasons of data. The seasonal indices come
from R's classical multiplicative decomposition (`decompose`): a centred moving average of one
season (half weights at both ends for an even season) as the trend, the ratios to it averaged per
position in the season (counted from the series' first value) and normalised to mean 1.
"""

from __future__ import annotations

import numpy as np


def naive(history: np.ndarray, horizon: int) -> np.ndarray:
    return np.full(horizon, float(history[-1]))


def seasonal_naive(history: np.ndarray, horizon: int, season: int) -> np.ndarray:
    last = np.asarray(history[-season:], float)
    return np.resize(last, horizon)


def autocorrelation(series: np.ndarray, lags: int) -> np.ndarray:
    """Sample autocorrelation at lags 1..lags (R's acf: the mean removed, divided by the lag-0
    sum)."""
    centred = np.asarray(series, float) - np.mean(series)
    total = float(centred @ centred)
    return np.array([centred[:-k] @ centred[k:] / total for k in range(1, lags + 1)])


def is_seasonal(series: np.ndarray, season: int) -> bool:
    """M4's seasonality test (90%, two-sided normal limit on the seasonal lag's autocorrelation)."""
    n = len(series)
    if season <= 1 or n < 3 * season:
        return False
    max_lag = min(int(np.floor(10 * np.log10(n))), n - 1)  # R's acf default lag.max
    if max_lag < season:
        return False
    acf = autocorrelation(series, max_lag)
    limit = 1.645 / np.sqrt(n) * np.sqrt(1 + 2 * np.sum(acf[: season - 1] ** 2))
    return bool(abs(acf[season - 1]) > limit)


def seasonal_indices(series: np.ndarray, season: int) -> np.ndarray:
    """Multiplicative seasonal index of every position of `series` (R's decompose)."""
    series = np.asarray(series, float)
    n = len(series)
    weights = (
        np.r_[0.5, np.ones(season - 1), 0.5] / season
        if season % 2 == 0
        else np.ones(season) / season
    )
    half = len(weights) // 2
    trend = np.full(n, np.nan)
    trend[half : n - half] = np.convolve(series, weights[::-1], mode="valid")
    ratio = series / trend
    figure = np.array([np.nanmean(ratio[i::season]) for i in range(season)])
    figure /= figure.mean()
    return np.resize(figure, n)


def naive2(history: np.ndarray, horizon: int, season: int) -> np.ndarray:
    history = np.asarray(history, float)
    if not is_seasonal(history, season):
        return naive(history, horizon)
    indices = seasonal_indices(history, season)
    adjusted_last = history[-1] / indices[-1]
    return adjusted_last * np.resize(indices[-season:], horizon)


THETA_HISTORY = 1000  # M4 Hourly's histories are 700-960 values: all of each is read


def theta(history: np.ndarray, horizon: int, season: int, coverages=()) -> tuple:
    """(the Theta method's forecast, {coverage: (lower, upper)}): statsmodels' ThetaModel
    (Assimakopoulos & Nikolopoulos 2000, as Hyndman & Billah 2003 state it: simple exponential
    smoothing with drift), on the series seasonally adjusted (multiplicatively when every value is
    positive) when it passes M4's seasonality test above, with the model's prediction intervals.
    statsmodels rather than statsforecast: statsforecast 2.1 requires pandas < 3 (through fugue),
    which would downgrade the project's pandas."""
    import warnings

    from statsmodels.tsa.forecasting.theta import ThetaModel

    # The last THETA_HISTORY values at most: the fit's cost grows with the history, and a long
    # one (Beijing: 35,000 hours) says no more about the next days than the last weeks do.
    history = np.asarray(history, float)[-THETA_HISTORY:]
    seasonal = is_seasonal(history, season)
    method = "multiplicative" if (history > 0).all() else "additive"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence notes of the smoothing fit, per series
        fitted = ThetaModel(
            history,
            period=max(season, 1),
            deseasonalize=seasonal,
            use_test=False,  # the seasonality test is M4's, above
            method=method,
        ).fit()
        forecast = np.asarray(fitted.forecast(horizon), float)
        intervals = {}
        for coverage in coverages:
            bounds = fitted.prediction_intervals(horizon, alpha=1 - coverage)
            intervals[coverage] = (
                np.asarray(bounds["lower"], float),
                np.asarray(bounds["upper"], float),
            )
    return forecast, intervals

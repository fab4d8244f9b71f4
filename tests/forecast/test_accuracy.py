"""M4's accuracy measures and benchmark forecasts: hand-computed values, then the competition's
published Naive / seasonal Naive / Naive2 scores on M4 Hourly reproduced from the real data."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import ROOT
from rnnpipe.core.errors import DataError
from rnnpipe.forecast import accuracy, classical
from rnnpipe.forecast.panel import read_wide_series, read_wide_split

M4_HOURLY = ROOT.parent / "shared" / "datasets" / "m4_hourly"


def test_measures_match_hand_computed_values():
    assert accuracy.smape([100, 200], [110, 180]) == pytest.approx(200 * (10 / 210 + 20 / 380) / 2)
    assert accuracy.smape([0, 5], [0, 5]) == 0  # 0/0 is a perfect step, not NaN
    scale = accuracy.seasonal_scale([1, 2, 3, 5, 4, 6], season=2)  # |3-1|, |5-2|, |4-3|, |6-5|
    assert scale == pytest.approx(1.75)
    assert accuracy.mase([7, 8], [6, 10], scale) == pytest.approx(1.5 / 1.75)
    # widths 4, 4, 2; the second step lies 2 below its interval: + 2 / 0.05 * 2
    assert accuracy.msis([10, 0, 5], [8, 2, 4], [12, 6, 6], scale=2) == pytest.approx(15.0)
    assert accuracy.coverage([10, 0, 5], [8, 2, 4], [12, 6, 6]) == pytest.approx(2 / 3)
    assert accuracy.pinball_loss([12, 7], [10, 10], 0.9) == pytest.approx((1.8 + 0.3) / 2)
    assert accuracy.owa(9.0, 1.2, 18.0, 2.4) == pytest.approx(0.5)


def test_pinball_loss_is_smallest_at_the_quantile():
    sample = np.random.default_rng(0).normal(size=4000)
    for level in (0.1, 0.5, 0.9):
        candidates = np.linspace(-2, 2, 401)
        losses = [accuracy.pinball_loss(sample, np.full_like(sample, c), level) for c in candidates]
        best = candidates[int(np.argmin(losses))]
        assert best == pytest.approx(np.quantile(sample, level), abs=0.02)


def test_undefined_scales_are_refused_by_name():
    with pytest.raises(DataError, match="needs more than 24 values"):
        accuracy.seasonal_scale(np.arange(24.0), 24)
    with pytest.raises(DataError, match="repeats itself exactly every season"):
        accuracy.seasonal_scale(np.tile([1.0, 2.0, 3.0], 10), 3)


def test_naive2_restores_a_multiplicative_season_and_leaves_noise_alone():
    season = np.array([0.5, 1.0, 1.5, 1.0])
    series = 100 * np.tile(season, 30)
    assert classical.is_seasonal(series, 4)
    assert classical.seasonal_indices(series, 4)[:4] == pytest.approx(season)
    assert classical.naive2(series, 6, 4) == pytest.approx(100 * np.resize(season, 6))
    assert classical.seasonal_naive(series, 6, 4) == pytest.approx(100 * np.resize(season, 6))
    noise = np.random.default_rng(1).normal(10, 1, size=200)
    assert not classical.is_seasonal(noise, 24)
    assert classical.naive2(noise, 3, 24) == pytest.approx(np.full(3, noise[-1]))
    assert classical.autocorrelation(np.arange(1.0, 5.0), 1) == pytest.approx([0.25])  # R's acf


@pytest.mark.skipif(not M4_HOURLY.exists(), reason=f"M4 Hourly not found at {M4_HOURLY}")
def test_m4_hourly_benchmarks_reproduce_the_published_scores():
    """The M4 'Evaluation and Ranks' figures for Hourly (414 series, horizon 48, season 24)."""
    published = {  # sMAPE, MASE
        "naive": (43.003, 11.608),
        "seasonal_naive": (13.912, 1.193),
        "naive2": (18.383, 2.395),
    }
    panel = read_wide_split(M4_HOURLY / "Hourly-train.csv", M4_HOURLY / "Hourly-test.csv")
    assert len(panel) == 414
    pairs = [(history, actual) for _, history, actual in panel]
    methods = {
        "naive": lambda history: classical.naive(history, 48),
        "seasonal_naive": lambda history: classical.seasonal_naive(history, 48, 24),
        "naive2": lambda history: classical.naive2(history, 48, 24),
    }
    for name, (smape, mase) in published.items():
        forecasts = [methods[name](history) for history, _ in pairs]
        measured = accuracy.mean_scores(pairs, forecasts, season=24)
        assert (round(measured[0], 3), round(measured[1], 3)) == (smape, mase), name


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ('"V1","V2","V3","V4"\n"H1","1","","3"\n', "'H1' has an empty cell in column 'V3'"),
        ('"V1","V2","V3"\n"H1","1","x"\n', "series 'H1', column 'V3': 'x' is not a number"),
        ('"V1","V2"\n"H1","1"\n"H1","2"\n', "series id 'H1' names more than one row"),
        ('"V1","V2","V3"\n"H1","1","2"\n"H2","",""\n', "series 'H2' has no value"),
    ],
)
def test_bad_wide_tables_name_the_series_and_cell(tmp_path, rows, message):
    path = tmp_path / "wide.csv"
    path.write_text(rows)
    with pytest.raises(DataError, match=message):
        read_wide_series(path)


def test_a_wide_row_padded_after_its_last_value_is_that_long(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text('"V1","V2","V3","V4"\n"H1","1","2",""\n"H2","4","5","6"\n')
    series = read_wide_series(path)
    assert list(series) == ["H1", "H2"] and series["H1"].tolist() == [1.0, 2.0]
    other = tmp_path / "other.csv"
    other.write_text('"V1","V2"\n"H2","7"\n"H1","3"\n')
    with pytest.raises(DataError, match="in another order"):
        read_wide_split(path, other)


def test_theta_follows_a_trend_and_gives_intervals_around_its_forecast():
    history = 100 + 2.0 * np.arange(60) + np.random.default_rng(0).normal(0, 1, 60)
    forecast, intervals = classical.theta(history, 6, 1, [0.8])
    # the Theta method is exponential smoothing with half the trend's drift: the forecast keeps
    # rising from the last level
    assert (np.diff(forecast) > 0).all() and forecast[0] > history[-5]
    lower, upper = intervals[0.8]
    assert (lower < forecast).all() and (forecast < upper).all()

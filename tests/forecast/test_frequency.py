"""Calendar steps: monthly, quarterly, yearly and business-day series are put on their own
calendar grid (never a fixed-length one), given as prepare.frequency or inferred, for one series
and for a long table of many; the seasonal naive forecast looks back a year for months."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.tseries.offsets import BusinessDay, DateOffset, MonthBegin, MonthEnd

from rnnpipe.core.errors import ParamsError
from rnnpipe.forecast.frequency import (
    infer_step,
    naive_offset,
    parse_step,
    regular_grid,
    stamps,
    step_text,
)
from rnnpipe.forecast.panel import long_series_clocks, read_long_series
from rnnpipe.forecast.series import regularise


def monthly(periods=48, freq="MS", drop=()):
    times = pd.Series(pd.date_range("2015-01-01", periods=periods, freq=freq))
    values = pd.DataFrame({"sales": np.arange(periods, dtype=float)})
    keep = [i for i in range(periods) if i not in drop]
    return values.iloc[keep].reset_index(drop=True), times.iloc[keep].reset_index(drop=True)


@pytest.mark.parametrize("frequency", ["auto", "MS", "1MS"])
def test_a_monthly_series_is_on_a_month_grid_with_nothing_missing(frequency):
    features, times = monthly(drop=(10,))  # one month absent: one missing timestamp, filled
    series, report = regularise(features, times, frequency, "first", "interpolate", 2)
    assert report["frequency"] == "MS" and report["off_grid_rows"] == 0
    assert report["missing_timestamps"] == 1 and report["rows"] == 48
    assert series.index[10] == pd.Timestamp("2015-11-01") and series["sales"].iloc[10] == 10.0


def test_month_ends_quarters_years_and_business_days_are_inferred():
    assert infer_step(pd.date_range("2020-01-31", periods=12, freq="ME")) == MonthEnd(1)
    assert infer_step(pd.date_range("2020-01-01", periods=12, freq="QS")) == MonthBegin(3)
    assert infer_step(pd.date_range("2000-01-01", periods=12, freq="YS")) == MonthBegin(12)
    mid_month = pd.date_range("2020-01-15", periods=12, freq="MS") + pd.Timedelta(days=14)
    assert infer_step(mid_month) == DateOffset(months=1)
    assert infer_step(pd.bdate_range("2024-01-01", periods=30)) == BusinessDay(1)
    assert infer_step(pd.date_range("2024-01-01", periods=30, freq="D")) == pd.Timedelta("1D")
    assert infer_step(pd.date_range("2024-01-01", periods=30, freq="h")) == pd.Timedelta("1h")


def test_months_anchored_at_the_31st_clip_and_come_back_without_drift():
    grid = regular_grid(
        pd.Timestamp("2021-01-31"), pd.Timestamp("2021-05-31"), DateOffset(months=1)
    )
    assert [d.day for d in grid] == [31, 28, 31, 30, 31]
    assert list(stamps(pd.Timestamp("2021-01-31"), DateOffset(months=1), 3).day) == [31, 28, 31]


@pytest.mark.parametrize(
    "step", [pd.Timedelta("1h"), pd.Timedelta("10min"), MonthBegin(1), MonthEnd(3), BusinessDay(1)]
)
def test_a_stored_step_reads_back_as_itself(step):
    assert parse_step(step_text(step)) == step
    assert parse_step(step_text(DateOffset(months=2))) == DateOffset(months=2)


def test_old_pandas_aliases_are_read_and_nonsense_is_refused_by_param():
    assert parse_step("M") == MonthEnd(1) and parse_step("Q").n == 1
    with pytest.raises(ParamsError, match="prepare.frequency 'monthly' is not a step pandas knows"):
        parse_step("monthly")


def test_the_seasonal_naive_looks_back_a_year_for_months_a_week_for_business_days():
    assert naive_offset(MonthBegin(1), 1) == 12 and naive_offset(MonthBegin(3), 2) == 4
    assert naive_offset(MonthBegin(12), 1) == 1 and naive_offset(BusinessDay(1), 1) == 5
    assert naive_offset(pd.Timedelta("1h"), 3) == 24  # unchanged for fixed steps


def test_a_long_table_of_monthly_series_with_a_time_column_is_on_month_grids(tmp_path):
    # once put on a 31-day grid: most months fell between grid points and read as missing
    rows = [
        (name, day.strftime("%Y-%m-%d"), float(i))
        for name, start in (("a", "2010-01-01"), ("b", "2012-06-01"))
        for i, day in enumerate(pd.date_range(start, periods=36, freq="MS"))
        if not (name == "b" and i == 5)
    ]
    path = tmp_path / "monthly.csv"
    pd.DataFrame(rows, columns=["id", "month", "value"]).to_csv(path, index=False)
    series = read_long_series(path, "id", "value", "month")
    assert len(series["a"]) == 36 and not np.isnan(series["a"]).any()
    assert len(series["b"]) == 36 and np.isnan(series["b"]).sum() == 1  # the one absent month
    clocks = long_series_clocks(path, "id", "month")
    assert clocks["b"] == (pd.Timestamp("2012-06-01"), MonthBegin(1))

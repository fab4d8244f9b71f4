"""A series' step: a fixed length (10min, 1h, 1D: a pandas Timedelta) or a calendar one (month
starts or ends, quarters, years: months of unequal length; business days), read from
prepare.frequency or inferred from the timestamps.

A calendar step is never approximated by a fixed one: a monthly file on a 31-day grid would leave
most months without a grid point (the values "missing") and put others twice. Inferred from the
data: a most common step of 28-31 days is a month (3 months: 89-92 days; a year: 365-366),
anchored at month starts when every timestamp is the 1st, at month ends when every one is the last
day, else at the first timestamp's day; daily timestamps that never fall on a weekend are business
days. Steps are stored as text (meta / stats files): a Timedelta's own text ("0 days 01:00:00"),
a pandas offset alias (MS, 3MS, ME, B) or `months=N` for months anchored at a day.
"""

from __future__ import annotations

import math

import pandas as pd
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import BusinessDay, DateOffset, Day, MonthBegin, MonthEnd, Tick

from ..core.errors import DataError, ParamsError

Step = pd.Timedelta | DateOffset
MEAN_MONTH_DAYS = 30.436875  # the Gregorian calendar's
OLD_ALIASES = {"M": "ME", "Q": "QE", "Y": "YE", "A": "YE", "BM": "BME", "BQ": "BQE"}
HOW = (
    "use auto, a fixed step (10min, 1h, 1D) or a calendar one: MS / ME (month starts / ends), "
    "QS / QE, YS / YE, B (business days), with a count in front for multiples (3MS)"
)


def parse_step(text: str, param: str = "prepare.frequency") -> Step:
    """A step from its text (a param or a stored step); ParamsError naming `param` otherwise.
    A pandas alias comes first (1MS is a month start, not a millisecond); fixed ones (10min, 1h,
    1D) become Timedeltas, as does a Timedelta's own text ("0 days 01:00:00")."""
    text = str(text).strip()
    if text.startswith("months="):
        return DateOffset(months=int(text.split("=", 1)[1]))
    count, alias = _split_count(text)
    try:
        offset = to_offset(f"{count}{OLD_ALIASES.get(alias, alias)}")
    except ValueError:
        offset = None
    if offset is not None:
        if offset.n <= 0:
            raise ParamsError(f"{param} {text!r} is not a positive step; {HOW}.")
        if isinstance(offset, (Tick, Day)):
            return pd.Timedelta(offset)
        return offset
    try:
        step = pd.Timedelta(text)
    except ValueError:
        step = None
    if step is None or pd.isna(step):
        raise ParamsError(f"{param} {text!r} is not a step pandas knows; {HOW}.")
    if step <= pd.Timedelta(0):
        raise ParamsError(f"{param} {text!r} is not a positive step; {HOW}.")
    return step


def step_text(step: Step) -> str:
    """What parse_step reads back."""
    if isinstance(step, pd.Timedelta):
        return str(step)
    if type(step) is DateOffset:
        return f"months={step.months}"
    return step.freqstr


def infer_step(times) -> Step:
    """The step of timestamps (any order, gaps allowed): the most common interval, read as a
    calendar step where it is one (the module docstring)."""
    stamps = pd.DatetimeIndex(times).dropna().unique().sort_values()
    steps = pd.Series(stamps[1:] - stamps[:-1])
    if steps.empty:
        raise DataError("cannot infer the sampling interval: fewer than two distinct timestamps.")
    common = steps.mode().iloc[0]
    days = common / pd.Timedelta(days=1)
    months = round(days / MEAN_MONTH_DAYS)
    if months >= 1 and abs(days - months * MEAN_MONTH_DAYS) <= 1.6 + 0.02 * months:
        if (stamps.day == 1).all() and (stamps.normalize() == stamps).all():
            return MonthBegin(months)
        if stamps.is_month_end.all() and (stamps.normalize() == stamps).all():
            return MonthEnd(months)
        return DateOffset(months=months)
    weekdays_only = (stamps.day_of_week < 5).all() and len(stamps) >= 10
    if common == pd.Timedelta(days=1) and weekdays_only and (steps == pd.Timedelta(days=3)).any():
        return BusinessDay(1)
    return common


def regular_grid(first: pd.Timestamp, last: pd.Timestamp, step: Step) -> pd.DatetimeIndex:
    """Every step from `first` up to `last`; months anchored at a day are counted from `first`
    (the 31st clips to a shorter month's last day and comes back: no drift)."""
    if type(step) is DateOffset:
        stamps, k = [], 0
        while (stamp := first + DateOffset(months=step.months * k)) <= last:
            stamps.append(stamp)
            k += 1
        return pd.DatetimeIndex(stamps)
    return pd.date_range(first, last, freq=step)


def stamps(first: pd.Timestamp, step: Step, count: int) -> pd.DatetimeIndex:
    """`count` timestamps every step from `first`."""
    if type(step) is DateOffset:
        return pd.DatetimeIndex([first + DateOffset(months=step.months * k) for k in range(count)])
    return pd.date_range(first, periods=count, freq=step)


def steps_after(last: pd.Timestamp, step: Step, count: int) -> pd.Timestamp:
    """The time `count` steps after `last`."""
    if type(step) is DateOffset:
        return last + DateOffset(months=step.months * count)
    return last + count * step


def season_length(step: Step) -> int:
    """Steps in the series' season: a day for steps of a day or less that divide it, a year for
    months (12 monthly, 4 quarterly, 1 yearly), a week for business days (5); 1 otherwise."""
    if isinstance(step, pd.Timedelta):
        per_day = pd.Timedelta(days=1) / step
        return int(per_day) if per_day >= 1 and float(per_day).is_integer() else 1
    if isinstance(step, BusinessDay):
        return 5 if step.n == 1 else 1
    months = _months(step)
    if months and 12 % months == 0:
        return 12 // months
    return 1


def _months(step: Step) -> int | None:
    if type(step) is DateOffset:
        return step.months
    name = type(step).__name__
    if name in ("MonthBegin", "MonthEnd"):
        return step.n
    if name in ("QuarterBegin", "QuarterEnd"):
        return 3 * step.n
    if name in ("YearBegin", "YearEnd"):
        return 12 * step.n
    return None


def _split_count(text: str) -> tuple[str, str]:
    digits = len(text) - len(text.lstrip("0123456789"))
    return text[:digits], text[digits:]


def naive_offset(step: Step, delay: int) -> int:
    """Rows back from the predicted time to "the same point of the season, at least `delay` rows
    earlier" (the same time of day for hourly data, the same month for monthly)."""
    period = season_length(step)
    return math.ceil(delay / period) * period

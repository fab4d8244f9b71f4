"""The forecasting pipeline's embedded default: a seeded, weather-like hourly series.

Daily and yearly temperature cycles, a slow "front" process that moves pressure first and
temperature a day later (so that a forecaster reading the window can beat "same as now"), humidity,
wind speed and compass wind direction, solar radiation, and noise. Like a real station export it has
a Latin-1 header (`SWDR (W/m²)`), Jena-style timestamps, a few missing values, a few missing hours,
one two-day outage and some duplicated rows, so the default run exercises every repair.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .columns import COMPASS
from .series import JENA_FORMAT

TARGET = "T (degC)"


def synthetic_weather(days: int, seed: int) -> pd.DataFrame:
    """`days` of hourly readings from 2020-01-01, with the flaws described above."""
    rng = np.random.default_rng(seed)
    hours = days * 24
    times = pd.date_range("2020-01-01", periods=hours, freq="h")
    day_of_year, hour = times.day_of_year.to_numpy(), times.hour.to_numpy()

    front = np.zeros(hours)  # slow weather systems: AR(1) with a ~3-day memory
    shocks = rng.normal(0.0, 0.35, hours)
    for i in range(1, hours):
        front[i] = 0.985 * front[i - 1] + shocks[i]
    lagged = np.concatenate([np.zeros(24), front[:-24]])  # temperature follows pressure by a day

    seasonal = 9.0 - 10.0 * np.cos(2 * np.pi * (day_of_year - 15) / 365.25)
    cloud = 1.0 / (
        1.0 + np.exp(-lagged / 2.0)
    )  # warm fronts bring clouds, which damp the daily swing
    daily = (6.0 - 3.0 * cloud) * np.sin(2 * np.pi * (hour - 9) / 24)
    temperature = seasonal + daily + 1.2 * lagged + rng.normal(0.0, 0.4, hours)
    pressure = 1005.0 - 2.5 * front + rng.normal(0.0, 0.3, hours)
    humidity = np.clip(70.0 + 12.0 * cloud - 2.0 * daily + rng.normal(0.0, 4.0, hours), 5.0, 100.0)
    dew_point = temperature - (100.0 - humidity) / 5.0
    wind_speed = np.abs(1.5 + 0.25 * np.abs(np.gradient(front)) * 10 + rng.normal(0.0, 0.6, hours))
    direction = (225.0 + 40.0 * np.tanh(front / 3.0) + rng.normal(0.0, 30.0, hours)) % 360.0
    compass = np.asarray(COMPASS)[np.round(direction / 22.5).astype(int) % 16]
    sun = np.clip(np.sin(2 * np.pi * (hour - 6) / 24), 0.0, None)
    radiation = (
        sun
        * (250.0 + 350.0 * (1 - np.cos(2 * np.pi * (day_of_year - 15) / 365.25)) / 2)
        * (1.2 - cloud)
    )

    frame = pd.DataFrame(
        {
            "Date Time": times.strftime(JENA_FORMAT),
            "p (mbar)": pressure.round(2),
            TARGET: temperature.round(2),
            "Tdew (degC)": dew_point.round(2),
            "rh (%)": humidity.round(1),
            "wv (m/s)": wind_speed.round(2),
            "wd": compass,
            "SWDR (W/m\u00b2)": radiation.round(1),
        }
    )
    # The flaws of a real export: missing cells, missing hours, an outage, duplicated rows.
    numeric = ["p (mbar)", TARGET, "rh (%)", "wv (m/s)"]
    for name in numeric:
        frame.loc[rng.choice(hours, size=max(hours // 500, 1), replace=False), name] = np.nan
    outage = int(hours * 0.3)
    gone = np.concatenate(
        [
            rng.choice(np.arange(48, hours - 48), size=max(hours // 400, 1), replace=False),
            np.arange(outage, outage + 48),
        ]
    )
    frame = frame.drop(index=np.unique(gone))
    duplicated = frame.sample(n=min(5, len(frame)), random_state=seed)
    return pd.concat([frame, duplicated]).sort_index(kind="stable").reset_index(drop=True)


def write_station_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write like the Jena station does: comma-separated, Latin-1 header and text, `NA`-free
    blanks."""
    frame.to_csv(path, index=False, encoding="latin-1", na_rep="")

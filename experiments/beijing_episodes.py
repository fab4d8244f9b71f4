"""An event log from the UCI Beijing stations: the start of every heavy-pollution episode (the
first hour with PM2.5 >= 150 ug/m3 after at least 12 hours below it) per station, as `station,
time` rows, for the event-log layout of the forecast pipeline (experiments/beijing_episodes.sh).

    python experiments/beijing_episodes.py ../shared/datasets/weather/beijing_multisite out.csv

Gaps of up to 6 missing hours are interpolated first (as the panel recipe does); a longer outage
counts as below the threshold.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

THRESHOLD, QUIET_HOURS = 150.0, 12


def episode_starts(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    times = pd.to_datetime(frame[["year", "month", "day", "hour"]])
    pm = frame["PM2.5"].interpolate(limit=6, limit_area="inside").to_numpy()
    high = pm >= THRESHOLD  # NaN compares False
    recent = pd.Series(high).rolling(QUIET_HOURS, min_periods=1).max().shift(1, fill_value=0)
    starts = high & ~recent.to_numpy(dtype=bool)
    return pd.DataFrame({"station": frame["station"][starts], "time": times[starts]})


def main(folder: str, out: str) -> None:
    files = sorted(Path(folder).glob("PRSA_Data_*.csv"))
    if not files:
        sys.exit(f"{folder}: no PRSA_Data_*.csv (the UCI Beijing multi-site files)")
    log = pd.concat([episode_starts(f) for f in files], ignore_index=True)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(out).with_suffix(".tmp")
    log.to_csv(tmp, index=False, date_format="%Y-%m-%dT%H:%M")
    tmp.replace(out)
    counts = log.groupby("station").size()
    print(
        f"{out}: {len(log)} episode starts at {len(counts)} stations "
        f"({counts.min()}-{counts.max()} each)"
    )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])

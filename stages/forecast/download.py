"""Forecast stage 1, download: weather readings -> data/raw/ (the station's CSV files, unchanged).

    cd forecast && python ../stages/forecast/download.py    # reads params: data.*, download.*

What it does: rnnpipe.forecast.download.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.forecast.download import download_series
from rnnpipe.forecast.params import FORECAST_SCHEMA

if __name__ == "__main__":
    run_stage("download", download_series, FORECAST_SCHEMA)

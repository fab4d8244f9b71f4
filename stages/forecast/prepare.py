"""Forecast stage 2, prepare: data/raw/*.csv -> data/series.parquet + data/stats.json.

    cd forecast && python ../stages/forecast/prepare.py     # reads params: prepare.*

What it does: rnnpipe.forecast.prepare.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.forecast.params import FORECAST_SCHEMA
from rnnpipe.forecast.prepare import prepare_series

if __name__ == "__main__":
    run_stage("prepare", prepare_series, FORECAST_SCHEMA)

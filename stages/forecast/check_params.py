"""Forecast stage 0, check_params: the whole forecast/params.yaml validated before any other stage
runs, so a bad value stops `dvc repro` before DVC removes any stage's outputs (why:
stages/text/check_params.py).

    cd forecast && python ../stages/forecast/check_params.py
"""

from rnnpipe.core.stage import run_params_check
from rnnpipe.forecast.params import FORECAST_SCHEMA

if __name__ == "__main__":
    run_params_check(FORECAST_SCHEMA)

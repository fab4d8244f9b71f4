"""Forecast stage 4, evaluate: the forecaster on the test period, next to two baselines.

    cd forecast && python ../stages/forecast/evaluate.py    # reads params: window.*, evaluate.*

What it does: rnnpipe.forecast.evaluate.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.forecast.evaluate import evaluate_forecaster
from rnnpipe.forecast.params import FORECAST_SCHEMA

if __name__ == "__main__":
    run_stage("evaluate", evaluate_forecaster, FORECAST_SCHEMA)

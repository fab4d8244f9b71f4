"""Forecast stage 3, train: prepared series -> a GRU/LSTM forecaster in data/model/.

    cd forecast && python ../stages/forecast/train.py       # reads params: train.*

Resumes a killed run from its last epoch; train.processes > 1 relaunches this script as DDP workers
(rnnpipe.training.runner). What it does: rnnpipe.forecast.train.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.forecast.params import FORECAST_SCHEMA
from rnnpipe.forecast.train import train_forecaster
from rnnpipe.training.runner import run_training


def main(params: dict) -> None:
    run_training(__file__, params["train"], lambda process: train_forecaster(params, process))


if __name__ == "__main__":
    run_stage("train", main, FORECAST_SCHEMA)

"""Tagging stage 5, train: padded sentences + embedding matrix -> a trained tagger in data/model/.

    cd tagging && python ../stages/tagging/train.py      # reads params: train.*

Writes data/model/, metrics/train.json and metrics/history.csv; resumes a killed run from its last
epoch; train.processes > 1 relaunches this script as DDP workers (rnnpipe.training.runner). What it
does: rnnpipe.tagging.train.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.tagging.params import TAGGING_SCHEMA
from rnnpipe.tagging.train import train_tagger
from rnnpipe.training.runner import run_training


def main(params: dict) -> None:
    run_training(__file__, params["train"], lambda process: train_tagger(params, process))


if __name__ == "__main__":
    run_stage("train", main, TAGGING_SCHEMA)

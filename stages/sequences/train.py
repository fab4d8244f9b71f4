"""Sequences stage 3, train: data/prepared/ -> a recurrent sequence model in data/model/.

    cd sequences && python ../stages/sequences/train.py       # reads params: train.*

Resumes a killed run from its last epoch; train.processes > 1 relaunches this script as DDP workers
(rnnpipe.training.runner). What it does: rnnpipe.sequences.train.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.sequences.params import SEQUENCES_SCHEMA
from rnnpipe.sequences.train import train_sequence_model
from rnnpipe.training.runner import run_training


def main(params: dict) -> None:
    run_training(__file__, params["train"], lambda process: train_sequence_model(params, process))


if __name__ == "__main__":
    run_stage("train", main, SEQUENCES_SCHEMA)

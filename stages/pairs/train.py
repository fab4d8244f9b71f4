"""Pairs stage 4, train: data/pairs.parquet + data/embeddings.npy -> a pair model in data/model/.

    cd pairs && python ../stages/pairs/train.py       # reads params: train.*

Resumes a killed run from its last epoch; train.processes > 1 relaunches this script as DDP workers
(rnnpipe.training.runner). What it does: rnnpipe.pairs.train.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.pairs.params import PAIRS_SCHEMA
from rnnpipe.pairs.train import train_pair_model
from rnnpipe.training.runner import run_training


def main(params: dict) -> None:
    run_training(__file__, params["train"], lambda process: train_pair_model(params, process))


if __name__ == "__main__":
    run_stage("train", main, PAIRS_SCHEMA)

"""Trees stage 4, train: data/trees.parquet + data/embeddings.npy -> a tree classifier in
data/model/.

    cd trees && python ../stages/trees/train.py       # reads params: train.*

Resumes a killed run from its last epoch; train.processes > 1 relaunches this script as DDP workers
(rnnpipe.training.runner). What it does: rnnpipe.trees.train.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.training.runner import run_training
from rnnpipe.trees.params import TREES_SCHEMA
from rnnpipe.trees.train import train_tree_classifier


def main(params: dict) -> None:
    run_training(__file__, params["train"], lambda process: train_tree_classifier(params, process))


if __name__ == "__main__":
    run_stage("train", main, TREES_SCHEMA)

"""Text stage 5, train: padded sequences + embedding matrix -> a trained classifier in data/model/.

    python stages/text/train.py      # reads params: train.*

Writes data/model/, metrics/train.json and metrics/history.csv; resumes a killed run from its last
epoch; train.processes > 1 relaunches this script as DDP workers (rnnpipe.training.runner). What it
does: rnnpipe.text.train (the RNN, its ensemble members and the linear member).
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.text.params import TEXT_SCHEMA
from rnnpipe.text.train import train_classifier
from rnnpipe.training.runner import run_training


def main(params: dict) -> None:
    run_training(__file__, params["train"], lambda process: train_classifier(params, process))


if __name__ == "__main__":
    run_stage("train", main, TEXT_SCHEMA)

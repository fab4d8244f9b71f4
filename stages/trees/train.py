"""Trees stage 4, train: data/trees.parquet + data/embeddings.npy -> a tree classifier in data/model/.

    cd trees && python ../stages/trees/train.py        # reads params: train.*

train.model: `treelstm` (the binary constituency Tree-LSTM, level by level), `spinn` (shift-reduce with a
thin stack, the Tree-LSTM composition as REDUCE; train.tracker adds SPINN-PI's tracker), `lstm` / `bilstm`
(the baselines: the leaves left to right). train.node_loss `all` trains on every labelled node (Tai et al.):
the Tree-LSTM classifies every node of a tree at once; the sequence baselines get every labelled phrase
as a sentence of its own. `root`: roots only. Validation scores roots: the best epoch is the one with the
highest dev root accuracy (train.select_on: accuracy, as Tai et al.) or the lowest dev root loss. Shared loop: checkpoints after every epoch, a killed run resumes.
"""

from pathlib import Path

import numpy as np
import torch

from rnnpipe.core.device import resolve_device, seed_everything
from rnnpipe.core.stage import run_stage
from rnnpipe.text.vocabulary import Vocabulary
from rnnpipe.training.checkpoints import run_fingerprint
from rnnpipe.training.distributed import data_parallel
from rnnpipe.training.history import write_finished_run, write_training_metrics
from rnnpipe.training.loop import TrainSettings, train_model
from rnnpipe.training.objectives import StepClassificationObjective
from rnnpipe.trees.classifier import TrainedTreeClassifier
from rnnpipe.trees.dataset import tree_set
from rnnpipe.trees.files import read_trees
from rnnpipe.trees.model import TreeClassifier, TreeModelConfig
from rnnpipe.trees.params import TREES_SCHEMA

INPUTS = ["data/trees.parquet", "data/vocab.txt", "data/embeddings.npy"]
CHECKPOINT = Path("data/.checkpoints/train.pt")


def main(params: dict) -> None:
    settings, parse = params["train"], params["parse"]
    launched, dist, device = data_parallel(__file__, settings["processes"], resolve_device(settings["device"]))
    if launched:  # train.processes > 1: the DDP workers ran this script; rank 0 wrote the outputs
        return
    seed_everything(settings["seed"])
    vocabulary = Vocabulary.load("data/vocab.txt")
    weights = torch.from_numpy(np.load("data/embeddings.npy"))
    sequence_model = settings["model"] in ("lstm", "bilstm")
    train = tree_set(read_trees("data/trees.parquet", "train"), vocabulary,
                     root_only=settings["node_loss"] == "root", phrases=sequence_model)
    validation = tree_set(read_trees("data/trees.parquet", "validation"), vocabulary, root_only=True)
    classes = 2 if parse["granularity"] == "binary" else 5
    config = TreeModelConfig(len(vocabulary), weights.shape[1], classes, settings["model"], settings["hidden"],
                             settings["dropout"], settings["freeze_embeddings"],
                             settings["model"] == "spinn" and settings["tracker"])
    model = TreeClassifier(config, weights)
    if dist is None or dist.is_main:  # one line per run, not per rank
        print(f"train: {config.model} on {device}, {len(train)} training {'phrases' if sequence_model else 'trees'}, "
              f"{len(validation)} validation trees, {classes} classes")
    loop_settings = TrainSettings.from_params(settings)  # select_on included: dev root accuracy or loss
    result = train_model(model, train, validation, loop_settings, device,
                         checkpoint=CHECKPOINT, fingerprint=run_fingerprint({**settings, **parse}, INPUTS, __file__),
                         objective=StepClassificationObjective(),
                         on_epoch=lambda so_far: write_training_metrics(so_far, "accuracy"), dist=dist)
    if dist is not None and not dist.is_main:
        dist.close()
        return
    trained = TrainedTreeClassifier(model.cpu(), vocabulary, parse["granularity"], parse["lowercase"])
    write_finished_run(trained, result, "accuracy", CHECKPOINT)
    if dist is not None:
        dist.close()


if __name__ == "__main__":
    run_stage("train", main, TREES_SCHEMA)

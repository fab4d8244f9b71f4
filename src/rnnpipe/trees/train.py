"""The trees pipeline's train stage: data/trees.parquet + data/embeddings.npy -> a tree classifier
in data/model/.

train.model: `treelstm` (the binary constituency Tree-LSTM, level by level), `spinn` (shift-reduce
with a thin stack, the Tree-LSTM composition as REDUCE; train.tracker adds SPINN-PI's tracker),
`lstm` / `bilstm` (the baselines: the leaves left to right). train.node_loss `all` trains on every
labelled node (Tai et al.): the Tree-LSTM classifies every node of a tree at once; the sequence
baselines get every labelled phrase as a sentence of its own. `root`: roots only. Validation scores
roots: the best epoch is the one with the highest dev root accuracy (train.select_on: accuracy, as
Tai et al.) or the lowest dev root loss. Shared loop: checkpoints after every epoch, a killed run
resumes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..core.params import config_from_params
from ..text.vocabulary import Vocabulary
from ..training.checkpoints import run_fingerprint
from ..training.history import (
    chance_level,
    chance_warning,
    write_finished_run,
    write_training_metrics,
)
from ..training.loop import TrainSettings, train_model
from ..training.objectives import StepClassificationObjective
from ..training.runner import TrainingProcess
from .classifier import TrainedTreeClassifier
from .dataset import tree_set
from .files import read_trees
from .model import TreeClassifier, TreeModelConfig

INPUTS = ["data/trees.parquet", "data/vocab.txt", "data/embeddings.npy"]
CHECKPOINT = Path("data/.checkpoints/train.pt")


def train_tree_classifier(params: dict, process: TrainingProcess) -> None:
    """Train on the training trees (or phrases), select on the validation roots; rank 0 writes."""
    settings, parse = params["train"], params["parse"]
    vocabulary = Vocabulary.load("data/vocab.txt")
    weights = torch.from_numpy(np.load("data/embeddings.npy"))
    sequence_model = settings["model"] in ("lstm", "bilstm")
    train = tree_set(
        read_trees("data/trees.parquet", "train"),
        vocabulary,
        root_only=settings["node_loss"] == "root",
        phrases=sequence_model,
    )
    validation = tree_set(
        read_trees("data/trees.parquet", "validation"), vocabulary, root_only=True
    )
    classes = 2 if parse["granularity"] == "binary" else 5
    config = config_from_params(
        TreeModelConfig,
        settings,
        vocab_size=len(vocabulary),
        embed_dim=weights.shape[1],
        num_classes=classes,
        tracker=settings["model"] == "spinn" and settings["tracker"],
    )
    model = TreeClassifier(config, weights)
    process.announce(
        f"train: {config.model} on {process.device}, {len(train)} training "
        f"{'phrases' if sequence_model else 'trees'}, {len(validation)} validation trees, "
        f"{classes} "
        f"classes"
    )
    loop_settings = TrainSettings.from_params(
        settings
    )  # select_on included: dev root accuracy or loss
    result = train_model(
        model,
        train,
        validation,
        loop_settings,
        process.device,
        checkpoint=CHECKPOINT,
        fingerprint=run_fingerprint({**settings, **parse}, INPUTS, process.script),
        objective=StepClassificationObjective(),
        on_epoch=lambda so_far: write_training_metrics(so_far, "accuracy"),
        dist=process.dist,
    )
    if not process.is_main:
        return
    trained = TrainedTreeClassifier(
        model.cpu(), vocabulary, parse["granularity"], parse["lowercase"]
    )
    val_accuracy = result.history[result.best_epoch - 1]["val_accuracy"]
    chance = chance_level(
        val_accuracy,
        [tree.label[-1] for tree in read_trees("data/trees.parquet", "train")],
        [tree.label[-1] for tree in validation.trees],
    )  # root labels: the root is the last node
    write_finished_run(trained, result, "accuracy", CHECKPOINT, extra=chance)
    warning = chance_warning(chance, val_accuracy)
    if warning:
        print(warning)

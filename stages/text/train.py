"""Stage 5, train: padded sequences + embedding matrix -> a trained classifier in data/model/.

    python stages/text/train.py      # reads params: train.*

Writes data/model/ (model.safetensors, model.json, vocab.txt), metrics/train.json and the
per-epoch history metrics/history.csv (a DVC plot: `dvc plots show`).

After every epoch the full training state goes to data/.checkpoints/train.pt; if the run is killed,
the next `dvc repro` resumes after the last completed epoch and ends with the same metrics as an
uninterrupted run. The checkpoint is tied to this run's inputs, params and training code, and is
removed once the outputs are written.

With `train.ensemble_cells` (e.g. [gru]) one more model per listed cell is trained after the
`train.cell` model, with the same settings and seed + 1, + 2, ...; each stops early on its own
validation loss, and the saved classifier averages the members' logits. metrics/train.json then
holds the ensemble's validation scores and each member's best epoch.
"""

from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from rnnpipe.core.atomic import atomic_path
from rnnpipe.core.device import resolve_device, seed_everything
from rnnpipe.core.labels import LabelMap
from rnnpipe.core.stage import run_stage
from rnnpipe.text.classifier import TrainedClassifier
from rnnpipe.text.model import ClassifierConfig, EnsembleClassifier, RNNClassifier
from rnnpipe.text.params import TEXT_SCHEMA
from rnnpipe.text.sequences import check_token_ids, load_padded
from rnnpipe.text.tokenizer import Tokenizer
from rnnpipe.text.vectors import check_embedding_matrix
from rnnpipe.text.vocabulary import Vocabulary
from rnnpipe.training.checkpoints import run_fingerprint
from rnnpipe.training.history import write_ensemble_metrics, write_progress, write_training_metrics
from rnnpipe.training.inference import evaluate_loss
from rnnpipe.training.loop import TrainSettings, train_model
from rnnpipe.training.objectives import ClassificationObjective

INPUTS = ["data/padded.parquet", "data/embeddings.npy", "data/vocab.txt", "data/labels.json", "data/tokenizer.json"]
CHECKPOINT = Path("data/.checkpoints/train.pt")


def main(params: dict) -> None:
    settings = params["train"]
    device = resolve_device(settings["device"])
    seed_everything(settings["seed"])
    sets, pad_meta = load_padded("data/padded.parquet", splits=("train", "validation"))
    vocabulary = Vocabulary.load("data/vocab.txt")
    label_map = LabelMap.load("data/labels.json")
    weights = np.load("data/embeddings.npy")
    check_embedding_matrix(weights, len(vocabulary))
    check_token_ids(sets, len(vocabulary))
    cells = [settings["cell"], *settings["ensemble_cells"]]
    names = member_names(cells)
    fingerprint = run_fingerprint(settings, INPUTS, __file__)  # hashes the input files: once, not per member
    members, results = [], []
    for index, cell in enumerate(cells):
        config = ClassifierConfig(vocab_size=len(vocabulary), embed_dim=int(weights.shape[1]),
                                  num_classes=len(label_map), cell=cell, hidden=settings["hidden"],
                                  layers=settings["layers"], bidirectional=settings["bidirectional"],
                                  dropout=settings["dropout"], pooling=settings["pooling"],
                                  freeze_embeddings=settings["freeze_embeddings"])

        # After every epoch: the metrics so far (members already trained + this one), for `dvc exp show`.
        def on_epoch(result, done=tuple(results), so_far=names[:index + 1] if len(cells) > 1 else None):
            write_progress([*done, result], so_far, "accuracy")

        model, result = train_member(config, torch.from_numpy(weights), sets, settings, index, len(cells), device,
                                     fingerprint, on_epoch)
        members.append(model)
        results.append(result)
    save_outputs(members, results, cells, sets, settings, device, vocabulary, label_map, pad_meta)
    for index in range(len(cells)):
        checkpoint_path(index).unlink(missing_ok=True)


def train_member(config: ClassifierConfig, weights: torch.Tensor, sets: dict, settings: dict, index: int,
                 count: int, device: torch.device, fingerprint: str, on_epoch):
    """Train the `index`-th model (seed + index), early-stopped on validation, with its own checkpoint."""
    seed_everything(settings["seed"] + index)
    model = RNNClassifier(config, weights)
    member = f" (member {index + 1} of {count})" if count > 1 else ""
    print(f"train: {config.cell} on {device}{member}, {len(sets['train'])} train / {len(sets['validation'])} "
          f"validation rows, {sum(x.numel() for x in model.parameters() if x.requires_grad):,} trainable parameters")
    loop_settings = replace(TrainSettings.from_params(settings), seed=settings["seed"] + index)
    result = train_model(model, sets["train"], sets["validation"], loop_settings, device,
                         checkpoint=checkpoint_path(index), fingerprint=f"{fingerprint}:{index}", on_epoch=on_epoch)
    return model, result


def save_outputs(members: list, results: list, cells: list[str], sets: dict, settings: dict, device: torch.device,
                 vocabulary: Vocabulary, label_map: LabelMap, pad_meta: dict) -> None:
    """data/model (one classifier, or the ensemble of all members), metrics/train.json and metrics/history.csv."""
    ensemble = len(members) > 1
    model = EnsembleClassifier(members) if ensemble else members[0]
    if ensemble:
        val_loss, val_accuracy = evaluate_loss(model, sets["validation"], settings["batch_size"] * 4, device,
                                               ClassificationObjective(len(label_map)), settings["precision"])
        print(f"train: the averaged {'+'.join(cells)} ensemble: val loss {val_loss:.4f} accuracy {val_accuracy:.4f}")
    classifier = TrainedClassifier(model.cpu(), Tokenizer.load("data/tokenizer.json"), vocabulary, label_map,
                                   int(pad_meta["rnnpipe.maxlen"]), pad_meta["rnnpipe.truncating"])
    with atomic_path("data/model") as tmp:
        classifier.save(tmp)
    if ensemble:
        write_ensemble_metrics(results, member_names(cells), val_loss, val_accuracy, "accuracy")
    else:
        write_training_metrics(results[0], "accuracy")


def member_names(cells: list[str]) -> list[str]:
    return [f"{index + 1}:{cell}" for index, cell in enumerate(cells)]


def checkpoint_path(member: int) -> Path:
    return CHECKPOINT if member == 0 else CHECKPOINT.with_name(f"train-member{member + 1}.pt")


if __name__ == "__main__":
    run_stage("train", main, TEXT_SCHEMA)

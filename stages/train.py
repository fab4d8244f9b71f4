"""Stage 5, train: padded sequences + embedding matrix -> a trained classifier in data/model/.

    python stages/train.py      # reads params: train.*

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

from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import torch

from rnnpipe.artifacts import TrainedClassifier
from rnnpipe.atomic import atomic_path
from rnnpipe.batching import load_padded
from rnnpipe.checkpoints import run_fingerprint
from rnnpipe.errors import TrainingError
from rnnpipe.models import EnsembleClassifier, ModelConfig, RNNClassifier
from rnnpipe.stage import run_stage
from rnnpipe.text import LabelMap, Tokenizer, Vocabulary
from rnnpipe.training import (ClassificationObjective, TrainSettings, evaluate_loss, resolve_device, seed_everything,
                              train_model, write_ensemble_metrics, write_training_metrics)


INPUTS = ["data/padded.parquet", "data/embeddings.npy", "data/vocab.txt", "data/labels.json", "data/tokenizer.json"]
CODE = ["models.py", "training.py", "batching.py"]
CHECKPOINT = Path("data/.checkpoints/train.pt")


def main(params: dict) -> None:
    p = params["train"]
    device = resolve_device(p["device"])
    seed_everything(p["seed"])
    sets, pad_meta = load_padded("data/padded.parquet", splits=("train", "validation"))
    vocabulary = Vocabulary.load("data/vocab.txt")
    label_map = LabelMap.load("data/labels.json")
    weights = torch.from_numpy(np.load("data/embeddings.npy"))
    if not torch.isfinite(weights).all():
        raise TrainingError(f"data/embeddings.npy has {int((~torch.isfinite(weights)).sum())} non-finite values "
                            f"(NaN/Inf); check the vectors file named by embed.path and rerun `dvc repro embed`.")
    if weights.shape[0] != len(vocabulary):
        raise TrainingError(f"data/embeddings.npy has {weights.shape[0]} rows but data/vocab.txt has "
                            f"{len(vocabulary)} words; rerun `dvc repro embed`.")

    largest_id = max(int(split.ids.max()) for split in sets.values())
    if largest_id >= len(vocabulary):
        raise TrainingError(f"data/padded.parquet holds token id {largest_id}, but data/vocab.txt has only "
                            f"{len(vocabulary)} words: the two come from different tokenize runs. Rerun `dvc repro`.")
    settings = TrainSettings(**{f.name: p[f.name] for f in fields(TrainSettings)})
    cells = [p["cell"], *p["ensemble_cells"]]
    ensemble = len(cells) > 1
    fingerprint = run_fingerprint(p, INPUTS, CODE)  # hashes the input files: once, not per member
    members, results = [], []
    for index, cell in enumerate(cells):
        seed_everything(p["seed"] + index)
        config = ModelConfig(vocab_size=len(vocabulary), embed_dim=int(weights.shape[1]), num_classes=len(label_map),
                             cell=cell, hidden=p["hidden"], layers=p["layers"], bidirectional=p["bidirectional"],
                             dropout=p["dropout"], pooling=p["pooling"], freeze_embeddings=p["freeze_embeddings"])
        model = RNNClassifier(config, weights)
        member = f" (member {index + 1} of {len(cells)})" if ensemble else ""
        print(f"train: {cell} on {device}{member}, {len(sets['train'])} train / {len(sets['validation'])} validation "
              f"rows, {sum(x.numel() for x in model.parameters() if x.requires_grad):,} trainable parameters")
        results.append(train_model(model, sets["train"], sets["validation"], replace(settings, seed=p["seed"] + index),
                                   device, checkpoint=checkpoint_path(index),
                                   fingerprint=f"{fingerprint}:{index}"))
        members.append(model)
    model = EnsembleClassifier(members) if ensemble else members[0]
    if ensemble:
        val_loss, val_accuracy = evaluate_loss(model, sets["validation"], settings.batch_size * 4, device,
                                               ClassificationObjective(len(label_map)), settings.precision)
        print(f"train: the averaged {'+'.join(cells)} ensemble: val loss {val_loss:.4f} accuracy {val_accuracy:.4f}")

    classifier = TrainedClassifier(model.cpu(), Tokenizer.load("data/tokenizer.json"),
                                   vocabulary, label_map, int(pad_meta["rnnpipe.maxlen"]), pad_meta["rnnpipe.truncating"])
    with atomic_path("data/model") as tmp:
        classifier.save(tmp)
    if ensemble:
        write_ensemble_metrics(results, [f"{index + 1}:{cell}" for index, cell in enumerate(cells)],
                               val_loss, val_accuracy, "accuracy")
    else:
        write_training_metrics(results[0], "accuracy")
    for index in range(len(cells)):
        checkpoint_path(index).unlink(missing_ok=True)


def checkpoint_path(member: int) -> Path:
    return CHECKPOINT if member == 0 else CHECKPOINT.with_name(f"train-member{member + 1}.pt")


if __name__ == "__main__":
    run_stage("train", main)

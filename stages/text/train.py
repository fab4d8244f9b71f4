"""Stage 5, train: padded sequences + embedding matrix -> a trained classifier (or, with data.task=tag, a
tagger) in data/model/.

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

With `train.ensemble_linear` (classification) a linear model (NB-weighted logistic regression on binary 1-3
grams of the whole texts of data/dataset.parquet, C chosen on validation) joins the saved classifier: its weight w
in (1 - w) * RNN + w * linear is the one of lowest validation log loss (w = 0 keeps the RNN alone).
The test split is never read here. metrics/train.json gains linear_weight, linear_C and the validation
accuracy of the RNN, the linear model and their mix.

Tagging (data.task=tag): word embeddings + a character BiLSTM per word (train.char_dim, char_hidden)
-> the recurrent stack -> one tag per token, trained on the masked per-token cross-entropy (padding
never counts); early stopping on validation token loss; the rest is shared with classification.
"""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import torch

from rnnpipe.core.atomic import atomic_path
from rnnpipe.core.device import resolve_device, seed_everything
from rnnpipe.core.labels import LabelMap
from rnnpipe.core.memory import require_memory
from rnnpipe.core.metrics import probabilities
from rnnpipe.core.stage import run_stage
from rnnpipe.tagging.characters import CharVocabulary
from rnnpipe.tagging.model import EnsembleTagger, RNNTagger, TaggerConfig
from rnnpipe.tagging.sequences import load_tagged
from rnnpipe.tagging.tagger import TrainedTagger
from rnnpipe.text.classifier import TrainedClassifier
from rnnpipe.text.datasets import aligned_label_ids, split_rows
from rnnpipe.text.linear import LinearTextModel, ensemble_weight, fit_linear, mixed_log_loss
from rnnpipe.text.model import ClassifierConfig, EnsembleClassifier, RNNClassifier
from rnnpipe.text.params import TEXT_SCHEMA
from rnnpipe.text.sequences import check_token_ids, load_padded
from rnnpipe.text.tokenizer import Tokenizer
from rnnpipe.text.vectors import check_embedding_matrix
from rnnpipe.text.vocabulary import Vocabulary
from rnnpipe.training.checkpoints import run_fingerprint
from rnnpipe.training.distributed import Distributed, data_parallel
from rnnpipe.training.history import (chance_level, chance_warning, write_ensemble_metrics, write_progress,
                                      write_training_metrics)
from rnnpipe.training.inference import evaluate_loss, predict
from rnnpipe.training.loop import TrainSettings, train_model
from rnnpipe.nn.recurrent import GATES
from rnnpipe.training.objectives import ClassificationObjective, StepClassificationObjective

DATASET = "data/dataset.parquet"  # the whole texts the linear member reads
INPUTS = ["data/padded.parquet", "data/embeddings.npy", "data/vocab.txt", "data/labels.json", "data/tokenizer.json",
          DATASET]
CHECKPOINT = Path("data/.checkpoints/train.pt")
NEAR_PERFECT = 0.995  # a validation accuracy worth a leak warning


def main(params: dict) -> None:
    settings, tagging = params["train"], params["data"]["task"] == "tag"
    # With train.processes > 1: this script again, as that many DDP ranks; rank 0 writes the outputs.
    launched, dist, device = data_parallel(__file__, settings["processes"], resolve_device(settings["device"]))
    if launched:
        return
    seed_everything(settings["seed"])
    vocabulary = Vocabulary.load("data/vocab.txt")
    label_map = LabelMap.load("data/labels.json")
    weights = np.load("data/embeddings.npy")
    check_embedding_matrix(weights, len(vocabulary))
    if tagging:
        characters = CharVocabulary(json.loads(Path("data/tokenizer.json").read_text(encoding="utf-8"))["characters"])
        sets, _ = load_tagged("data/padded.parquet", characters, splits=("train", "validation"))
        objective = StepClassificationObjective()
    else:
        sets, pad_meta = load_padded("data/padded.parquet", splits=("train", "validation"))
        objective = ClassificationObjective(len(label_map))
    check_token_ids(sets, len(vocabulary))
    check_training_fits(settings, weights, int(sets["train"].lengths.max()))
    cells = [settings["cell"], *settings["ensemble_cells"]]
    names = member_names(cells)
    fingerprint = run_fingerprint({**settings, "task": params["data"]["task"]}, INPUTS, __file__)
    members, results = [], []
    for index, cell in enumerate(cells):
        seed_everything(settings["seed"] + index)
        model = (new_tagger(cell, settings, weights, len(label_map), len(characters)) if tagging
                 else new_classifier(cell, settings, weights, len(label_map)))

        # After every epoch: the metrics so far (members already trained + this one), for `dvc exp show`.
        def on_epoch(result, done=tuple(results), so_far=names[:index + 1] if len(cells) > 1 else None):
            write_progress([*done, result], so_far, "accuracy")

        results.append(train_member(model, sets, settings, index, len(cells), device, fingerprint, objective,
                                    on_epoch, dist))
        members.append(model)
    if dist is not None and not dist.is_main:
        dist.close()  # rank 0 alone mixes, scores and writes
        return
    model, scores = combined(members, sets, settings, device, objective, cells)
    linear, weight, linear_summary = None, 0.0, None
    if settings["ensemble_linear"] and not tagging:
        linear, weight, linear_summary = linear_member(model, sets, settings, device, label_map)
    with atomic_path("data/model") as tmp:
        if tagging:
            TrainedTagger(model.cpu(), Tokenizer.load("data/tokenizer.json").lowercase, vocabulary, characters,
                          label_map, padded_maxlen()).save(tmp)
        else:
            TrainedClassifier(model.cpu(), Tokenizer.load("data/tokenizer.json"), vocabulary, label_map,
                              int(pad_meta["rnnpipe.maxlen"]), pad_meta["rnnpipe.truncating"], linear, weight).save(tmp)
    extra, warning = dict(linear_summary or {}), None
    if not tagging:
        val_accuracy = (linear_summary["val_accuracy_mixed"] if linear_summary else
                        scores[1] if scores else results[0].history[results[0].best_epoch - 1]["val_accuracy"])
        extra.update(chance_level(val_accuracy, sets["train"].labels.numpy(), sets["validation"].labels.numpy()))
        warning = chance_warning(extra, val_accuracy)
        if val_accuracy >= NEAR_PERFECT:
            warning = (f"train: WARNING: validation accuracy {val_accuracy:.4f}: near-perfect scores on real data "
                       f"usually mean a leak. Check that download.text_column is not the label (or derived from it) "
                       f"and the duplicate counts download printed.")
    if scores is None:
        write_training_metrics(results[0], "accuracy", extra=extra)
    else:
        write_ensemble_metrics(results, names, *scores, "accuracy", extra=extra)
    for index in range(len(cells)):
        checkpoint_path(index).unlink(missing_ok=True)
    if warning:
        print(warning)
    if dist is not None:
        dist.close()


def check_training_fits(settings: dict, weights: np.ndarray, longest: int) -> None:
    """Refuse sizes whose training could not fit: the embedding table with its gradient and Adam's moments, and
    the gate activations kept for the backward pass of a batch as long as the longest training row (the
    recurrent weights: nn.recurrent)."""
    directions = 2 if settings["bidirectional"] else 1
    activations = (settings["batch_size"] * longest * settings["hidden"] * directions * settings["layers"]
                   * (GATES[settings["cell"]] + 1))
    require_memory(4 * (4 * weights.size + 2 * activations),
                   f"train: a batch of train.batch_size={settings['batch_size']:,} rows of {longest:,} steps through "
                   f"train.hidden={settings['hidden']:,} units, with a {weights.shape[0]:,} x {weights.shape[1]:,} "
                   f"embedding", "Lower train.batch_size, train.hidden or pad.maxlen.")


def new_classifier(cell: str, settings: dict, weights: np.ndarray, classes: int) -> RNNClassifier:
    config = ClassifierConfig(vocab_size=weights.shape[0], embed_dim=int(weights.shape[1]), num_classes=classes,
                              cell=cell, hidden=settings["hidden"], layers=settings["layers"],
                              bidirectional=settings["bidirectional"], dropout=settings["dropout"],
                              pooling=settings["pooling"], freeze_embeddings=settings["freeze_embeddings"])
    return RNNClassifier(config, torch.from_numpy(weights))


def new_tagger(cell: str, settings: dict, weights: np.ndarray, tags: int, characters: int) -> RNNTagger:
    config = TaggerConfig(vocab_size=weights.shape[0], embed_dim=int(weights.shape[1]), num_tags=tags,
                          char_vocab=characters, char_dim=settings["char_dim"], char_hidden=settings["char_hidden"],
                          cell=cell, hidden=settings["hidden"], layers=settings["layers"],
                          bidirectional=settings["bidirectional"], dropout=settings["dropout"],
                          freeze_embeddings=settings["freeze_embeddings"], word_dropout=settings["word_dropout"])
    return RNNTagger(config, torch.from_numpy(weights))


def train_member(model, sets: dict, settings: dict, index: int, count: int, device: torch.device,
                 fingerprint: str, objective, on_epoch, dist: Distributed | None = None):
    """Train the `index`-th model (seed + index), early-stopped on validation, with its own checkpoint."""
    member = f" (member {index + 1} of {count})" if count > 1 else ""
    ranks = f" x {dist.world} processes (DDP)" if dist else ""
    if dist is None or dist.is_main:
        print(f"train: {model.config.cell} on {device}{ranks}{member}, {len(sets['train'])} train / "
              f"{len(sets['validation'])} validation rows, "
              f"{sum(x.numel() for x in model.parameters() if x.requires_grad):,} trainable parameters")
    loop_settings = replace(TrainSettings.from_params(settings), seed=settings["seed"] + index)
    return train_model(model, sets["train"], sets["validation"], loop_settings, device,
                       checkpoint=checkpoint_path(index), fingerprint=f"{fingerprint}:{index}", objective=objective,
                       on_epoch=on_epoch, dist=dist)


def combined(members: list, sets: dict, settings: dict, device: torch.device, objective, cells: list[str]):
    """The one model to save (a member, or the ensemble averaging all members) and the ensemble's validation
    (loss, accuracy), None for a single model."""
    if len(members) == 1:
        return members[0], None
    model = EnsembleTagger(members) if isinstance(members[0], RNNTagger) else EnsembleClassifier(members)
    scores = evaluate_loss(model, sets["validation"], settings["batch_size"] * 4, device, objective,
                           settings["precision"])
    print(f"train: the averaged {'+'.join(cells)} ensemble: val loss {scores[0]:.4f} accuracy {scores[1]:.4f}")
    return model, scores


def linear_member(model, sets: dict, settings: dict, device: torch.device,
                  label_map: LabelMap) -> tuple[LinearTextModel, float, dict]:
    """The linear model fitted on train and its weight beside the RNN, C and weight chosen together on the mix's
    validation log loss, and the validation accuracies behind the choice (for metrics/train.json)."""
    rows = split_rows(DATASET, ("train", "validation"))
    labels = aligned_label_ids(rows, label_map, {split: sets[split].labels.numpy() for split in rows}, DATASET)
    rnn_val = probabilities(predict(model, sets["validation"], settings["batch_size"] * 4, device,
                                    settings["precision"]).float().cpu())
    linear, linear_val = fit_linear(Tokenizer.load("data/tokenizer.json"), rows["train"][0], labels["train"],
                                    rows["validation"][0], labels["validation"], len(label_map), kind="nb",
                                    select=mixed_log_loss(labels["validation"], rnn_val))
    weight = ensemble_weight(labels["validation"], rnn_val, linear_val)

    def accuracy(proba):
        return round(float((proba.argmax(1) == labels["validation"]).mean()), 6)
    summary = {"linear_weight": weight, "linear_C": linear.c, "val_accuracy_rnn": accuracy(rnn_val),
               "val_accuracy_linear": accuracy(linear_val),
               "val_accuracy_mixed": accuracy((1 - weight) * rnn_val + weight * linear_val)}
    print(f"train: linear member (NB-weighted logistic regression on 1-3 grams, C {linear.c:g}, {len(linear.ngrams):,} "
          f"n-grams): C and weight {weight:.2f} chosen on the mix's validation log loss; validation accuracy RNN "
          f"{summary['val_accuracy_rnn']:.4f}, linear {summary['val_accuracy_linear']:.4f}, mixed "
          f"{summary['val_accuracy_mixed']:.4f}")
    return linear, weight, summary


def padded_maxlen() -> int:
    return int(pq.read_schema("data/padded.parquet").metadata[b"rnnpipe.maxlen"])


def member_names(cells: list[str]) -> list[str]:
    return [f"{index + 1}:{cell}" for index, cell in enumerate(cells)]


def checkpoint_path(member: int) -> Path:
    return CHECKPOINT if member == 0 else CHECKPOINT.with_name(f"train-member{member + 1}.pt")


if __name__ == "__main__":
    run_stage("train", main, TEXT_SCHEMA)

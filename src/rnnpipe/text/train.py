"""The text pipeline's train stage: padded sequences + embedding matrix -> a trained classifier in
data/model/.

Writes data/model/ (model.safetensors, model.json, vocab.txt), metrics/train.json and the per-epoch
history metrics/history.csv (a DVC plot: `dvc plots show`).

After every epoch the full training state goes to data/.checkpoints/train.pt; if the run is killed,
the next `dvc repro` resumes after the last completed epoch and ends with the same metrics as an
uninterrupted run. The checkpoint is tied to this run's inputs, params and training code, and is
removed once the outputs are written.

With `train.ensemble_cells` (e.g. [gru]) one more model per listed cell is trained after the
`train.cell` model, with the same settings and seed + 1, + 2, ... (training.members); the saved
classifier averages the members' logits, and metrics/train.json holds the ensemble's validation
scores and each member's best epoch.

With `train.ensemble_linear` a linear model (NB-weighted logistic regression on binary 1-3 grams of
the whole texts of data/dataset.parquet, text.linear) joins the saved classifier: its C and its
weight w in (1 - w) * RNN + w * linear are chosen together on the mix's validation log loss (w = 0
keeps the RNN alone). The test split is never read here. metrics/train.json gains linear_weight,
linear_C and the validation accuracy of the RNN, the linear model and their mix.
"""

from __future__ import annotations

import torch

from ..core.atomic import atomic_path
from ..core.labels import LabelMap
from ..core.metrics import probabilities
from ..core.params import config_from_params
from ..training.checkpoints import run_fingerprint
from ..training.history import chance_level, chance_warning
from ..training.inference import predict
from ..training.members import combined, train_members, write_member_metrics
from ..training.objectives import ClassificationObjective
from ..training.runner import TrainingProcess, check_training_fits
from .classifier import TrainedClassifier
from .datasets import aligned_label_ids, split_rows
from .linear import LinearTextModel, ensemble_weight, fit_linear, mixed_log_loss
from .model import ClassifierConfig, EnsembleClassifier, RNNClassifier
from .sequences import check_token_ids, load_padded
from .tokenizer import Tokenizer
from .vectors import load_embedded_vocabulary

DATASET = "data/dataset.parquet"  # the whole texts the linear member reads
INPUTS = [
    "data/padded.parquet",
    "data/embeddings.npy",
    "data/vocab.txt",
    "data/labels.json",
    "data/tokenizer.json",
    DATASET,
]
NEAR_PERFECT = 0.995  # a validation accuracy worth a leak warning


def train_classifier(params: dict, process: TrainingProcess) -> None:
    """Train the classifier (or ensemble) on train, select on validation; rank 0 mixes in the
    linear member and writes data/model and the metrics."""
    settings = params["train"]
    vocabulary, weights = load_embedded_vocabulary()
    label_map = LabelMap.load("data/labels.json")
    sets, pad_meta = load_padded("data/padded.parquet", splits=("train", "validation"))
    objective = ClassificationObjective(len(label_map))
    check_token_ids(sets, len(vocabulary))
    check_training_fits(settings, weights.shape, int(sets["train"].lengths.max()))

    def new_classifier(cell: str) -> RNNClassifier:
        config = config_from_params(
            ClassifierConfig,
            settings,
            cell=cell,
            vocab_size=weights.shape[0],
            embed_dim=int(weights.shape[1]),
            num_classes=len(label_map),
        )
        return RNNClassifier(config, torch.from_numpy(weights))

    fingerprint = run_fingerprint(settings, INPUTS, process.script)
    members, results = train_members(
        new_classifier, sets, settings, process, fingerprint, objective
    )
    if not process.is_main:
        return  # rank 0 alone mixes, scores and writes
    model, scores = combined(members, EnsembleClassifier, sets, settings, process, objective)
    linear, weight, linear_summary = None, 0.0, None
    if settings["ensemble_linear"]:
        linear, weight, linear_summary = linear_member(
            model, sets, settings, process.device, label_map
        )
    with atomic_path("data/model") as tmp:
        TrainedClassifier(
            model.cpu(),
            Tokenizer.load("data/tokenizer.json"),
            vocabulary,
            label_map,
            int(pad_meta["rnnpipe.maxlen"]),
            pad_meta["rnnpipe.truncating"],
            linear,
            weight,
        ).save(tmp)
    extra = dict(linear_summary or {})
    val_accuracy = (
        linear_summary["val_accuracy_mixed"]
        if linear_summary
        else scores[1]
        if scores
        else results[0].history[results[0].best_epoch - 1]["val_accuracy"]
    )
    extra.update(
        chance_level(val_accuracy, sets["train"].labels.numpy(), sets["validation"].labels.numpy())
    )
    write_member_metrics(results, settings, scores, extra)
    warning = leak_warning(val_accuracy) or chance_warning(extra, val_accuracy)
    if warning:
        print(warning)


def leak_warning(val_accuracy: float) -> str | None:
    """The train stage's last line when validation accuracy is near-perfect (on real data:
    usually a leak)."""
    if val_accuracy < NEAR_PERFECT:
        return None
    return (
        f"train: WARNING: validation accuracy {val_accuracy:.4f}: near-perfect scores on real data "
        "usually mean "
        "a leak. Check that download.text_column is not the label (or derived from it) and the "
        "duplicate counts "
        f"download printed."
    )


def linear_member(
    model, sets: dict, settings: dict, device: torch.device, label_map: LabelMap
) -> tuple[LinearTextModel, float, dict]:
    """The linear model fitted on train and its weight beside the RNN, C and weight chosen
    together on the mix's validation log loss, and the validation accuracies behind the choice
    (for metrics/train.json)."""
    rows = split_rows(DATASET, ("train", "validation"))
    labels = aligned_label_ids(
        rows, label_map, {split: sets[split].labels.numpy() for split in rows}, DATASET
    )
    rnn_val = probabilities(
        predict(
            model, sets["validation"], settings["batch_size"] * 4, device, settings["precision"]
        )
        .float()
        .cpu()
    )
    linear, linear_val = fit_linear(
        Tokenizer.load("data/tokenizer.json"),
        rows["train"][0],
        labels["train"],
        rows["validation"][0],
        labels["validation"],
        len(label_map),
        kind="nb",
        select=mixed_log_loss(labels["validation"], rnn_val),
    )
    weight = ensemble_weight(labels["validation"], rnn_val, linear_val)

    def accuracy(proba):
        return round(float((proba.argmax(1) == labels["validation"]).mean()), 6)

    summary = {
        "linear_weight": weight,
        "linear_C": linear.c,
        "val_accuracy_rnn": accuracy(rnn_val),
        "val_accuracy_linear": accuracy(linear_val),
        "val_accuracy_mixed": accuracy((1 - weight) * rnn_val + weight * linear_val),
    }
    print(
        f"train: linear member (NB-weighted logistic regression on 1-3 grams, C {linear.c:g}, "
        f"{len(linear.ngrams):,} "
        f"n-grams): C and weight {weight:.2f} chosen on the mix's validation log loss; validation "
        "accuracy RNN "
        f"{summary['val_accuracy_rnn']:.4f}, linear {summary['val_accuracy_linear']:.4f}, mixed "
        f"{summary['val_accuracy_mixed']:.4f}"
    )
    return linear, weight, summary

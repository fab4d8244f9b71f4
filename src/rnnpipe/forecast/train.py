"""The forecasting pipeline's train stage: prepared series -> a GRU/LSTM forecaster in data/model/.

Windows (window.lookback rows read every window.step rows, target window.delay rows after the
window's last row; with window.predict_change the model learns the change from the naive forecast)
are cut lazily from the series; training windows are shuffled each epoch (seeded), validation
windows keep time order. The loop, optimizers, schedules, early stopping, clipping, checkpoints and
device handling are the shared loop's (rnnpipe.training). With `train.ensemble_linear` a ridge
regression on the flattened window is fitted on training windows (alpha on validation) and mixed
into the model's output with the weight of lowest validation loss (forecast.linear);
metrics/train.json gains linear_weight, linear_alpha and the validation MAE of the RNN, the ridge
model and their mix. Writes data/model/ (model.safetensors, model.json), metrics/train.json and
metrics/history.csv (train/validation loss and MAE in the target's units per epoch).
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from ..core.params import config_from_params
from ..training.checkpoints import run_fingerprint
from ..training.history import write_finished_run, write_training_metrics
from ..training.inference import predict
from ..training.loop import TrainSettings, train_model
from ..training.objectives import RegressionObjective
from ..training.runner import TrainingProcess
from .linear import VALIDATION_BLOCKS, blocks_won, fit_ridge, loss_of, mix_weight
from .model import ForecasterConfig, RNNForecaster, TrainedForecaster
from .panel_train import train_panel
from .prepared import load_prepared, prepared_layout

INPUTS = ["data/series.parquet", "data/stats.json"]
CHECKPOINT = Path("data/.checkpoints/train.pt")


def train_forecaster(params: dict, process: TrainingProcess) -> None:
    """Train on the training windows, select on validation; rank 0 adds the ridge member and
    writes."""
    if prepared_layout() != "single":
        return train_panel(params, process)
    window, settings = params["window"], params["train"]
    series = load_prepared(
        "data/series.parquet", "data/stats.json", window["target"], window["missing_features"]
    )
    shape = (window["lookback"], window["step"], window["delay"], window["predict_change"])
    train, validation = series.windows("train", *shape), series.windows("validation", *shape)
    config = config_from_params(
        ForecasterConfig, settings, features=len(series.columns), outputs=1, linear_inputs=0
    )
    model = RNNForecaster(config)
    process.announce(
        f"train: {config.cell} on {process.device}, {len(train)} train / {len(validation)} "
        "validation "
        f"windows of {train.steps} x {len(series.columns)}, predicting '{window['target']}' "
        f"{window['delay']} steps ahead"
    )
    result = train_model(
        model,
        train,
        validation,
        TrainSettings.from_params(settings),
        process.device,
        checkpoint=CHECKPOINT,
        fingerprint=run_fingerprint({**window, **settings}, INPUTS, process.script),
        objective=RegressionObjective(settings["loss"], series.std),
        on_epoch=lambda so_far: write_training_metrics(so_far, "mae"),  # progress, every epoch
        dist=process.dist,
    )
    if not process.is_main:
        return
    linear_summary = None
    if settings["ensemble_linear"]:
        linear_summary = add_linear_member(
            model, train, validation, settings, process.device, series.std
        )
    stats = json.loads(Path("data/stats.json").read_text(encoding="utf-8"))
    # What `rnnpipe predict` needs to read new readings as training read them.
    preparation = {
        "frequency": stats["frequency"],
        "mean": stats["mean"],
        "std": stats["std"],
        "settings": stats["readings"],
        "missing_features": window["missing_features"],
    }
    forecaster = TrainedForecaster(
        model.cpu(),
        series.columns,
        window["target"],
        window["lookback"],
        window["step"],
        window["delay"],
        series.mean,
        series.std,
        window["predict_change"],
        preparation,
    )
    write_finished_run(forecaster, result, "mae", CHECKPOINT, extra=linear_summary)


def add_linear_member(
    model: RNNForecaster, train, validation, settings: dict, device, std: float
) -> dict:
    """Fit ridge on the training windows and mix it into `model` with the weight of lowest
    validation loss; the validation scores (MAE in the target's units) of the RNN, ridge and the
    mix."""
    with torch.no_grad():
        rnn = predict(model, validation, settings["batch_size"] * 8, device).numpy()
    ridge, alpha, linear = fit_ridge(
        train, validation, settings["linear_max_windows"], settings["loss"], settings["seed"]
    )
    truth = validation.targets.numpy()
    weight = mix_weight(truth, rnn, linear, settings["loss"])
    model.attach_linear(ridge.coef_, float(ridge.intercept_), weight)
    mae = {
        name: round(loss_of(values - truth, "mae") * std, 6)
        for name, values in (
            ("rnn", rnn),
            ("linear", linear),
            ("mixed", (1 - weight) * rnn + weight * linear),
        )
    }
    print(
        f"train: linear member (ridge on the flattened window, alpha {alpha:g}) weight "
        f"{weight:.2f}; validation "
        f"MAE rnn {mae['rnn']:.4f}, ridge {mae['linear']:.4f}, mixed {mae['mixed']:.4f}"
    )
    steady = {}
    if weight < 1:
        won = blocks_won(truth, (1 - weight) * rnn + weight * linear, linear, settings["loss"])
        steady["val_blocks_mix_beats_ridge"] = int(won)
        if won < VALIDATION_BLOCKS:
            print(
                f"train: note: the mix beats ridge alone on {won} of {VALIDATION_BLOCKS} "
                "consecutive stretches of the validation period only: its edge may not hold on "
                "test (forecast.linear)."
            )
    return {
        **steady,
        "linear_weight": weight,
        "linear_alpha": alpha,
        "val_mae_rnn": mae["rnn"],
        "val_mae_linear": mae["linear"],
        "val_mae_mixed": mae["mixed"],
    }

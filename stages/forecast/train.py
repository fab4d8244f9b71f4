"""Forecast stage 3, train: prepared series -> a GRU/LSTM forecaster in data/model/.

    cd forecast && python ../stages/forecast/train.py       # reads params: window.*, train.*

Windows (window.lookback rows read every window.step rows, target window.delay rows after the
window's last row; with window.predict_change the model learns the change from the naive forecast)
are cut lazily from the series; training windows are shuffled each epoch
(seeded), validation windows keep time order. The loop, optimizers, schedules, early stopping,
clipping, checkpoints and device handling are the shared loop's (rnnpipe.training).
With `train.ensemble_linear` a ridge regression on the flattened window is fitted on training windows
(alpha on validation) and mixed into the model's output with the weight of lowest validation loss
(forecast.linear); metrics/train.json gains linear_weight, linear_alpha and the validation MAE of the
RNN, the ridge model and their mix.
Writes data/model/ (model.safetensors, model.json), metrics/train.json and metrics/history.csv
(train/validation loss and MAE in the target's units per epoch).
"""

import json
from pathlib import Path

import torch

from rnnpipe.core.device import resolve_device, seed_everything
from rnnpipe.core.stage import run_stage
from rnnpipe.forecast.linear import fit_ridge, loss_of, mix_weight
from rnnpipe.forecast.model import ForecasterConfig, RNNForecaster, TrainedForecaster
from rnnpipe.forecast.params import FORECAST_SCHEMA
from rnnpipe.forecast.prepared import load_prepared
from rnnpipe.training.checkpoints import run_fingerprint
from rnnpipe.training.distributed import data_parallel
from rnnpipe.training.history import write_finished_run, write_training_metrics
from rnnpipe.training.inference import predict
from rnnpipe.training.loop import TrainSettings, train_model
from rnnpipe.training.objectives import RegressionObjective

INPUTS = ["data/series.parquet", "data/stats.json"]
CHECKPOINT = Path("data/.checkpoints/train.pt")


def main(params: dict) -> None:
    window, settings = params["window"], params["train"]
    launched, dist, device = data_parallel(__file__, settings["processes"], resolve_device(settings["device"]))
    if launched:  # train.processes > 1: the DDP workers ran this script; rank 0 wrote the outputs
        return
    seed_everything(settings["seed"])
    series = load_prepared("data/series.parquet", "data/stats.json", window["target"],
                           window["missing_features"])
    shape = (window["lookback"], window["step"], window["delay"], window["predict_change"])
    train, validation = series.windows("train", *shape), series.windows("validation", *shape)
    config = ForecasterConfig(features=len(series.columns), cell=settings["cell"], hidden=settings["hidden"],
                              layers=settings["layers"], bidirectional=settings["bidirectional"],
                              dropout=settings["dropout"])
    model = RNNForecaster(config)
    loop_settings = TrainSettings.from_params(settings)
    if dist is None or dist.is_main:  # one line per run, not per rank
        print(f"train: {config.cell} on {device}, {len(train)} train / {len(validation)} validation windows of "
              f"{train.steps} x {len(series.columns)}, predicting '{window['target']}' {window['delay']} steps ahead")
    result = train_model(model, train, validation, loop_settings, device, checkpoint=CHECKPOINT,
                         fingerprint=run_fingerprint({**window, **settings}, INPUTS, __file__),
                         objective=RegressionObjective(settings["loss"], series.std),
                         on_epoch=lambda so_far: write_training_metrics(so_far, "mae"),  # progress, every epoch
                         dist=dist)
    if dist is not None and not dist.is_main:
        dist.close()
        return

    linear_summary = None
    if settings["ensemble_linear"]:
        linear_summary = add_linear_member(model, train, validation, settings, device, series.std)
    stats = json.loads(Path("data/stats.json").read_text(encoding="utf-8"))
    preparation = {"frequency": stats["frequency"], "mean": stats["mean"], "std": stats["std"],
                   "settings": stats["readings"], "missing_features": window["missing_features"]}
    # (what `rnnpipe predict` needs to read new readings)
    forecaster = TrainedForecaster(model.cpu(), series.columns, window["target"], window["lookback"], window["step"],
                                   window["delay"], series.mean, series.std, window["predict_change"], preparation)
    write_finished_run(forecaster, result, "mae", CHECKPOINT, extra=linear_summary)
    if dist is not None:
        dist.close()


def add_linear_member(model: RNNForecaster, train, validation, settings: dict, device, std: float) -> dict:
    """Fit ridge on the training windows and mix it into `model` with the weight of lowest validation loss;
    the validation scores (MAE in the target's units) of the RNN, ridge and the mix."""
    with torch.no_grad():
        rnn = predict(model, validation, settings["batch_size"] * 8, device).numpy()
    ridge, alpha, linear = fit_ridge(train, validation, settings["linear_max_windows"], settings["loss"],
                                     settings["seed"])
    truth = validation.targets.numpy()
    weight = mix_weight(truth, rnn, linear, settings["loss"])
    model.attach_linear(ridge.coef_, float(ridge.intercept_), weight)
    mae = {name: round(loss_of(values - truth, "mae") * std, 6)
           for name, values in (("rnn", rnn), ("linear", linear), ("mixed", (1 - weight) * rnn + weight * linear))}
    print(f"train: linear member (ridge on the flattened window, alpha {alpha:g}) weight {weight:.2f}; validation "
          f"MAE rnn {mae['rnn']:.4f}, ridge {mae['linear']:.4f}, mixed {mae['mixed']:.4f}")
    return {"linear_weight": weight, "linear_alpha": alpha, "val_mae_rnn": mae["rnn"], "val_mae_linear": mae["linear"],
            "val_mae_mixed": mae["mixed"]}


if __name__ == "__main__":
    run_stage("train", main, FORECAST_SCHEMA)

"""Forecast stage 3, train: prepared series -> a GRU/LSTM forecaster in data/model/.

    cd forecast && python ../stages/forecast/train.py       # reads params: window.*, train.*

Windows (window.lookback rows read every window.step rows, target window.delay rows after the
window's last row; with window.predict_change the model learns the change from the naive forecast)
are cut lazily from the series; training windows are shuffled each epoch
(seeded), validation windows keep time order. The loop, optimizers, schedules, early stopping,
clipping, checkpoints and device handling are the text pipeline's (rnnpipe.training).
Writes data/model/ (model.safetensors, model.json), metrics/train.json and metrics/history.csv
(train/validation loss and MAE in the target's units per epoch).
"""

from dataclasses import fields
from pathlib import Path

from rnnpipe.atomic import atomic_path
from rnnpipe.checkpoints import run_fingerprint
from rnnpipe.forecasting import TrainedForecaster, load_prepared
from rnnpipe.models import ForecasterConfig, RNNForecaster
from rnnpipe.params import FORECAST_SCHEMA
from rnnpipe.stage import run_stage
from rnnpipe.training import (RegressionObjective, TrainSettings, resolve_device, seed_everything, train_model,
                              write_training_metrics)

INPUTS = ["data/series.parquet", "data/stats.json"]
CODE = ["models.py", "training.py", "windows.py", "forecasting.py"]
CHECKPOINT = Path("data/.checkpoints/train.pt")


def main(params: dict) -> None:
    w, p = params["window"], params["train"]
    device = resolve_device(p["device"])
    seed_everything(p["seed"])
    series = load_prepared("data/series.parquet", "data/stats.json", w["target"])
    shape = (w["lookback"], w["step"], w["delay"], w["predict_change"])
    train, validation = series.windows("train", *shape), series.windows("validation", *shape)
    config = ForecasterConfig(features=len(series.columns), cell=p["cell"], hidden=p["hidden"], layers=p["layers"],
                              bidirectional=p["bidirectional"], dropout=p["dropout"])
    model = RNNForecaster(config)
    settings = TrainSettings(**{f.name: p[f.name] for f in fields(TrainSettings) if f.name in p})
    print(f"train: {config.cell} on {device}, {len(train)} train / {len(validation)} validation windows of "
          f"{train.steps} x {len(series.columns)}, predicting '{w['target']}' {w['delay']} steps ahead")
    result = train_model(model, train, validation, settings, device, checkpoint=CHECKPOINT,
                         fingerprint=run_fingerprint({**w, **p}, INPUTS, CODE),
                         objective=RegressionObjective(p["loss"], series.std))

    forecaster = TrainedForecaster(model.cpu(), series.columns, w["target"], w["lookback"], w["step"], w["delay"],
                                   series.mean, series.std, w["predict_change"])
    with atomic_path("data/model") as tmp:
        forecaster.save(tmp)
    write_training_metrics(result, "mae")
    CHECKPOINT.unlink(missing_ok=True)


if __name__ == "__main__":
    run_stage("train", main, schema=FORECAST_SCHEMA)

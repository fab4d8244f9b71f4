"""The train stage for many series (prepare.layout wide or long): one QuantileForecaster for
every series, trained with the pinball loss on windows drawn from every series' training part
(forecast.panel_windows), the epoch kept by the validation loss (each series' forecast of its
validation period), through the shared training loop (clipping, schedules, early stopping,
checkpoints, DDP). Writes data/model/, metrics/train.json and metrics/history.csv (pinball loss
and the median's absolute error in the scaled units per epoch).
"""

from __future__ import annotations

from pathlib import Path

from ..core.params import config_from_params
from ..training.checkpoints import run_fingerprint
from ..training.history import write_finished_run, write_training_metrics
from ..training.loop import TrainSettings, train_model
from ..training.objectives import QuantileObjective
from ..training.runner import TrainingProcess
from .panel_windows import load_splits
from .quantile_model import (
    QuantileForecaster,
    QuantileForecasterConfig,
    TrainedQuantileForecaster,
    interval_quantiles,
)

INPUTS = ["data/series.parquet", "data/stats.json"]
CHECKPOINT = Path("data/.checkpoints/train.pt")


def train_panel(params: dict, process: TrainingProcess) -> None:
    window, settings = params["window"], params["train"]
    windows, panel, divisors, scaling = load_splits(
        params, ("train", "validation"), settings["windows_per_epoch"]
    )
    train, validation = windows["train"], windows["validation"]
    quantiles = tuple(interval_quantiles(window["intervals"]))
    config = config_from_params(
        QuantileForecasterConfig,
        settings,
        lookback=window["lookback"],
        horizon=window["horizon"],
        season=window["season"],
        quantiles=quantiles,
        calendar=tuple(window["calendar"]) if train.calendar is not None else (),
    )
    model = QuantileForecaster(config)
    if settings["ensemble_linear"]:
        process.announce(
            "train: train.ensemble_linear mixes a ridge member into the single-series model only; "
            "evaluate scores the panel's baselines beside the model"
        )
    process.announce(
        f"train: one {config.cell} for {len(panel.names)} series, {len(train):,} training "
        f"windows ({settings['windows_per_epoch'] or len(train):,} per epoch) of "
        f"{window['lookback']} steps, {window['horizon']} steps ahead, quantiles "
        f"{', '.join(f'{q:g}' for q in quantiles)}"
        + (f"; calendar: {', '.join(config.calendar)}" if config.calendar else "")
    )
    result = train_model(
        model,
        train,
        validation,
        TrainSettings.from_params(settings),
        process.device,
        checkpoint=CHECKPOINT,
        fingerprint=run_fingerprint({**window, **settings}, INPUTS, process.script),
        objective=QuantileObjective(quantiles),
        on_epoch=lambda so_far: write_training_metrics(so_far, "mae"),
        dist=process.dist,
    )
    if process.is_main:
        trained = TrainedQuantileForecaster(
            model.cpu(),
            scaling,
            window["target"],
            params["prepare"]["series_column"],
            dict(zip(panel.names, map(float, divisors))) if scaling == "level" else None,
            params["prepare"]["gap_unit"] if params["prepare"]["layout"] == "events" else None,
        )
        write_finished_run(trained, result, "mae", CHECKPOINT)

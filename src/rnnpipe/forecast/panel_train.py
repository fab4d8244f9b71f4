"""The train stage for many series (prepare.layout wide or long): one QuantileForecaster for
every series, trained with the pinball loss on windows drawn from every series' training part
(forecast.panel_windows), the epoch kept by the validation loss (each series' forecast of its
validation period), through the shared training loop (clipping, schedules, early stopping,
checkpoints, DDP). Writes data/model/, metrics/train.json and metrics/history.csv (pinball loss
and the median's absolute error in the scaled units per epoch; with window.bins cross-entropy and
the accuracy of the most likely bin).
"""

from __future__ import annotations

from pathlib import Path

from ..core.params import config_from_params
from ..training.checkpoints import run_fingerprint
from ..training.history import write_finished_run, write_training_metrics
from ..training.loop import TrainSettings, train_model
from ..training.objectives import QuantileObjective, StepClassificationObjective
from ..training.runner import TrainingProcess
from .bins import bin_labels, bin_names, frequencies
from .panel_windows import load_splits, training_values
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
    bins = tuple(window["bins"])
    quantiles = () if bins else tuple(interval_quantiles(window["intervals"]))
    config = config_from_params(
        QuantileForecasterConfig,
        settings,
        lookback=window["lookback"],
        horizon=window["horizon"],
        season=window["season"],
        quantiles=quantiles,
        calendar=tuple(window["calendar"]) if train.calendar is not None else (),
        bins=bins,
    )
    model = QuantileForecaster(config)
    if bins:
        shares = frequencies(bin_labels(training_values(panel), bins), len(bins) + 1)
        names = bin_names(bins)
        process.announce(
            "train: share of each bin among the training values: "
            + ", ".join(f"{name} {share:.1%}" for name, share in zip(names, shares))
        )
        for name, share in zip(names, shares):
            if share < 0.01:
                process.announce(
                    f"train: warning: the bin '{name}' holds {share:.2%} of the training values; "
                    "the model can hardly learn it. Move the edges (window.bins)."
                )
    if settings["ensemble_linear"]:
        process.announce(
            "train: train.ensemble_linear mixes a ridge member into the single-series model only; "
            "evaluate scores the panel's baselines beside the model"
        )
    process.announce(
        f"train: one {config.cell} for {len(panel.names)} series, {len(train):,} training "
        f"windows ({settings['windows_per_epoch'] or len(train):,} per epoch) of "
        f"{window['lookback']} steps, {window['horizon']} steps ahead, "
        + (
            f"{len(bins) + 1} bins (edges {', '.join(f'{b:g}' for b in bins)}; window.intervals "
            "unused)"
            if bins
            else f"quantiles {', '.join(f'{q:g}' for q in quantiles)}"
        )
        + (f"; calendar: {', '.join(config.calendar)}" if config.calendar else "")
    )
    objective = StepClassificationObjective() if bins else QuantileObjective(quantiles)
    metric = objective.metric
    result = train_model(
        model,
        train,
        validation,
        TrainSettings.from_params(settings),
        process.device,
        checkpoint=CHECKPOINT,
        fingerprint=run_fingerprint({**window, **settings}, INPUTS, process.script),
        objective=objective,
        on_epoch=lambda so_far: write_training_metrics(so_far, metric),
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
        write_finished_run(trained, result, metric, CHECKPOINT)

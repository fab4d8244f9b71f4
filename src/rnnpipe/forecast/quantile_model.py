"""The many-series forecaster: one recurrent network for every series, a whole horizon of
quantiles at once, on top of the seasonal naive forecast; and its model folder.

`QuantileForecaster` maps windows [batch, lookback] (scaled, each minus its level: forecast.
panel_windows) to [batch, horizon, quantiles]. Each step's input is the window's value and its
position in the season counted back from the forecast origin (the phase the forecast steps
continue). The last state and the window itself go through a two-layer head (4 x hidden units) to
horizon x quantiles offsets from the seasonal naive forecast (the window's last season repeated),
so an untrained head forecasts the seasonal naive. Outside training the quantiles of each step are
sorted, so intervals never cross. With bins (window.bins) the same network classifies instead: the
head gives each step's logits over the bins the value may fall in (an untrained head: every bin
equally likely). Direct multi-output (one head for all steps) was measured
against a decoder unrolled over the horizon on M4 Hourly (benchmarks/m4_global_rnn.py --decoder):
validation OWA 0.423 vs 0.465, so the direct head it is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..core.errors import ModelFileError
from ..core.model_folder import load_model_folder, load_weights, save_model_folder
from ..nn.recurrent import RecurrentStack

FORMAT = "rnnpipe-quantile-forecaster-1"
RECORDED = ("lookback", "horizon", "season", "quantiles", "scaling")


def interval_quantiles(intervals: list[float]) -> list[float]:
    """The quantile levels a list of central interval coverages needs, the median included,
    ascending (0.95 -> 0.025, 0.5, 0.975)."""
    levels = {0.5}
    for coverage in intervals:
        levels |= {round((1 - coverage) / 2, 10), round(1 - (1 - coverage) / 2, 10)}
    return sorted(levels)


@dataclass(frozen=True)
class QuantileForecasterConfig:
    """Sizes from the window params, the rest from the train section's rules."""

    lookback: int
    horizon: int
    season: int
    quantiles: tuple[float, ...]
    cell: str
    hidden: int
    layers: int
    dropout: float
    calendar: tuple[str, ...] = ()  # calendar features (window.calendar) the model reads; () = none
    bins: tuple[float, ...] = ()  # window.bins: edges of the bins it classifies into; () = none

    @property
    def calendar_width(self) -> int:
        return 2 * len(self.calendar)  # a sine and a cosine each

    @property
    def outputs(self) -> int:
        """Outputs per horizon step: a logit per bin, or a value per quantile."""
        return len(self.bins) + 1 if self.bins else len(self.quantiles)

    def to_dict(self) -> dict:
        return {
            **asdict(self),
            "quantiles": list(self.quantiles),
            "calendar": list(self.calendar),
            "bins": list(self.bins),
        }


class QuantileForecaster(nn.Module):
    def __init__(self, config: QuantileForecasterConfig):
        super().__init__()
        self.config = config
        self.rnn = RecurrentStack(
            2 + config.calendar_width,
            config.cell,
            config.hidden,
            config.layers,
            False,
            config.dropout,
        )
        width = 4 * config.hidden
        self.head = nn.Sequential(
            nn.Linear(
                config.hidden + config.lookback + config.horizon * config.calendar_width, width
            ),
            nn.ReLU(),
            nn.Dropout(config.dropout),
            nn.Linear(width, config.horizon * config.outputs),
        )
        # Zero offsets at the start: an untrained model forecasts the seasonal naive, which
        # training then corrects.
        nn.init.zeros_(self.head[-1].weight)
        nn.init.zeros_(self.head[-1].bias)
        back = torch.arange(config.lookback, 0, -1, dtype=torch.float32)
        self.register_buffer("phase", (-back).remainder(config.season) / config.season, False)
        repeat = torch.arange(config.horizon) % config.season - config.season
        self.register_buffer("repeat", repeat + config.lookback, False)

    def forward(self, windows: torch.Tensor, calendar: torch.Tensor | None = None) -> torch.Tensor:
        """windows [batch, lookback] -> [batch, horizon, quantiles] (with bins: logits [batch,
        horizon, bins + 1]); with calendar features, calendar [batch, lookback + horizon,
        features]: the window's steps' as inputs of the recurrent layer, the target steps' as
        inputs of the head (known in advance)."""
        config = self.config
        if windows.dim() != 2 or windows.size(1) != config.lookback:
            raise ValueError(
                f"expected windows of shape [batch, {config.lookback}], got {tuple(windows.shape)}"
            )
        if (calendar is None) != (config.calendar_width == 0):
            raise ValueError(
                f"this model reads calendar features {list(config.calendar)}; "
                f"{'none' if calendar is None else 'some'} were given"
            )
        steps = torch.stack([windows, self.phase.expand_as(windows)], -1)
        head_inputs = [windows]
        if calendar is not None:
            steps = torch.cat([steps, calendar[:, : config.lookback]], -1)
            head_inputs.append(calendar[:, config.lookback :].flatten(1))
        lengths = torch.full((len(windows),), config.lookback, device=windows.device)
        last = self.rnn(steps, lengths)[:, -1]
        offsets = self.head(torch.cat([last, *head_inputs], 1))
        offsets = offsets.view(-1, config.horizon, config.outputs)
        if config.bins:
            return offsets  # logits of each step's bins
        quantiles = windows[:, self.repeat].unsqueeze(-1) + offsets
        return quantiles if self.training else quantiles.sort(-1).values


@dataclass
class TrainedQuantileForecaster:
    model: QuantileForecaster
    scaling: str  # log | level (forecast.panel_windows)
    target: str = "value"  # the value column of a long table (window.target)
    series_column: str = "series"  # prepare.series_column
    # level scaling: each training series' divisor (its training std), for forecasts of it
    divisors: dict[str, float] | None = None
    gap_unit: str | None = None  # an event-log model (prepare.layout events): its gaps' unit

    def save(self, folder: str | Path) -> None:
        config = self.model.config
        meta = {
            "model": config.to_dict(),
            "lookback": config.lookback,
            "horizon": config.horizon,
            "season": config.season,
            "quantiles": list(config.quantiles),
            "scaling": self.scaling,
            "target": self.target,
            "series_column": self.series_column,
            "divisors": self.divisors,
            "gap_unit": self.gap_unit,
        }
        save_model_folder(folder, self.model, FORMAT, meta, RECORDED)

    @classmethod
    def load(
        cls, folder: str | Path, device: str | torch.device = "cpu"
    ) -> TrainedQuantileForecaster:
        folder = Path(folder)
        meta, state = load_model_folder(
            folder, FORMAT, RECORDED, missing_hint="Run `dvc repro forecast/dvc.yaml` first."
        )
        try:
            settings = dict(meta["model"])
            settings["quantiles"] = tuple(float(q) for q in settings["quantiles"])
            settings["calendar"] = tuple(settings.get("calendar", ()))
            settings["bins"] = tuple(float(b) for b in settings.get("bins", ()))
            model = QuantileForecaster(QuantileForecasterConfig(**settings))
            fields = (
                str(meta["scaling"]),
                str(meta["target"]),
                str(meta["series_column"]),
                meta["divisors"],
                meta["gap_unit"],
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelFileError(
                f"{folder / 'model.json'}: unreadable or incomplete ({exc})."
            ) from None
        load_weights(model, state, folder)
        model.to(device).eval()
        return cls(model, *fields)


def quantile_index(quantiles, level: float) -> int:
    """The output index of quantile `level`."""
    return int(np.argmin(np.abs(np.asarray(quantiles) - level)))

"""The forecasting pipeline's params schema (forecast/params.yaml, forecast/dvc.yaml)."""

from __future__ import annotations

from ..core.params import (
    EVALUATION_RULES,
    MIN_RATE_RULE,
    RECURRENT_RULES,
    SHA256_RULE,
    TRAINING_RULES,
    Rule,
    Schema,
    fraction,
    one_of,
    seed_rule,
    with_defaults,
)

JENA_URL = "https://s3.amazonaws.com/keras-datasets/jena_climate_2009_2016.csv.zip"

# Far beyond any series rnnpipe reads (1e6 rows = 114 years of hourly readings), but refused by
# check_params, so a typo such as 1000000000 never reaches a stage.
LONGEST_WINDOW = 1_000_000


def window_step_fits(params: dict) -> str | None:
    """A schema check: a step past the lookback would read one row per window."""
    window = params["window"]
    if window["step"] > window["lookback"]:
        return (
            f"window.step ({window['step']}) is larger than window.lookback "
            f"({window['lookback']}); a window would hold one row. Use a step <= lookback."
        )
    return None


def date_split_complete(params: dict) -> str | None:
    """A schema check: a split by date needs both dates (one alone would be ignored)."""
    prepare = params["prepare"]
    given = [key for key in ("val_start", "test_start") if prepare[key].strip()]
    if len(given) == 1:
        other = "test_start" if given == ["val_start"] else "val_start"
        return (
            f"prepare.{given[0]} is set but prepare.{other} is empty; a split by date needs both "
            "(quoted dates), or leave both empty to split by prepare.train_fraction / "
            "val_fraction."
        )
    return None


def horizon_fits_layout(params: dict) -> str | None:
    """A schema check: a horizon needs a panel layout; a panel's window holds a whole season."""
    window, layout = params["window"], params["prepare"]["layout"]
    if layout == "single" and window["horizon"] != 1:
        return (
            f"window.horizon is {window['horizon']}, but the single-series layout predicts one "
            "step (window.delay ahead); a horizon of steps needs prepare.layout: wide or long "
            "(a single series as a long table of one series works too)."
        )
    if layout == "single" and window["bins"]:
        return (
            "window.bins is set, but the single-series layout forecasts values; bins of the "
            "forecast steps need prepare.layout: wide, long or events."
        )
    bins = window["bins"]
    if any(b >= c for b, c in zip(bins, bins[1:])):
        return f"window.bins {bins} must ascend, each edge above the one before (e.g. [7, 30, 90])."
    if layout != "single" and window["lookback"] < window["season"]:
        return (
            f"window.lookback ({window['lookback']}) is shorter than window.season "
            f"({window['season']}); a window must hold a whole season (the seasonal naive "
            "forecast and each window's level read it)."
        )
    return None


FORECAST_SCHEMA = Schema(
    {
        "data": {
            "source": one_of(
                ("synthetic", "jena", "files"),
                "synthetic",
                "synthetic (embedded default) | jena | files",
            ),
            "seed": seed_rule("seed of the synthetic series"),
        },
        "download": {
            "url": Rule(
                str,
                JENA_URL,
                "jena: URL, local path or file:// URL of the Jena climate zip or CSV",
                nonempty=True,
            ),
            "path": Rule(
                str,
                "inputs/forecast",
                "files: a CSV or a folder of CSVs, relative to the repository root; a "
                "dependency of download, so an edit reruns it",
                nonempty=True,
            ),
            "pattern": Rule(
                str,
                "*.csv",
                "files: which CSVs of a folder (e.g. one station's), concatenated in name order",
                nonempty=True,
            ),
            "sha256": SHA256_RULE,
            "min_rate": MIN_RATE_RULE,
            "synthetic_days": Rule(int, 730, "synthetic: days of hourly readings", low=30),
        },
        "prepare": {
            "layout": one_of(
                ("single", "wide", "long", "events"),
                "single",
                "single (one series, a row per time, feature columns) | wide (many series, a row "
                "each: an id, then its values, as M4 ships them) | long (many series: a row per "
                "series and time, prepare.series_column naming the series) | events (a row per "
                "event: prepare.series_column the entity, a time column; forecasts the gaps "
                "between an entity's events)",
            ),
            "gap_unit": Rule(
                str,
                "1D",
                "events: the unit of gaps between timestamped events (a pandas duration: 1D "
                "days, 1h hours); plain-number times keep their own units",
                nonempty=True,
            ),
            "series_column": Rule(
                str, "series", "long: the column naming each row's series", nonempty=True
            ),
            "encoding": Rule(
                str,
                "auto",
                "auto (UTF-8, else Latin-1, as station exports are) | any Python codec name",
                nonempty=True,
            ),
            "na_values": Rule(list, ["NA", "-9999", "-9999.0"], "cells read as missing"),
            "time_column": Rule(
                str,
                "auto",
                "auto: 'Date Time' / 'date' / 'timestamp', or year/month/day/hour columns",
                nonempty=True,
            ),
            "time_format": Rule(
                str, "auto", "auto: Jena '%d.%m.%Y %H:%M:%S', then ISO 8601", nonempty=True
            ),
            "drop_columns": Rule(
                list,
                [],
                "columns that are not features (station names, ...; a row-number column is "
                "noticed and dropped anyway)",
            ),
            "direction_columns": Rule(
                list,
                ["auto"],
                "wind directions (compass text, cv = calm, or degrees) -> sin/cos "
                "features; auto finds compass-text columns and numeric wd... / wind "
                "direction columns; [] = none",
            ),
            "frequency": Rule(
                str,
                "auto",
                "auto (the most common step; monthly, quarterly, yearly and business-day "
                "timestamps are read as calendar steps) | a fixed step such as 10min, 1h, 1D | a "
                "calendar one: MS / ME (month starts / ends), QS / QE, YS / YE, B (business days)",
                nonempty=True,
            ),
            "duplicates": one_of(
                ("first", "mean", "error"), "first", "repeated timestamps: first | mean | error"
            ),
            "fill": one_of(
                ("interpolate", "ffill", "none"),
                "interpolate",
                "missing values / timestamps: interpolate | ffill | none",
            ),
            "max_gap": Rule(
                int,
                6,
                "longest run of missing steps filled; longer gaps stay out of every window",
                low=0,
            ),
            "train_fraction": fraction(
                0.5, "chronological split by fraction: the first share is train ..."
            ),
            "val_fraction": fraction(0.25, "... the next is validation, the rest test"),
            "val_start": Rule(
                str, "", "... or by date (set both, quoted: e.g. '2016-03-01' and '2016-09-01')"
            ),
            "test_start": Rule(
                str, "", "first time of the test period when splitting by date (quoted)"
            ),
        },
        "window": {
            "target": Rule(str, "T (degC)", "the column to forecast", nonempty=True),
            "lookback": Rule(
                int,
                120,
                "rows of history per window (120 hourly rows = 5 days)",
                low=1,
                high=LONGEST_WINDOW,
            ),
            "step": Rule(
                int,
                1,
                "read every step-th row of the lookback (6 on 10-minute data = hourly)",
                low=1,
                high=LONGEST_WINDOW,
            ),
            "delay": Rule(
                int,
                24,
                "rows ahead of the window's last row to predict (24 hourly rows = 1 day)",
                low=1,
                high=LONGEST_WINDOW,
            ),
            "predict_change": Rule(
                bool,
                True,
                "learn the change from the naive forecast (same time of day) rather than the value",
            ),
            "horizon": Rule(
                int,
                1,
                "wide/long: steps predicted from each window, 1..horizon after its last row "
                "(validation is the last horizon steps of each training series, test the last "
                "horizon steps of each series); single: 1, the step window.delay ahead",
                low=1,
                high=LONGEST_WINDOW,
            ),
            "season": Rule(
                int,
                24,
                "wide/long: the seasonal period in steps (24 on hourly data): the seasonal naive, "
                "Naive2 and MASE's scale; 1 = no season",
                low=1,
                high=LONGEST_WINDOW,
            ),
            "intervals": Rule(
                list,
                [0.95],
                "wide/long: central prediction intervals, by coverage (0.95 = the 2.5% and 97.5% "
                "quantiles, trained with the pinball loss beside the median); [] = the median only",
                items=float,
                low=0.0,
                high=1.0,
                low_open=True,
                high_open=True,
            ),
            "bins": Rule(
                list,
                [],
                "wide/long/events: ascending edges that cut each forecast step's value into bins "
                "([7, 30] = under 7, 7 to under 30, 30 and over; events: of the next gaps, as "
                "when a customer comes back); the model then gives each bin's probability "
                "(cross-entropy, window.intervals unused); [] = forecast the values",
                items=float,
            ),
            "calendar": Rule(
                list,
                ["hour", "weekday"],
                "wide/long with timestamps: calendar features (sine and cosine of each) of every "
                "window step and every target step, inputs of the model (known in advance); [] = "
                "none; series without timestamps have none",
                choices=("hour", "weekday", "month"),
            ),
            "scaling": one_of(
                ("auto", "log", "level"),
                "auto",
                "wide/long: each window relative to the mean of its last season: log (log values "
                "minus it: positive series of any level) | level (values over the series' "
                "training std, minus it: series that reach 0 or below) | auto (log when every "
                "value is positive)",
            ),
            "missing_features": one_of(
                ("impute", "drop"),
                "impute",
                "a feature still missing after prepare's filling: impute (its training mean) | "
                "drop "
                "(no window reads that row); a missing target is never read",
            ),
        },
        "train": {
            **with_defaults(RECURRENT_RULES, cell="gru", hidden=32, dropout=0.2),
            "loss": one_of(("mae", "mse"), "mae", "mae | mse (on the standardised target)"),
            **with_defaults(
                TRAINING_RULES,
                lr=0.002,
                weight_decay=0.001,
                batch_size=128,
                epochs=10,
                clip_norm=1.0,
                patience=2,
            ),
            "ensemble_linear": Rule(
                bool,
                True,
                "mix the RNN with ridge regression on the flattened window, the weight "
                "(0..1; 0 = RNN alone) and ridge's alpha chosen on validation",
            ),
            "linear_max_windows": Rule(
                int,
                20000,
                "training windows the linear member is fitted on (seeded sample)",
                low=10,
            ),
            "windows_per_epoch": Rule(
                int,
                51200,
                "wide/long: training windows drawn per epoch (seeded, from every series' training "
                "part); 0 = every window once",
                low=0,
            ),
        },
        "evaluate": {
            **with_defaults(EVALUATION_RULES, batch_size=1024),
            "linear_alpha": Rule(
                float, 1.0, "ridge regularisation of the linear baseline", low=0.0
            ),
            "linear_max_windows": Rule(
                int,
                20000,
                "training windows the linear baseline is fitted on (seeded sample)",
                low=10,
            ),
            "statistical": one_of(
                ("theta", "none"),
                "theta",
                "wide/long: a statistical forecast beside the model: theta (the Theta method, "
                "statsmodels; ~0.3 s per series and origin) | none",
            ),
            "origins": Rule(
                int,
                1,
                "wide/long: forecast origins the test period holds, window.horizon steps apart "
                "(a backtest: the model is not refitted); the test period is origins x horizon "
                "steps, per-origin scores in metrics/origins.csv",
                low=1,
                high=LONGEST_WINDOW,
            ),
            "plot_points": Rule(
                int,
                336,
                "test windows shown in metrics/predictions.csv (336 hours = 2 weeks)",
                low=1,
            ),
        },
    },
    checks=(window_step_fits, date_split_complete, horizon_fits_layout),
)

"""Many series: the readers of the wide and long layouts and M4's train/test pairs, prepare's
per-series splits, lazy windows that never cross a series or reach past their split, the
quantile objective and the many-series forecaster."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from rnnpipe.core.errors import DataError, ParamsError
from rnnpipe.core.params import defaults, validate
from rnnpipe.forecast.panel import continued_file, read_long_series, read_panel_files
from rnnpipe.forecast.panel_prepare import prepare_panel
from rnnpipe.forecast.panel_windows import (
    PanelWindows,
    load_panel,
    scaled_values,
    training_origins,
    unscale,
)
from rnnpipe.forecast.params import FORECAST_SCHEMA
from rnnpipe.forecast.quantile_model import (
    QuantileForecaster,
    QuantileForecasterConfig,
    interval_quantiles,
)
from rnnpipe.training.objectives import QuantileObjective


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def panel_params(**window):
    params = defaults(FORECAST_SCHEMA)
    params["prepare"]["layout"] = "wide"
    params["window"].update({"target": "value", "lookback": 4, "horizon": 2, "season": 2, **window})
    return params


@pytest.fixture
def wide_folder(tmp_path, monkeypatch):
    """A forecast stage folder whose data/raw holds an M4-style pair of wide files: two series
    of 12 and 10 training values (the second row padded), 2 test values each."""
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    write(
        raw / "Toy-train.csv",
        '"V1","V2","V3","V4","V5","V6","V7","V8","V9","V10","V11","V12","V13"\n'
        '"A",1,2,3,4,5,6,7,8,9,10,11,12\n'
        '"B",10,20,10,20,10,20,10,20,10,20,,\n',
    )
    write(raw / "Toy-test.csv", '"V1","V2","V3"\n"A",13,14\n"B",10,20\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_wide_pairs_continue_by_id_and_long_tables_sort_by_time(tmp_path):
    train = write(tmp_path / "X-train.csv", "V1,V2,V3,V4\nA,1,2,3\nB,4,5,\n")
    test = write(tmp_path / "X-test.csv", "V1,V2\nB,6\nA,9\n")
    series, given = read_panel_files([test, train], "wide", "series", "value", "auto")
    assert {k: v.tolist() for k, v in series.items()} == {"A": [1, 2, 3, 9], "B": [4, 5, 6]}
    assert given == {"A": 1, "B": 1}
    assert continued_file("Hourly-test.csv") == "Hourly-train.csv"
    assert continued_file("Hourly.csv") is None
    long = write(
        tmp_path / "long.csv",
        "series,time,value\nb,2020-01-02,5\na,2020-01-02,2\na,2020-01-01,1\nb,2020-01-01,4\n",
    )
    read = read_long_series(long, "series", "value")
    assert {k: v.tolist() for k, v in read.items()} == {"a": [1, 2], "b": [4, 5]}


@pytest.mark.parametrize(
    "text, message",
    [
        ("series,time,value\na,1,1\na,1,2\n", "two rows for time 1"),
        ("series,time,value\na,1,x\n", r"line 2: 'value' is 'x'"),
        ("name,time,value\na,1,1\n", r"no column 'series' \(prepare.series_column\)"),
    ],
)
def test_long_tables_with_bad_rows_are_refused_by_name(tmp_path, text, message):
    with pytest.raises(DataError, match=message):
        read_long_series(write(tmp_path / "t.csv", text), "series", "value")


def test_test_files_must_cover_every_series(tmp_path):
    train = write(tmp_path / "X-train.csv", "V1,V2,V3\nA,1,2\nB,4,5\n")
    test = write(tmp_path / "X-test.csv", "V1,V2\nA,9\n")
    with pytest.raises(DataError, match="no test values for series 'B'"):
        read_panel_files([train, test], "wide", "series", "value", "auto")


def test_prepare_splits_each_series_in_time_order(wide_folder):
    prepare_panel(panel_params())
    frame = pd.read_parquet("data/series.parquet")
    a = frame[frame["series"] == "A"]
    assert a["value"].tolist() == list(range(1, 15))
    assert a["split"].tolist() == ["train"] * 10 + ["validation"] * 2 + ["test"] * 2
    stats = json.loads(open("data/stats.json").read())
    assert stats == {"layout": "wide", "series": 2, "scaling": "log"}
    panel = load_panel()
    assert panel.history(0, "test").tolist() == list(range(1, 13))
    assert panel.actual(1, "validation").tolist() == [10, 20]
    assert panel.actual(1, "test").tolist() == [10, 20]


def test_prepare_refuses_short_series_and_mismatched_test_files(wide_folder):
    with pytest.raises(DataError, match="series 'B' has 12 values: 8 for training"):
        prepare_panel(panel_params(lookback=7))
    with pytest.raises(
        DataError, match="test file gives 2 values but the test period is window.horizon 3"
    ):
        prepare_panel(panel_params(horizon=3))
    assert not os.path.exists("data/series.parquet")  # nothing half-written


def test_training_windows_never_reach_validation_or_cross_series(wide_folder):
    prepare_panel(panel_params())
    panel = load_panel()
    origins = training_origins(panel, lookback=4, horizon=2)
    # A: 10 training values -> origins 4..8; B: 8 -> origins 4..6 (offset by A's 14 values)
    assert origins.tolist() == [4, 5, 6, 7, 8, 18, 19, 20]
    values, _ = scaled_values(panel, "log")
    windows = PanelWindows(torch.from_numpy(values), origins, 4, 2, season=2)
    (inputs,), targets = windows.batch(np.arange(len(origins)), torch.device("cpu"))
    last_a = np.log([5, 6, 7, 8, 9, 10])  # A's last training window and its 2 targets
    level = last_a[2:4].mean()
    assert np.allclose(inputs[4].numpy(), last_a[:4] - level, atol=1e-6)
    assert np.allclose(targets[4].numpy(), last_a[4:] - level, atol=1e-6)
    # levels added back and exp undo the scaling exactly
    back = unscale(targets[:, :, None].double().numpy(), windows.levels(), np.ones(8), "log")
    assert np.allclose(back[4, :, 0], [9, 10], rtol=1e-5)


def test_level_scaling_divides_by_each_series_training_spread(wide_folder):
    prepare_panel(panel_params(scaling="level"))
    panel = load_panel()
    values, divisors = scaled_values(panel, "level")
    assert divisors[1] == pytest.approx(5.0)  # B alternates 10, 20: std 5
    assert values[panel.starts[1]] == pytest.approx(2.0)


def test_epochs_draw_the_given_number_of_windows_seeded():
    windows = PanelWindows(torch.zeros(100), np.arange(10, 90), 10, 5, 5, per_epoch=32)
    draw = windows.batches(8, np.random.default_rng(0))
    assert [len(b) for b in draw] == [8] * 4 and len(np.unique(np.concatenate(draw))) == 32
    again = windows.batches(8, np.random.default_rng(0))
    assert all((a == b).all() for a, b in zip(draw, again))
    assert np.concatenate(windows.batches(7, None)).tolist() == list(range(80))


def test_intervals_become_quantiles_and_the_objective_is_the_pinball_loss():
    assert interval_quantiles([0.95]) == [0.025, 0.5, 0.975]
    assert interval_quantiles([0.8, 0.5]) == [0.1, 0.25, 0.5, 0.75, 0.9]
    assert interval_quantiles([]) == [0.5]
    objective = QuantileObjective([0.1, 0.5, 0.9])
    outputs = torch.tensor([[[0.0, 1.0, 2.0]]])  # one window, one step, three quantiles
    loss, error_sum, count = objective(outputs, torch.tensor([[3.0]]))
    # actual 3 above all three: 0.1 * 3, 0.5 * 2, 0.9 * 1, averaged
    assert float(loss) == pytest.approx((0.3 + 1.0 + 0.9) / 3)
    assert float(error_sum) == pytest.approx(2.0) and count == 1


def test_an_untrained_forecaster_gives_the_seasonal_naive_and_sorted_quantiles():
    config = QuantileForecasterConfig(6, 5, 3, (0.1, 0.5, 0.9), "gru", 8, 1, 0.0)
    model = QuantileForecaster(config).eval()
    windows = torch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]])
    out = model(windows)
    assert out.shape == (1, 5, 3)
    assert torch.allclose(out[0, :, 1], torch.tensor([4.0, 5.0, 6.0, 4.0, 5.0]))
    with torch.no_grad():
        model.head[-1].bias.normal_()
    out = model(windows)
    assert (out.diff(dim=-1) >= 0).all()


def test_a_horizon_needs_a_panel_layout():
    params = defaults(FORECAST_SCHEMA)
    params["window"]["horizon"] = 24
    with pytest.raises(ParamsError, match="needs prepare.layout: wide or long"):
        validate(params, FORECAST_SCHEMA)
    params["prepare"]["layout"] = "long"
    params["window"].update(lookback=12, season=24)
    with pytest.raises(ParamsError, match="shorter than window.season"):
        validate(params, FORECAST_SCHEMA)
    params["window"]["intervals"] = [0.95, 1.5]
    with pytest.raises(ParamsError, match="intervals"):
        validate(params, FORECAST_SCHEMA)


def test_an_event_log_becomes_each_entitys_gaps(tmp_path):
    from rnnpipe.forecast.events import event_gaps

    log = write(
        tmp_path / "visits.csv",
        "customer,time\na,2024-01-10\nb,2024-01-01\na,2024-01-01\na,2024-01-03\nc,2024-01-05\n"
        "b,2024-01-01T12:00\n",
    )
    gaps = event_gaps(log, "customer", "auto", "1D")
    # a: 1 -> 3 -> 10 January (2 and 7 days); b: half a day; c: one event, no gap
    assert {k: v.tolist() for k, v in gaps.items()} == {"a": [2.0, 7.0], "b": [0.5]}
    hours = event_gaps(log, "customer", "time", "1h")
    assert hours["a"].tolist() == [48.0, 168.0]
    with pytest.raises(DataError, match="line 3: 'time' is 'soon'"):
        event_gaps(
            write(tmp_path / "bad.csv", "customer,time\na,1\na,soon\n"), "customer", "auto", "1D"
        )


def test_prepare_keeps_the_entities_with_enough_events(tmp_path, monkeypatch):
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    rows = ["shop,time"] + [f"regular,{3 * k}" for k in range(12)] + ["rare,0", "rare,5"]
    write(raw / "log.csv", "\n".join(rows) + "\n")
    monkeypatch.chdir(tmp_path)
    params = panel_params(lookback=3, horizon=1, season=1)
    params["prepare"].update(layout="events", series_column="shop")
    prepare_panel(params)
    panel = load_panel()
    assert panel.names == ["regular"] and panel.values.tolist() == [3.0] * 11
    assert json.loads(open("data/report.json").read())["entities_left_out"] == 1
    params["window"]["lookback"] = 20
    with pytest.raises(DataError, match="no entity of the event log has the 23 gaps"):
        prepare_panel(params)


def test_an_event_log_trains_evaluates_and_predicts_the_next_gaps(tmp_path, monkeypatch):
    """prepare, train and evaluate in process on a log of 6 shops' visits (gaps of 2-4 days, one
    shop irregular), then `rnnpipe predict`'s rows from a shop's recent visits."""
    from rnnpipe.core.device import seed_everything
    from rnnpipe.forecast.panel_evaluate import evaluate_panel
    from rnnpipe.forecast.panel_predict import panel_forecast_rows
    from rnnpipe.forecast.panel_train import train_panel
    from rnnpipe.forecast.quantile_model import TrainedQuantileForecaster
    from rnnpipe.training.runner import TrainingProcess

    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    (tmp_path / "metrics").mkdir()
    rng = np.random.default_rng(0)
    rows = ["shop,time"]
    for shop in range(6):
        day = pd.Timestamp("2024-01-01")
        for _ in range(40):
            day += pd.Timedelta(days=int(rng.integers(2, 5)))
            rows.append(f"s{shop},{day.date()}")
    write(raw / "visits.csv", "\n".join(rows) + "\n")
    monkeypatch.chdir(tmp_path)
    params = panel_params(lookback=8, horizon=2, season=1, intervals=[0.8])
    params["prepare"].update(layout="events", series_column="shop")
    params["train"].update(epochs=2, windows_per_epoch=64, hidden=8, batch_size=16, threads=1)
    params["evaluate"]["statistical"] = "none"
    prepare_panel(params)
    seed_everything(0)
    script = Path(__file__).resolve().parents[2] / "stages" / "forecast" / "train.py"
    train_panel(params, TrainingProcess(str(script), torch.device("cpu"), None))
    evaluate_panel(params)
    evaluation = json.loads(open("metrics/eval.json").read())
    assert evaluation["series"] == 6 and 0 <= evaluation["coverage_80"] <= 1
    trained = TrainedQuantileForecaster.load("data/model")
    assert trained.gap_unit == "1D" and trained.scaling == "log"
    recent = write(tmp_path / "recent.csv", "shop,time\n" + "\n".join(rows[1:21]) + "\n")
    forecast = panel_forecast_rows(trained, recent)
    assert [(r["series"], r["step"]) for r in forecast] == [("s0", 1), ("s0", 2)]
    assert all(1 <= r["forecast"] <= 5 and r["lower_80"] <= r["upper_80"] for r in forecast)


def test_short_gaps_are_filled_long_ones_kept_out_of_every_window(tmp_path, monkeypatch):
    """A long table with year/month/day/hour columns (the UCI Beijing layout), one missing hour
    (a missing row) and a 5-hour outage: the hour is interpolated, the outage stays missing and
    no window of any split reads it."""
    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    times = pd.date_range("2024-01-01", periods=120, freq="h")
    values = 10 + np.sin(np.arange(120) * 2 * np.pi / 24) * 3
    frame = pd.DataFrame(
        {
            "station": "x",
            "year": times.year,
            "month": times.month,
            "day": times.day,
            "hour": times.hour,
            "PM2.5": values,
        }
    )
    frame.loc[40:44, "PM2.5"] = np.nan  # an outage of 5 hours
    frame = frame.drop(index=70)  # a missing hour
    frame.to_csv(raw / "station.csv", index=False)
    monkeypatch.chdir(tmp_path)
    params = panel_params(target="PM2.5", lookback=24, horizon=6, season=24)
    params["prepare"].update(layout="long", series_column="station", max_gap=2)
    prepare_panel(params)
    report = json.loads(open("data/report.json").read())
    assert (report["missing_values"], report["filled_values"]) == (6, 1)
    panel = load_panel()
    assert len(panel.values) == 120 and panel.values[70] == pytest.approx(
        (values[69] + values[71]) / 2
    )
    origins = training_origins(panel, 24, 6)
    spans = origins[:, None] + np.arange(-24, 6)
    assert not np.isnan(panel.values[spans]).any()
    # origins 24..102 (training: the first 108 steps), less 35..68 whose spans touch hours 40-44
    assert len(origins) == 79 - 34


def test_calendar_features_reach_the_recurrent_layer_and_the_head():
    from rnnpipe.forecast.panel_windows import calendar_features

    times = pd.to_datetime(["2024-01-01 06:00", "2024-01-06 18:30"])  # a Monday, a Saturday
    features = calendar_features(times, ["hour", "weekday"])
    assert features.shape == (2, 4)
    assert features[0, :2] == pytest.approx([1.0, 0.0], abs=1e-6)  # 6 h: a quarter of the day
    assert features[1, 2:] == pytest.approx([np.sin(2 * np.pi * 5 / 7), np.cos(2 * np.pi * 5 / 7)])
    config = QuantileForecasterConfig(6, 2, 3, (0.1, 0.5, 0.9), "gru", 8, 1, 0.0, ("hour",))
    model = QuantileForecaster(config).eval()
    with torch.no_grad():
        model.head[-1].weight.normal_()
    windows = torch.ones(1, 6)
    calendar = torch.zeros(1, 8, 2)
    other = calendar.clone()
    other[0, 7] = 1.0  # only the second target step's calendar differs
    assert not torch.allclose(model(windows, calendar), model(windows, other))
    with pytest.raises(ValueError, match="reads calendar features"):
        model(windows)


def test_an_origin_without_a_complete_window_is_left_out_of_the_backtest_table():
    from rnnpipe.forecast.panel_evaluate import origin_scores

    history = np.arange(40.0)  # seasonal differences of 4: MASE's scale
    actual = np.array([1.0, 2.0])
    forecasts = {"model": [actual, actual + 1], **{n: [actual + 1] * 2 for n in ("naive2",)}}
    # two windows, both from origin 1 and 3: origin 2's window read a gap and was left out
    rows = origin_scores([history] * 2, [actual] * 2, forecasts, np.array([1, 3]), season=4)
    assert [row["origin"] for row in rows] == [1, 3]
    assert rows[0]["model"] == 0.0 and rows[1]["naive2"] == 1.0


def test_bins_label_values_and_name_their_edges():
    from rnnpipe.forecast.bins import baseline_probabilities, bin_labels, bin_names

    assert bin_labels(np.array([0.0, 6.9, 7.0, 29.0, 30.0, 400.0]), [7, 30]).tolist() == [
        0,
        0,
        1,
        1,
        2,
        2,
    ]
    assert bin_names([7, 30]) == ["under 7", "7 to 30", "30 and over"]
    history = np.array([1.0, 10.0, 10.0, np.nan, 40.0])  # bins 0, 1, 1, (missing), 2
    base = baseline_probabilities([history], 2, [7, 30], np.array([0, 0, 0, 1]))
    assert base["frequency"][0, 1].tolist() == [0.75, 0.25, 0.0]
    # add-one smoothed: counts 1+1, 2+1, 1+1 of 7
    assert np.allclose(base["series_frequency"][0, 0], [2 / 7, 3 / 7, 2 / 7])
    assert base["naive"][0].tolist() == [[0, 0, 1], [0, 0, 1]]  # the last value's bin


def test_bins_must_ascend_and_need_a_panel():
    params = panel_params(bins=[30.0, 7.0])
    with pytest.raises(ParamsError, match="must ascend"):
        validate(params, FORECAST_SCHEMA)
    params = defaults(FORECAST_SCHEMA)
    params["window"]["bins"] = [7.0]
    with pytest.raises(ParamsError, match="single-series layout forecasts values"):
        validate(params, FORECAST_SCHEMA)


def test_an_event_log_with_bins_learns_which_bin_the_next_gap_falls_in(tmp_path, monkeypatch):
    """Shops that alternate a short gap (1-2 days) and a long one (10-12 days): the next gap's bin
    follows from the last gap, which a model of bins must learn (the overall frequency baseline
    cannot: half the gaps are in each bin); evaluate scores it beside the baselines and `rnnpipe
    predict` gives each bin's probability."""
    from rnnpipe.core.device import seed_everything
    from rnnpipe.forecast.panel_evaluate import evaluate_panel
    from rnnpipe.forecast.panel_predict import panel_forecast_rows
    from rnnpipe.forecast.panel_train import train_panel
    from rnnpipe.forecast.quantile_model import TrainedQuantileForecaster
    from rnnpipe.training.runner import TrainingProcess

    raw = tmp_path / "data" / "raw"
    raw.mkdir(parents=True)
    (tmp_path / "metrics").mkdir()
    rng = np.random.default_rng(0)
    rows = ["shop,time"]
    for shop in range(8):
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 3)))
        for visit in range(60):
            short = (visit + shop) % 2 == 0
            day += pd.Timedelta(days=int(rng.integers(1, 3) if short else rng.integers(10, 13)))
            rows.append(f"s{shop},{day.date()}")
    write(raw / "visits.csv", "\n".join(rows) + "\n")
    monkeypatch.chdir(tmp_path)
    params = panel_params(lookback=6, horizon=2, season=1, bins=[7.0])
    params["prepare"].update(layout="events", series_column="shop")
    params["evaluate"]["origins"] = 3
    params["train"].update(
        epochs=3, windows_per_epoch=0, hidden=16, batch_size=16, threads=1, lr=0.01, patience=0
    )
    prepare_panel(params)
    seed_everything(0)
    script = Path(__file__).resolve().parents[2] / "stages" / "forecast" / "train.py"
    train_panel(params, TrainingProcess(str(script), torch.device("cpu"), None))
    assert json.loads(open("metrics/train.json").read())["val_accuracy"] > 0.9
    evaluate_panel(params)
    evaluation = json.loads(open("metrics/eval.json").read())
    assert evaluation["bins"] == "under 7 | 7 and over" and evaluation["origins"] == 3
    assert evaluation["test_windows"] == 8 * 3 and evaluation["share_0"] == 0.5
    assert evaluation["accuracy"] > 0.9 and evaluation["frequency_accuracy"] == 0.5
    assert evaluation["log_loss"] < evaluation["frequency_log_loss"]
    # the last gap's bin: always wrong 1 step ahead, always right 2 steps ahead
    assert pd.read_csv("metrics/horizon.csv")["naive"].tolist() == [0.0, 1.0]
    assert pd.read_csv("metrics/origins.csv")["origin"].tolist() == [1, 2, 3]
    trained = TrainedQuantileForecaster.load("data/model")
    assert trained.model.config.bins == (7.0,) and trained.model.config.quantiles == ()
    # s0's first 20 visits: 19 gaps, long, short, ..., long (visit k's gap is long for odd k)
    recent = write(tmp_path / "recent.csv", "shop,time\n" + "\n".join(rows[1:21]) + "\n")
    forecast = panel_forecast_rows(trained, recent)
    assert [(r["series"], r["step"], r["bin"]) for r in forecast] == [
        ("s0", 1, "under 7"),
        ("s0", 2, "7 and over"),
    ]
    assert all(abs(r["p_under 7"] + r["p_7 and over"] - 1) < 1e-5 for r in forecast)
    from rnnpipe.forecast.panel_predict import export_quantile_forecaster

    (tmp_path / "export").mkdir()
    check, _ = export_quantile_forecaster(trained, tmp_path / "export")
    spec = json.loads((tmp_path / "export" / "export.json").read_text())
    assert spec["output"] == "probabilities" and spec["bins"] == ["under 7", "7 and over"]
    assert check["difference"] < 1e-3

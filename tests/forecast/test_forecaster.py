"""Forecasting library: baselines, the shared training loop on windows, the model folder, params."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from ruamel.yaml import YAML

from conftest import ROOT, forecaster_config
from rnnpipe.core.errors import DataError, ModelFileError, ParamsError
from rnnpipe.core.metrics import regression_metrics
from rnnpipe.core.params import load_params, validate
from rnnpipe.forecast.baselines import linear_forecast, naive_forecast
from rnnpipe.forecast.linear import ALPHAS, blocks_won, fit_ridge, mix_weight
from rnnpipe.forecast.model import RNNForecaster, TrainedForecaster
from rnnpipe.forecast.params import FORECAST_SCHEMA
from rnnpipe.forecast.prepared import load_prepared, naive_offset
from rnnpipe.forecast.windows import make_windows
from rnnpipe.training.inference import predict
from rnnpipe.training.loop import TrainSettings, train_model
from rnnpipe.training.objectives import RegressionObjective


@pytest.mark.parametrize(
    "frequency, delay, expected",
    [
        ("1h", 24, 24),
        ("1h", 6, 24),
        ("1h", 30, 48),
        ("10min", 144, 144),
        ("10min", 1, 144),
        ("1D", 3, 3),
        ("7h", 2, 2),  # a day is not a whole number of steps: plain "delay steps ago"
    ],
)
def test_naive_offset_is_the_same_time_of_day_at_least_delay_back(frequency, delay, expected):
    assert naive_offset(pd.Timedelta(frequency), delay) == expected


def write_prepared(folder: Path, rows: int = 24 * 60, seed: int = 0) -> None:
    """A prepared hourly series where tomorrow's value follows from today's 'pressure' column."""
    rng = np.random.default_rng(seed)
    hours = np.arange(rows)
    driver = np.convolve(rng.normal(0, 1, rows + 48), np.ones(24) / 24, mode="same")[:rows] * 5
    target = 10 + 3 * np.sin(2 * np.pi * hours / 24) + np.roll(driver, 24)
    frame = pd.DataFrame(
        {
            "time": pd.date_range("2020-01-01", periods=rows, freq="h"),
            "temp": target,
            "pressure": driver,
            "valid": True,
        }
    )
    third = rows // 3
    frame["split"] = ["train"] * third + ["validation"] * third + ["test"] * (rows - 2 * third)
    frame.to_parquet(folder / "series.parquet", index=False)
    train = frame.iloc[:third]
    stats = {
        "mean": {c: float(train[c].mean()) for c in ("temp", "pressure")},
        "std": {c: float(train[c].std(ddof=0)) for c in ("temp", "pressure")},
        "frequency": "0 days 01:00:00",
        "columns": ["temp", "pressure"],
    }
    (folder / "stats.json").write_text(json.dumps(stats))


def test_naive_forecast_reads_the_same_hour_one_day_earlier(tmp_path):
    write_prepared(tmp_path)
    series = load_prepared(tmp_path / "series.parquet", tmp_path / "stats.json", "temp")
    test = series.windows("test", lookback=48, step=1, delay=24)
    naive = naive_forecast(series, test)
    assert np.allclose(
        naive, series.raw_target[test.anchors]
    )  # delay 24 h: the window's last value
    assert np.allclose(
        test.targets.numpy() * series.std + series.mean,
        series.raw_target[test.anchors + 24],
        atol=1e-4,
    )


def test_a_missing_target_column_is_named(tmp_path):
    write_prepared(tmp_path)
    with pytest.raises(
        DataError, match=r"window.target 'tmp' is not a column .*did you mean 'temp'"
    ):
        load_prepared(tmp_path / "series.parquet", tmp_path / "stats.json", "tmp")


def test_standardisation_uses_the_training_period_only(tmp_path):
    write_prepared(tmp_path)
    series = load_prepared(tmp_path / "series.parquet", tmp_path / "stats.json", "temp")
    start, stop = series.bounds["train"]
    assert (
        abs(series.target[start:stop].mean()) < 1e-5
        and abs(series.target[start:stop].std() - 1) < 1e-4
    )
    assert (
        abs(series.target[series.bounds["test"][0] :].mean()) > 1e-3
    )  # the test period was not used


def test_linear_baseline_recovers_a_linear_relation():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(600, 2)).astype(np.float32)
    target = np.zeros(600, np.float32)
    target[3:] = 2 * values[:-3, 0]  # target at t + 3 = 2 x feature 0 at t
    valid = np.ones(600, bool)
    train = make_windows(values, target, valid, 0, 400, lookback=4, step=1, delay=3)
    test = make_windows(values, target, valid, 400, 600, lookback=4, step=1, delay=3)
    predicted = linear_forecast(train, test, alpha=1e-3, max_windows=300, seed=0)
    assert regression_metrics(test.targets.numpy(), predicted)["mae"] < 0.01


def test_regression_metrics():
    scores = regression_metrics(np.array([0.0, 0.0]), np.array([1.0, -3.0]))
    assert scores["mae"] == 2.0 and scores["rmse"] == pytest.approx(5**0.5, abs=1e-6)


def test_the_shared_training_loop_trains_a_forecaster_that_beats_naive(tmp_path):
    write_prepared(tmp_path)
    series = load_prepared(tmp_path / "series.parquet", tmp_path / "stats.json", "temp")
    train = series.windows("train", 48, 2, 24)
    validation = series.windows("validation", 48, 2, 24)
    test = series.windows("test", 48, 2, 24)
    torch.manual_seed(0)
    model = RNNForecaster(forecaster_config(features=2, cell="gru", hidden=16))
    result = train_model(
        model,
        train,
        validation,
        TrainSettings(lr=0.01, epochs=6, batch_size=64, patience=0),
        torch.device("cpu"),
        progress=False,
        objective=RegressionObjective("mae", series.std),
    )
    assert {"train_mae", "val_mae", "val_loss"} <= set(result.history[0])
    assert result.history[-1]["val_mae"] < result.history[0]["val_mae"]
    predicted = predict(model, test, 256, torch.device("cpu")).numpy() * series.std + series.mean
    truth = test.targets.numpy() * series.std + series.mean
    assert (
        regression_metrics(truth, predicted)["mae"]
        < 0.7 * regression_metrics(truth, naive_forecast(series, test))["mae"]
    )


def test_forecaster_folder_round_trip_and_tamper_check(tmp_path):
    model = RNNForecaster(
        forecaster_config(features=3, cell="lstm", hidden=4, layers=2, bidirectional=True)
    )
    TrainedForecaster(model, ["a", "b", "c"], "b", 12, 2, 6, 1.5, 2.0).save(tmp_path / "model")
    loaded = TrainedForecaster.load(tmp_path / "model")
    assert (loaded.columns, loaded.target, loaded.lookback, loaded.step, loaded.delay) == (
        ["a", "b", "c"],
        "b",
        12,
        2,
        6,
    )
    windows = torch.randn(5, 6, 3)
    model.eval()
    assert torch.equal(loaded.model(windows), model(windows))
    data = bytearray((tmp_path / "model/model.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (tmp_path / "model/model.safetensors").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="altered"):
        TrainedForecaster.load(tmp_path / "model")
    with pytest.raises(ModelFileError, match="no trained model here"):
        TrainedForecaster.load(tmp_path / "nothing")


def test_forecaster_folder_refuses_model_json_edited_to_another_target(tmp_path):
    """The columns, target, window and statistics are recorded inside the weights too (as the
    classifier's labels and vocabulary are), so an edited model.json cannot pair the weights with
    another target."""
    model = RNNForecaster(forecaster_config(features=3, cell="gru", hidden=4))
    TrainedForecaster(model, ["a", "b", "c"], "b", 12, 2, 6, 1.5, 2.0).save(tmp_path / "model")
    meta_path = tmp_path / "model" / "model.json"
    meta = json.loads(meta_path.read_text())
    meta["target"], meta["target_std"] = "c", 3.0
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(
        ModelFileError, match="target, target_std differs from what is recorded in the weights"
    ):
        TrainedForecaster.load(tmp_path / "model")


def test_the_committed_forecast_params_are_valid_and_checked():
    params = load_params(ROOT / "forecast" / "params.yaml", FORECAST_SCHEMA)
    assert params["window"]["delay"] == 24 and params["prepare"]["direction_columns"] == ["auto"]
    bad = (ROOT / "forecast" / "params.yaml").read_text().replace("lookback: 120", "lookbak: 120")
    with pytest.raises(ParamsError, match="unknown key 'window.lookbak'. Did you mean 'lookback'"):
        validate(YAML(typ="safe", pure=True).load(bad), FORECAST_SCHEMA, "forecast/params.yaml")


def test_an_unquoted_no_in_a_column_list_is_a_string_as_dvc_writes_it(tmp_path):
    text = (
        (ROOT / "forecast" / "params.yaml")
        .read_text()
        .replace("drop_columns: []", "drop_columns: [No, station]")
    )
    (tmp_path / "params.yaml").write_text(text)
    assert load_params(tmp_path / "params.yaml", FORECAST_SCHEMA)["prepare"]["drop_columns"] == [
        "No",
        "station",
    ]


def test_predicting_changes_gives_the_same_truth_and_a_naive_zero(tmp_path):
    write_prepared(tmp_path)
    series = load_prepared(tmp_path / "series.parquet", tmp_path / "stats.json", "temp")
    values = series.windows("test", 48, 1, 24)
    changes = series.windows("test", 48, 1, 24, predict_change=True)
    assert np.array_equal(values.anchors, changes.anchors)
    assert torch.equal(values.absolute_targets, changes.absolute_targets)
    # a model that predicts "no change" reproduces the naive baseline exactly
    no_change = series.to_units(changes.absolute(torch.zeros(len(changes))))
    assert np.allclose(no_change, naive_forecast(series, changes), atol=1e-4)


def test_the_ridge_member_is_chosen_on_validation_and_travels_in_the_model_folder(tmp_path):
    write_prepared(tmp_path)
    series = load_prepared(tmp_path / "series.parquet", tmp_path / "stats.json", "temp")
    train, validation = (
        series.windows(split, 48, 2, 24, predict_change=True) for split in ("train", "validation")
    )
    ridge, alpha, linear = fit_ridge(train, validation, max_windows=500, loss="mae", seed=0)
    assert alpha in ALPHAS and linear.shape == (len(validation),)
    truth = validation.targets.numpy()
    # The series is linear in the window by construction: ridge is near-exact, an untrained RNN is
    # not.
    model = RNNForecaster(forecaster_config(features=2, cell="gru", hidden=4))
    rnn = predict(model, validation, 256, torch.device("cpu")).numpy()
    assert mix_weight(truth, rnn, linear, "mae") >= 0.9
    assert mix_weight(truth, rnn, rnn + 5.0, "mae") == 0.0  # a useless member gets no weight
    weight = 0.75
    model.attach_linear(ridge.coef_, float(ridge.intercept_), weight)
    mixed = predict(model, validation, 256, torch.device("cpu")).numpy()
    assert np.allclose(mixed, (1 - weight) * rnn + weight * linear, atol=1e-4)
    with model.recurrent_only():
        assert np.allclose(
            predict(model, validation, 256, torch.device("cpu")).numpy(), rnn, atol=1e-6
        )
    TrainedForecaster(
        model, ["temp", "pressure"], "temp", 48, 2, 24, series.mean, series.std, True
    ).save(tmp_path / "model")
    loaded = TrainedForecaster.load(tmp_path / "model").model
    assert loaded.config.linear_inputs == 48 and float(loaded.linear_weight) == weight
    assert np.allclose(
        predict(loaded, validation, 256, torch.device("cpu")).numpy(), mixed, atol=1e-6
    )


def test_a_constant_target_is_refused_before_training(tmp_path):
    write_prepared(tmp_path)
    series = pd.read_parquet(tmp_path / "series.parquet")
    series["temp"] = 7.0
    series.to_parquet(tmp_path / "series.parquet", index=False)
    with pytest.raises(
        DataError, match=r"window.target 'temp' is constant over the training period \(always 7\)"
    ):
        load_prepared(tmp_path / "series.parquet", tmp_path / "stats.json", "temp")


def test_the_mix_is_checked_on_each_stretch_of_the_validation_period():
    # 400 validation windows in 4 stretches: a mix better than ridge in one stretch only
    rng = np.random.default_rng(0)
    truth = rng.normal(0, 1, 400)
    linear = truth + rng.normal(0, 0.5, 400)
    lucky = truth + np.r_[rng.normal(0, 0.1, 100), rng.normal(0, 0.8, 300)]
    assert blocks_won(truth, lucky, linear, "mae") == 1
    steady = truth + rng.normal(0, 0.3, 400)
    assert blocks_won(truth, steady, linear, "mae") == 4

"""The forecasting pipeline end to end through `dvc repro forecast/dvc.yaml` on small generated
data."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from conftest import (
    built_pipeline,
    edit_params,
    make_forecast_copy,
    plot_problems,
    restored_afterwards,
    run,
)
from rnnpipe.forecast.weather import synthetic_weather, write_station_csv

pytestmark = pytest.mark.slow
PIPELINE = "forecast/dvc.yaml"


@pytest.fixture(scope="module")
def forecast_run(tmp_path_factory):
    return built_pipeline(tmp_path_factory, "forecast")


def test_repro_writes_model_metrics_and_plots(forecast_run):
    fc = forecast_run / "forecast"
    for path in [
        "data/raw/synthetic.csv",
        "data/series.parquet",
        "data/stats.json",
        "data/model/model.safetensors",
        "data/model/model.json",
        "metrics/history.csv",
        "metrics/predictions.csv",
    ]:
        assert (fc / path).is_file(), path
    evaluation = json.loads((fc / "metrics/eval.json").read_text())
    for key in ("mae", "rmse", "naive_mae", "naive_rmse", "linear_mae", "linear_rmse"):
        assert np.isfinite(evaluation[key]) and evaluation[key] > 0, key
    assert evaluation["mae"] <= evaluation["rmse"]
    history = pd.read_csv(fc / "metrics/history.csv")
    assert list(history.columns) == [
        "epoch",
        "train_loss",
        "train_mae",
        "val_loss",
        "val_mae",
        "lr",
    ]
    predictions = pd.read_csv(fc / "metrics/predictions.csv")
    assert (
        list(predictions.columns) == ["position", "time", "truth", "model", "naive", "linear"]
        and len(predictions) == 48
    )
    report = json.loads((fc / "data/report.json").read_text())
    assert report["encodings"] == ["latin-1"] and report["duplicate_timestamps"] == 5
    assert report["missing_timestamps"] > 48 and report["invalid_rows"] > 0
    assert (
        report["periods"]["train"]["to"]
        < report["periods"]["validation"]["from"]
        < report["periods"]["test"]["from"]
    )


def test_normalisation_comes_from_the_training_period(forecast_run):
    fc = forecast_run / "forecast"
    series = pd.read_parquet(fc / "data/series.parquet")
    stats = json.loads((fc / "data/stats.json").read_text())
    train = series[(series["split"] == "train") & series["valid"]]
    assert stats["mean"]["T (degC)"] == pytest.approx(train["T (degC)"].mean())
    assert stats["mean"]["T (degC)"] != pytest.approx(
        series.loc[series["valid"], "T (degC)"].mean(), abs=1e-3
    )


def test_nothing_reruns_and_a_window_param_reruns_from_prepare_which_checks_it(forecast_run):
    # prepare reads window.* only to refuse a window that cannot fit before train's outputs are
    # removed; its outputs stay byte-identical, and going back restores every stage from the
    # run-cache.
    assert "Running stage" not in run(["dvc", "repro", PIPELINE], forecast_run).stdout
    with restored_afterwards(forecast_run) as wd:
        edit_params(wd / "forecast", {"window": {"delay": 12}})
        ran = set(
            re.findall(r"Running stage '[^']*?(\w+)'", run(["dvc", "repro", PIPELINE], wd).stdout)
        )
        assert ran == {"check_params", "prepare", "train", "evaluate"}
        edit_params(wd / "forecast", {"evaluate": {"plot_points": 10}})
        ran = set(
            re.findall(r"Running stage '[^']*?(\w+)'", run(["dvc", "repro", PIPELINE], wd).stdout)
        )
        assert ran == {"check_params", "evaluate"}
        edit_params(wd / "forecast", {"window": {"delay": 24}, "evaluate": {"plot_points": 48}})
        out = run(["dvc", "repro", PIPELINE], wd).stdout  # back: both from the run-cache
        assert "Running stage" not in out
        assert set(re.findall(r"Stage '[^']*?(\w+)' is cached", out)) == {
            "check_params",
            "prepare",
            "train",
            "evaluate",
        }


def test_metrics_hold_results_not_data_reports(forecast_run):
    shown = json.loads(run(["dvc", "metrics", "show", "--json"], forecast_run).stdout)
    files = {path for revision in shown.values() for path in revision["data"]}
    assert files == {"forecast/metrics/train.json", "forecast/metrics/eval.json"}


def test_every_plot_will_draw(forecast_run):
    """The forecast plot once put timestamps on a quantitative axis and came out blank in `dvc
    plots show`."""
    assert plot_problems(forecast_run) == []


def test_same_params_same_metrics(forecast_run):
    fc = forecast_run / "forecast"
    before = {
        n: (fc / "metrics" / n).read_text() for n in ("train.json", "eval.json", "history.csv")
    }
    run(["dvc", "repro", "--force", PIPELINE], forecast_run)
    assert {n: (fc / "metrics" / n).read_text() for n in before} == before


def test_a_folder_of_yearly_files_with_an_iso_time_column(tmp_path):
    frame = synthetic_weather(120, seed=3).rename(columns={"Date Time": "date"})
    frame["date"] = pd.to_datetime(frame["date"], format="%d.%m.%Y %H:%M:%S").dt.strftime(
        "%Y-%m-%dT%H:%M:%S"
    )
    wd = make_forecast_copy(
        tmp_path / "project",
        {
            "data": {"source": "files"},
            "download": {
                "path": "inputs/station",
                "pattern": "roof_*.csv",
            },  # relative to the repository root
            "prepare": {"drop_columns": ["station"]},
        },
    )
    folder = wd / "inputs" / "station"
    folder.mkdir()
    frame["station"] = "roof"
    half = len(frame) // 2
    write_station_csv(frame.iloc[:half], folder / "roof_2020a.csv")
    write_station_csv(frame.iloc[half:], folder / "roof_2020b.csv")
    write_station_csv(frame.iloc[:10], folder / "other_station.csv")
    run(["dvc", "repro", PIPELINE], wd)
    download = json.loads((wd / "forecast/data/sources.json").read_text())
    assert download["files"] == ["roof_2020a.csv", "roof_2020b.csv"]
    assert json.loads((wd / "forecast/data/report.json").read_text())["rows_read"] == len(frame)
    assert json.loads((wd / "forecast/metrics/eval.json").read_text())["test_windows"] > 100

    # The folder is a dependency (deps: ${download.path}): a changed reading reruns download and
    # prepare.
    warmer = frame.iloc[half:].assign(**{"T (degC)": frame["T (degC)"].iloc[half:] + 1.0})
    write_station_csv(warmer, folder / "roof_2020b.csv")
    status = run(["dvc", "status", PIPELINE], wd).stdout
    assert (
        "forecast/dvc.yaml:download" in status and "modified:           inputs/station" in status
    ), status
    rerun = run(["dvc", "repro", PIPELINE], wd).stdout
    assert all(
        f"Running stage 'forecast/dvc.yaml:{stage}'" in rerun for stage in ("download", "prepare")
    ), rerun


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"window": {"target": "temperature"}}, "window.target 'temperature' is not a column"),
        ({"window": {"lookback": 5000}}, "window.lookback 5000"),
        ({"prepare": {"drop_columns": ["station"]}}, "['station'] (named in prepare.drop_columns"),
        # DVC's own refusal of a missing dependency, before the stage runs
        ({"data": {"source": "files"}, "download": {"path": "no/such/folder"}}, "no/such/folder'"),
    ],
)
def test_bad_input_gets_a_specific_error_and_no_outputs(tmp_path, overrides, message):
    wd = make_forecast_copy(tmp_path / "project", overrides)
    result = run(["dvc", "repro", PIPELINE], wd, check=False)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert not (wd / "forecast/data/model").exists()
    assert not list((wd / "forecast").glob("data/.*.tmp")) and not list(
        (wd / "forecast").glob("metrics/.*.tmp")
    )


def forecast_by_predict(workdir, readings) -> dict:
    out = run(
        [
            "python",
            "-m",
            "rnnpipe.cli",
            "predict",
            "--model",
            "forecast/data/model",
            "--file",
            str(readings),
            "--json",
        ],
        workdir,
    ).stdout
    return json.loads(out)


def assert_predict_matches_evaluate(workdir, tmp_path):
    """The readings up to a test window's last input, raw as the station exports them, give
    through `rnnpipe predict` the forecast that the evaluate stage wrote for that window."""
    fc = workdir / "forecast"
    predictions = pd.read_csv(fc / "metrics/predictions.csv")
    raw = pd.read_csv(fc / "data/raw/synthetic.csv", encoding="latin-1")
    times = pd.to_datetime(raw["Date Time"], format="%d.%m.%Y %H:%M:%S")
    for row in (0, len(predictions) - 1):
        forecast_time = pd.Timestamp(predictions["time"][row])
        last_input = forecast_time - pd.Timedelta(hours=24)  # window.delay: 24 steps of 1 h
        recent = tmp_path / f"recent{row}.csv"
        raw[(times <= last_input) & (times > last_input - pd.Timedelta(days=5))].to_csv(
            recent, index=False, encoding="latin-1"
        )
        forecast = forecast_by_predict(workdir, recent)
        assert forecast["target"] == "T (degC)" and pd.Timestamp(forecast["time"]) == forecast_time
        assert forecast["forecast"] == pytest.approx(predictions["model"][row], abs=2e-4)
    return raw, times


def test_predict_forecasts_from_a_csv_of_recent_readings_as_evaluate_does(forecast_run, tmp_path):
    raw, times = assert_predict_matches_evaluate(forecast_run, tmp_path)
    short = tmp_path / "short.csv"
    raw[times <= times.iloc[200]].tail(10).to_csv(short, index=False, encoding="latin-1")
    failed = run(
        [
            "python",
            "-m",
            "rnnpipe.cli",
            "predict",
            "--model",
            "forecast/data/model",
            "--file",
            str(short),
        ],
        forecast_run,
        check=False,
    )
    assert (
        failed.returncode == 1
        and "the forecast needs the last 48 readings every 1h" in failed.stderr
    )
    with restored_afterwards(forecast_run) as wd:  # a model of changes from "same time yesterday"
        edit_params(wd / "forecast", {"window": {"predict_change": True}})
        run(["dvc", "repro", PIPELINE], wd)
        assert_predict_matches_evaluate(wd, tmp_path)


def write_panel_table(path, series: int = 3, length: int = 160, seed: int = 0) -> None:
    """A long table of `series` daily-seasonal series (every 2 hours: period 12) at different
    levels."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(series):
        level = 10.0 ** (s + 1)
        steps = np.arange(length)
        values = level * (1.5 + np.sin(2 * np.pi * steps / 12) * 0.5 + rng.normal(0, 0.05, length))
        times = pd.date_range("2024-01-01", periods=length, freq="2h").strftime("%Y-%m-%d %H:%M")
        rows.append(pd.DataFrame({"series": f"s{s}", "time": times, "value": values}))
    pd.concat(rows).sample(frac=1.0, random_state=seed).to_csv(path, index=False)


def test_a_panel_with_a_horizon_and_intervals(tmp_path):
    """A long table of three series through `dvc repro`: one model, six steps ahead, an 80%
    interval, scored against the M4 benchmarks from two origins; then predict and export."""
    wd = make_forecast_copy(
        tmp_path / "project",
        {
            "data": {"source": "files"},
            "download": {"path": "inputs/panel"},
            "prepare": {"layout": "long"},
            "window": {
                "target": "value",
                "lookback": 24,
                "horizon": 6,
                "season": 12,
                "intervals": [0.8],
            },
            "train": {"epochs": 3, "windows_per_epoch": 512, "hidden": 16, "lr": 0.01},
            "evaluate": {"plot_points": 12, "origins": 2},
        },
    )
    (wd / "inputs" / "panel").mkdir()
    write_panel_table(wd / "inputs" / "panel" / "shop.csv")
    run(["dvc", "repro", PIPELINE], wd)
    fc = wd / "forecast"
    evaluation = json.loads((fc / "metrics/eval.json").read_text())
    assert evaluation["series"] == 3 and evaluation["horizon"] == 6
    for key in ("smape", "mase", "owa", "coverage_80", "msis_80", "acd_80", "theta_owa"):
        assert np.isfinite(evaluation[key]), key
    assert evaluation["naive2_owa"] == 1.0
    # a clean seasonal panel: the model learns at least the seasonal naive's accuracy
    assert evaluation["owa"] < evaluation["naive_owa"]
    horizon = pd.read_csv(fc / "metrics/horizon.csv")
    assert horizon["step"].tolist() == list(range(1, 7))
    # a backtest from two origins six steps apart: the test period is the last 12 steps
    assert evaluation["origins"] == 2
    origins = pd.read_csv(fc / "metrics/origins.csv")
    assert origins["origin"].tolist() == [1, 2] and (origins["naive2"] == 1.0).all()
    assert 0 <= evaluation["theta_coverage_80"] <= 1 and evaluation["theta_msis_80"] > 0
    frame = pd.read_parquet(fc / "data/series.parquet")
    assert (frame[frame["series"] == "s0"]["split"] == "test").sum() == 12
    predictions = pd.read_csv(fc / "metrics/predictions.csv")
    assert len(predictions) == 12 and (predictions["lower"] <= predictions["upper"]).all()
    assert json.loads((fc / "data/stats.json").read_text())["scaling"] == "log"
    model = json.loads((fc / "data/model/model.json").read_text())
    assert model["model"]["calendar"] == ["hour", "weekday"]  # the table's timestamps
    assert plot_problems(wd) == []
    assert_panel_predict_and_export_match_evaluate(wd, tmp_path)


def assert_panel_predict_and_export_match_evaluate(wd, tmp_path):
    """`rnnpipe predict` on a series' history up to its first test origin gives the forecast and
    interval evaluate wrote for it; the ONNX export computes the same quantiles."""
    import onnxruntime

    from rnnpipe.export import export_model
    from rnnpipe.forecast.panel_windows import calendar_features

    fc = wd / "forecast"
    frame = pd.read_parquet(fc / "data/series.parquet")
    history = frame[(frame["series"] == "s0") & (frame["split"] != "test")]
    recent = history[["series", "time", "value"]]
    recent.iloc[::-1].to_csv(tmp_path / "recent.csv", index=False)  # time orders, not the file
    rows = [json.loads(line) for line in forecast_lines(wd, tmp_path / "recent.csv")]
    assert [row["step"] for row in rows] == list(range(1, 7))
    evaluated = pd.read_csv(fc / "metrics/predictions.csv").iloc[:6]
    assert evaluated["series"].eq("s0").all()
    for row, (_, want) in zip(rows, evaluated.iterrows()):
        assert row["forecast"] == pytest.approx(want["model"], abs=2e-3)
        assert row["lower_80"] == pytest.approx(want["lower"], abs=2e-3)
        assert row["lower_80"] <= row["forecast"] <= row["upper_80"]
    result = export_model(fc / "data/model", tmp_path / "export")
    assert result["kind"] == "rnnpipe-quantile-forecaster-1" and result["difference"] < 1e-3
    session = onnxruntime.InferenceSession(str(tmp_path / "export/model.onnx"))
    window = history["value"].to_numpy(np.float32)[-24:][None]
    # log scaling: no divisors; the calendar of the window's and the 6 target steps
    assert [i.name for i in session.get_inputs()] == ["windows", "calendar"]
    times = pd.DatetimeIndex(history["time"].iloc[-24:]).append(
        pd.date_range(history["time"].iloc[-1], periods=7, freq="2h")[1:]
    )
    calendar = calendar_features(times, ["hour", "weekday"])[None]
    (quantiles,) = session.run(None, {"windows": window, "calendar": calendar})
    assert quantiles[0, :, 1] == pytest.approx([row["forecast"] for row in rows], rel=1e-4)


def forecast_lines(workdir, path) -> list[str]:
    command = ["python", "-m", "rnnpipe.cli", "predict", "--model", "forecast/data/model"]
    return run([*command, "--file", str(path), "--json"], workdir).stdout.splitlines()

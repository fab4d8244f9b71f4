"""Reading and repairing weather series: encodings, timestamps, directions, gaps, splits, real
files."""

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from rnnpipe.core.errors import DataError, ParamsError
from rnnpipe.forecast.columns import encode_directions, numeric_features, plan_columns
from rnnpipe.forecast.series import (
    normalisation_stats,
    parse_timestamps,
    read_csv_any_encoding,
    read_series_files,
    regularise,
    split_bounds,
)
from rnnpipe.forecast.weather import synthetic_weather, write_station_csv

WEATHER = ROOT.parent / "shared" / "datasets" / "weather"
DONGSI = WEATHER / "beijing_multisite" / "PRSA_Data_Dongsi_20130301-20170228.csv"
JENA_ROOF = WEATHER / "jena_roof_sample" / "mpi_roof.csv"


def test_a_latin1_header_is_detected_and_kept(tmp_path):
    path = tmp_path / "station.csv"
    path.write_bytes(
        "Date Time,SWDR (W/m\u00b2),T (degC)\n01.01.2009 00:10:00,1.5,NA\n".encode("latin-1")
    )
    frame, encoding = read_csv_any_encoding(path)
    assert encoding == "latin-1" and list(frame.columns) == [
        "Date Time",
        "SWDR (W/m\u00b2)",
        "T (degC)",
    ]
    assert np.isnan(frame["T (degC)"].iloc[0])
    with pytest.raises(DataError, match="not valid utf-8 .* prepare.encoding"):
        read_csv_any_encoding(path, "utf-8")


def test_a_utf16_station_file_is_read_by_its_mark_and_named_without_one(tmp_path):
    text = "Date Time,T (degC)\n01.01.2009 00:10:00,1.5\n"
    path = tmp_path / "station.csv"
    path.write_bytes(text.encode("utf-16"))
    frame, encoding = read_csv_any_encoding(path)
    assert encoding == "utf-16" and list(frame.columns) == ["Date Time", "T (degC)"]
    with pytest.raises(DataError, match=r"is UTF-16 text .* set prepare.encoding=utf-16"):
        read_csv_any_encoding(path, "latin-1")
    path.write_bytes(text.encode("utf-16-le"))  # no byte-order mark
    with pytest.raises(DataError, match=r"is UTF-16-LE text .* set prepare.encoding=utf-16-le"):
        read_csv_any_encoding(path)
    assert read_csv_any_encoding(path, "utf-16-le")[0]["T (degC)"].tolist() == [1.5]


def test_files_of_one_series_must_share_columns(tmp_path):
    (tmp_path / "a.csv").write_text("date,x\n2020-01-01,1\n")
    (tmp_path / "b.csv").write_text("date,y\n2020-01-02,1\n")
    with pytest.raises(DataError, match="must share their columns"):
        read_series_files([tmp_path / "a.csv", tmp_path / "b.csv"])


@pytest.mark.parametrize(
    "frame, columns",
    [
        (
            pd.DataFrame({"Date Time": ["01.01.2009 00:10:00", "01.01.2009 00:20:00"]}),
            ["Date Time"],
        ),
        (
            pd.DataFrame({"timestamp": ["2009-01-01T00:10:00", "2009-01-01 00:20:00"]}),
            ["timestamp"],
        ),
        (
            pd.DataFrame(
                {"year": [2009, 2009], "month": [1, 1], "day": [1, 1], "hour": [0, 0], "x": [1, 2]}
            ).assign(hour=[0, 0]),
            ["year", "month", "day", "hour"],
        ),
    ],
)
def test_timestamps_in_the_three_layouts(frame, columns):
    times, used = parse_timestamps(frame)
    assert used == columns and times.iloc[0] >= pd.Timestamp("2009-01-01")


def test_an_unreadable_timestamp_names_its_row():
    frame = pd.DataFrame({"date": ["2020-01-01 00:00", "2020-01-01 01:00", "yesterday"]})
    with pytest.raises(DataError, match=r"row 3: cannot read 'yesterday'.*prepare.time_format"):
        parse_timestamps(frame)
    with pytest.raises(DataError, match="no time column"):
        parse_timestamps(pd.DataFrame({"x": [1]}))


def test_wind_directions_become_points_on_a_circle_and_cv_is_calm():
    encoded = encode_directions(pd.Series(["N", "NNW", "S", None, "cv"]), "wd")
    assert list(encoded.columns) == ["wd_sin", "wd_cos", "wd_calm"]
    north, nnw, south = encoded[["wd_sin", "wd_cos"]].to_numpy()[:3]
    assert np.linalg.norm(north - nnw) < 0.5 < np.linalg.norm(north - south)
    assert encoded.iloc[3].isna().all()
    assert encoded.iloc[4].tolist() == [0.0, 0.0, 1.0] and encoded["wd_calm"].iloc[:3].tolist() == [
        0.0,
        0.0,
        0.0,
    ]
    degrees = encode_directions(pd.Series([0.0, 90.0]), "wd (deg)")
    assert np.allclose(degrees.to_numpy(), [[0, 1], [1, 0]], atol=1e-9)
    with pytest.raises(DataError, match="neither degrees nor compass"):
        encode_directions(pd.Series(["N", "windy"]), "wd")


def station_frame(rows=6):
    return pd.DataFrame(
        {
            "No": range(1, rows + 1),
            "date": [f"2020-01-01 0{i}:00" for i in range(rows)],
            "temp": np.arange(rows, dtype=float),
            "wd": ["N", "cv", "SSW", None, "E", "N"][:rows],
            "wind dir (deg)": [10.0, 350.0, 180.0, 90.0, 0.0, 45.0][:rows],
            "station": "Dongsi",
            "sky": ["clear", "rain", "clear", "fog", None, "rain"][:rows],
        }
    )


def test_the_column_plan_decides_what_each_text_column_becomes_and_says_so():
    frame = station_frame()
    plan = plan_columns(frame, ["date"], [], ["auto"])
    assert plan.drop == ["No", "station"]  # a row counter and a constant text column
    assert plan.directions == [
        "wd",
        "wind dir (deg)",
    ]  # compass text (with cv) and a 0-360 wind column
    assert plan.categories == {"sky": ["clear", "fog", "rain"]}
    assert any("'No' counts rows" in note for note in plan.notes) and any(
        "one-hot" in note for note in plan.notes
    )
    features = numeric_features(frame, ["date"], plan)
    assert list(features.columns) == [
        "temp",
        "wd_sin",
        "wd_cos",
        "wd_calm",
        "wind dir (deg)_sin",
        "wind dir (deg)_cos",
        "sky=clear",
        "sky=fog",
        "sky=rain",
    ]
    assert (
        features["sky=rain"].tolist()[:4] == [0.0, 1.0, 0.0, 0.0]
        and features.iloc[4][["sky=clear", "sky=fog", "sky=rain"]].isna().all()
    )
    # New readings get the training plan's columns, whatever values they hold.
    later = numeric_features(station_frame(2), ["date"], plan)
    assert list(later.columns) == list(features.columns)
    # Named choices win: no directions at all makes the compass column a categorical one.
    assert "wd" in plan_columns(frame, ["date"], [], []).categories


def test_column_names_that_are_not_there_and_unencodable_text_are_refused_by_name():
    frame = station_frame()
    with pytest.raises(DataError, match=r"\['wind'\] .* not in the data"):
        plan_columns(frame, ["date"], [], ["wind"])
    frame["note"] = [f"free text {i}" for i in range(5)] + ["x"]
    frame = pd.concat([frame] * 10, ignore_index=True).assign(
        note=[f"remark {i}" for i in range(60)], No=range(60)
    )
    with pytest.raises(
        DataError, match=r"column 'note' is text with 60 different values .*prepare.drop_columns"
    ):
        plan_columns(frame, ["date"], [], ["auto"])
    mixed = pd.DataFrame({"date": ["a", "b", "c"], "temp": ["1.5", "2.0", "n/a"]})
    with pytest.raises(
        DataError, match=r"column 'temp' is mostly numbers but not all \(e.g. 'n/a' in row 3\)"
    ):
        numeric_features(mixed, ["date"], plan_columns(mixed, ["date"], [], ["auto"]))


def hourly(values, start="2020-01-01"):
    times = pd.Series(pd.date_range(start, periods=len(values), freq="h"))
    return pd.DataFrame({"x": values}), times


def test_regularise_counts_and_repairs_duplicates_gaps_and_missing_values():
    features, times = hourly([float(i) for i in range(30)])
    # drop hours 5-6 (short gap) and 12-21 (long gap), duplicate hour 2, blank hour 25
    keep = [i for i in range(30) if i not in (5, 6) and not 12 <= i <= 21]
    features, times = features.iloc[keep + [2]], times.iloc[keep + [2]]
    features.iloc[-1, 0] = 99.0
    features = features.copy()
    features.loc[25, "x"] = np.nan
    frame, report = regularise(features, times, "auto", "first", "interpolate", max_gap=3)
    assert report["duplicate_timestamps"] == 1 and report["missing_timestamps"] == 12
    assert report["frequency"] == "0 days 01:00:00" and report["rows"] == 30
    assert frame["x"].iloc[2] == 2.0  # the first of the duplicates is kept
    assert frame["x"].iloc[5] == 5.0 and frame["x"].iloc[25] == 25.0  # short gaps interpolated
    assert not frame["valid"].iloc[12:22].any() and frame["valid"].drop(frame.index[12:22]).all()
    assert report["invalid_rows"] == 10 and report["filled_values"] == 3
    assert report["missing_after_fill"] == {"x": 10}
    with pytest.raises(DataError, match="duplicate timestamps .*prepare.duplicates"):
        regularise(features, times, "auto", "error", "interpolate", 3)
    averaged, _ = regularise(features, times, "auto", "mean", "none", 0)
    assert averaged["x"].iloc[2] == (2.0 + 99.0) / 2 and not averaged["valid"].iloc[5]


def test_chronological_split_by_fraction_and_by_date():
    times = pd.date_range("2020-01-01", periods=100, freq="D")
    assert split_bounds(times, 0.5, 0.25) == {
        "train": (0, 50),
        "validation": (50, 75),
        "test": (75, 100),
    }
    assert split_bounds(times, 0.5, 0.25, "2020-02-01", "2020-03-01") == {
        "train": (0, 31),
        "validation": (31, 60),
        "test": (60, 100),
    }
    with pytest.raises(DataError, match="leave no test period"):
        split_bounds(times, 0.8, 0.2)
    with pytest.raises(DataError, match="must lie in order"):
        split_bounds(times, 0.5, 0.25, "2020-03-01", "2020-02-01")


def test_normalisation_statistics_tolerate_constant_columns():
    stats = normalisation_stats(pd.DataFrame({"a": [1.0, 3.0], "b": [5.0, 5.0]}))
    assert stats["mean"] == {"a": 2.0, "b": 5.0} and stats["std"] == {"a": 1.0, "b": 1.0}


def test_the_synthetic_default_round_trips_through_the_reader(tmp_path):
    write_station_csv(synthetic_weather(60, seed=1), tmp_path / "synthetic.csv")
    frame, encodings = read_series_files([tmp_path / "synthetic.csv"])
    assert encodings == {"synthetic.csv": "latin-1"}
    times, used = parse_timestamps(frame)
    features = numeric_features(frame, used, plan_columns(frame, used, [], ["auto"]))
    series, report = regularise(features, times, "auto", "first", "interpolate", 6)
    assert report["duplicate_timestamps"] == 5 and report["missing_timestamps"] >= 48
    assert report["invalid_rows"] > 0 and report["frequency"] == "0 days 01:00:00"
    assert {"wd_sin", "wd_cos", "T (degC)"} <= set(series.columns)


@pytest.mark.skipif(not DONGSI.is_file(), reason="the shared Beijing data is not present")
def test_real_beijing_station_file():
    frame, encodings = read_series_files([DONGSI])
    times, used = parse_timestamps(frame)
    assert used == ["year", "month", "day", "hour"]
    plan = plan_columns(frame, used, [], ["auto"])  # the defaults: nothing named
    assert plan.drop == ["No", "station"] and plan.directions == ["wd"] and not plan.categories
    features = numeric_features(frame, used, plan)
    series, report = regularise(features, times, "auto", "first", "interpolate", 6)
    assert report["rows"] == 35064 and report["frequency"] == "0 days 01:00:00"
    assert report["missing_values"] > 0 and report["filled_values"] > 0
    assert series.index[0] == pd.Timestamp("2013-03-01 00:00") and "TEMP" in series.columns


@pytest.mark.skipif(not JENA_ROOF.is_file(), reason="the shared Jena roof sample is not present")
def test_real_jena_roof_sample_with_its_latin1_header():
    frame, encodings = read_series_files([JENA_ROOF])
    assert encodings == {"mpi_roof.csv": "latin-1"}
    assert any("\u00b2" in c or "\u00b5" in c for c in frame.columns)
    times, used = parse_timestamps(frame)
    assert used == ["Date Time"]
    plan = plan_columns(frame, used, [], ["auto"])
    assert plan.directions == ["wd (deg)"] and not plan.categories and not plan.drop
    features = numeric_features(frame, used, plan)
    series, report = regularise(features, times, "auto", "first", "interpolate", 6)
    assert report["frequency"] == "0 days 00:10:00" and "T (degC)" in series.columns
    assert report["rows_read"] == 19132


@pytest.mark.parametrize("frequency", ["fortnightly", "-1h", "NaT", "0MS"])
def test_a_frequency_that_is_no_step_names_the_param(frequency):
    features, times = hourly([float(i) for i in range(10)])
    with pytest.raises(
        ParamsError,
        match=rf"prepare.frequency '{frequency}' is not a (positive step|step pandas knows); use "
        "auto, a fixed step",
    ):
        regularise(features, times, frequency, "first", "interpolate", 6)


def test_an_unknown_time_format_directive_names_the_param():
    frame = pd.DataFrame({"date": ["2020-01-01 00:00", "2020-01-01 01:00"]})
    with pytest.raises(
        ParamsError, match=r"prepare.time_format '%Q' is not a valid strftime format"
    ):
        parse_timestamps(frame, "date", "%Q")


def test_an_unquoted_date_param_says_to_quote_it():
    import datetime

    from rnnpipe.core.params import Rule

    with pytest.raises(
        ParamsError,
        match=r"'prepare.val_start' is the unquoted date 2022-02-01; write it in quotes",
    ):
        Rule(str, "", "x").check("prepare.val_start", datetime.date(2022, 2, 1))


def prepared_frame(values, target_values):
    rows = len(values)
    return pd.DataFrame(
        {
            "time": pd.date_range("2020-01-01", periods=rows, freq="h"),
            "a": values,
            "T": target_values,
            "valid": True,
            "split": ["train"] * (rows // 2)
            + ["validation"] * (rows // 4)
            + ["test"] * (rows - rows // 2 - rows // 4),
        }
    )


@pytest.mark.parametrize(
    "where, value, message",
    [
        (3, 1e300, r"column 'a' holds 1e\+300 at 2020-01-01 03:00:00 .* too large to standardise"),
        (30, 1e300, r"column 'a' holds 1e\+300 at 2020-01-02 06:00:00"),  # the test period
        (5, np.inf, r"column 'a' holds inf at 2020-01-01 05:00:00"),
        (7, -np.inf, r"column 'a' holds -inf at 2020-01-01 07:00:00"),
    ],
)
def test_values_that_overflow_standardisation_are_named_by_column_and_time(where, value, message):
    from rnnpipe.forecast.prepared import prepared_series

    rng = np.random.default_rng(0)
    values = rng.normal(size=40)
    values[where] = value
    frame = prepared_frame(values, rng.normal(size=40))
    train = frame[frame["split"] == "train"][["a", "T"]]
    stats = {**normalisation_stats(train), "columns": ["a", "T"], "frequency": "1h"}
    with pytest.raises(DataError, match=message):
        prepared_series(frame, stats, "T", "impute", "data/raw")


def test_a_target_constant_over_training_is_refused_by_prepare_not_train():
    from rnnpipe.forecast.prepare import check_windows

    rng = np.random.default_rng(0)
    target = np.r_[np.full(100, 4.0), rng.normal(size=100)]
    frame = prepared_frame(rng.normal(size=200), target)
    train = frame[frame["split"] == "train"][["a", "T"]]
    stats = {**normalisation_stats(train), "columns": ["a", "T"], "frequency": "1h"}
    window = {
        "target": "T",
        "lookback": 4,
        "step": 1,
        "delay": 1,
        "predict_change": False,
        "missing_features": "impute",
    }
    with pytest.raises(DataError, match=r"window.target 'T' is constant over the training period"):
        check_windows(frame, stats, window)
    frame["T"] = rng.normal(size=200)
    stats = {**stats, **normalisation_stats(frame[frame["split"] == "train"][["a", "T"]])}
    check_windows(frame, stats, window)  # no refusal
    with pytest.raises(DataError, match=r"the validation period has 50 rows .* one window needs"):
        check_windows(frame, stats, {**window, "lookback": 60})

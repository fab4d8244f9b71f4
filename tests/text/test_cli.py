"""`rnnpipe predict` on a saved classifier: one output per input line, every class's probability,
table columns, and a clear refusal of a forecaster's folder."""

import json

import pandas as pd
import pytest

from conftest import forecaster_config
from rnnpipe.cli import main
from rnnpipe.forecast.model import RNNForecaster, TrainedForecaster


def predict_lines(capsys, *args):
    assert main(["predict", *args]) == 0
    return capsys.readouterr().out.splitlines()


def predicted_json_lines(capsys, model, texts_file) -> list[str]:
    """The lines `rnnpipe predict --json --file texts_file` prints with `model`."""
    return predict_lines(capsys, "--model", str(model), "--json", "--file", str(texts_file))


def test_blank_input_lines_keep_their_place(tiny_classifier_folder, tmp_path, capsys):
    (tmp_path / "texts.txt").write_text("good plot\n\n   \nbad acting\n")
    lines = predict_lines(
        capsys, "--model", str(tiny_classifier_folder), "--file", str(tmp_path / "texts.txt")
    )
    assert len(lines) == 4
    assert lines[1] == "\t\t" and lines[2] == "\t\t   "
    assert lines[0].endswith("\tgood plot") and lines[3].endswith("\tbad acting")
    rows = [
        json.loads(line)
        for line in predicted_json_lines(capsys, tiny_classifier_folder, tmp_path / "texts.txt")
    ]
    assert [r["text"] for r in rows] == ["good plot", "", "   ", "bad acting"]
    assert rows[1]["label"] is None and rows[1]["probabilities"] is None


def test_json_gives_every_class_probability(tiny_classifier_folder, capsys):
    (row,) = [
        json.loads(line)
        for line in predict_lines(capsys, "--model", str(tiny_classifier_folder), "--json", "good")
    ]
    assert set(row["probabilities"]) == {"-1", "0", "1"}
    assert sum(row["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)
    assert row["probability"] == max(row["probabilities"].values())
    assert row["probabilities"][str(row["label"])] == row["probability"]


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl", ".parquet"])
def test_a_column_of_a_table_file(tiny_classifier_folder, tmp_path, capsys, suffix):
    frame = pd.DataFrame({"id": [1, 2, 3], "review": ["good plot", "", "bad acting"]})
    path = tmp_path / f"reviews{suffix}"
    {
        ".csv": lambda: frame.to_csv(path, index=False),
        ".tsv": lambda: frame.to_csv(path, sep="\t", index=False),
        ".jsonl": lambda: frame.to_json(path, orient="records", lines=True),
        ".parquet": lambda: frame.to_parquet(path),
    }[suffix]()
    lines = predict_lines(
        capsys, "--model", str(tiny_classifier_folder), "--file", str(path), "--column", "review"
    )
    assert len(lines) == 3 and lines[1] == "\t\t" and lines[2].endswith("\tbad acting")
    assert (
        main(
            [
                "predict",
                "--model",
                str(tiny_classifier_folder),
                "--file",
                str(path),
                "--column",
                "text",
            ]
        )
        == 1
    )
    assert "no column 'text'; its columns: id, review" in capsys.readouterr().err


def test_a_forecaster_folder_is_named_as_such(tmp_path, capsys):
    model = RNNForecaster(forecaster_config(features=2, hidden=4))
    TrainedForecaster(model, ["a", "b"], "a", 12, 1, 6, 0.0, 1.0).save(tmp_path / "forecaster")
    assert main(["predict", "--model", str(tmp_path / "forecaster"), "good"]) == 1
    assert (
        "holds a forecasting model: it forecasts from a CSV of recent readings"
        in capsys.readouterr().err
    )


@pytest.mark.parametrize("command", ["predict", "export"])
def test_a_format_edited_in_model_json_is_detected(
    tiny_classifier_folder, tmp_path, capsys, command
):
    import shutil

    edited = tmp_path / "edited"
    shutil.copytree(tiny_classifier_folder, edited)
    meta = json.loads((edited / "model.json").read_text())
    meta["format"] = "rnnpipe-forecaster-1"
    (edited / "model.json").write_text(json.dumps(meta))
    args = ["good"] if command == "predict" else ["--out", str(tmp_path / "export")]
    assert main([command, "--model", str(edited), *args]) == 1
    err = capsys.readouterr().err
    assert "format 'rnnpipe-forecaster-1', but 'rnnpipe-classifier-1' is recorded" in err
    assert "forecast" not in err.split("recorded")[1]


def test_empty_inputs_and_inputs_of_unknown_words_are_warned_about_on_stderr(
    tiny_classifier_folder, capsys
):
    assert (
        main(["predict", "--model", str(tiny_classifier_folder), "", "good plot", "zzz qqq"]) == 0
    )
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert (
        len(lines) == 3 and lines[0] == "\t\t" and lines[2].endswith("\tzzz qqq")
    )  # still one line per input
    assert "input 1 is empty: no label" in captured.err
    assert "input 3 has no word the model's vocabulary knows" in captured.err
    assert "input 2" not in captured.err


@pytest.mark.parametrize("size", ["0", "-1"])
def test_a_batch_size_below_one_is_a_usage_error(tiny_classifier_folder, capsys, size):
    with pytest.raises(SystemExit) as stop:
        main(["predict", "--model", str(tiny_classifier_folder), "--batch-size", size, "good"])
    assert stop.value.code == 2
    assert f"--batch-size: must be at least 1, got {size}" in capsys.readouterr().err


def test_texts_and_a_file_together_are_refused(tiny_classifier_folder, tmp_path, capsys):
    (tmp_path / "texts.txt").write_text("good\n")
    assert (
        main(
            [
                "predict",
                "--model",
                str(tiny_classifier_folder),
                "--file",
                str(tmp_path / "texts.txt"),
                "bad",
            ]
        )
        == 1
    )
    assert "either as arguments or with --file, not both" in capsys.readouterr().err


def test_empty_input_is_refused_and_stdin_splits_lines_as_a_file_does(
    tiny_classifier_folder, tmp_path, capsys, monkeypatch
):
    import io
    import sys

    raw = b"good plot\r\nbad\racting\nplot\x0cgood\n"  # CRLF, a lone CR, a form feed inside a text
    (tmp_path / "texts.txt").write_bytes(raw)
    from_file = predicted_json_lines(capsys, tiny_classifier_folder, tmp_path / "texts.txt")
    assert [json.loads(line)["text"] for line in from_file] == [
        "good plot",
        "bad",
        "acting",
        "plot\x0cgood",
    ]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    assert predict_lines(capsys, "--model", str(tiny_classifier_folder), "--json") == from_file
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    assert main(["predict", "--model", str(tiny_classifier_folder)]) == 1
    assert "standard input holds no text" in capsys.readouterr().err


def test_check_names_a_bad_param_of_any_pipeline(tmp_path, capsys):
    """What DVC reports as "unexpected error" (an empty templated path) gets a named line here."""
    from conftest import ROOT

    (tmp_path / "forecast").mkdir()
    text = (ROOT / "params.yaml").read_text().replace("  path: inputs/text", '  path: ""', 1)
    (tmp_path / "params.yaml").write_text(text)
    (tmp_path / "forecast" / "params.yaml").write_text((ROOT / "forecast/params.yaml").read_text())
    assert main(["check", "--root", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "'download.path' is ''; it must not be empty" in captured.err
    assert "forecast/params.yaml: ok" in captured.out

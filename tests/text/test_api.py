"""rnnpipe.api, the Python entry for notebooks: load any model folder, predict (the same rows
`rnnpipe predict --json` prints), read a pipeline's metrics, the version."""

import json

import pytest

from conftest import forecaster_config
from rnnpipe import api
from rnnpipe.cli import main
from rnnpipe.core.errors import ModelFileError, RnnpipeError
from rnnpipe.forecast.model import RNNForecaster, TrainedForecaster


def test_predict_gives_the_rows_the_command_line_prints(tiny_classifier_folder, capsys):
    texts = ["good plot", "", "bad acting bad plot"]
    rows = api.load(tiny_classifier_folder).predict(texts)
    assert main(["predict", "--model", str(tiny_classifier_folder), "--json", *texts]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["label"] for row in rows] == [row["label"] for row in printed]
    assert rows[1] == {"label": None, "probability": None, "probabilities": None, "text": ""}
    for got, shown in zip(rows, printed):
        if got["label"] is not None:
            assert got["probability"] == pytest.approx(shown["probability"], abs=1e-6)
            assert sum(got["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)
    assert api.load(tiny_classifier_folder).predict("good")[0]["text"] == "good"  # one string


def test_a_forecaster_reads_a_file_and_wrong_inputs_or_folders_are_named(tmp_path):
    model = RNNForecaster(forecaster_config(features=2, hidden=4))
    TrainedForecaster(model, ["a", "b"], "a", 12, 1, 6, 0.0, 1.0).save(tmp_path / "forecaster")
    forecaster = api.load(tmp_path / "forecaster")
    assert forecaster.kind.what == "a forecaster"
    with pytest.raises(RnnpipeError, match=r"holds a forecaster: it reads a file .* pass its path"):
        forecaster.predict(["not", "texts"])
    with pytest.raises(ModelFileError, match=r"no trained model here"):
        api.load(tmp_path / "missing")


def test_metrics_reads_each_pipelines_files_and_names_an_unknown_pipeline(tmp_path):
    (tmp_path / "forecast" / "metrics").mkdir(parents=True)
    (tmp_path / "forecast" / "metrics" / "eval.json").write_text('{"mae": 0.5}')
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "train.json").write_text('{"val_accuracy": 0.9}')
    assert api.metrics("forecast", tmp_path) == {"eval": {"mae": 0.5}}
    assert api.metrics("text", tmp_path) == {"train": {"val_accuracy": 0.9}}
    with pytest.raises(RnnpipeError, match=r"no pipeline 'forcast'; the pipelines are text"):
        api.metrics("forcast", tmp_path)


def test_the_version_is_the_installed_one(capsys):
    from importlib import metadata

    assert api.version() == metadata.version("rnnpipe")
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out.strip() == f"rnnpipe {api.version()}"


def test_the_docs_snippet_runs(tiny_classifier_folder, tmp_path, monkeypatch, capsys):
    import re

    from conftest import ROOT

    page = (ROOT / "docs" / "predict-export.md").read_text(encoding="utf-8")
    snippet = re.search(r"<!-- api snippet -->\n```python\n(.*?)```", page, re.S).group(1)
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "eval.json").write_text('{"accuracy": 0.87}')
    monkeypatch.chdir(tmp_path)
    exec(snippet.replace('"data/model"', repr(str(tiny_classifier_folder))), {})
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[-1] == "0.87"
    assert lines[0].endswith("a dull plot , but great acting .")


def test_summary_puts_each_pipelines_score_beside_its_baselines_on_one_short_line(tmp_path, capsys):
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "eval.json").write_text(
        '{"accuracy": 0.91, "baseline_accuracy": 0.9, "f1_macro": 0.9}'
    )
    (tmp_path / "metrics" / "train.json").write_text('{"best_epoch": 3, "val_accuracy": 0.92}')
    (tmp_path / "forecast" / "metrics").mkdir(parents=True)
    (tmp_path / "forecast" / "metrics" / "eval.json").write_text(
        '{"mae": 0.5, "naive_mae": 1.5, "linear_mae": 0.45}'
    )
    rows = api.summary(tmp_path)
    assert [row["pipeline"] for row in rows] == ["text", "forecast"]
    assert rows[0]["baselines"] == {"TF-IDF+LR": 0.9} and rows[0]["beats_baselines"] is True
    assert rows[0]["best_epoch"] == 3 and rows[0]["val_score"] == 0.92
    assert rows[1]["beats_baselines"] is False  # ridge's MAE is lower: errors count downwards
    assert main(["summary", "--root", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == [
        "text",
        "accuracy",
        "0.9100",
        "TF-IDF+LR",
        "0.9000",
        "3",
        "(0.9200)",
    ]
    assert "naive 1.5000, ridge 0.4500" in lines[2] and lines[2].endswith("(below a baseline)")
    assert max(map(len, lines)) < 100
    assert main(["summary", "--root", str(tmp_path / "empty")]) == 1

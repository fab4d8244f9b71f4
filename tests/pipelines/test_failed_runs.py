"""A failed run never deletes a previous good model or metrics: after a good `dvc repro` of each
pipeline, every bad param and every bad-data case below is applied in turn, `dvc repro` must fail
with a line naming what is wrong, and the model folder and the committed metrics must be
byte-identical (hashes, `git status`). Bad values are refused before train (check_params, or the
first stage that sees the data); what only train can find (cuda without a GPU, a model too large for
memory) fails in train, which puts back the outputs DVC removed before running it (core.restore)."""

import hashlib
import subprocess

import numpy as np
import pandas as pd
import pytest
import torch

from conftest import built_once, built_pipeline, edit_params, make_pipeline_copy, run, tool_env
from rnnpipe.forecast.weather import synthetic_weather, write_station_csv

pytestmark = pytest.mark.slow
NO_CUDA = not torch.cuda.is_available()  # "cuda without a GPU" is a train-time failure only here


def one_class_table(folder):
    path = folder / "one_class.csv"
    pd.DataFrame({"text": [f"review number {i}" for i in range(60)], "label": "pos"}).to_csv(
        path, index=False
    )
    return {"data": {"source": "table"}, "download": {"path": str(path)}}


def forecast_csv(folder, column, values):
    frame = synthetic_weather(90, 0)
    frame[column] = values(len(frame))
    path = folder / f"station_{column.split()[0]}.csv"
    write_station_csv(frame, path)
    return {"data": {"source": "files"}, "download": {"path": str(path)}}


def constant_target(folder):
    return forecast_csv(folder, "T (degC)", lambda n: np.full(n, 4.0))


def overflowing_value(folder):
    return forecast_csv(folder, "p (mbar)", lambda n: np.r_[np.full(n - 1, 990.0), 1e300])


def token_without_tag(folder):
    path = folder / "ner.txt"
    sentences = ["EU B-ORG\nrejects O\nGerman B-MISC\n"] * 30 + ["Peter B-PER\nBlackburn\n"]
    path.write_text("\n".join(sentences))
    return {"data": {"source": "conll"}, "download": {"path": str(path), "tag_column": "-1"}}


def one_class_trees(folder):
    trees = folder / "sst_one_class"
    trees.mkdir()
    for name in ("train.txt", "dev.txt", "test.txt"):
        lines = [f"(3 (2 film) (3 (2 number) (3 good{i})))" for i in range(40)]
        (trees / name).write_text("\n".join(lines) + "\n")
    return {"data": {"source": "files"}, "download": {"path": str(trees)}}


CASES = {
    "text": [
        ({"download": {"text_column": ""}}, "'download.text_column' is ''"),
        (one_class_table, "the training split has a single class ('pos'"),
        (
            {"train": {"hidden": 16384, "layers": 2, "bidirectional": True}},
            "would need at least",
        ),
    ],
    "forecast": [
        ({"window": {"target": ""}}, "'window.target' is ''; it must not be empty"),
        ({"window": {"lookback": 10**9}}, "'window.lookback' is 1000000000, out of range"),
        ({"window": {"target": "T (degF)"}}, "window.target 'T (degF)' is not a column"),
        ({"window": {"lookback": 2000}}, "but one window needs"),
        (constant_target, "window.target 'T (degC)' is constant over the training period"),
        (overflowing_value, "column 'p (mbar)' holds 1e+300 at"),
        ({"train": {"device": "cuda"}}, "no CUDA GPU is available"),
    ],
    "tagging": [
        (token_without_tag, "no tag column -1 in 1 column ('Blackburn')"),
        ({"train": {"device": "cuda"}}, "no CUDA GPU is available"),
    ],
    "sequences": [
        ({"window": {"stride": 5}}, "window.stride=5 acts only on windows"),
        ({"train": {"device": "cuda"}}, "no CUDA GPU is available"),
    ],
    "trees": [
        (one_class_trees, "every training tree's root has class 3"),
        ({"train": {"device": "cuda"}}, "no CUDA GPU is available"),
    ],
}


def built(tmp_path_factory, pipeline):
    if pipeline == "text":
        return built_once(
            tmp_path_factory,
            "reproduced",  # the session's reproduced_pipeline, built once for both
            lambda folder: run(["dvc", "repro"], make_pipeline_copy(folder)),
        )
    return built_pipeline(tmp_path_factory, pipeline)


def good_outputs(folder):
    """SHA-256 of every file of the model folder and metrics/."""
    files = [p for base in ("data/model", "metrics") for p in (folder / base).rglob("*")]
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in files
        if p.is_file()
    }


@pytest.mark.parametrize("pipeline", list(CASES))
def test_bad_params_and_bad_data_never_cost_the_last_good_model_or_metrics(
    pipeline, tmp_path_factory, tmp_path
):
    project = built(tmp_path_factory, pipeline)
    folder = project if pipeline == "text" else project / pipeline
    dvc_file = "dvc.yaml" if pipeline == "text" else f"{pipeline}/dvc.yaml"
    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "good"]):
        run(command, project)
    before = good_outputs(folder)
    assert any(name.startswith("data/model/") for name in before) and any(
        name.startswith("metrics/") for name in before
    )
    tried = 0
    for case, message in CASES[pipeline]:
        if "device" in str(case) and not NO_CUDA:
            continue
        edit_params(folder, case(tmp_path) if callable(case) else case)
        result = subprocess.run(
            ["dvc", "repro", dvc_file],
            cwd=project,
            env=tool_env(project),
            capture_output=True,
            text=True,
            timeout=300,
        )
        output = result.stdout + result.stderr
        assert result.returncode != 0, f"{case}: dvc repro succeeded\n{output}"
        assert message in output, f"{case}: expected {message!r} in\n{output}"
        assert "Traceback" not in output, output
        # Every case changed the params file: the failure says where the values came from.
        assert "differs from the committed one:" in output and "git checkout" in output, output
        assert good_outputs(folder) == before, f"{case} changed the model or metrics\n{output}"
        dirty = run(
            ["git", "status", "--porcelain", "--", f"{folder}/data/model", f"{folder}/metrics"],
            project,
        ).stdout
        assert dirty == "", f"{case}: {dirty}"
        run(["git", "checkout", "-q", "--", "."], project)  # the params file as it was
        tried += 1
    assert tried >= 2

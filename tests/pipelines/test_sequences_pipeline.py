"""The numeric-sequences pipeline end to end through `dvc repro sequences/dvc.yaml`, and its
stage errors."""

import json
import re
import shutil

import numpy as np
import pandas as pd
import pytest

from conftest import (
    built_pipeline,
    edit_params,
    make_sequences_copy,
    plot_problems,
    run,
    run_python,
    without_admission,
)
from rnnpipe.sequences.synthetic import binary_digits
from rnnpipe.sequences.tables import LABEL, SEQUENCE

pytestmark = pytest.mark.slow
PIPELINE = "sequences/dvc.yaml"


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    """The embedded default (binary digits, a class per step), small."""

    return built_pipeline(tmp_path_factory, "sequences")


def test_the_binary_digit_default_clears_its_bar_and_the_no_memory_baseline_cannot(digits_run):
    sq = digits_run / "sequences"
    evaluation = json.loads((sq / "metrics/eval.json").read_text())
    assert evaluation["accuracy"] >= 0.99, evaluation
    assert evaluation["baseline_accuracy"] <= 0.55, evaluation
    assert evaluation["steps"] > 1000
    summary = json.loads((sq / "metrics/train.json").read_text())
    # per step, as the accuracy counts: 4 classes, roughly balanced
    assert 0.2 < summary["majority_accuracy"] < 0.35 and summary["at_chance"] is False
    history = pd.read_csv(sq / "metrics/history.csv")
    assert list(history.columns) == [
        "epoch",
        "train_loss",
        "train_accuracy",
        "val_loss",
        "val_accuracy",
        "lr",
    ]
    per_class = pd.read_csv(sq / "metrics/per_class.csv")
    assert per_class["class"].tolist() == [0, 1, 2, 3]
    assert plot_problems(digits_run) == []


def test_nothing_reruns_and_a_train_param_marks_train_changed_and_nothing_upstream(digits_run):
    assert "Running stage" not in run(["dvc", "repro", PIPELINE], digits_run).stdout
    params = digits_run / "sequences/params.yaml"
    original = params.read_text()
    try:
        edit_params(digits_run / "sequences", {"train": {"epochs": 1}})
        dry = run(["dvc", "repro", "--dry", PIPELINE], digits_run).stdout
    finally:
        params.write_text(original)
    # A dry run lists the stages whose own deps changed (evaluate follows once train writes a new
    # model).
    assert set(re.findall(r"Running stage '[^']*?(\w+)'", dry)) == {"check_params", "train"}


def user_recordings(path):
    """The digits as a user's long CSV: a `user` group, a shuffled `t` step column, labels as
    words."""
    frame = binary_digits(300, seed=3)
    names = np.array(["zero", "one", "two", "three"])
    frame = pd.DataFrame(
        {
            "user": frame[SEQUENCE].astype(int) % 12,
            "session": frame[SEQUENCE],
            "t": frame.groupby(SEQUENCE).cumcount(),
            "digit": frame["digit"],
            "label": names[frame[LABEL].to_numpy()],
        }
    )
    frame.sample(frac=1.0, random_state=0).to_csv(path, index=False)


def test_a_user_table_split_by_group_and_an_edit_to_it_reruns_download(tmp_path):
    wd = make_sequences_copy(
        tmp_path / "project",
        {
            "data": {"source": "table"},
            "download": {
                "path": "inputs/sequences/recordings.csv",
                "sequence_columns": ["user", "session"],
                "step_column": "t",
                "group_column": "user",
            },
        },
    )
    user_recordings(wd / "inputs/sequences/recordings.csv")
    run(["dvc", "repro", f"{PIPELINE}:prepare"], wd)  # training on the result is the digits run's
    sq = wd / "sequences"
    sequences = pd.read_parquet(sq / "data/prepared/sequences.parquet")
    assert (sequences.groupby("_group")["split"].nunique() == 1).all()  # no user in two splits
    assert set(sequences["split"]) == {"train", "validation", "test"}
    meta = json.loads((sq / "data/prepared/meta.json").read_text())
    assert meta["labels"] == ["one", "three", "two", "zero"] and meta["target"] == "step"
    csv = wd / "inputs/sequences/recordings.csv"
    csv.write_text(csv.read_text().replace(",one\n", ",two\n", 1))
    status = run(["dvc", "status", PIPELINE], wd).stdout
    assert "download" in status and "recordings.csv" in status


def run_stage_script(wd, stage):
    return run_python([f"../stages/sequences/{stage}.py"], wd / "sequences")


@pytest.mark.parametrize(
    "overrides, fragments",
    [
        (
            {"prepare": {"target": "sequence"}},
            ["has different labels at different steps", "prepare.target"],
        ),
        ({"window": {"length": 1000}}, ["Shorten window.length (1000"]),
    ],
)
def test_bad_prepare_settings_stop_prepare_with_a_message_and_no_outputs(
    digits_run, tmp_path, overrides, fragments
):
    wd = tmp_path / "project"
    shutil.copytree(digits_run, wd, symlinks=True)
    shutil.rmtree(wd / "sequences/data/prepared")
    edit_params(wd / "sequences", overrides)
    result = run_stage_script(wd, "prepare")
    said = without_admission(result.stderr)
    assert result.returncode == 1 and said.startswith("prepare: error: "), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (wd / "sequences/data/prepared").exists()


def write_bad_files(folder):
    """One file per refusal of the download stage (see rnnpipe.sequences.tables)."""
    pd.DataFrame({"sequence": [1, 1, 2], "digit": ["0", "x", "1"], "label": [0, 1, 2]}).to_csv(
        folder / "text.csv", index=False
    )
    pd.DataFrame({"sequence": [1, 1, 2], "digit": [0.0, None, 1.0], "label": [0, 1, 2]}).to_csv(
        folder / "gap.csv", index=False
    )
    pd.DataFrame({"digit": [[0.0, 1.0], [1.0]], "label": [[1, 2, 2], [3]]}).to_parquet(
        folder / "count.parquet"
    )
    pd.DataFrame({"x": [[[0.0, 1.0], [1.0]]], "label": [1]}).to_parquet(folder / "ragged.parquet")
    pd.DataFrame({"digit": [[0.0], []], "label": [1, 2]}).to_parquet(folder / "empty.parquet")
    np.savez(
        folder / "zero.npz", X=np.zeros((2, 3, 1)), lengths=np.array([3, 0]), y=np.array([0, 1])
    )


@pytest.fixture(scope="module")
def bad_files_project(tmp_path_factory):
    wd = make_sequences_copy(tmp_path_factory.mktemp("bad-sequences") / "project")
    write_bad_files(wd / "inputs/sequences")
    return wd


@pytest.mark.parametrize(
    "name, fragment",
    [
        ("text.csv", "feature column 'digit' is not numeric (e.g. '0')"),
        ("gap.csv", "feature column 'digit' has 1 missing value(s), the first in sequence '1'"),
        ("count.parquet", "sequence '0' has 3 per-step labels for 2 steps"),
        ("ragged.parquet", "sequence '0', column 'x': ragged feature vectors"),
        ("empty.parquet", "sequence '1' has no steps"),
        ("zero.npz", "sequence 1 has length 0"),
    ],
)
def test_bad_files_stop_download_naming_the_culprit_and_write_nothing(
    bad_files_project, tmp_path, name, fragment
):
    wd = tmp_path / "project"
    shutil.copytree(bad_files_project, wd, symlinks=True)
    edit_params(
        wd / "sequences",
        {"data": {"source": "table"}, "download": {"path": f"inputs/sequences/{name}"}},
    )
    result = run_stage_script(wd, "download")
    assert result.returncode == 1, result.stderr
    said = without_admission(result.stderr)
    assert said.startswith("download: error: ") and fragment in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (wd / "sequences/data").exists()


def small_motion_table(path, n_train=32, n_test=40, length=96, seed=0):
    """Four activities told apart by each channel's level, spread and rhythm, split TRAIN / TEST
    as UCR / UEA archives ship them: 32 training sequences, the small-data case."""
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(n_train + n_test):
        label, t = k % 4, np.arange(length)
        a = np.sin(2 * np.pi * t / (8 + 4 * label)) * (0.5 + 0.3 * label) + rng.normal(
            0, 0.8, length
        )
        rows.append(
            pd.DataFrame(
                {
                    "sequence": f"s{k}",
                    "split": "TRAIN" if k < n_train else "TEST",
                    "a": a,
                    "b": rng.normal(label * 0.4, 1.0, length),
                    "c": rng.normal(0, 0.5 + 0.25 * label, length),
                    "label": ["walk", "run", "sit", "climb"][label],
                }
            )
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.concat(rows).to_csv(path, index=False)


def test_the_default_on_32_training_sequences_is_not_below_its_baseline(tmp_path):
    # The default's params (not the tests' tiny ones): the network alone scored 0.600 here against
    # the baseline's 0.825 before the baseline member and the size adaptation.
    wd = make_sequences_copy(
        tmp_path / "project",
        {
            "data": {"source": "table"},
            "download": {"path": "inputs/motion.csv", "split_column": "split"},
            "train": {"batch_size": 32, "epochs": 10},
        },
    )
    small_motion_table(wd / "inputs/motion.csv")
    out = run(["dvc", "repro", PIPELINE], wd).stdout
    assert "27 training items: batch size 1, up to 15 epochs, patience 5" in out
    sq = wd / "sequences"
    meta = json.loads((sq / "data/prepared/meta.json").read_text())
    assert {s: c["sequences"] for s, c in meta["counts"].items()} == {
        "train": 27,
        "validation": 5,  # carved from the given TRAIN sequences
        "test": 40,
    }
    trained = json.loads((sq / "metrics/train.json").read_text())
    assert trained["batch_size_used"] == 1 and 0 < trained["baseline_weight"] <= 1
    evaluation = json.loads((sq / "metrics/eval.json").read_text())
    assert evaluation["accuracy"] >= evaluation["baseline_accuracy"] - 0.025, evaluation
    assert evaluation["baseline_weight"] == trained["baseline_weight"]
    # predict scores with the same mix evaluate scored
    rows = run_python(
        [
            "-m",
            "rnnpipe.cli",
            "predict",
            "--model",
            "data/model",
            "--file",
            "../inputs/motion.csv",
            "--json",
        ],
        sq,
    )
    assert rows.returncode == 0, rows.stderr
    predicted = {r["sequence"]: r["labels"][0] for r in map(json.loads, rows.stdout.splitlines())}
    truth = pd.read_csv(wd / "inputs/motion.csv").groupby("sequence", sort=False).first()
    test = truth[truth["split"] == "TEST"]
    hits = [predicted[name] == label for name, label in zip(test.index, test["label"])]
    assert np.mean(hits) == pytest.approx(evaluation["accuracy"])

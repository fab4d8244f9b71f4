"""The trees pipeline end to end through `dvc repro trees/dvc.yaml` on tiny synthetic trees;
parse errors."""

import json
import shutil

import pandas as pd
import pytest

from conftest import (
    ROOT,
    built_pipeline,
    edit_params,
    make_trees_copy,
    run,
    run_python,
    without_admission,
)
from rnnpipe.trees.files import read_tree_file

pytestmark = pytest.mark.slow
PIPELINE = "trees/dvc.yaml"
SST = ROOT.parent / "shared" / "datasets" / "sst"


@pytest.fixture(scope="module")
def trees_run(tmp_path_factory):
    return built_pipeline(tmp_path_factory, "trees")


def test_repro_trains_a_tree_lstm_and_scores_roots_and_phrases(trees_run):
    tr = trees_run / "trees"
    evaluation = json.loads((tr / "metrics/eval.json").read_text())
    assert evaluation["test_trees"] == 150
    assert (
        evaluation["accuracy"] >= 0.6 and evaluation["all_phrases_accuracy"] >= 0.85
    )  # chance: 0.2
    # The linear baseline on the same sentences: the synthetic default's labels hang on negation
    # scope, which
    # a bag of 1-2 grams cannot see, so the Tree-LSTM must clear it.
    assert 0.2 < evaluation["baseline_accuracy"] < evaluation["accuracy"]
    # train.json: the validation root accuracy of always answering the most frequent training root
    from rnnpipe.trees.files import read_trees

    roots = {
        split: [tree.label[-1] for tree in read_trees(tr / "data/trees.parquet", split)]
        for split in ("train", "validation")
    }
    majority = max(set(roots["train"]), key=roots["train"].count)
    summary = json.loads((tr / "metrics/train.json").read_text())
    assert summary["majority_accuracy"] == pytest.approx(
        roots["validation"].count(majority) / len(roots["validation"]), abs=1e-6
    )
    assert summary["at_chance"] is False
    assert list(pd.read_csv(tr / "metrics/per_class.csv")["class"]) == [
        "very negative",
        "negative",
        "neutral",
        "positive",
        "very positive",
    ]
    trees = pd.read_parquet(tr / "data/trees.parquet")
    assert trees["split"].value_counts().to_dict() == {"train": 600, "validation": 150, "test": 150}
    first = trees.iloc[0]
    for node, (left, right) in enumerate(zip(first["left"], first["right"])):
        if left >= 0:  # children point at their parent; a REDUCE per inner node, a SHIFT per word
            assert (
                first["parent"][left] == first["parent"][right] == node
                and first["transitions"][node] == 1
            )
        else:
            assert first["transitions"][node] == 0
    assert first["parent"][-1] == -1 and len(first["transitions"]) == 2 * len(first["words"]) - 1
    assert "Running stage" not in run(["dvc", "repro", PIPELINE], trees_run).stdout


@pytest.mark.parametrize(
    "overrides, stale",
    [
        ({"train": {"tracker": True}}, {"train"}),  # read by train only
        ({"train": {"select_on": "loss"}}, {"train"}),
        ({"embed": {"seed": 7}}, {"embed"}),
        (
            {"parse": {"lowercase": False}},
            {"parse", "train"},
        ),  # train records it in the model folder
        ({"evaluate": {"batch_size": 7}}, {"evaluate"}),
    ],
)
def test_a_param_change_makes_stale_exactly_the_stages_that_read_it(
    trees_run, tmp_path, overrides, stale
):
    wd = tmp_path / "project"
    shutil.copytree(trees_run, wd, symlinks=True)
    edit_params(wd / "trees", overrides)
    status = json.loads(run(["dvc", "status", PIPELINE, "--json"], wd).stdout or "{}")
    assert {name.split(":")[-1] for name in status} == {"check_params", *stale}, (
        status
    )  # check_params reads all


def test_predict_labels_the_test_trees_as_evaluate_scored_them_and_refuses_plain_text(trees_run):
    tr = trees_run / "trees"
    predict = ["python", "-m", "rnnpipe.cli", "predict", "--model", str(tr / "data/model")]
    result = run_python(
        [*predict[1:], "--json", "--file", str(tr / "data/raw/test.txt")], trees_run
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    names = ["very negative", "negative", "neutral", "positive", "very positive"]
    truth = [tree.root_label for tree in read_tree_file(tr / "data/raw/test.txt")]
    accuracy = sum(names.index(row["label"]) == label for row, label in zip(rows, truth)) / len(
        truth
    )
    assert len(rows) == len(truth) and abs(sum(rows[0]["probabilities"].values()) - 1) < 1e-4
    assert accuracy == pytest.approx(
        json.loads((tr / "metrics/eval.json").read_text())["accuracy"], abs=1e-6
    )
    result = run_python([*predict[1:], "a plain sentence"], trees_run)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "argument 1 is plain text" in result.stderr and "CoreNLP" in result.stderr


def test_a_malformed_tree_file_stops_parse_naming_file_and_line(trees_run, tmp_path):
    wd = tmp_path / "project"
    shutil.copytree(trees_run, wd, symlinks=True)
    raw = wd / "trees/data/raw/dev.txt"
    lines = raw.read_text().splitlines()
    lines[6] = lines[6].rstrip(")")
    raw.write_text("\n".join(lines) + "\n")
    (wd / "trees/data/trees.parquet").unlink()
    result = run_python(
        ["../stages/trees/parse.py"],
        wd / "trees",
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert without_admission(result.stderr).startswith(
        "parse: error: data/raw/dev.txt:7: unbalanced brackets"
    ), result.stderr
    assert not (wd / "trees/data/trees.parquet").exists()


@pytest.mark.skipif(not SST.is_dir(), reason=f"{SST} is absent (the shared datasets folder)")
def test_the_real_sst_files_are_read_whole():
    counts = {name: len(read_tree_file(SST / f"{name}.txt")) for name in ("train", "dev", "test")}
    assert counts == {"train": 8544, "dev": 1101, "test": 2210}


def test_binary_granularity_drops_neutral_sentences(tmp_path):
    wd = make_trees_copy(tmp_path / "project", {"parse": {"granularity": "binary"}})
    run(["dvc", "repro", f"{PIPELINE}:parse"], wd)
    parsed = json.loads((wd / "trees/data/parse.json").read_text())
    assert 0 < parsed["trees"]["train"] < 600  # neutral-root sentences dropped

"""The sentence-pairs pipeline end to end through `dvc repro pairs/dvc.yaml` on tiny synthetic
pairs: metrics beside both baselines, staleness, predict's round trip, the relatedness target,
and a malformed line named by parse."""

import json
import shutil
import time

import pandas as pd
import pytest

from conftest import built_pipeline, edit_params, run, run_python, without_admission

pytestmark = pytest.mark.slow
PIPELINE = "pairs/dvc.yaml"


@pytest.fixture(scope="module")
def pairs_run(tmp_path_factory):
    return built_pipeline(tmp_path_factory, "pairs")


def test_repro_classifies_pairs_beside_the_lexical_and_hypothesis_only_baselines(pairs_run):
    pr = pairs_run / "pairs"
    evaluation = json.loads((pr / "metrics/eval.json").read_text())
    assert evaluation["test_pairs"] == 100
    # word order decides neutral: a bag of words cannot separate it, the BiLSTM can
    assert evaluation["accuracy"] > evaluation["lexical_accuracy"] > evaluation["majority_accuracy"]
    assert 0 < evaluation["hypothesis_only_accuracy"] < evaluation["lexical_accuracy"]
    # the lexical member's weight was chosen on validation; the network alone is scored beside
    training = json.loads((pr / "metrics/train.json").read_text())
    assert evaluation["network_weight"] == training["network_weight"]
    assert training["val_accuracy_mixed"] >= max(
        training["val_accuracy"], training["val_accuracy_lexical"]
    )
    assert "network_alone_accuracy" in evaluation
    assert list(pd.read_csv(pr / "metrics/per_class.csv")["class"]) == [
        "entailment",
        "neutral",
        "contradiction",
    ]
    assert len(pd.read_csv(pr / "metrics/confusion.csv")) == 100
    assert pd.read_csv(pr / "metrics/scores.csv").empty  # the relatedness plot: labels have none
    parsed = json.loads((pr / "data/parse.json").read_text())
    assert parsed["pairs"] == {"train": 400, "validation": 100, "test": 100}
    assert parsed["binary_parses"] and parsed["dependency_parses"]
    assert "Running stage" not in run(["dvc", "repro", PIPELINE], pairs_run).stdout


@pytest.mark.parametrize(
    "overrides, stale",
    [
        ({"train": {"encoder": "childsum"}}, {"train"}),
        ({"parse": {"lowercase": False}}, {"parse", "train"}),
        ({"evaluate": {"linear_c": 2.0}}, {"train", "evaluate"}),  # the lexical member too
        ({"embed": {"seed": 7}}, {"embed"}),
    ],
)
def test_a_param_change_makes_stale_exactly_the_stages_that_read_it(
    pairs_run, tmp_path, overrides, stale
):
    wd = tmp_path / "project"
    shutil.copytree(pairs_run, wd, symlinks=True)
    edit_params(wd / "pairs", overrides)
    status = json.loads(run(["dvc", "status", PIPELINE, "--json"], wd).stdout or "{}")
    assert {name.split(":")[-1] for name in status} == {"check_params", *stale}, status


def test_predict_labels_the_test_pairs_as_evaluate_scored_them(pairs_run):
    pr = pairs_run / "pairs"
    predict = ["-m", "rnnpipe.cli", "predict", "--model", str(pr / "data/model")]
    result = run_python([*predict, "--json", "--file", str(pr / "data/raw/test.jsonl")], pairs_run)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    truth = [json.loads(line)["gold_label"] for line in (pr / "data/raw/test.jsonl").open()]
    accuracy = sum(row["label"] == gold for row, gold in zip(rows, truth)) / len(truth)
    evaluation = json.loads((pr / "metrics/eval.json").read_text())
    assert accuracy == pytest.approx(evaluation["accuracy"], abs=1e-6)
    assert (
        abs(sum(rows[0][f"p_{k}"] for k in ("entailment", "neutral", "contradiction")) - 1) < 1e-4
    )
    one = run_python(
        [*predict, "--premise", "the dog chases the cat", "--hypothesis", "the cat chases the dog"],
        pairs_run,
    )
    assert one.returncode == 0 and one.stdout.split("\t")[0] in (
        "entailment",
        "neutral",
        "contradiction",
    )
    refused = run_python([*predict, "a plain text"], pairs_run)
    assert refused.returncode == 1 and "--premise TEXT --hypothesis TEXT" in refused.stderr


def test_relatedness_trains_on_scores_with_the_kl_objective(pairs_run, tmp_path):
    wd = tmp_path / "project"
    shutil.copytree(pairs_run, wd, symlinks=True)
    edit_params(wd / "pairs", {"parse": {"target": "score"}, "train": {"encoder": "childsum"}})
    result = run(["dvc", "repro", PIPELINE], wd)
    assert "Running stage 'pairs/dvc.yaml:download'" not in result.stdout
    evaluation = json.loads((wd / "pairs/metrics/eval.json").read_text())
    assert set(evaluation) >= {
        "pearson",
        "spearman",
        "mse",
        "lexical_pearson",
        "hypothesis_only_pearson",
    }
    assert evaluation["pearson"] > 0.3  # labels decide the synthetic scores: learnable
    scores = pd.read_csv(wd / "pairs/metrics/scores.csv")
    assert len(scores) == 100 and scores["model"].between(1, 5).all()
    assert json.loads((wd / "pairs/metrics/train.json").read_text())["val_mse"] > 0


def test_a_malformed_line_stops_parse_naming_file_and_line(pairs_run, tmp_path):
    wd = tmp_path / "project"
    shutil.copytree(pairs_run, wd, symlinks=True)
    raw = wd / "pairs/data/raw/dev.jsonl"
    lines = raw.read_text().splitlines()
    row = json.loads(lines[4])
    row["gold_label"] = "maybe"
    lines[4] = json.dumps(row)
    raw.write_text("\n".join(lines) + "\n")
    (wd / "pairs/data/pairs.parquet").unlink()
    result = run_python(["../stages/pairs/parse.py"], wd / "pairs")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert without_admission(result.stderr).startswith(
        "parse: error: data/raw/dev.jsonl, line 5: label 'maybe' is not among"
    ), result.stderr
    assert not (wd / "pairs/data/pairs.parquet").exists()


def test_a_killed_training_resumes_and_ends_like_an_uninterrupted_run(tmp_path):
    """The shared loop's checkpoints, through the pairs pipeline: a train stage killed after its
    third epoch resumes there and ends with the uninterrupted run's metrics (the lexical member's
    weight included)."""
    from test_faults import checkpoint_epoch, kill_group, outputs, start

    from conftest import make_pairs_copy

    longer = {"data": {"synthetic_train": 3000}, "train": {"epochs": 8, "patience": 0}}
    straight = make_pairs_copy(tmp_path / "straight", longer)
    run(["dvc", "repro", "pairs/dvc.yaml:embed", "pairs/dvc.yaml:parse"], straight)
    killed = tmp_path / "killed"
    shutil.copytree(straight, killed, symlinks=True)
    run(["dvc", "repro", PIPELINE], straight)
    process = start(["dvc", "repro", "pairs/dvc.yaml:train"], killed)
    deadline = time.monotonic() + 180
    pr = killed / "pairs"
    while checkpoint_epoch(pr) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    kill_group(process)
    stopped_at = checkpoint_epoch(pr)
    assert 3 <= stopped_at < 8, (
        f"the kill came too late (epoch {stopped_at}); the test proves nothing"
    )
    resumed = run(["dvc", "repro", PIPELINE], killed)
    assert (
        f"resuming from the checkpoint after epoch {stopped_at}" in resumed.stderr + resumed.stdout
    )
    assert outputs(pr) == outputs(straight / "pairs")
    assert not (pr / "data/.checkpoints/train.pt").exists()

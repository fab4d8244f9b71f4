"""The DVC pipeline end to end on tiny generated data: outputs, caching and what each param
invalidates."""

import json
import re
import shutil

import pandas as pd
import pytest

from conftest import edit_params, make_pipeline_copy, plot_problems, restored_afterwards, run

pytestmark = pytest.mark.slow
STAGES = ["download", "tokenize", "pad", "embed", "train", "evaluate"]
CHECK = "check_params"  # runs first whenever any param changed


def stale_stages(workdir) -> set[str]:
    """Stages whose own deps/params changed (dvc status does not follow the change downstream)."""
    return set(json.loads(run(["dvc", "status", "--json"], workdir).stdout or "{}"))


def repro_ran(workdir) -> set[str]:
    """The stages a real `dvc repro` runs (DVC's run-cache restores earlier results without
    running)."""
    return set(re.findall(r"Running stage '([\w-]+)'", run(["dvc", "repro"], workdir).stdout))


def test_repro_writes_every_output_and_metric(reproduced_pipeline):
    wd = reproduced_pipeline
    for path in [
        "data/dataset.parquet",
        "data/tokens.parquet",
        "data/vocab.txt",
        "data/labels.json",
        "data/padded.parquet",
        "data/embeddings.npy",
        "data/model/model.safetensors",
        "data/model/model.json",
        "metrics/history.csv",
        "metrics/confusion.csv",
        "metrics/roc.csv",
    ]:
        assert (wd / path).is_file(), path
    evaluation = json.loads((wd / "metrics/eval.json").read_text())
    assert set(evaluation) == {
        "accuracy",
        "precision_macro",
        "recall_macro",
        "f1_macro",
        "log_loss",
        "roc_auc",
        "rnn_accuracy",
        "linear_weight",
        "baseline_accuracy",
        "baseline_f1_macro",
    }
    assert 0.0 <= evaluation["accuracy"] <= 1.0
    # The linear baseline on the same test rows, fitted by evaluate or (here) the ensemble's linear
    # member.
    assert 0.0 < evaluation["baseline_accuracy"] <= 1.0
    history = pd.read_csv(wd / "metrics/history.csv")
    assert list(history.columns[:5]) == [
        "epoch",
        "train_loss",
        "train_accuracy",
        "val_loss",
        "val_accuracy",
    ]
    assert json.loads((wd / "data/report.json").read_text())["rows"] == {
        "train": 360,
        "validation": 40,
        "test": 200,
    }
    assert json.loads((wd / "data/labels.json").read_text())["labels"] == ["neg", "pos"]


def test_second_repro_runs_no_stage(reproduced_pipeline):
    out = run(["dvc", "repro"], reproduced_pipeline).stdout
    assert "Running stage" not in out
    assert stale_stages(reproduced_pipeline) == set()


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"train": {"lr": 0.01}}, {"train", "evaluate"}),
        # pad.maxlen reruns pad, train and evaluate: checked by the run-cache test below.
        ({"tokenize": {"num_words": 60}}, {"tokenize", "pad", "embed", "train", "evaluate"}),
        ({"embed": {"seed": 7}}, {"embed", "train", "evaluate"}),
        ({"evaluate": {"batch_size": 7}}, {"evaluate"}),
        ({"data": {"val_fraction": 0.2}}, set(STAGES)),
    ],
)
def test_a_param_change_reruns_exactly_the_downstream_stages(
    reproduced_pipeline, overrides, expected
):
    with restored_afterwards(reproduced_pipeline) as wd:
        edit_params(wd, overrides)
        assert stale_stages(wd) == {CHECK, min(expected, key=STAGES.index)}
        assert repro_ran(wd) == {CHECK, *expected}


def test_back_to_the_old_params_every_stage_comes_from_the_run_cache(reproduced_pipeline):
    """Train and evaluate write git-tracked metrics and plots (cache: false); declared as metrics
    and plots, not outs, they leave the stages in DVC's run-cache, so going back retrains nothing.
    """
    with restored_afterwards(reproduced_pipeline) as wd:
        before = {
            name: (wd / "metrics" / name).read_text()
            for name in ("eval.json", "train.json", "history.csv")
        }
        backup = (wd / "params.yaml").read_text()
        edit_params(wd, {"pad": {"maxlen": 33}})
        assert repro_ran(wd) == {CHECK, "pad", "train", "evaluate"}
        (wd / "params.yaml").write_text(backup)
        out = run(["dvc", "repro"], wd).stdout
        assert "Running stage" not in out
        assert {CHECK, "pad", "train", "evaluate"} <= set(
            re.findall(r"Stage '([\w-]+)' is cached", out)
        )
        assert stale_stages(wd) == set()
        assert {name: (wd / "metrics" / name).read_text() for name in before} == before


def test_metrics_hold_results_not_data_reports(reproduced_pipeline):
    """`dvc metrics show` / `dvc exp show` lead with what a run achieved; the data-quality
    counters and the source's hash are a plain output (data/report.json)."""
    shown = json.loads(run(["dvc", "metrics", "show", "--json"], reproduced_pipeline).stdout)
    files = {
        path: body["data"] for revision in shown.values() for path, body in revision["data"].items()
    }
    assert set(files) == {"metrics/embed.json", "metrics/train.json", "metrics/eval.json"}
    assert set(files["metrics/embed.json"]) == {"coverage"}
    report = json.loads((reproduced_pipeline / "data/report.json").read_text())
    assert set(report["quality"]) == {
        "blank_texts",
        "undecodable_rows",
        "duplicate_rows",
        "conflicting_texts",
        "cross_split_texts",
    }


def test_every_plot_will_draw(reproduced_pipeline):
    assert plot_problems(reproduced_pipeline) == []


def test_dag_has_every_stage(reproduced_pipeline):
    dag = run(["dvc", "dag", "--md"], reproduced_pipeline).stdout
    for stage in [CHECK, *STAGES]:
        assert stage in dag


def test_rerunning_training_gives_identical_metrics(reproduced_pipeline):
    wd = reproduced_pipeline
    before = {
        name: (wd / "metrics" / name).read_text()
        for name in ("train.json", "eval.json", "history.csv")
    }
    run(["dvc", "repro", "--force", "--single-item", "train"], wd)
    run(["dvc", "repro", "--force", "--single-item", "evaluate"], wd)
    after = {name: (wd / "metrics" / name).read_text() for name in before}
    assert after == before
    assert stale_stages(wd) == set()


def test_predict_command_round_trip(reproduced_pipeline, tmp_path):
    wd = reproduced_pipeline
    texts = [
        "the plot was dull , but the acting is superb .",
        "the acting was good , but the plot is awful .",
    ]
    by_args = run(
        ["python", "-m", "rnnpipe.cli", "predict", "--json", *texts], wd
    ).stdout.splitlines()
    rows = [json.loads(line) for line in by_args]
    assert [r["text"] for r in rows] == texts
    assert all(r["label"] in ("neg", "pos") and 0.5 <= r["probability"] <= 1.0 for r in rows)
    (tmp_path / "texts.txt").write_text("\n".join(texts) + "\n")
    by_file = run(
        ["python", "-m", "rnnpipe.cli", "predict", "--json", "--file", str(tmp_path / "texts.txt")],
        wd,
    )
    assert by_file.stdout.splitlines() == by_args


def test_predict_refuses_a_model_with_a_swapped_vocabulary(reproduced_pipeline, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(reproduced_pipeline / "data/model", model)
    words = (model / "vocab.txt").read_text().splitlines()
    words[2], words[3] = words[3], words[2]
    (model / "vocab.txt").write_text("\n".join(words) + "\n")
    result = run(
        ["python", "-m", "rnnpipe.cli", "predict", "--model", str(model), "good"],
        reproduced_pipeline,
        check=False,
    )
    assert result.returncode == 1
    assert "does not match the vocabulary this model was trained with" in result.stderr


@pytest.mark.parametrize("tamper", ["labels", "weights", "json_hash"])
def test_predict_refuses_an_altered_model_folder(reproduced_pipeline, tmp_path, tamper):
    model = tmp_path / "model"
    shutil.copytree(reproduced_pipeline / "data/model", model)
    meta = json.loads((model / "model.json").read_text())
    if tamper == "labels":
        meta["labels"] = meta["labels"][::-1]
    elif tamper == "weights":
        data = bytearray((model / "model.safetensors").read_bytes())
        data[-4:] = b"\x00\x00\x80\x7f"  # a NaN where a weight was
        (model / "model.safetensors").write_bytes(bytes(data))
    else:
        meta["weights_sha256"] = "0" * 64
    (model / "model.json").write_text(json.dumps(meta))
    result = run(
        ["python", "-m", "rnnpipe.cli", "predict", "--model", str(model), "good"],
        reproduced_pipeline,
        check=False,
    )
    assert result.returncode == 1 and "has been altered or mixed up" in result.stderr, result.stderr


def three_label_table(path):
    rows = []
    for i in range(300):
        label = (i % 3) - 1
        word = {-1: "awful", 0: "fine", 1: "great"}[label]
        rows.append({"review": f"this was {word} film number {i}", "sentiment": label})
    pd.DataFrame(rows).to_csv(path, index=False)
    return {
        "data": {"source": "table"},
        "download": {"path": str(path), "text_column": "review", "label_column": "sentiment"},
    }


def test_users_own_table_with_three_integer_labels(tmp_path):
    table = three_label_table(tmp_path / "reviews.csv")
    wd = make_pipeline_copy(tmp_path / "project", {**table, "train": {"epochs": 6, "lr": 0.01}})
    run(["dvc", "repro"], wd)
    assert json.loads((wd / "data/labels.json").read_text())["labels"] == [-1, 0, 1]
    assert json.loads((wd / "data/report.json").read_text())["rows"]["test"] == 60
    evaluation = json.loads((wd / "metrics/eval.json").read_text())
    assert "roc_auc" not in evaluation and evaluation["accuracy"] > 0.9
    assert set(pd.read_csv(wd / "metrics/confusion.csv")["actual"].astype(str)) == {"-1", "0", "1"}
    predicted = run(
        ["python", "-m", "rnnpipe.cli", "predict", "--json", "this was awful"], wd
    ).stdout
    assert json.loads(predicted)["label"] == -1

    # The user's file is a dependency (deps: ${download.path}): an edited label reruns download and
    # everything after it; before, `dvc status` said up to date and the stale dataset stayed.
    assert "up to date" in run(["dvc", "status"], wd).stdout
    edited = pd.read_csv(tmp_path / "reviews.csv")
    edited.loc[0, "sentiment"] = 1
    edited.to_csv(tmp_path / "reviews.csv", index=False)
    status = run(["dvc", "status"], wd).stdout
    assert "download:" in status and f"modified:           {tmp_path / 'reviews.csv'}" in status, (
        status
    )
    rerun = run(["dvc", "repro"], wd).stdout
    assert all(
        f"Running stage '{stage}'" in rerun
        for stage in ("download", "tokenize", "train", "evaluate")
    ), rerun
    assert pd.read_parquet(wd / "data/dataset.parquet").loc[
        lambda f: f["text"] == edited.loc[0, "review"], "label"
    ].tolist() == [1]


def test_an_ensemble_trains_one_model_per_cell_and_saves_their_average(tmp_path):
    table = three_label_table(tmp_path / "reviews.csv")
    wd = make_pipeline_copy(
        tmp_path / "project",
        {**table, "train": {"epochs": 3, "lr": 0.01, "ensemble_cells": ["gru", "rnn"]}},
    )
    run(["dvc", "repro"], wd)
    summary = json.loads((wd / "metrics/train.json").read_text())
    assert [m["member"] for m in summary["members"]] == ["1:lstm", "2:gru", "3:rnn"]
    history = pd.read_csv(wd / "metrics/history.csv")
    assert list(history["member"].unique()) == ["1:lstm", "2:gru", "3:rnn"]
    assert plot_problems(wd) == []  # the history plot draws one line per member
    model = json.loads((wd / "data/model/model.json").read_text())
    assert [m["cell"] for m in model["members"]] == ["lstm", "gru", "rnn"]
    assert not list((wd / "data/.checkpoints").glob("*.pt"))
    # The saved model is the average: its validation loss, recomputed, is the one reported, and no
    # single member has it.
    check = (
        "import torch; from rnnpipe.text.classifier import TrainedClassifier; "
        "from rnnpipe.text.sequences import load_padded; from rnnpipe.training.objectives import "
        "ClassificationObjective; from rnnpipe.training.inference import evaluate_loss; val = "
        "load_padded('data/padded.parquet', ('validation',))[0]['validation']; "
        "print(evaluate_loss(TrainedClassifier.load('data/model').model, val, 64, "
        "torch.device('cpu'), "
        "ClassificationObjective(3))[0])"
    )
    assert float(run(["python", "-c", check], wd).stdout) == pytest.approx(
        summary["val_loss"], abs=1e-5
    )
    assert all(abs(m["val_loss"] - summary["val_loss"]) > 1e-4 for m in summary["members"])
    predicted = run(
        ["python", "-m", "rnnpipe.cli", "predict", "--json", "this was great"], wd
    ).stdout
    assert json.loads(predicted)["label"] in (-1, 0, 1)


def test_the_linear_member_is_chosen_on_validation_and_predict_reproduces_evaluate(tmp_path):
    """train.ensemble_linear: the weight and the linear model come from train and validation only,
    so rewriting every test text (labels kept, so the splits are carved the same) cannot change
    them; and `rnnpipe predict` on the test texts gives evaluate's accuracy exactly (the same mix).
    """
    table = three_label_table(tmp_path / "reviews.csv")
    # One short epoch: an RNN the linear model can help, so the weight is not trivially 0.
    wd = make_pipeline_copy(tmp_path / "project", {**table, "train": {"epochs": 1, "lr": 0.002}})
    run(["dvc", "repro"], wd)
    summary = json.loads((wd / "metrics/train.json").read_text())
    evaluation = json.loads((wd / "metrics/eval.json").read_text())
    assert (
        0.0 < summary["linear_weight"] <= 1.0
        and evaluation["linear_weight"] == summary["linear_weight"]
    )
    assert summary["val_accuracy_mixed"] >= summary["val_accuracy_rnn"]
    assert {"linear.safetensors", "linear_ngrams.txt"} <= {
        p.name for p in (wd / "data/model").iterdir()
    }

    dataset = pd.read_parquet(wd / "data/dataset.parquet")
    test = dataset[dataset["split"] == "test"]
    (tmp_path / "test.txt").write_text("\n".join(test["text"]) + "\n")
    predict = [
        "python",
        "-m",
        "rnnpipe.cli",
        "predict",
        "--json",
        "--file",
        str(tmp_path / "test.txt"),
    ]
    predicted = [json.loads(line)["label"] for line in run(predict, wd).stdout.splitlines()]
    assert (pd.Series(predicted).to_numpy() == test["label"].to_numpy()).mean() == pytest.approx(
        evaluation["accuracy"]
    )

    linear_files = {
        name: (wd / "data/model" / name).read_bytes()
        for name in ("linear.safetensors", "linear_ngrams.txt")
    }
    source = pd.read_csv(tmp_path / "reviews.csv")
    swapped = {-1: "great", 0: "awful", 1: "fine"}
    for row in test.index:  # the download keeps the table's row order
        source.loc[row, "review"] = (
            f"this was {swapped[source.loc[row, 'sentiment']]} film number {row}"
        )
    source.to_csv(tmp_path / "reviews.csv", index=False)
    run(["dvc", "repro"], wd)
    assert json.loads((wd / "metrics/train.json").read_text()) == summary
    assert {name: (wd / "data/model" / name).read_bytes() for name in linear_files} == linear_files
    assert json.loads((wd / "metrics/eval.json").read_text())["accuracy"] < evaluation["accuracy"]


def test_a_failing_stage_names_the_problem_and_writes_nothing(tmp_path):
    wd = make_pipeline_copy(
        tmp_path / "project",
        {"data": {"source": "table"}, "download": {"path": str(tmp_path / "missing.csv")}},
    )
    result = run(["dvc", "repro"], wd, check=False)
    assert result.returncode != 0
    # DVC refuses first: the table is a dependency, and a missing dependency stops the stage before
    # it runs.
    assert f"No such file or directory: '{tmp_path / 'missing.csv'}'" in result.stderr, (
        result.stderr
    )
    # Only the params check ran (the params are valid): no stage wrote data.
    assert not (wd / "data").exists() or [p.name for p in (wd / "data").iterdir()] == [
        "params.checked"
    ]


def test_a_rejected_param_leaves_every_output_as_it_was(reproduced_pipeline):
    """DVC deletes a stage's outputs just before running it: without the check_params stage a bad
    train.lr was found by train itself, after its model, metrics and plots were gone."""
    with restored_afterwards(reproduced_pipeline) as wd:

        def outputs():
            return {
                path.relative_to(wd).as_posix(): path.read_bytes()
                for folder in ("data", "metrics")
                for path in sorted((wd / folder).rglob("*"))
                if path.is_file() and path.name != "params.checked"
            }

        before, lock = outputs(), (wd / "dvc.lock").read_bytes()
        edit_params(wd, {"train": {"lr": float("nan")}})
        result = run(["dvc", "repro"], wd, check=False)
        assert result.returncode != 0
        assert (
            "check_params: error: params.yaml: 'train.lr' is nan; it must be a finite number"
            in result.stderr
        )
        assert "Running stage 'train'" not in result.stdout
        assert outputs() == before and (wd / "dvc.lock").read_bytes() == lock
        assert plot_problems(wd) == []  # `dvc plots show` still draws the last good run

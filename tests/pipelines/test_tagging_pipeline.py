"""The tagging pipeline (tagging/dvc.yaml) end to end through `dvc repro` on the embedded
synthetic sentences."""

import json
import re

import pandas as pd
import pytest

from conftest import (
    built_pipeline,
    edit_params,
    plot_problems,
    restored_afterwards,
    run,
)
from rnnpipe.tagging.baselines import MostFrequentTag

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tagging_run(tmp_path_factory):
    return built_pipeline(tmp_path_factory, "tagging") / "tagging"


def test_the_tagger_reads_context_and_beats_the_most_frequent_tag(tagging_run):
    dataset = pd.read_parquet(tagging_run / "data/dataset.parquet")
    part = {
        split: list(zip(rows["tokens"], rows["tags"])) for split, rows in dataset.groupby("split")
    }
    baseline = MostFrequentTag(part["train"]).accuracy(part["test"])
    evaluation = json.loads((tagging_run / "metrics/eval.json").read_text())
    assert evaluation["tokens"] == sum(
        len(tags) for _, tags in part["test"]
    )  # every test token, no padding
    assert baseline < 0.93 and evaluation["accuracy"] > baseline + 0.03, (baseline, evaluation)
    assert evaluation["baseline_accuracy"] == pytest.approx(
        baseline, abs=1e-6
    )  # evaluate reports that bar itself
    per_tag = pd.read_csv(tagging_run / "metrics/per_class.csv")
    assert set(per_tag["class"]) == {"ADJ", "ADP", "DET", "NOUN", "PRON", "PUNCT", "VERB"}
    assert "entity_f1" not in evaluation  # UPOS is no span tag set
    # train.json: the validation accuracy of always answering the most frequent training tag
    train_tags = [tag for _, tags in part["train"] for tag in tags]
    majority = max(set(train_tags), key=train_tags.count)
    validation_tags = [tag for _, tags in part["validation"] for tag in tags]
    summary = json.loads((tagging_run / "metrics/train.json").read_text())
    assert summary["majority_accuracy"] == pytest.approx(
        validation_tags.count(majority) / len(validation_tags), abs=1e-6
    )
    assert summary["at_chance"] is False and summary["val_accuracy"] > summary["majority_accuracy"]


def test_predict_tags_each_token_and_gives_every_tag_probability(tagging_run):
    result = run(
        [
            "python",
            "-m",
            "rnnpipe.cli",
            "predict",
            "they book the old train .",
            "",
            "the book paints a dog .",
        ],
        tagging_run,
    )
    assert "input 2 is empty: no label" in result.stderr
    out = result.stdout.split("\n")
    assert out[:3] == [
        "they/PRON book/VERB the/DET old/ADJ train/NOUN ./PUNCT",
        "",
        "the/DET book/NOUN paints/VERB a/DET dog/NOUN ./PUNCT",
    ]
    shown = json.loads(
        run(
            ["python", "-m", "rnnpipe.cli", "predict", "--json", "we watch a ship ."], tagging_run
        ).stdout
    )
    assert shown["tags"] == ["PRON", "VERB", "DET", "NOUN", "PUNCT"]
    assert all(abs(sum(p.values()) - 1) < 1e-4 and len(p) == 7 for p in shown["probabilities"])


def test_every_plot_draws_and_a_train_param_reruns_train_and_evaluate_only(tagging_run):
    assert plot_problems(tagging_run) == []
    assert "Running stage" not in run(["dvc", "repro", "dvc.yaml"], tagging_run).stdout
    with restored_afterwards(tagging_run.parent) as project:
        edit_params(project / "tagging", {"train": {"char_hidden": 6}})
        ran = set(
            re.findall(
                r"Running stage 'tagging/dvc.yaml:(\w+)'",
                run(["dvc", "repro", "tagging/dvc.yaml"], project).stdout,
            )
        )
        assert ran == {"check_params", "train", "evaluate"}


def write_conll_2003(folder, seed: int = 0):
    """Generated entities in CoNLL-2003's layout and scheme: eng.train / eng.testa / eng.testb,
    token and tag per line (IOB1: B- only between two entities of a type)."""
    from rnnpipe.tagging.synthetic import synthetic_entity_sentences

    folder.mkdir(parents=True)
    for name, count, unseen in (
        ("eng.train", 400, False),
        ("eng.testa", 100, False),
        ("eng.testb", 150, False),
    ):
        sentences = synthetic_entity_sentences(count, seed + len(name) + count, "IOB1", unseen)
        lines = ["-DOCSTART- O", ""]
        for tokens, tags in sentences:
            lines += [f"{t} {g}" for t, g in zip(tokens, tags)] + [""]
        (folder / name).write_text("\n".join(lines) + "\n")


def test_iob1_entities_train_as_iob2_with_a_crf_and_score_by_entity(tmp_path):
    from conftest import make_tagging_copy

    wd = make_tagging_copy(
        tmp_path / "project",
        {
            "data": {"source": "conll"},
            "download": {"path": "inputs/conll2003", "tag_column": -1},
            "train": {"crf": True, "epochs": 5, "bidirectional": True},
        },
    )
    write_conll_2003(wd / "inputs/conll2003")
    out = run(["dvc", "repro", "tagging/dvc.yaml"], wd).stdout
    assert "span tags in the IOB1 scheme, converted to IOB2" in out, out
    tg = wd / "tagging"
    report = json.loads((tg / "data/report.json").read_text())
    assert (report["span_scheme_seen"], report["span_scheme_trained"]) == ("IOB1", "IOB2")
    assert report["sentences"] == {"train": 400, "validation": 100, "test": 150}
    evaluation = json.loads((tg / "metrics/eval.json").read_text())
    assert evaluation["entity_f1"] > 0.85, evaluation
    # every entity starts with B- now (IOB1 wrote B- only between two entities of a type)
    test_tags = pd.read_parquet(tg / "data/dataset.parquet").query("split == 'test'")["tags"]
    starts = sum(tag.startswith("B-") for tags in test_tags for tag in tags)
    per_tag = pd.read_csv(tg / "metrics/per_class.csv").set_index("class")
    assert per_tag.loc[per_tag.index.str.startswith("B-"), "support"].sum() == starts > 300
    assert (per_tag.loc[per_tag.index.str.startswith("B-"), "f1"] > 0).all()
    tagged = run(
        ["rnnpipe", "predict", "--model", "data/model", "We met Anna Smith near Oslo ."], tg
    ).stdout
    assert "Anna/B-PER Smith/I-PER" in tagged and "Oslo/B-LOC" in tagged, tagged
    refused = run(
        ["rnnpipe", "export", "--model", "data/model", "--out", "export"], tg, check=False
    )
    assert refused.returncode != 0 and "CRF output layer (train.crf)" in refused.stderr

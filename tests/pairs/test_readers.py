"""Pair readers: SNLI JSON lines (and the official zip), SICK with Tai et al.'s parses, tables;
malformed input named by file and line; SNLI binary parses as SPINN transitions; the relatedness
target distribution."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from rnnpipe.core.errors import DataError, DownloadError
from rnnpipe.core.params import defaults
from rnnpipe.pairs.dataset import relatedness_distribution
from rnnpipe.pairs.download import copy_nli
from rnnpipe.pairs.params import PAIRS_SCHEMA
from rnnpipe.pairs.parse import parse_pairs, split_of_file
from rnnpipe.pairs.readers import read_nli_jsonl, read_sick, tokenize
from rnnpipe.trees.ptb import parse_unlabeled

SHARED = ROOT.parent / "shared" / "datasets"
SNLI = SHARED / "snli_1.0_sample"
SICK = SHARED / "sick"


def snli_row(label="entailment", first="A man sleeps .", second="A person rests .", **extra):
    row = {
        "gold_label": label,
        "sentence1": first,
        "sentence2": second,
        "sentence1_binary_parse": "( ( A man ) ( sleeps . ) )",
        "sentence2_binary_parse": "( ( A person ) ( rests . ) )",
    }
    return json.dumps({**row, **extra}) + "\n"


def test_binary_parses_become_spinn_transitions():
    tree = parse_unlabeled("( ( the cat ) ( sat ( on ( the mat ) ) ) )")
    assert tree.words == ["the", "cat", "sat", "on", "the", "mat"]
    # shift the, shift cat, reduce; shift sat, shift on, shift the, shift mat, reduce x3; reduce
    assert tree.transitions() == [0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1]
    # SNLI writes a word and a subtree side by side: ( to ( go packages ) )
    assert parse_unlabeled("( to ( go packages ) )").to_text() == "((to) ((go) (packages)))"
    with pytest.raises(DataError, match="left open"):
        parse_unlabeled("( ( a b )", "f, line 3")


def test_snli_lines_skip_rows_without_a_gold_label_and_name_bad_lines(tmp_path):
    path = tmp_path / "x_train.jsonl"
    path.write_text(snli_row() + snli_row("-") + snli_row("contradiction"), encoding="utf-8")
    result = read_nli_jsonl(path, "train")
    assert [p.label for p in result.pairs] == ["entailment", "contradiction"]
    assert result.skipped == 1 and result.pairs[0].premise.tokens == ["A", "man", "sleeps", "."]
    for text, message in [
        ("{not json\n", "line 2: not a JSON object"),
        (json.dumps({"gold_label": "neutral", "sentence1": "a"}) + "\n", "line 2: sentence2"),
        (snli_row(sentence1_binary_parse="( ( A man ) sleeps"), "line 2, sentence1_binary_parse"),
        (snli_row(sentence2_heads=[0, 1]), "line 2: sentence2_heads has 2 heads for 4 tokens"),
    ]:
        path.write_text(snli_row() + text, encoding="utf-8")
        with pytest.raises(DataError, match=message):
            read_nli_jsonl(path, "train")


@pytest.mark.skipif(not SNLI.is_dir(), reason="../shared/datasets/snli_1.0_sample is absent")
def test_the_official_snli_zip_is_read_as_snli_ships_it(tmp_path):
    """The real sample files packed as snli_1.0.zip packs them (snli_1.0/snli_1.0_<split>.jsonl;
    the sample's dev file stands in for the training file the sample lacks)."""
    bundle = tmp_path / "snli_1.0.zip"
    with zipfile.ZipFile(bundle, "w") as z:
        z.write(SNLI / "snli_1.0_dev.jsonl", "snli_1.0/snli_1.0_train.jsonl")
        z.write(SNLI / "snli_1.0_dev.jsonl", "snli_1.0/snli_1.0_dev.jsonl")
        z.write(SNLI / "snli_1.0_test.jsonl", "snli_1.0/snli_1.0_test.jsonl")
        z.writestr("__MACOSX/snli_1.0/._snli_1.0_dev.jsonl", "junk")
    out = tmp_path / "raw"
    out.mkdir()
    origin = copy_nli(str(bundle), "none", out, 0)
    assert origin["files"]["test"] == "snli_1.0/snli_1.0_test.jsonl"
    test = read_nli_jsonl(out / "test.jsonl", "test")
    lines = (SNLI / "snli_1.0_test.jsonl").read_text(encoding="utf-8").splitlines()
    unlabelled = sum(json.loads(line)["gold_label"] == "-" for line in lines)
    assert len(test.pairs) + test.skipped == len(lines) and test.skipped == unlabelled > 0
    assert all(
        p.premise.tree is not None and p.premise.tree.words == p.premise.tokens for p in test.pairs
    )
    with pytest.raises(DownloadError, match="no \\*_train.jsonl"):
        copy_nli(str(SNLI), "none", out, 0)


def write_sick(folder: Path, rows: int = 3, parses: bool = True) -> None:
    from rnnpipe.pairs.readers import SICK_COLUMNS, SICK_FILES, SICK_PARSES

    for split, name in SICK_FILES.items():
        lines = ["\t".join(SICK_COLUMNS)]
        for k in range(rows):
            lines.append(f"{split}{k}\tA dog runs\tA dog is not running\t{1 + k}.5\tCONTRADICTION")
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        if parses:
            sub = folder / "dependency" / SICK_PARSES[split]
            sub.mkdir(parents=True)
            files = {
                "id.txt": [f"{split}{k}" for k in range(rows)],
                "a.toks": ["A dog runs"] * rows,
                "b.toks": ["A dog is not running"] * rows,
                "a.parents": ["2 3 0"] * rows,
                "b.parents": ["2 5 5 5 0"] * rows,
                "sim.txt": [f"{1 + k}.5" for k in range(rows)],
            }
            for file, values in files.items():
                (sub / file).write_text("\n".join(values) + "\n", encoding="utf-8")


def test_sick_files_join_tai_et_als_parses_by_pair_id(tmp_path):
    write_sick(tmp_path)
    pairs = read_sick(tmp_path, "validation").pairs
    assert [p.score for p in pairs] == [1.5, 2.5, 3.5] and pairs[0].label == "contradiction"
    assert pairs[0].hypothesis.heads == [2, 5, 5, 5, 0] and pairs[0].premise.tokens == [
        "A",
        "dog",
        "runs",
    ]
    b = tmp_path / "dependency" / "test" / "b.parents"
    b.write_text("2 5 5 5 0\n2 0\n2 5 5 5 0\n", encoding="utf-8")
    with pytest.raises(DataError, match="b.parents, line 2: 2 heads for the 5 tokens"):
        read_sick(tmp_path, "test")


def test_sick_without_parses_reads_plain_tokens(tmp_path):
    write_sick(tmp_path, parses=False)
    pair = read_sick(tmp_path, "train").pairs[0]
    assert pair.hypothesis.tokens == ["A", "dog", "is", "not", "running"]
    assert pair.hypothesis.heads is None and tokenize("isn't it?") == ["is", "n't", "it", "?"]


@pytest.mark.skipif(not SICK.is_dir(), reason="../shared/datasets/sick is absent")
def test_the_real_sick_counts_and_every_parse_matches_its_tokens():
    counts = {split: len(read_sick(SICK, split).pairs) for split in ("train", "validation", "test")}
    assert counts == {"train": 4500, "validation": 500, "test": 4927}
    labels = {p.label for p in read_sick(SICK, "validation").pairs}
    assert labels == {"entailment", "neutral", "contradiction"}


def params_for(source: str, **parse) -> dict:
    params = defaults(PAIRS_SCHEMA)
    params["data"]["source"] = source
    params["parse"].update(parse)
    return params


def test_tables_split_by_column_by_file_name_or_at_random(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    table = tmp_path / "data" / "raw" / "table"
    table.mkdir(parents=True)
    sentences = {
        "sentence1": ["a b c", "d e", "f g h", "i j"] * 5,
        "sentence2": ["a b", "x y", "f", "q"] * 5,
    }
    labels = ["same", "other"] * 10
    pd.DataFrame(
        {**sentences, "label": labels, "split": ["train"] * 12 + ["dev"] * 4 + ["test"] * 4}
    ).to_csv(table / "pairs.csv", index=False)
    parse_pairs(params_for("table"))
    summary = json.loads(Path("data/parse.json").read_text())
    assert summary["pairs"] == {"train": 12, "validation": 4, "test": 4}
    assert summary["labels"] == ["other", "same"] and summary["binary_parses"] is False
    (table / "pairs.csv").unlink()
    frame = pd.DataFrame({**sentences, "label": labels})
    frame.to_csv(table / "quora.train.tsv", sep="\t", index=False)
    frame.head(6).to_csv(table / "quora.dev.tsv", sep="\t", index=False)
    frame.head(4).to_csv(table / "quora.test.tsv", sep="\t", index=False)
    parse_pairs(params_for("table"))
    assert json.loads(Path("data/parse.json").read_text())["pairs"] == {
        "train": 20,
        "validation": 6,
        "test": 4,
    }
    for name in ("quora.train.tsv", "quora.dev.tsv", "quora.test.tsv"):
        (table / name).unlink()
    frame.to_parquet(table / "pairs.parquet")
    parse_pairs(params_for("table", val_fraction=0.2, test_fraction=0.1))
    assert json.loads(Path("data/parse.json").read_text())["pairs"] == {
        "train": 14,
        "validation": 4,
        "test": 2,
    }
    assert split_of_file("stsa.binary.dev") == "validation" and split_of_file("pairs.csv") is None
    frame.assign(
        split=["train"] * 16 + ["test"] * 3 + ["dev"], label=labels[:19] + ["odd"]
    ).to_parquet(table / "pairs.parquet")
    with pytest.raises(DataError, match="row 20: label 'odd' is not among other, same"):
        parse_pairs(params_for("table"))


def test_relatedness_becomes_tai_et_als_sparse_distribution():
    target = relatedness_distribution(np.array([1.0, 4.5, 5.0, 2.2]), 1.0, 5.0)
    assert np.allclose(
        target,
        [[1, 0, 0, 0, 0], [0, 0, 0, 0.5, 0.5], [0, 0, 0, 0, 1], [0, 0.8, 0.2, 0, 0]],
    )
    assert np.allclose(target @ np.arange(1, 6), [1.0, 4.5, 5.0, 2.2])  # its mean is the score


def test_multinli_reads_as_snli_does_its_dev_sets_standing_in_for_test(tmp_path):
    """MultiNLI publishes no labelled test file: dev_matched is validation, dev_mismatched test;
    its lines have SNLI's fields."""
    folder = tmp_path / "multinli_1.0"
    folder.mkdir()
    for name in ("train", "dev_matched", "dev_mismatched"):
        (folder / f"multinli_1.0_{name}.jsonl").write_text(
            snli_row() + snli_row("neutral"), encoding="utf-8"
        )
    out = tmp_path / "raw"
    out.mkdir()
    origin = copy_nli(str(folder), "none", out, 0)
    assert origin["files"] == {
        "train": "multinli_1.0_train.jsonl",
        "dev": "multinli_1.0_dev_matched.jsonl",
        "test": "multinli_1.0_dev_mismatched.jsonl",
    }
    assert [p.label for p in read_nli_jsonl(out / "test.jsonl", "test").pairs] == [
        "entailment",
        "neutral",
    ]

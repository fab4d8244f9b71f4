"""The streaming data stages (data.stream): the same outputs whatever the batch size, and what
a batch boundary could break (a split's rows, unlabeled rows, labels, the vocabulary) intact."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from rnnpipe.core.errors import DataError
from rnnpipe.data import stream
from rnnpipe.data.ragged import left_align, pad_flat
from rnnpipe.text.datasets import assign_splits, normalise_labels
from rnnpipe.text.pad import pad_texts
from rnnpipe.text.sequences import load_padded
from rnnpipe.text.synthetic import synthetic_reviews
from rnnpipe.text.tokenize import tokenize_texts
from rnnpipe.text.tokenizer import Tokenizer
from rnnpipe.text.vocabulary import build_vocabulary

TOKENIZE = {"lowercase": True, "filters": '!"#$%&()*+,-./:;<=>?@[\\\\]^_`{|}~\\t\\n'}


def write_dataset(folder: Path, unlabeled: int = 5) -> pd.DataFrame:
    frame = synthetic_reviews(120, 60, seed=3)
    extra = pd.DataFrame(
        {"text": [f"unlabeled review number {i}" for i in range(unlabeled)], "label": None}
    )
    extra["split"] = "unsup"
    frame = assign_splits(normalise_labels(frame), 0.2, 0.1, 3)
    # unlabeled rows in the middle: batches of only unlabeled rows, and mixed ones
    frame = pd.concat([frame.iloc[:50], extra, frame.iloc[50:]], ignore_index=True)
    (folder / "data").mkdir()
    frame.to_parquet(folder / "data" / "dataset.parquet", index=False)
    return frame


def run_data_stages(folder: Path, batch_rows: int, monkeypatch, maxlen: int = 12) -> dict:
    monkeypatch.chdir(folder)
    monkeypatch.setattr(stream, "BATCH_ROWS", batch_rows)
    tokenize_texts({**TOKENIZE, "num_words": 60, "min_freq": 1})
    pad_texts({"maxlen": maxlen, "padding": "pre", "truncating": "post"})
    sets, _ = load_padded("data/padded.parquet")
    return {
        "tokens": pq.read_table("data/tokens.parquet").to_pylist(),
        "padded": pq.read_table("data/padded.parquet").to_pylist(),
        "vocab": Path("data/vocab.txt").read_text(),
        "labels": Path("data/labels.json").read_text(),
        "sets": {
            name: (s.ids.numpy().copy(), s.lengths.numpy().copy(), s.labels.numpy().copy())
            for name, s in sets.items()
        },
    }


@pytest.mark.parametrize("batch_rows", [1, 7, 64])
def test_streaming_stages_write_what_one_whole_batch_writes(tmp_path, monkeypatch, batch_rows):
    for name in ("whole", "batched"):
        (tmp_path / name).mkdir()
        write_dataset(tmp_path / name)
    whole = run_data_stages(tmp_path / "whole", 10**6, monkeypatch)
    batched = run_data_stages(tmp_path / "batched", batch_rows, monkeypatch)
    for key in ("tokens", "padded", "vocab", "labels"):
        assert batched[key] == whole[key], key
    for name in ("train", "validation", "test"):
        for got, expected in zip(batched["sets"][name], whole["sets"][name]):
            np.testing.assert_array_equal(got, expected)


def test_streamed_outputs_match_the_definitions(tmp_path, monkeypatch):
    """Independent of the stages' code paths: the vocabulary from the training texts alone, the
    ids of every labeled row in order, Keras padding, and left-aligned rows per split."""
    frame = write_dataset(tmp_path)
    out = run_data_stages(tmp_path, 7, monkeypatch)
    tokenizer = Tokenizer()
    labeled = frame[frame["split"] != "unsup"].reset_index(drop=True)
    tokens = [tokenizer.tokenize(text) for text in labeled["text"]]
    vocab = build_vocabulary(
        [t for t, split in zip(tokens, labeled["split"]) if split == "train"], 60
    )
    assert out["vocab"].splitlines() == vocab.words
    ids = [vocab.encode(t) for t in tokens]
    assert [row["ids"] for row in out["tokens"]] == ids
    assert [row["split"] for row in out["tokens"]] == list(labeled["split"])
    flat = np.concatenate([np.asarray(i, np.int64) for i in ids])
    offsets = np.concatenate([[0], np.cumsum([len(i) for i in ids])])
    padded, lengths = pad_flat(flat, offsets, 12, "pre", "post")
    assert [row["ids"] for row in out["padded"]] == padded.tolist()
    for name in ("train", "validation", "test"):
        rows = (labeled["split"] == name).to_numpy()
        expected = left_align(padded[rows], lengths[rows].astype(np.int64), "pre")
        np.testing.assert_array_equal(out["sets"][name][0], expected)
        np.testing.assert_array_equal(out["sets"][name][1], lengths[rows])


def test_a_label_unseen_in_training_is_named_once_whatever_the_batches(tmp_path, monkeypatch):
    frame = write_dataset(tmp_path)
    test_rows = frame.index[frame["split"] == "test"]
    frame.loc[test_rows[:3], "label"] = "mixed"
    frame.to_parquet(tmp_path / "data" / "dataset.parquet", index=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(stream, "BATCH_ROWS", 2)
    with pytest.raises(DataError, match=r"1 label\(s\) occur in the test split .*: mixed"):
        tokenize_texts({**TOKENIZE, "num_words": 60, "min_freq": 1})
    assert not (tmp_path / "data" / "tokens.parquet").exists()  # nothing half-written


def test_the_streamed_synthetic_download_writes_the_in_memory_rows(tmp_path, monkeypatch):
    """The same texts, labels and splits (validation drawn from the training labels as
    assign_splits draws it) as the whole-frame path, with batches far smaller than the data and
    nothing left behind but the two outputs."""
    from rnnpipe.text.download import download_synthetic

    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(stream, "BATCH_ROWS", 97)
    download_synthetic(
        {"seed": 5, "val_fraction": 0.1},
        {"synthetic_train": 900, "synthetic_test": 300, "deduplicate": False},
    )
    written = pd.read_parquet("data/dataset.parquet").astype(object)
    expected = assign_splits(normalise_labels(synthetic_reviews(900, 300, seed=5)), 0.2, 0.1, 5)
    for column in ("text", "label", "split"):
        assert written[column].tolist() == expected[column].astype(object).tolist(), column
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == [
        "dataset.parquet",
        "report.json",
    ]


def run_tagging_stages(folder: Path, batch_rows: int, monkeypatch) -> dict:
    from rnnpipe.tagging.pad import pad_tagged
    from rnnpipe.tagging.tokenize import tokenize_tagged

    monkeypatch.chdir(folder)
    monkeypatch.setattr(stream, "BATCH_ROWS", batch_rows)
    tokenize_tagged({"lowercase": True, "num_words": 40, "min_freq": 1})
    pad_tagged({"maxlen": 4})  # shorter than most sentences: cut into pieces across batches
    return {
        name: pq.read_table(f"data/{name}.parquet").to_pylist() for name in ("tokens", "padded")
    } | {name: Path(f"data/{name}").read_text() for name in ("vocab.txt", "tokenizer.json")}


@pytest.mark.parametrize("batch_rows", [1, 5])
def test_streamed_tagging_stages_write_what_one_whole_batch_writes(
    tmp_path, monkeypatch, batch_rows
):
    from rnnpipe.tagging.synthetic import synthetic_tagged

    frame = synthetic_tagged(40, 15, seed=2)
    frame.loc[frame.index[30:40], "split"] = "validation"
    for name in ("whole", "batched"):
        (tmp_path / name / "data").mkdir(parents=True)
        frame.to_parquet(tmp_path / name / "data" / "dataset.parquet", index=False)
    whole = run_tagging_stages(tmp_path / "whole", 10**6, monkeypatch)
    batched = run_tagging_stages(tmp_path / "batched", batch_rows, monkeypatch)
    assert len(whole["padded"]) > len(frame)  # sentences were cut into pieces
    assert [row["sentence"] for row in batched["padded"]] == sorted(
        row["sentence"] for row in whole["padded"]
    )
    assert batched == whole


@pytest.mark.parametrize("batch_rows", [1, 7, 10**6])
def test_the_streamed_synthetic_tagging_download_is_the_whole_frame_split(batch_rows):
    from rnnpipe.tagging.datasets import assign_sentence_splits
    from rnnpipe.tagging.synthetic import synthetic_tagged, synthetic_tagged_batches

    whole = assign_sentence_splits(synthetic_tagged(40, 15, seed=3), 0.3, 0.2, seed=3)
    streamed = pd.concat(
        list(synthetic_tagged_batches(40, 15, seed=3, val_fraction=0.2, batch_rows=batch_rows)),
        ignore_index=True,
    )
    assert set(whole["split"]) == {"train", "validation", "test"}
    pd.testing.assert_frame_equal(streamed, whole, check_dtype=False)  # str vs object


def test_the_tagging_download_refuses_an_empty_split_and_writes_nothing(tmp_path, monkeypatch):
    from rnnpipe.tagging.download import OUTPUT, REPORT, download_tagged

    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    params = {
        "data": {"source": "synthetic", "seed": 1, "val_fraction": 0.0},
        "download": {"synthetic_train": 20, "synthetic_test": 5},
    }
    with pytest.raises(DataError, match="the validation split has no sentences"):
        download_tagged(params)
    assert not Path(OUTPUT).exists() and not Path(REPORT).exists()
    params["data"]["val_fraction"] = 0.2
    download_tagged(params)
    report = json.loads(Path(REPORT).read_text())
    frame = pd.read_parquet(OUTPUT)
    assert (
        report["sentences"]
        == frame["split"].value_counts().reindex(["train", "validation", "test"]).to_dict()
    )
    assert report["tokens"]["test"] == frame.loc[frame["split"] == "test", "tokens"].map(len).sum()
    assert report["tags"] == frame["tags"].explode().nunique()

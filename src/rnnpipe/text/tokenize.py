"""The text pipeline's tokenize stage: data/dataset.parquet -> token ids, vocabulary and label map.

Outputs: data/tokens.parquet (ids: list<int32>, label: class id, split), data/vocab.txt (one word
per line, line number = id), data/labels.json (class id -> original label), data/tokenizer.json (the
normalisation settings, so `rnnpipe predict` tokenizes exactly like training did). Vocabulary and
labels come from train only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..core.atomic import atomic_path, write_json, write_text
from ..core.labels import LabelMap
from .tokenizer import Tokenizer
from .vocabulary import Vocabulary, build_vocabulary, encode_corpus, unknown_rate


def tokenize_texts(settings: dict) -> None:
    """The `tokenize` params section -> data/tokens.parquet, vocab.txt, labels.json,
    tokenizer.json."""
    frame = pd.read_parquet("data/dataset.parquet")
    frame = frame[frame["split"] != "unsup"].reset_index(
        drop=True
    )  # unlabeled text feeds only the embed stage
    tokenizer = Tokenizer(lowercase=settings["lowercase"], filters=settings["filters"])
    token_lists = [tokenizer.tokenize(text) for text in frame["text"]]

    is_train = (frame["split"] == "train").to_numpy()
    vocabulary = build_vocabulary(
        (t for t, train in zip(token_lists, is_train) if train),
        settings["num_words"],
        settings["min_freq"],
    )
    label_map = LabelMap.from_training_labels(frame.loc[is_train, "label"])
    labels = pd.Series(0, index=frame.index, dtype="int64")
    for split, rows in frame.groupby("split").groups.items():
        labels[rows] = label_map.encode(frame.loc[rows, "label"], split)

    ids, offsets = encode_corpus(token_lists, vocabulary)
    unk_rate = unknown_rate(
        vocabulary,
        ids[np.repeat(is_train, np.diff(offsets))],
        settings["num_words"],
        settings["min_freq"],
    )
    table = pa.table(
        {
            "ids": pa.ListArray.from_arrays(pa.array(offsets.astype("int32")), pa.array(ids)),
            "label": pa.array(labels.to_numpy()),
            "split": pa.array(frame["split"].to_numpy()),
        }
    )
    write_token_outputs(table, vocabulary, label_map, tokenizer.to_dict())
    print(
        f"tokenize: {len(frame)} texts, {len(ids)} tokens, vocabulary {len(vocabulary)}, "
        f"{len(label_map)} classes, unknown-token rate in train {unk_rate:.3%}"
    )


def write_token_outputs(
    table: pa.Table, vocabulary: Vocabulary, label_map: LabelMap, tokenizer_settings: dict
) -> None:
    """data/tokens.parquet, vocab.txt, labels.json and tokenizer.json, each written atomically."""
    with atomic_path("data/tokens.parquet") as tmp:
        pq.write_table(table, tmp)
    with atomic_path("data/vocab.txt") as tmp:
        vocabulary.save(tmp)
    write_text("data/labels.json", label_map.to_json())
    # Only what determines the ids: a num_words change that leaves the vocabulary as it was
    # must not make training rerun.
    write_json(
        "data/tokenizer.json",
        {**tokenizer_settings, "vocab_size": len(vocabulary), "vocab_sha256": vocabulary.sha256()},
    )

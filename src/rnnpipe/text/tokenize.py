"""The text pipeline's tokenize stage: data/dataset.parquet -> token ids, vocabulary and label map.

Outputs: data/tokens.parquet (ids: list<int32>, label: class id, split), data/vocab.txt (one word
per line, line number = id), data/labels.json (class id -> original label), data/tokenizer.json (the
normalisation settings, so `rnnpipe predict` tokenizes exactly like training did). Vocabulary and
labels come from train only.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa

from ..core.atomic import atomic_path, write_json, write_text
from ..core.labels import LabelMap
from ..data.stream import frames, parquet_batches
from .tokenizer import Tokenizer
from .vocabulary import (
    UnknownTally,
    Vocabulary,
    check_vocabulary,
    encode_corpus,
    vocabulary_from_counts,
    warn_unknown,
)

TOKENS_SCHEMA = pa.schema(
    [("ids", pa.list_(pa.int32())), ("label", pa.int64()), ("split", pa.string())]
)


def tokenize_texts(settings: dict, source: str = "data/dataset.parquet") -> None:
    """The `tokenize` params section -> data/tokens.parquet, vocab.txt, labels.json,
    tokenizer.json.

    Two streaming passes over `source` (record batches, data.stream): the first counts the
    training words and gathers each split's label values, the second writes the ids batch by
    batch. What stays in memory grows with the distinct words and labels, not with the corpus."""
    tokenizer = Tokenizer(lowercase=settings["lowercase"], filters=settings["filters"])
    counts: Counter[str] = Counter()
    split_labels: dict[str, set] = {}
    for frame in frames(source, ["text", "label", "split"]):
        frame = frame[frame["split"] != "unsup"]  # unlabeled text feeds only the embed stage
        for split, labels in frame.groupby("split")["label"]:
            split_labels.setdefault(split, set()).update(labels)
        for text in frame.loc[frame["split"] == "train", "text"]:
            counts.update(tokenizer.tokenize(text))
    vocabulary = vocabulary_from_counts(counts, settings["num_words"], settings["min_freq"])
    check_vocabulary(vocabulary, settings["num_words"], settings["min_freq"])
    del counts
    label_map = LabelMap.from_split_labels(split_labels)

    texts = tokens = 0
    unknown = UnknownTally()
    with parquet_batches("data/tokens.parquet", TOKENS_SCHEMA) as writer:
        for frame in frames(source, ["text", "label", "split"]):
            frame = frame[frame["split"] != "unsup"].reset_index(drop=True)
            ids, offsets = encode_corpus(
                [tokenizer.tokenize(text) for text in frame["text"]], vocabulary
            )
            labels = np.zeros(len(frame), dtype=np.int64)
            for split, rows in frame.groupby("split").groups.items():
                labels[rows] = label_map.encode(frame.loc[rows, "label"], split)
            unknown.add(ids, offsets, (frame["split"] == "train").to_numpy())
            texts, tokens = texts + len(frame), tokens + len(ids)
            writer.write_table(
                pa.table(
                    {
                        "ids": pa.ListArray.from_arrays(
                            pa.array(offsets.astype("int32")), pa.array(ids, pa.int32())
                        ),
                        "label": pa.array(labels),
                        "split": pa.array(frame["split"].to_numpy(), pa.string()),
                    },
                    schema=TOKENS_SCHEMA,
                )
            )
        unk_rate = warn_unknown(
            unknown.rate, vocabulary, settings["num_words"], settings["min_freq"]
        )
        write_token_outputs(vocabulary, label_map, tokenizer.to_dict())
    print(
        f"tokenize: {texts} texts, {tokens} tokens, vocabulary {len(vocabulary)}, "
        f"{len(label_map)} classes, unknown-token rate in train {unk_rate:.3%}"
    )


def write_token_outputs(
    vocabulary: Vocabulary, label_map: LabelMap, tokenizer_settings: dict
) -> None:
    """What the tokenize stage writes beside data/tokens.parquet (which it writes batch by
    batch): vocab.txt, labels.json and tokenizer.json, each atomically."""
    with atomic_path("data/vocab.txt") as tmp:
        vocabulary.save(tmp)
    write_text("data/labels.json", label_map.to_json())
    # Only what determines the ids: a num_words change that leaves the vocabulary as it was
    # must not make training rerun.
    write_json(
        "data/tokenizer.json",
        {**tokenizer_settings, "vocab_size": len(vocabulary), "vocab_sha256": vocabulary.sha256()},
    )

"""Stage 2, tokenize: data/dataset.parquet -> token ids, vocabulary and label map.

    python stages/text/tokenize_text.py      # reads params: tokenize.*

(Not named tokenize.py: a script's folder comes first on sys.path and would shadow the standard
library's `tokenize` module.)

Outputs: data/tokens.parquet (ids: list<int32>, label: class id, split), data/vocab.txt (one word
per line, line number = id), data/labels.json (class id -> original label), data/tokenizer.json
(the normalisation settings, so `rnnpipe predict` tokenizes exactly like training did).
With data.task=tag: tokens.parquet holds per sentence the word ids, the tag ids and the words as
written (for the character-level encoder); labels.json is the tag map; tokenizer.json also holds the
training words' characters.
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from rnnpipe.core.atomic import atomic_path, write_json, write_text
from rnnpipe.core.labels import LabelMap
from rnnpipe.core.stage import run_stage
from rnnpipe.tagging.characters import CharVocabulary
from rnnpipe.text.params import TEXT_SCHEMA
from rnnpipe.text.tokenizer import Tokenizer
from rnnpipe.text.vocabulary import Vocabulary, build_vocabulary, encode_corpus, unknown_rate


def main(params: dict) -> None:
    if params["data"]["task"] == "tag":
        tokenize_tagged(params["tokenize"])
    else:
        tokenize_texts(params["tokenize"])


def tokenize_tagged(settings: dict) -> None:
    """The tokens are given: no filter, no splitting; word ids (lowercased if set), the words as written (for
    the character encoder), and tag ids. Vocabulary, characters and tags come from train only."""
    frame = pd.read_parquet("data/dataset.parquet")
    tokenizer = Tokenizer(lowercase=settings["lowercase"], filters="")
    is_train = (frame["split"] == "train").to_numpy()
    words = [[tokenizer.normalise(token) for token in tokens] for tokens in frame["tokens"]]
    vocabulary = build_vocabulary((w for w, train in zip(words, is_train) if train),
                                  settings["num_words"], settings["min_freq"])
    characters = CharVocabulary.from_words(t for tokens in frame.loc[is_train, "tokens"] for t in tokens)
    tag_map = LabelMap.from_training_labels(t for tags in frame.loc[is_train, "tags"] for t in tags)
    ids, offsets = encode_corpus(words, vocabulary)
    unk_rate = unknown_rate(vocabulary, ids[np.repeat(is_train, np.diff(offsets))], settings["num_words"],
                            settings["min_freq"])
    tag_ids = np.concatenate([tag_map.encode(tags, split) for tags, split in zip(frame["tags"], frame["split"])])
    offsets32 = pa.array(offsets.astype("int32"))
    table = pa.table({
        "ids": pa.ListArray.from_arrays(offsets32, pa.array(ids)),
        "tags": pa.ListArray.from_arrays(offsets32, pa.array(tag_ids.astype("int32"))),
        "words": pa.array([list(tokens) for tokens in frame["tokens"]], type=pa.list_(pa.string())),
        "split": pa.array(frame["split"].to_numpy()),
    })
    write_outputs(table, vocabulary, tag_map,
                  {**tokenizer.to_dict(), "task": "tag", "characters": characters.characters})
    print(f"tokenize: {len(frame)} sentences, {len(ids)} tokens, vocabulary {len(vocabulary)}, "
          f"{len(characters) - 2} characters, {len(tag_map)} tags, unknown-word rate in train {unk_rate:.3%}")


def tokenize_texts(settings: dict) -> None:
    frame = pd.read_parquet("data/dataset.parquet")
    frame = frame[frame["split"] != "unsup"].reset_index(drop=True)  # unlabeled text feeds only the embed stage
    tokenizer = Tokenizer(lowercase=settings["lowercase"], filters=settings["filters"])
    token_lists = [tokenizer.tokenize(text) for text in frame["text"]]

    is_train = (frame["split"] == "train").to_numpy()
    vocabulary = build_vocabulary((t for t, train in zip(token_lists, is_train) if train),
                                  settings["num_words"], settings["min_freq"])
    label_map = LabelMap.from_training_labels(frame.loc[is_train, "label"])
    labels = pd.Series(0, index=frame.index, dtype="int64")
    for split, rows in frame.groupby("split").groups.items():
        labels[rows] = label_map.encode(frame.loc[rows, "label"], split)

    ids, offsets = encode_corpus(token_lists, vocabulary)
    unk_rate = unknown_rate(vocabulary, ids[np.repeat(is_train, np.diff(offsets))], settings["num_words"],
                            settings["min_freq"])
    table = pa.table({
        "ids": pa.ListArray.from_arrays(pa.array(offsets.astype("int32")), pa.array(ids)),
        "label": pa.array(labels.to_numpy()),
        "split": pa.array(frame["split"].to_numpy()),
    })
    write_outputs(table, vocabulary, label_map, tokenizer.to_dict())
    print(f"tokenize: {len(frame)} texts, {len(ids)} tokens, vocabulary {len(vocabulary)}, "
          f"{len(label_map)} classes, unknown-token rate in train {unk_rate:.3%}")


def write_outputs(table: pa.Table, vocabulary: Vocabulary, label_map: LabelMap, tokenizer_settings: dict) -> None:
    """data/tokens.parquet, vocab.txt, labels.json and tokenizer.json, each written atomically."""
    with atomic_path("data/tokens.parquet") as tmp:
        pq.write_table(table, tmp)
    with atomic_path("data/vocab.txt") as tmp:
        vocabulary.save(tmp)
    write_text("data/labels.json", label_map.to_json())
    # Only what determines the ids: a num_words change that leaves the vocabulary as it was
    # must not make training rerun.
    write_json("data/tokenizer.json", {**tokenizer_settings, "vocab_size": len(vocabulary),
                                       "vocab_sha256": vocabulary.sha256()})


if __name__ == "__main__":
    run_stage("tokenize", main, TEXT_SCHEMA)

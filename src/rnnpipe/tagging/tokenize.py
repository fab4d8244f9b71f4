"""The tagging pipeline's tokenize stage: the given tokens -> word ids, tag ids, vocabulary,
characters.

The tokens are given: no filter, no splitting. data/tokens.parquet holds per sentence the word ids
(lowercased if tokenize.lowercase), the tag ids and the words as written (for the character-level
encoder); labels.json is the tag map; tokenizer.json also holds the training words' characters.
Vocabulary, characters and tags come from train only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ..core.labels import LabelMap
from ..text.tokenize import write_token_outputs
from ..text.tokenizer import Tokenizer
from ..text.vocabulary import build_vocabulary, encode_corpus, unknown_rate
from .characters import CharVocabulary


def tokenize_tagged(settings: dict) -> None:
    """The `tokenize` params section -> data/tokens.parquet, vocab.txt, labels.json,
    tokenizer.json."""
    frame = pd.read_parquet("data/dataset.parquet")
    tokenizer = Tokenizer(lowercase=settings["lowercase"], filters="")
    is_train = (frame["split"] == "train").to_numpy()
    words = [[tokenizer.normalise(token) for token in tokens] for tokens in frame["tokens"]]
    vocabulary = build_vocabulary(
        (w for w, train in zip(words, is_train) if train),
        settings["num_words"],
        settings["min_freq"],
    )
    characters = CharVocabulary.from_words(
        t for tokens in frame.loc[is_train, "tokens"] for t in tokens
    )
    tag_map = LabelMap.from_training_labels(t for tags in frame.loc[is_train, "tags"] for t in tags)
    ids, offsets = encode_corpus(words, vocabulary)
    unk_rate = unknown_rate(
        vocabulary,
        ids[np.repeat(is_train, np.diff(offsets))],
        settings["num_words"],
        settings["min_freq"],
    )
    tag_ids = np.concatenate(
        [tag_map.encode(tags, split) for tags, split in zip(frame["tags"], frame["split"])]
    )
    offsets32 = pa.array(offsets.astype("int32"))
    table = pa.table(
        {
            "ids": pa.ListArray.from_arrays(offsets32, pa.array(ids)),
            "tags": pa.ListArray.from_arrays(offsets32, pa.array(tag_ids.astype("int32"))),
            "words": pa.array(
                [list(tokens) for tokens in frame["tokens"]], type=pa.list_(pa.string())
            ),
            "split": pa.array(frame["split"].to_numpy()),
        }
    )
    write_token_outputs(
        table,
        vocabulary,
        tag_map,
        {**tokenizer.to_dict(), "task": "tag", "characters": characters.characters},
    )
    print(
        f"tokenize: {len(frame)} sentences, {len(ids)} tokens, vocabulary {len(vocabulary)}, "
        f"{len(characters) - 2} characters, {len(tag_map)} tags, unknown-word rate in train "
        f"{unk_rate:.3%}"
    )

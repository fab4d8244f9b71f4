"""The linear text classifier: TF-IDF of word 1-2 grams + logistic regression, C chosen on validation.

Two uses, one model: the baseline every text evaluation prints beside the RNN (a user must be told when
a linear model beats their RNN), and the linear member of the RNN + linear ensemble (train.ensemble_linear),
the classic recipe of Mesnil et al. 2014. It reads whole texts (no pad.maxlen cut), tokenized by the
pipeline's own tokenizer. Stored as plain arrays + the n-gram list (never a pickle): loading runs no code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from scipy.special import expit, softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from ..core.errors import ModelFileError
from ..core.hashing import sha256_of_file
from .tokenizer import Tokenizer

WEIGHTS_FILE, NGRAMS_FILE = "linear.safetensors", "linear_ngrams.txt"

NGRAM_MAX = 2
MIN_DF = 2           # n-grams seen in one training text only are noise (and most of the features)
C_VALUES = (0.5, 2.0, 8.0, 32.0)  # inverse regularisation tried on validation: small data likes small C
MAX_ITER = 2000


@dataclass
class LinearTextModel:
    """TF-IDF (sublinear tf, l2-normalised rows) -> logistic regression over class ids 0..K-1."""

    tokenizer: Tokenizer
    ngrams: list[str]      # feature columns, in order
    idf: np.ndarray        # [features]
    coef: np.ndarray       # [1 (two classes) or K, features]
    intercept: np.ndarray  # [1 or K]
    c: float
    classes: int

    def features(self, texts: list[str]):
        vectorizer = _vectorizer(self.tokenizer, vocabulary={g: i for i, g in enumerate(self.ngrams)})
        vectorizer.idf_ = self.idf
        return vectorizer.transform(texts)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """[n, classes] probabilities, exactly what the fitted logistic regression gives."""
        scores = np.asarray(self.features(texts) @ self.coef.T.astype(np.float64)) + self.intercept
        if self.coef.shape[0] == 1:
            positive = expit(scores[:, 0])
            return np.stack([1.0 - positive, positive], axis=1)
        return softmax(scores, axis=1)


def _vectorizer(tokenizer: Tokenizer, vocabulary=None) -> TfidfVectorizer:
    return TfidfVectorizer(tokenizer=tokenizer.tokenize, lowercase=False, token_pattern=None,
                           ngram_range=(1, NGRAM_MAX), min_df=1 if vocabulary else MIN_DF, sublinear_tf=True,
                           vocabulary=vocabulary, dtype=np.float64)


def fit_linear(tokenizer: Tokenizer, train_texts: list[str], train_labels: np.ndarray, val_texts: list[str],
               val_labels: np.ndarray, classes: int) -> tuple[LinearTextModel, np.ndarray]:
    """The model fitted on train with the C of best validation log loss, and its validation probabilities.

    Labels are class ids 0..classes-1 (every class occurs in train: the label map is built from it)."""
    vectorizer = _vectorizer(tokenizer)
    try:
        x_train = vectorizer.fit_transform(train_texts)
    except ValueError:  # every n-gram below MIN_DF (a handful of tiny texts): keep them all
        vectorizer = _vectorizer(tokenizer)
        vectorizer.min_df = 1
        x_train = vectorizer.fit_transform(train_texts)
    x_val = vectorizer.transform(val_texts)
    best = None
    for c in C_VALUES:
        fitted = LogisticRegression(C=c, max_iter=MAX_ITER).fit(x_train, train_labels)
        proba = _all_classes(fitted.predict_proba(x_val), fitted.classes_, classes)
        loss = log_loss(val_labels, proba)
        if best is None or loss < best[0]:
            best = (loss, c, fitted, proba)
    _, c, fitted, val_proba = best
    ngrams = [None] * len(vectorizer.vocabulary_)
    for gram, column in vectorizer.vocabulary_.items():
        ngrams[column] = gram
    model = LinearTextModel(tokenizer, ngrams, vectorizer.idf_.astype(np.float64), np.ascontiguousarray(fitted.coef_, dtype=np.float32),
                            np.ascontiguousarray(fitted.intercept_, dtype=np.float64), c, classes)
    return model, val_proba


def _all_classes(proba: np.ndarray, present: np.ndarray, classes: int) -> np.ndarray:
    full = np.zeros((len(proba), classes))
    full[:, present] = proba
    return full


def log_loss(labels: np.ndarray, proba: np.ndarray) -> float:
    """Mean negative log-likelihood of the true classes (probabilities clipped at 1e-7)."""
    if len(labels) == 0:
        return 0.0
    return float(-np.log(np.clip(proba[np.arange(len(labels)), labels], 1e-7, 1.0)).mean())


WEIGHT_GRID = np.round(np.linspace(0.0, 1.0, 21), 2)


def ensemble_weight(labels: np.ndarray, rnn_proba: np.ndarray, linear_proba: np.ndarray) -> float:
    """The linear member's weight w in (1 - w) * RNN + w * linear, the grid point of lowest validation
    log loss (ties: the smaller w). Log loss, not accuracy: on a few hundred validation texts accuracy
    moves in steps of whole texts and many weights tie."""
    losses = [log_loss(labels, (1 - w) * rnn_proba + w * linear_proba) for w in WEIGHT_GRID]
    return float(WEIGHT_GRID[int(np.argmin(losses))])


def save_linear(model: LinearTextModel, folder: str | Path, weight: float) -> dict:
    """Write the member's arrays and n-grams into a model folder; the facts (and the files' hashes) model.json
    records under "linear", so loading refuses an altered or mixed-up file."""
    folder = Path(folder)
    save_file({"idf": torch.from_numpy(model.idf), "coef": torch.from_numpy(model.coef),
               "intercept": torch.from_numpy(model.intercept)}, folder / WEIGHTS_FILE)
    # n-grams are whitespace-split tokens joined by one space: never a newline inside one.
    (folder / NGRAMS_FILE).write_text("\n".join(model.ngrams) + "\n", encoding="utf-8")
    return {"weight": weight, "C": model.c, "classes": model.classes, "features": len(model.ngrams),
            "sha256": sha256_of_file(folder / WEIGHTS_FILE), "ngrams_sha256": sha256_of_file(folder / NGRAMS_FILE)}


def load_linear(folder: str | Path, recorded: dict, tokenizer: Tokenizer) -> LinearTextModel:
    """The linear member `save_linear` wrote, checked against model.json's record of it."""
    folder = Path(folder)
    weights, ngrams_path = folder / WEIGHTS_FILE, folder / NGRAMS_FILE
    for path, key in ((weights, "sha256"), (ngrams_path, "ngrams_sha256")):
        if not path.is_file():
            raise ModelFileError(f"{path}: missing; model.json names a linear ensemble member stored there.")
        if sha256_of_file(path) != recorded[key]:
            raise ModelFileError(f"{path} is not the file model.json was written with (hash differs); the model "
                                 f"folder has been altered or mixed up.")
    try:
        arrays = {k: v.numpy() for k, v in load_file(weights).items()}
    except (SafetensorError, OSError) as exc:
        raise ModelFileError(f"{weights}: not a valid safetensors file ({exc}).") from None
    ngrams = ngrams_path.read_text(encoding="utf-8").splitlines()
    if len(ngrams) != arrays["coef"].shape[1] or len(ngrams) != recorded["features"]:
        raise ModelFileError(f"{ngrams_path}: {len(ngrams)} n-grams for {arrays['coef'].shape[1]} weights per class.")
    return LinearTextModel(tokenizer, ngrams, arrays["idf"], arrays["coef"], arrays["intercept"],
                           float(recorded["C"]), int(recorded["classes"]))

"""Linear text classifiers on whole texts (no pad.maxlen cut), tokenized by the pipeline's own
tokenizer.

- `tfidf`: TF-IDF of word 1-2 grams + logistic regression, C chosen on validation: the baseline
every text
  evaluation prints beside the RNN (a user must be told when a linear model beats their RNN).
- `nb`: NB-weighted logistic regression on binary word 1-3 grams (the NBSVM of Wang & Manning 2012
with a
  logistic loss; one-vs-rest beyond two classes): the linear member of the RNN + linear ensemble
  (train.ensemble_linear), the recipe of Mesnil et al. 2014. On IMDB's splits it is the stronger of
  the
  two alone (91.59% vs 90.85% test, C chosen on validation: `benchmarks/linear_baseline.py --kind`);
  in
  the mix of `experiments/imdb.sh mix`, 91.92%.
Stored as plain arrays + the n-gram list (never a pickle): loading runs no code. Either kind scores
a text as binary or TF-IDF features times one weight vector per class, so one class serves both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from scipy.special import expit, softmax
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from ..core.errors import ModelFileError
from ..core.hashing import sha256_of_file
from ..core.mixing import WEIGHT_GRID, log_loss, member_weight  # noqa: F401 (log_loss: re-exported)
from .tokenizer import Tokenizer

WEIGHTS_FILE, NGRAMS_FILE = "linear.safetensors", "linear_ngrams.txt"

NGRAM_MAX = {"tfidf": 2, "nb": 3}
MIN_DF = 2  # n-grams seen in one training text only are noise (and most of the features)
C_VALUES = {
    "tfidf": (0.5, 2.0, 8.0, 32.0),
    "nb": (0.1, 0.5, 2.0),
}  # tried on validation; small data likes small C
NB_SMOOTHING = 1.0  # the alpha added to each n-gram's count per class in the log-count ratio
MAX_ITER = 2000


@dataclass
class LinearTextModel:
    """Features (`tfidf`: sublinear tf x idf, l2-normalised rows; `nb`: 0/1 presence) -> one
    weight vector per class (one for two classes), over class ids 0..K-1."""

    tokenizer: Tokenizer
    ngrams: list[str]  # feature columns, in order
    idf: np.ndarray  # [features] (tfidf; empty for nb)
    coef: np.ndarray  # [1 (two classes) or K, features]; nb: the NB ratios already folded in
    intercept: np.ndarray  # [1 or K]
    c: float
    classes: int
    kind: str = "tfidf"

    def features(self, texts: list[str]):
        vectorizer = _vectorizer(
            self.kind, self.tokenizer, vocabulary={g: i for i, g in enumerate(self.ngrams)}
        )
        if self.kind == "tfidf":
            vectorizer.idf_ = self.idf
        return vectorizer.transform(texts)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """[n, classes] probabilities, exactly what the fitted logistic regression(s) give."""
        scores = np.asarray(self.features(texts) @ self.coef.T.astype(np.float64)) + self.intercept
        return _probabilities(scores, self.kind)


def _probabilities(scores: np.ndarray, kind: str) -> np.ndarray:
    if scores.shape[1] == 1:
        positive = expit(scores[:, 0])
        return np.stack([1.0 - positive, positive], axis=1)
    if kind == "nb":  # one-vs-rest: each class's own probability, normalised
        each = expit(scores)
        return each / each.sum(axis=1, keepdims=True)
    return softmax(scores, axis=1)


def _vectorizer(kind: str, tokenizer: Tokenizer, vocabulary=None):
    common = dict(
        tokenizer=tokenizer.tokenize,
        lowercase=False,
        token_pattern=None,
        ngram_range=(1, NGRAM_MAX[kind]),
        min_df=1 if vocabulary else MIN_DF,
        vocabulary=vocabulary,
        dtype=np.float64,
    )
    if kind == "nb":
        return CountVectorizer(binary=True, **common)
    return TfidfVectorizer(sublinear_tf=True, **common)


def _fit_features(kind: str, tokenizer: Tokenizer, texts: list[str]):
    vectorizer = _vectorizer(kind, tokenizer)
    try:
        return vectorizer, vectorizer.fit_transform(texts)
    except ValueError:  # every n-gram below MIN_DF (a handful of tiny texts): keep them all
        vectorizer.min_df = 1
        return vectorizer, vectorizer.fit_transform(texts)


def fit_linear(
    tokenizer: Tokenizer,
    train_texts: list[str],
    train_labels: np.ndarray,
    val_texts: list[str],
    val_labels: np.ndarray,
    classes: int,
    kind: str = "tfidf",
    select: Callable[[np.ndarray], float] | None = None,
) -> tuple[LinearTextModel, np.ndarray]:
    """The model fitted on train with the C of lowest `select(validation probabilities)` (default:
    the model's own validation log loss; an ensemble member passes mixed_log_loss), and its
    validation probabilities.

    Labels are class ids 0..classes-1 (every class occurs in train: the label map is built from it).
    """
    vectorizer, x_train = _fit_features(kind, tokenizer, train_texts)
    x_val = vectorizer.transform(val_texts)
    ratios = nb_ratios(x_train, train_labels, classes) if kind == "nb" else None
    best = None
    for c in C_VALUES[kind]:
        weights, intercept = (
            _fit_nb(x_train, train_labels, ratios, c)
            if kind == "nb"
            else _fit_multinomial(x_train, train_labels, classes, c)
        )
        proba = _probabilities(np.asarray(x_val @ weights.T) + intercept, kind)
        loss = select(proba) if select is not None else log_loss(val_labels, proba)
        if best is None or loss < best[0]:
            best = (loss, c, weights, intercept, proba)
    _, c, weights, intercept, val_proba = best
    ngrams = vectorizer.get_feature_names_out().tolist()  # in column order
    idf = vectorizer.idf_.astype(np.float64) if kind == "tfidf" else np.zeros(0)
    model = LinearTextModel(
        tokenizer,
        ngrams,
        idf,
        np.ascontiguousarray(weights, dtype=np.float32),
        np.ascontiguousarray(intercept, dtype=np.float64),
        c,
        classes,
        kind,
    )
    return model, val_proba


def _fit_multinomial(
    x, labels: np.ndarray, classes: int, c: float
) -> tuple[np.ndarray, np.ndarray]:
    fitted = LogisticRegression(C=c, max_iter=MAX_ITER).fit(x, labels)
    if (
        classes > 2 and len(fitted.classes_) != classes
    ):  # cannot happen with the label map; kept honest
        raise ValueError("a class is missing from the training texts")
    return fitted.coef_, fitted.intercept_


def nb_ratios(x, labels: np.ndarray, classes: int) -> np.ndarray:
    """[1 or K, features] log-count ratios r = log((p / |p|1) / (q / |q|1)) of 0/1 n-gram
    presence, p in the class and q in the rest (with NB_SMOOTHING): how much an n-gram's presence
    says about the class."""
    targets = [1] if classes == 2 else range(classes)
    rows = []
    for k in targets:
        inside = labels == k
        p = np.asarray(x[inside].sum(axis=0)).ravel() + NB_SMOOTHING
        q = np.asarray(x[~inside].sum(axis=0)).ravel() + NB_SMOOTHING
        rows.append(np.log((p / p.sum()) / (q / q.sum())))
    return np.stack(rows)


def _fit_nb(x, labels: np.ndarray, ratios: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
    """One logistic regression per ratio row on the NB-scaled features; returns the weights with
    the ratios folded in (score = x . (r * w) + b), so prediction needs only x."""
    targets = [1] if len(ratios) == 1 else range(len(ratios))
    weights, intercepts = [], []
    for row, k in zip(ratios, targets):
        fitted = LogisticRegression(C=c, max_iter=MAX_ITER).fit(
            x.multiply(row).tocsr(), (labels == k).astype(int)
        )
        weights.append(fitted.coef_[0] * row)
        intercepts.append(fitted.intercept_[0])
    return np.stack(weights), np.array(intercepts)


def ensemble_weight(labels: np.ndarray, rnn_proba: np.ndarray, linear_proba: np.ndarray) -> float:
    """The linear member's weight (core.mixing.member_weight)."""
    return member_weight(labels, rnn_proba, linear_proba)


def mixed_log_loss(labels: np.ndarray, rnn_proba: np.ndarray) -> Callable[[np.ndarray], float]:
    """For a member's C: the validation log loss of its best mix with the RNN (over WEIGHT_GRID).
    The member's own log loss picks the C that is best alone; on IMDB that was C 0.1 (mix 0.1946
    validation log loss, 92.08% accuracy) where C 2.0 mixes better (0.1904, 92.72%): a
    stronger-regularised member overlaps the RNN more."""
    return lambda proba: min(log_loss(labels, (1 - w) * rnn_proba + w * proba) for w in WEIGHT_GRID)


def save_linear(model: LinearTextModel, folder: str | Path, weight: float) -> dict:
    """Write the member's arrays and n-grams into a model folder; the facts (and the files'
    hashes) model.json records under "linear", so loading refuses an altered or mixed-up file."""
    folder = Path(folder)
    save_file(
        {
            "idf": torch.from_numpy(model.idf),
            "coef": torch.from_numpy(model.coef),
            "intercept": torch.from_numpy(model.intercept),
        },
        folder / WEIGHTS_FILE,
    )
    # n-grams are whitespace-split tokens joined by one space: never a newline inside one.
    (folder / NGRAMS_FILE).write_text("\n".join(model.ngrams) + "\n", encoding="utf-8")
    return {
        "weight": weight,
        "kind": model.kind,
        "C": model.c,
        "classes": model.classes,
        "features": len(model.ngrams),
        "sha256": sha256_of_file(folder / WEIGHTS_FILE),
        "ngrams_sha256": sha256_of_file(folder / NGRAMS_FILE),
    }


def load_linear(folder: str | Path, recorded: dict, tokenizer: Tokenizer) -> LinearTextModel:
    """The linear member `save_linear` wrote, checked against model.json's record of it."""
    folder = Path(folder)
    weights, ngrams_path = folder / WEIGHTS_FILE, folder / NGRAMS_FILE
    for path, key in ((weights, "sha256"), (ngrams_path, "ngrams_sha256")):
        if not path.is_file():
            raise ModelFileError(
                f"{path}: missing; model.json names a linear ensemble member stored there."
            )
        if sha256_of_file(path) != recorded[key]:
            raise ModelFileError(
                f"{path} is not the file model.json was written with (hash differs); the model "
                f"folder has been altered or mixed up."
            )
    try:
        arrays = {k: v.numpy() for k, v in load_file(weights).items()}
    except (SafetensorError, OSError) as exc:
        raise ModelFileError(f"{weights}: not a valid safetensors file ({exc}).") from None
    ngrams = ngrams_path.read_text(encoding="utf-8").splitlines()
    if len(ngrams) != arrays["coef"].shape[1] or len(ngrams) != recorded["features"]:
        raise ModelFileError(
            f"{ngrams_path}: {len(ngrams)} n-grams for {arrays['coef'].shape[1]} weights per class."
        )
    return LinearTextModel(
        tokenizer,
        ngrams,
        arrays["idf"],
        arrays["coef"],
        arrays["intercept"],
        float(recorded["C"]),
        int(recorded["classes"]),
        recorded.get("kind", "tfidf"),
    )

"""The linear models beside (and mixed into) every pair model, fitted on the training pairs:

- `lexical`: a linear model (logistic regression for labels, ridge for scores) on TF-IDF word
  uni- and bigrams of each sentence, of the words they share, and a few overlap features (the
  share of hypothesis words absent from the premise, word-set Jaccard, TF-IDF cosine, lengths,
  negation words in each and in exactly one) - what the feature-based SemEval-2014 systems build
  on. It is also the member train.mix_lexical mixes into the model, its weight chosen on
  validation, so a pair model is never worse on validation than this baseline.
- `hypothesis_only`: the same learner on the hypothesis's TF-IDF alone, never seeing the premise
  (Gururangan et al. 2018, Poliak et al. 2018). Well above chance, it measures annotation
  artifacts: how much of the labels the hypothesis gives away by itself.

The TF-IDF is computed here (not scikit-learn's vectorizer) so that a fitted model is a handful of
arrays (`arrays()` / `from_arrays()`) that the model folder stores and `rnnpipe predict` reloads to
the same numbers.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression, Ridge

NEGATIONS = {"no", "not", "n't", "never", "nobody", "none", "nothing", "nowhere", "neither", "nor"}


def ngrams(tokens) -> list[str]:
    """Words and word bigrams."""
    tokens = list(tokens)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


class Ngrams:
    """TF-IDF of word uni- and bigrams: sublinear term frequency (1 + log count), smoothed idf
    (log((1 + n) / (1 + df)) + 1), rows scaled to unit length."""

    def __init__(self, terms: list[str] | None = None, idf: np.ndarray | None = None):
        self.terms = list(terms or [])
        self.index = {term: i for i, term in enumerate(self.terms)}
        self.idf = np.asarray(idf if idf is not None else [], dtype=np.float64)

    def fit(self, documents) -> Ngrams:
        frequency: Counter[str] = Counter()
        count = 0
        for tokens in documents:
            frequency.update(set(ngrams(tokens)))
            count += 1
        self.terms = sorted(frequency)
        self.index = {term: i for i, term in enumerate(self.terms)}
        df = np.array([frequency[t] for t in self.terms], dtype=np.float64)
        self.idf = np.log((1 + count) / (1 + df)) + 1
        return self

    def transform(self, documents) -> sp.csr_matrix:
        rows, columns, values = [], [], []
        for row, tokens in enumerate(documents):
            counts = Counter(self.index[g] for g in ngrams(tokens) if g in self.index)
            if not counts:
                continue
            ids = np.fromiter(counts.keys(), dtype=np.int64)
            weights = (1 + np.log(np.fromiter(counts.values(), dtype=np.float64))) * self.idf[ids]
            weights /= np.sqrt((weights * weights).sum())
            rows += [row] * len(ids)
            columns += ids.tolist()
            values += weights.tolist()
        return sp.csr_matrix(
            (values, (rows, columns)), shape=(len(documents), len(self.terms)), dtype=np.float64
        )


def overlap_features(premises, hypotheses, p_tfidf, h_tfidf) -> np.ndarray:
    rows = []
    cosine = np.asarray(p_tfidf.multiply(h_tfidf).sum(axis=1)).ravel()
    for p, h, cos in zip(premises, hypotheses, cosine):
        ps, hs = set(p), set(h)
        neg_p, neg_h = bool(ps & NEGATIONS), bool(hs & NEGATIONS)
        rows.append(
            [
                len(hs - ps) / max(len(hs), 1),
                len(ps & hs) / max(len(ps | hs), 1),
                cos,
                np.log1p(len(p)),
                np.log1p(len(h)),
                neg_p,
                neg_h,
                neg_p != neg_h,
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(-1, 8)


class PairBaseline:
    """`fit(premises, hypotheses, y)` then `predict(premises, hypotheses)`: probabilities
    [pairs, labels] (target label) or scores [pairs] (target score); `kind` lexical |
    hypothesis_only. Premises and hypotheses are token lists."""

    def __init__(self, kind: str, target: str, c: float, seed: int = 0):
        self.kind, self.target, self.c, self.seed = kind, target, c, seed
        self.words = Ngrams()
        self.coef = np.zeros((0, 0))
        self.intercept = np.zeros(0)

    def features(self, premises, hypotheses) -> sp.csr_matrix:
        h = self.words.transform(hypotheses)
        if self.kind == "hypothesis_only":
            return h
        p = self.words.transform(premises)
        dense = overlap_features(premises, hypotheses, p, h)
        return sp.hstack([p, h, p.multiply(h), sp.csr_matrix(dense)]).tocsr()

    def fit(self, premises, hypotheses, y) -> PairBaseline:
        self.words.fit(list(premises) + list(hypotheses))
        x = self.features(premises, hypotheses)
        if self.target == "label":
            learner = LogisticRegression(C=self.c, max_iter=3000, random_state=self.seed)
            learner.fit(x, y)
            if len(learner.classes_) != int(np.max(y)) + 1:
                raise ValueError("every label id from 0 up must occur in the training pairs")
        else:
            learner = Ridge(alpha=1.0 / self.c).fit(x, y)
        self.coef = np.atleast_2d(learner.coef_).astype(np.float64)
        self.intercept = np.atleast_1d(learner.intercept_).astype(np.float64)
        return self

    def predict(self, premises, hypotheses) -> np.ndarray:
        decision = self.features(premises, hypotheses) @ self.coef.T + self.intercept
        if self.target == "score":
            return decision[:, 0]
        if decision.shape[1] == 1:  # two labels: the second's log-odds
            positive = 1 / (1 + np.exp(-decision[:, 0]))
            return np.stack([1 - positive, positive], axis=1)
        decision -= decision.max(axis=1, keepdims=True)
        e = np.exp(decision)
        return e / e.sum(axis=1, keepdims=True)

    def arrays(self) -> dict[str, np.ndarray]:
        """What the model folder stores (lexical.npz)."""
        return {
            "terms": np.asarray(self.words.terms, dtype=str),
            "idf": self.words.idf,
            "coef": self.coef,
            "intercept": self.intercept,
        }

    @classmethod
    def from_arrays(cls, kind: str, target: str, arrays) -> PairBaseline:
        baseline = cls(kind, target, 1.0)
        baseline.words = Ngrams(arrays["terms"].tolist(), arrays["idf"])
        baseline.coef, baseline.intercept = arrays["coef"], arrays["intercept"]
        return baseline

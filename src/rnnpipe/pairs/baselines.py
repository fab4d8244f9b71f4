"""The baselines beside every pair evaluation, fitted on the training pairs:

- `lexical`: a linear model (logistic regression for labels, ridge for scores) on TF-IDF word
  uni- and bigrams of each sentence, of the words they share, and a few overlap features (the
  share of hypothesis words absent from the premise, word-set Jaccard, TF-IDF cosine, lengths,
  negation words in each and in exactly one) - what the feature-based SemEval-2014 systems build
  on.
- `hypothesis_only`: the same learner on the hypothesis's TF-IDF alone, never seeing the premise
  (Gururangan et al. 2018, Poliak et al. 2018). Well above chance, it measures annotation
  artifacts: how much of the labels the hypothesis gives away by itself.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge

NEGATIONS = {"no", "not", "n't", "never", "nobody", "none", "nothing", "nowhere", "neither", "nor"}


def _vectorizer() -> TfidfVectorizer:
    # the tokens are already split: identity analysis keeps them as they are
    return TfidfVectorizer(
        analyzer=lambda tokens: list(tokens) + [" ".join(b) for b in zip(tokens, tokens[1:])],
        sublinear_tf=True,
        min_df=1,
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
    return np.asarray(rows, dtype=np.float64)


class PairBaseline:
    """`fit(premises, hypotheses, y)` then `predict(premises, hypotheses)`: probabilities
    [pairs, labels] (classification) or scores [pairs]; `kind` lexical | hypothesis_only."""

    def __init__(self, kind: str, target: str, c: float, seed: int = 0):
        self.kind, self.target = kind, target
        self.words = _vectorizer()
        if target == "label":
            self.learner = LogisticRegression(C=c, max_iter=3000, random_state=seed)
        else:
            self.learner = Ridge(alpha=1.0 / c)

    def _features(self, premises, hypotheses, fit: bool = False):
        if fit:
            self.words.fit(list(premises) + list(hypotheses))
        h = self.words.transform(hypotheses)
        if self.kind == "hypothesis_only":
            return h
        p = self.words.transform(premises)
        dense = overlap_features(premises, hypotheses, p, h)
        return sp.hstack([p, h, p.multiply(h), sp.csr_matrix(dense)]).tocsr()

    def fit(self, premises, hypotheses, y) -> PairBaseline:
        self.learner.fit(self._features(premises, hypotheses, fit=True), y)
        return self

    def predict(self, premises, hypotheses) -> np.ndarray:
        x = self._features(premises, hypotheses)
        if self.target == "label":
            return self.learner.predict_proba(x)
        return self.learner.predict(x)

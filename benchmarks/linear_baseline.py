"""Bag-of-words baseline: TF-IDF (1-2 grams) + logistic regression on the pipeline's own splits.

    python benchmarks/linear_baseline.py                    # reads data/dataset.parquet (after `dvc
    repro download`)
    python benchmarks/linear_baseline.py --ngram-max 1      # unigrams only
    python benchmarks/linear_baseline.py --kind nb          # the ensemble's member
    (rnnpipe.text.linear, kind nb)

Trains on `train`, picks C on `validation`, reports test accuracy and wall time, so every results
table has the linear baseline measured on exactly the same rows as the RNN.
"""

from __future__ import annotations

import argparse
import json
import time

import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score

from rnnpipe.text.linear import fit_linear
from rnnpipe.text.tokenizer import Tokenizer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", default="data/dataset.parquet", help="the download stage's output"
    )
    parser.add_argument(
        "--ngram-max", type=int, default=2, help="largest n-gram (1: unigrams, 2: +bigrams)"
    )
    parser.add_argument(
        "--min-df", type=int, default=2, help="ignore n-grams in fewer documents than this"
    )
    parser.add_argument(
        "--c-values", default="1,4,16", help="inverse regularisation strengths tried on validation"
    )
    parser.add_argument(
        "--kind",
        choices=("tfidf", "nb"),
        default=None,
        help="instead: the library's linear model of this kind, exactly as the pipeline fits it "
        "(C chosen on validation log loss)",
    )
    args = parser.parse_args()
    if args.kind:
        library_model(args)
        return

    started = time.perf_counter()
    frame = pd.read_parquet(args.data)
    tokenizer = Tokenizer()
    vectorizer = TfidfVectorizer(
        tokenizer=tokenizer.tokenize,
        lowercase=False,
        token_pattern=None,
        ngram_range=(1, args.ngram_max),
        min_df=args.min_df,
        sublinear_tf=True,
    )
    parts = {s: frame[frame["split"] == s] for s in ("train", "validation", "test")}
    x_train = vectorizer.fit_transform(parts["train"]["text"])
    x_val, x_test = (vectorizer.transform(parts[s]["text"]) for s in ("validation", "test"))
    best = None
    for c in (float(v) for v in args.c_values.split(",")):
        model = LogisticRegression(C=c, max_iter=2000).fit(x_train, parts["train"]["label"])
        val = accuracy_score(parts["validation"]["label"], model.predict(x_val))
        if best is None or val > best[0]:
            best = (val, c, model)
    val_acc, c, model = best
    test_acc = accuracy_score(parts["test"]["label"], model.predict(x_test))
    print(
        json.dumps(
            {
                "model": f"tfidf-1-{args.ngram_max}gram+logreg",
                "C": c,
                "val_accuracy": round(val_acc, 4),
                "test_accuracy": round(test_acc, 4),
                "features": x_train.shape[1],
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


def library_model(args) -> None:
    """rnnpipe.text.linear's model of `args.kind`, fitted as the train / evaluate stages fit it."""
    started = time.perf_counter()
    frame = pd.read_parquet(args.data)
    parts = {s: frame[frame["split"] == s] for s in ("train", "validation", "test")}
    classes = sorted(parts["train"]["label"].unique())
    ids = {
        s: parts[s]["label"].map({c: i for i, c in enumerate(classes)}).to_numpy() for s in parts
    }
    model, val_proba = fit_linear(
        Tokenizer(),
        parts["train"]["text"].tolist(),
        ids["train"],
        parts["validation"]["text"].tolist(),
        ids["validation"],
        len(classes),
        kind=args.kind,
    )
    test_acc = float(
        (model.predict_proba(parts["test"]["text"].tolist()).argmax(1) == ids["test"]).mean()
    )
    print(
        json.dumps(
            {
                "model": f"rnnpipe.text.linear kind={args.kind}",
                "C": model.c,
                "val_accuracy": round(float((val_proba.argmax(1) == ids["validation"]).mean()), 4),
                "test_accuracy": round(test_acc, 4),
                "features": len(model.ngrams),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


if __name__ == "__main__":
    main()

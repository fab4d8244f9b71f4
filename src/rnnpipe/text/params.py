"""The text-classification pipeline's params schema (params.yaml at the repository root,
dvc.yaml)."""

from __future__ import annotations

from ..core.params import (
    BUCKET_BATCHES,
    CELLS,
    EVALUATION_RULES,
    MIN_RATE_RULE,
    RECURRENT_RULES,
    SHA256_RULE,
    TRAINING_RULES,
    Rule,
    Schema,
    fraction,
    glove_package_dim,
    one_of,
    seed_rule,
    with_defaults,
)
from .tokenizer import KERAS_FILTERS_ESCAPED

IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"

TEXT_SCHEMA = Schema(
    {
        "data": {
            "source": one_of(
                ("synthetic", "imdb", "table"),
                "synthetic",
                "synthetic (embedded default) | imdb | table",
            ),
            "val_fraction": fraction(
                0.1,
                "share of train carved out as validation (seeded, stratified): early "
                "stopping and model selection",
            ),
            "seed": seed_rule("seed of the synthetic data and of the splits"),
        },
        "download": {
            "url": Rule(
                str,
                IMDB_URL,
                "imdb: URL, local path or file:// URL of aclImdb_v1.tar.gz",
                nonempty=True,
            ),
            "sha256": SHA256_RULE,
            "min_rate": MIN_RATE_RULE,
            "path": Rule(
                str,
                "inputs/text",
                "table: your file, folder or .zip / .tar.gz (CSV, TSV, Parquet, JSONL, "
                "label<TAB>text or fastText lines, train/dev/test files, one file per label, "
                "<split>/<label>/*.txt); a dependency of download, so an edit reruns it",
                nonempty=True,
            ),
            "text_column": Rule(str, "text", "table: the column holding the text", nonempty=True),
            "label_column": Rule(
                str,
                "label",
                "table: the column holding the label (any values: -1/0/1, pos/neg, ...)",
                nonempty=True,
            ),
            "split_column": Rule(
                str,
                "split",
                "table: optional column with train / test (/ validation); absent: test "
                "is carved out",
            ),
            "test_fraction": fraction(
                0.2, "table: test share when the table has no split column (stratified, seeded)"
            ),
            "encoding": Rule(
                str,
                "utf-8",
                "table: text encoding; undecodable bytes become U+FFFD and are counted",
                nonempty=True,
            ),
            "blank_texts": one_of(
                ("drop", "keep"),
                "drop",
                "table: rows with empty / whitespace-only text: drop | keep (counted either way)",
            ),
            "deduplicate": Rule(
                bool,
                False,
                "drop repeated texts within a split, and from train / validation the texts "
                "also in test (from train: also in validation); counted in data/report.json",
            ),
            "max_text_chars": Rule(
                int,
                1_000_000,
                "imdb / table: a longer text is cut to this many characters, with a warning "
                "naming it (a file of a label folder is read no further)",
                low=100,
                high=2**31 - 1,
            ),
            "synthetic_train": Rule(int, 8000, "synthetic: training reviews", low=20),
            "synthetic_test": Rule(int, 4000, "synthetic: test reviews", low=10),
        },
        "tokenize": {
            "lowercase": Rule(bool, True, "lowercase before splitting"),
            "filters": Rule(
                str,
                KERAS_FILTERS_ESCAPED,
                "characters replaced by spaces (default: Keras' filter); `\\t` "
                "`\\n` `\\r` `\\\\` stand for tab, newline, CR, backslash",
            ),
            "num_words": Rule(int, 20000, "vocabulary size including <pad>=0 and <unk>=1", low=3),
            "min_freq": Rule(int, 1, "rarer words become <unk>", low=1),
        },
        "pad": {
            "maxlen": Rule(int, 256, "ids per row", low=1, high=1_000_000),
            "padding": one_of(
                ("pre", "post"), "pre", "pre | post: which end is padded (Keras semantics)"
            ),
            "truncating": one_of(
                ("pre", "post"), "pre", "pre | post: which end loses tokens beyond maxlen"
            ),
        },
        "embed": {
            "source": one_of(
                ("random", "glove", "glove-package", "word2vec"),
                "glove-package",
                "random | glove | glove-package | word2vec (in-domain: train + validation + "
                "unlabeled "
                "text, never test)",
            ),
            "dim": Rule(int, 50, "embedding size (50 for glove-package)", low=1, high=4096),
            "path": Rule(str, "", "glove: .txt / .txt.gz / official .zip, local path or URL"),
            "seed": seed_rule("seed of random rows and of word2vec"),
            "w2v_epochs": Rule(int, 5, "word2vec: passes over the texts", low=1),
            "w2v_window": Rule(int, 5, "word2vec: context words on each side", low=1),
        },
        "train": {
            # The defaults were chosen on validation accuracy of SST-2 sentences and 2,000 IMDB
            # reviews
            # (experiments/small_data.sh; docs/pipelines/text.md, "Small data"): pretrained vectors,
            # a bidirectional GRU, dropout.
            **with_defaults(RECURRENT_RULES, cell="gru", bidirectional=True, dropout=0.3),
            "freeze_embeddings": Rule(bool, False, "keep the embedding matrix fixed"),
            "pooling": one_of(
                ("last", "max", "mean", "meanmax"),
                "meanmax",
                "last | max | mean | meanmax (both, concatenated), over real tokens only",
            ),
            **TRAINING_RULES,
            "bucket_batches": BUCKET_BATCHES,
            "ensemble_cells": Rule(
                list,
                [],
                "one more model per cell listed (e.g. [gru]), trained after `cell` with "
                "seed + 1, + 2, ...; the saved classifier averages their logits",
                choices=CELLS,
            ),
            "ensemble_linear": Rule(
                bool,
                True,
                "mix the RNN's probabilities with a linear model's (NB-weighted logistic "
                "regression on binary 1-3 grams of the whole texts), its C and weight "
                "chosen together on validation (weight 0: the RNN alone)",
            ),
        },
        "evaluate": EVALUATION_RULES,
    },
    checks=(glove_package_dim,),
)

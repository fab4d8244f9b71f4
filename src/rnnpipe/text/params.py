"""The text pipeline's params schema (params.yaml at the repository root, dvc.yaml)."""

from __future__ import annotations

from ..core.params import (BUCKET_BATCHES, CELLS, EVALUATION_RULES, RECURRENT_RULES, SHA256_RULE, TRAINING_RULES,
                           Rule, Schema, fraction, one_of)
from .tokenizer import KERAS_FILTERS

IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"

TEXT_SCHEMA: Schema = {
    "data": {
        "source": one_of(("synthetic", "imdb", "table"), "synthetic", "synthetic (embedded default) | imdb | table"),
        "val_fraction": fraction(0.1, "share of train carved out as validation (seeded, stratified): early "
                                      "stopping and model selection"),
        "seed": Rule(int, 42, "seed of the synthetic data and of the splits", low=0),
    },
    "download": {
        "url": Rule(str, IMDB_URL, "imdb: URL, local path or file:// URL of aclImdb_v1.tar.gz"),
        "sha256": SHA256_RULE,
        "table_path": Rule(str, "inputs/text", "table: CSV / TSV / Parquet / JSONL file, or a folder tree "
                                               "<split>/<label>/*.txt; a dependency of download, so an edit reruns "
                                               "it"),
        "text_column": Rule(str, "text", "table: the column holding the text"),
        "label_column": Rule(str, "label", "table: the column holding the label (any values: -1/0/1, pos/neg, ...)"),
        "split_column": Rule(str, "split", "table: optional column with train / test (/ validation); absent: test "
                                           "is carved out"),
        "test_fraction": fraction(0.2, "table: test share when the table has no split column (stratified, seeded)"),
        "encoding": Rule(str, "utf-8", "table: text encoding; undecodable bytes become U+FFFD and are counted"),
        "blank_texts": one_of(("drop", "keep"), "drop", "table: rows with empty / whitespace-only text: drop | keep "
                                                        "(counted either way)"),
        "synthetic_train": Rule(int, 8000, "synthetic: training reviews", low=20),
        "synthetic_test": Rule(int, 4000, "synthetic: test reviews", low=10),
    },
    "tokenize": {
        "lowercase": Rule(bool, True, "lowercase before splitting"),
        "filters": Rule(str, KERAS_FILTERS, "characters replaced by spaces (default: Keras' filter)"),
        "num_words": Rule(int, 20000, "vocabulary size including <pad>=0 and <unk>=1", low=3),
        "min_freq": Rule(int, 1, "rarer words become <unk>", low=1),
    },
    "pad": {
        "maxlen": Rule(int, 64, "ids per row", low=1),
        "padding": one_of(("pre", "post"), "pre", "pre | post: which end is padded (Keras semantics)"),
        "truncating": one_of(("pre", "post"), "pre", "pre | post: which end loses tokens beyond maxlen"),
    },
    "embed": {
        "source": one_of(("random", "glove", "glove-package", "word2vec"), "random",
                         "random | glove | glove-package | word2vec (in-domain: train + validation + unlabeled "
                         "text, never test)"),
        "dim": Rule(int, 32, "embedding size (50 for glove-package)", low=1),
        "path": Rule(str, "", "glove: .txt / .txt.gz / official .zip, local path or URL"),
        "seed": Rule(int, 42, "seed of random rows and of word2vec", low=0),
        "w2v_epochs": Rule(int, 5, "word2vec: passes over the texts", low=1),
        "w2v_window": Rule(int, 5, "word2vec: context words on each side", low=1),
    },
    "train": {
        **RECURRENT_RULES,
        "freeze_embeddings": Rule(bool, False, "keep the embedding matrix fixed"),
        "pooling": one_of(("last", "max", "mean", "meanmax"), "last",
                          "last | max | mean | meanmax (both, concatenated), over real tokens only"),
        **TRAINING_RULES,
        "bucket_batches": BUCKET_BATCHES,
        "ensemble_cells": Rule(list, [], "one more model per cell listed (e.g. [gru]), trained after `cell` with "
                                         "seed + 1, + 2, ...; the saved classifier averages their logits",
                               choices=CELLS),
    },
    "evaluate": EVALUATION_RULES,
}

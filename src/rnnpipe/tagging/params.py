"""The tagging pipeline's params schema (tagging/params.yaml, tagging/dvc.yaml): only what tagging
reads.

The shared groups are the text pipeline's where tagging reads the same thing (vocabulary,
embeddings, the recurrent stack, the training loop); the defaults are the text pipeline's, so a
tagger starts from the same recipe as a classifier (GloVe 6B 50d, a bidirectional GRU of 64, dropout
0.3).
"""

from __future__ import annotations

from ..core.params import (
    BUCKET_BATCHES,
    CELLS,
    EVALUATION_RULES,
    RECURRENT_RULES,
    TRAINING_RULES,
    Rule,
    Schema,
    fraction,
    glove_package_dim,
    one_of,
    seed_rule,
    with_defaults,
)
from ..text.params import TEXT_SCHEMA


def crf_without_ensemble(params: dict) -> str | None:
    """An ensemble averages its members' outputs, and each CRF member has transitions of its
    own: there is no one CRF to decode with."""
    if params["train"]["crf"] and params["train"]["ensemble_cells"]:
        return (
            "train.crf with train.ensemble_cells: each member would learn its own CRF "
            "transitions, which an averaged ensemble cannot decode; set train.ensemble_cells=[] "
            "or train.crf=false."
        )
    return None


TAGGING_SCHEMA = Schema(
    {
        "data": {
            "source": one_of(
                ("synthetic", "conllu", "conll", "table"),
                "synthetic",
                "synthetic (embedded default: a small grammar with UD tags) | conllu | conll | "
                "table",
            ),
            "val_fraction": fraction(
                0.1,
                "share of train sentences carved out as validation when no dev file is given "
                "(seeded): early stopping and model selection",
            ),
            "seed": seed_rule("seed of the synthetic sentences and of the splits"),
        },
        "download": {
            "path": Rule(
                str,
                "inputs/tagging",
                "conllu / conll / table: a CoNLL-U file, a UD treebank folder of "
                "*-ud-{train,dev,test}.conllu, a CoNLL column file, a Parquet / JSONL table "
                "of token and tag lists, or a .zip / .tar.gz of one; a dependency of "
                "download, so an edit reruns it",
                nonempty=True,
            ),
            "tag_column": Rule(
                str,
                "upos",
                "conllu: the tag column (upos | xpos); conll: its index (-1 = the last)",
                nonempty=True,
                integers_as_text=True,
            ),
            "tokens_column": Rule(
                str, "tokens", "table: the column holding each sentence's token list", nonempty=True
            ),
            "tags_column": Rule(
                str, "tags", "table: the column holding each sentence's tag list", nonempty=True
            ),
            "span_scheme": one_of(
                ("auto", "iob2", "bioes", "keep"),
                "auto",
                "span tags (NER, chunks): auto (IOB1 -> IOB2; IOB2, BIOES kept) | iob2 | bioes "
                "(convert to it) | keep (train on the tags as given); the scheme seen and the one "
                "trained are in data/report.json",
            ),
            "split_column": Rule(
                str,
                "split",
                "table: optional column with train / test (/ validation); absent: test "
                "is carved out",
            ),
            "test_fraction": fraction(
                0.2,
                "test share of the sentences when no file or column names a test split (seeded)",
            ),
            "synthetic_train": Rule(int, 8000, "synthetic: training sentences", low=20),
            "synthetic_test": Rule(int, 4000, "synthetic: test sentences", low=10),
        },
        "tokenize": {
            "lowercase": Rule(bool, True, "lowercase the word ids (characters keep their case)"),
            "num_words": TEXT_SCHEMA["tokenize"]["num_words"],
            "min_freq": TEXT_SCHEMA["tokenize"]["min_freq"],
        },
        "pad": {
            "maxlen": Rule(
                int,
                256,
                "tokens per row: longer sentences are cut into rows of maxlen tokens, so every "
                "token "
                "keeps its tag",
                low=1,
                high=1_000_000,
            ),
        },
        "embed": TEXT_SCHEMA["embed"],
        "train": {
            **with_defaults(RECURRENT_RULES, cell="gru", bidirectional=True, dropout=0.3),
            "freeze_embeddings": TEXT_SCHEMA["train"]["freeze_embeddings"],
            "char_dim": Rule(
                int,
                32,
                "character embedding size of the character-level word encoder (a char BiLSTM per "
                "word, concatenated to the word embedding); 0 = words only",
                low=0,
                high=512,
            ),
            "char_hidden": Rule(
                int, 32, "units per direction of the char BiLSTM", low=1, high=1024
            ),
            "word_dropout": Rule(
                float,
                0.0,
                "share of words replaced by <unk> in training (the tagger learns to tag "
                "unknown words from characters and context)",
                low=0.0,
                high=1.0,
                high_open=True,
            ),
            **TRAINING_RULES,
            "bucket_batches": BUCKET_BATCHES,
            "ensemble_cells": Rule(
                list,
                [],
                "one more model per cell listed (e.g. [gru]), trained after `cell` with "
                "seed + 1, + 2, ...; the saved tagger averages their logits",
                choices=CELLS,
            ),
            "crf": Rule(
                bool,
                False,
                "a linear-chain CRF output layer (learned tag-to-tag transitions, trained on the "
                "sentence's likelihood, Viterbi-decoded): spans that hold together (NER, chunks)",
            ),
        },
        "evaluate": EVALUATION_RULES,
    },
    checks=(glove_package_dim, crf_without_ensemble),
)

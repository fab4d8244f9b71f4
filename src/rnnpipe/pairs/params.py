"""The sentence-pairs pipeline's params schema (pairs/params.yaml, pairs/dvc.yaml)."""

from __future__ import annotations

from ..core.params import (
    EVALUATION_RULES,
    MIN_RATE_RULE,
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
from ..trees.params import EMBED_RULES, glove_needs_a_path

SNLI_URL = "https://nlp.stanford.edu/projects/snli/snli_1.0.zip"
ENCODERS = ("bilstm", "treelstm", "childsum", "spinn")


def target_fits_source(params: dict) -> str | None:
    """A schema check: relatedness scores come with SICK, synthetic pairs or a table's score
    column; SNLI has labels only."""
    if params["parse"]["target"] == "score" and params["data"]["source"] == "snli":
        return (
            "parse.target is score, but SNLI and MultiNLI hold labels only; use parse.target="
            "label, or data.source=sick / table with a score column."
        )
    if params["parse"]["target"] == "score" and params["train"]["select_on"] == "accuracy":
        return (
            "train.select_on is accuracy, but parse.target=score has no accuracy; use "
            "train.select_on=loss."
        )
    if params["train"]["relation_dim"] and params["train"]["encoder"] != "childsum":
        return (
            f"train.relation_dim is {params['train']['relation_dim']}, but only the childsum "
            f"encoder reads relation labels (train.encoder is {params['train']['encoder']}); set "
            "train.relation_dim=0 or train.encoder=childsum."
        )
    low_high = params["parse"]["score_range"]
    if len(low_high) != 2 or low_high[1] - low_high[0] < 1:
        return (
            f"parse.score_range is {low_high}; give the lowest and highest score, at least 1 "
            "apart (SICK: [1, 5])."
        )
    return None


PAIRS_SCHEMA = Schema(
    {
        "data": {
            "source": one_of(
                ("synthetic", "snli", "sick", "table"),
                "synthetic",
                "synthetic (embedded default: generated pairs whose labels need word order and "
                "negation, with parses) | snli (download.url: snli_1.0.zip, MultiNLI's zip, or a "
                "folder of *_train/dev/test.jsonl) | sick (download.path: the SemEval-2014 SICK "
                "files, with Tai et al.'s dependency/ folder when present) | table (download.path: "
                "a CSV/TSV/Parquet/JSONL file or folder of pairs)",
            ),
            "seed": seed_rule("seed of the synthetic pairs"),
            "synthetic_train": Rule(
                int, 3000, "synthetic: training pairs (dev and test get a quarter each)", low=30
            ),
        },
        "download": {
            "url": Rule(
                str,
                SNLI_URL,
                "snli: URL, local path or file:// URL of snli_1.0.zip (or MultiNLI's zip), or a "
                "folder holding <name>_train.jsonl, _dev.jsonl, _test.jsonl",
                nonempty=True,
            ),
            "path": Rule(
                str,
                "inputs/pairs",
                "sick / table: a file or folder, relative to the repository root; a dependency "
                "of download",
                nonempty=True,
            ),
            "sha256": SHA256_RULE,
            "min_rate": MIN_RATE_RULE,
        },
        "parse": {
            "target": one_of(
                ("label", "score"),
                "label",
                "label (classes: entailment / neutral / contradiction, or a table's labels) | "
                "score (relatedness, as SICK's 1-5: Tai et al.'s distribution over the integers)",
            ),
            "premise_column": Rule(
                str, "sentence1", "table: the first sentence's column", nonempty=True
            ),
            "hypothesis_column": Rule(
                str, "sentence2", "table: the second sentence's column", nonempty=True
            ),
            "label_column": Rule(
                str, "label", "table: the label (parse.target label) or score column"
            ),
            "split_column": Rule(
                str,
                "auto",
                "table: the column naming each pair's split (train / dev|validation / test); "
                "auto: a 'split' column if there is one, else files named by split, else "
                "parse.val_fraction / test_fraction of the pairs at random (seeded)",
            ),
            "val_fraction": fraction(0.1, "table without splits: the share of validation pairs"),
            "test_fraction": fraction(0.1, "table without splits: the share of test pairs"),
            "score_range": Rule(
                list,
                [1.0, 5.0],
                "score: the lowest and highest score (integers between them are the classes of "
                "Tai et al.'s distribution)",
                items=float,
            ),
            "lowercase": Rule(bool, True, "lowercase the words (GloVe 6B is lowercase)"),
        },
        "embed": EMBED_RULES,
        "train": {
            "encoder": one_of(
                ENCODERS,
                "bilstm",
                "bilstm (max pooling over both directions, InferSent's) | treelstm (binary "
                "parses, level-batched) | childsum (the Child-Sum Tree-LSTM on dependency heads, "
                "Tai et al.'s for SICK) | spinn (shift-reduce over the binary parses' transitions)",
            ),
            "hidden": Rule(
                int, 150, "units of the encoder (per direction for bilstm)", low=1, high=4096
            ),
            "head_hidden": Rule(
                int, 128, "units of the MLP over [u; v; |u - v|; u * v]", low=1, high=65536
            ),
            "relation_dim": Rule(
                int,
                0,
                "childsum: the size of each token's dependency relation label embedding, read with "
                "its word (SICK's a.rels / b.rels, or sentence{1,2}_relations); 0 = labels unused "
                "(Tai et al.'s model)",
                low=0,
                high=4096,
            ),
            "features": one_of(
                ("all", "symmetric"),
                "all",
                "what the head reads of the sentence vectors u, v: all ([u; v; |u - v|; u * v], "
                "InferSent's) | symmetric ([|u - v|; u * v], Tai et al.'s for relatedness: the "
                "same score for (a, b) and (b, a))",
            ),
            "dropout": Rule(
                float,
                0.1,
                "on word vectors and in the head",
                low=0.0,
                high=1.0,
                high_open=True,
            ),
            "freeze_embeddings": Rule(
                bool, False, "keep the word vectors fixed (false: fine-tuned)"
            ),
            "tracker": Rule(
                bool,
                False,
                "spinn: the recurrent tracker reading the stack and buffer tops (SPINN-PI); "
                "false: SPINN-PI-NT",
            ),
            "mix_lexical": Rule(
                bool,
                True,
                "mix the lexical model (pairs.baselines: TF-IDF and overlap features, linear) into "
                "the network's outputs, its weight (0..1) chosen on validation; false = the "
                "network alone",
            ),
            "select_on": one_of(
                ("loss", "accuracy"),
                "loss",
                "the epoch kept (and early stopping's yardstick): lowest validation loss | "
                "highest validation accuracy (labels)",
            ),
            **with_defaults(
                TRAINING_RULES, lr=0.002, batch_size=25, epochs=10, weight_decay=0.0001
            ),
        },
        "evaluate": {
            **EVALUATION_RULES,
            "linear_c": Rule(
                float,
                1.0,
                "the lexical and hypothesis-only baselines' inverse regularisation (logistic "
                "regression C; ridge's alpha is 1 / C)",
                low=0.0,
                low_open=True,
            ),
        },
    },
    checks=(glove_package_dim, glove_needs_a_path, target_fits_source),
)

"""The trees pipeline's params schema (trees/params.yaml, trees/dvc.yaml)."""

from __future__ import annotations

from ..core.params import (
    EVALUATION_RULES,
    MIN_RATE_RULE,
    SHA256_RULE,
    TRAINING_RULES,
    Rule,
    Schema,
    glove_package_dim,
    one_of,
    seed_rule,
    with_defaults,
)

SST_URL = "https://nlp.stanford.edu/sentiment/trainDevTestTrees_PTB.zip"


def glove_needs_a_path(params: dict) -> str | None:
    """A schema check: embed.source=glove without the file to read."""
    if params["embed"]["source"] == "glove" and not params["embed"]["path"].strip():
        return (
            "embed.source=glove reads a GloVe file: set embed.path (e.g. "
            "/data/glove.840B.300d.zip, and embed.dim=300), or use embed.source=glove-package."
        )
    return None


# The embed stage's rules (trees.embed), shared with the pairs pipeline, whose embed stage runs it.
EMBED_RULES = {
    "source": one_of(
        ("random", "glove-package", "glove"),
        "random",
        "random (uniform +-0.05, seeded) | glove-package (GloVe 6B 50d, offline) | glove (a "
        "GloVe file of any size: embed.path)",
    ),
    "dim": Rule(
        int, 50, "word vector size (glove-package: 50; glove: the file's)", low=1, high=4096
    ),
    "path": Rule(
        str,
        "",
        "glove: a GloVe .txt / .txt.gz / official .zip (e.g. glove.840B.300d.zip), a path from "
        "the repository root or a URL",
    ),
    "seed": seed_rule("seed of the random vectors (and of words GloVe lacks)"),
}

TREES_SCHEMA = Schema(
    {
        "data": {
            "source": one_of(
                ("synthetic", "sst", "files"),
                "synthetic",
                "synthetic (embedded default: small sentiment trees whose labels compose) | sst "
                "(download.url) | files (download.path)",
            ),
            "seed": seed_rule("seed of the synthetic trees"),
            "synthetic_train": Rule(
                int, 3000, "synthetic: training trees (dev and test get a quarter each)", low=20
            ),
        },
        "download": {
            "url": Rule(
                str,
                SST_URL,
                "sst: URL, local path or file:// URL of trainDevTestTrees_PTB.zip or of a folder "
                "with train.txt, dev.txt, test.txt",
                nonempty=True,
            ),
            "path": Rule(
                str,
                "inputs/trees",
                "files: a folder with train.txt, dev.txt and test.txt (one bracketed tree "
                "per line), relative to the repository root; a dependency of download",
                nonempty=True,
            ),
            "sha256": SHA256_RULE,
            "min_rate": MIN_RATE_RULE,
        },
        "parse": {
            "granularity": one_of(
                ("fine", "binary"),
                "fine",
                "fine (5 classes) | binary (neutral sentences dropped, 0-1 negative, 3-4 positive)",
            ),
            "lowercase": Rule(bool, True, "lowercase the words (GloVe 6B is lowercase)"),
        },
        "embed": EMBED_RULES,
        "train": {
            "model": one_of(
                ("treelstm", "spinn", "lstm", "bilstm"),
                "treelstm",
                "treelstm (level-batched) | spinn (shift-reduce, thin stack) | lstm | bilstm (the "
                "leaves "
                "left to right)",
            ),
            "hidden": Rule(
                int, 64, "units of the Tree-LSTM / SPINN / LSTM (per direction)", low=1, high=4096
            ),
            "dropout": Rule(
                float,
                0.3,
                "on word vectors and before the output layer",
                low=0.0,
                high=1.0,
                high_open=True,
            ),
            "node_loss": one_of(
                ("all", "root"), "all", "all (every labelled node, as Tai et al.) | root"
            ),
            "freeze_embeddings": Rule(
                bool, False, "keep the word vectors fixed (false: fine-tuned)"
            ),
            "tracker": Rule(
                bool,
                False,
                "spinn: a recurrent tracker LSTM reads the stack and buffer tops at every "
                "transition and feeds each REDUCE (SPINN-PI); false: SPINN-PI-NT, the "
                "Tree-LSTM's function",
            ),
            "select_on": one_of(
                ("accuracy", "loss"),
                "accuracy",
                "the best epoch (kept, and early stopping's yardstick): highest dev root accuracy "
                "(as Tai et al.) | lowest dev root loss",
            ),
            **with_defaults(TRAINING_RULES, lr=0.002, batch_size=25, epochs=10),
        },
        "evaluate": {**EVALUATION_RULES},
    },
    checks=(glove_package_dim, glove_needs_a_path),
)

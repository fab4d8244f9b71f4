"""The pairs pipeline's parse stage: data/raw/ -> data/pairs.parquet + data/vocab.txt +
data/relations.txt + data/parse.json.

Reads the pairs of data.source (pairs.readers), applies parse.lowercase, maps labels to ids (NLI
data: entailment, neutral, contradiction; a table: its training labels, sorted) or checks scores
against parse.score_range, and builds the vocabularies of words and of dependency relation labels
from the training pairs only. data/pairs.parquet holds per pair its split, both sentences' tokens,
their binary parses (post-order children and words), dependency heads and relation labels (each
empty when the data has none), the label id (-1 without) and the score (NaN without).
data/parse.json counts the pairs per split, the skipped ones (SNLI's gold label '-') and says which
parses every sentence has: the tree encoders need them (train refuses a tree encoder without its
parses, by name).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..core.atomic import atomic_path, write_json
from ..core.errors import DataError
from ..text.vocabulary import build_vocabulary
from ..trees.ptb import Tree
from .readers import NLI_LABELS, Pair, read_nli_jsonl, read_sick, read_table

RAW = Path("data/raw")
COLUMNS = (
    "split",
    "premise",
    "hypothesis",
    "p_left",
    "p_right",
    "p_word",
    "h_left",
    "h_right",
    "h_word",
    "p_heads",
    "h_heads",
    "p_relations",
    "h_relations",
    "label",
    "score",
)
SPLITS = ("train", "validation", "test")
SPLIT_NAMES = {
    "train": "train",
    "dev": "validation",
    "validation": "validation",
    "val": "validation",
    "valid": "validation",
    "test": "test",
}


def read_source(params: dict) -> tuple[list[Pair], int]:
    """(every pair, with its split; how many were skipped) of data.source from data/raw/."""
    source = params["data"]["source"]
    if source in ("synthetic", "snli"):
        results = [
            read_nli_jsonl(RAW / f"{name}.jsonl", split)
            for name, split in (("train", "train"), ("dev", "validation"), ("test", "test"))
        ]
    elif source == "sick":
        results = [read_sick(RAW, split) for split in SPLITS]
    else:
        return read_tables(params), 0
    return [p for r in results for p in r.pairs], sum(r.skipped for r in results)


def read_frame(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        if suffix in (".jsonl", ".json"):
            return pd.read_json(path, lines=suffix == ".jsonl")
        return pd.read_csv(path, sep="\t" if suffix in (".tsv", ".txt") else ",")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read as a table ({exc}).") from None


def split_of_file(name: str) -> str | None:
    """The split a file's name gives: any of its dot/underscore/dash-separated words."""
    words = name.lower().replace("-", ".").replace("_", ".").split(".")
    found = {SPLIT_NAMES[w] for w in words if w in SPLIT_NAMES}
    return found.pop() if len(found) == 1 else None


def read_tables(params: dict) -> list[Pair]:
    settings = params["parse"]
    files = sorted((RAW / "table").iterdir())
    pairs = []
    for path in files:
        frame = read_frame(path)
        split_column = settings["split_column"]
        if split_column == "auto":
            split_column = "split" if "split" in frame.columns else None
        elif split_column not in frame.columns:
            raise DataError(f"{path}: no column {split_column!r} (parse.split_column).")
        columns = {
            "premise": settings["premise_column"],
            "hypothesis": settings["hypothesis_column"],
            "label": settings["label_column"],
            "split": split_column,
        }
        rows = read_table(frame, path, columns, settings["target"])
        by_name = split_of_file(path.name) if split_column is None and len(files) > 1 else None
        for pair in rows:
            if split_column is not None:
                if pair.split.strip().lower() not in SPLIT_NAMES:
                    raise DataError(
                        f"{pair.where}: split {pair.split!r} is none of train, dev / validation, "
                        "test."
                    )
                pair.split = SPLIT_NAMES[pair.split.strip().lower()]
            elif by_name is not None:
                pair.split = by_name
            else:
                pair.split = ""  # split at random below
        pairs.extend(rows)
    unsplit = [i for i, pair in enumerate(pairs) if not pair.split]
    if unsplit:
        rng = np.random.default_rng(params["data"]["seed"])
        order = rng.permutation(unsplit)
        n_val = max(1, round(len(order) * settings["val_fraction"]))
        n_test = max(1, round(len(order) * settings["test_fraction"]))
        for rank, i in enumerate(order):
            pairs[i].split = (
                "validation" if rank < n_val else "test" if rank < n_val + n_test else "train"
            )
    return pairs


def label_ids(pairs: list[Pair], source: str) -> list[str]:
    """The label names, ids in order; DataError naming the pair of a label outside them."""
    if source in ("synthetic", "snli", "sick"):
        names = NLI_LABELS
    else:
        names = sorted({p.label for p in pairs if p.split == "train"})
    known = set(names)
    for pair in pairs:
        if pair.label not in known:
            raise DataError(
                f"{pair.where}: label {pair.label!r} is not among {', '.join(names)}"
                + (" (the training pairs' labels)" if source == "table" else "")
                + "."
            )
    return names


def check_scores(pairs: list[Pair], low: float, high: float) -> None:
    for pair in pairs:
        if pair.score is None or math.isnan(pair.score):
            raise DataError(f"{pair.where}: no relatedness score (parse.target=score).")
        if not low <= pair.score <= high:
            raise DataError(
                f"{pair.where}: score {pair.score} is outside parse.score_range [{low:g}, "
                f"{high:g}]."
            )


def tree_columns(tree: Tree | None) -> tuple[list, list, list]:
    return ([], [], []) if tree is None else (tree.left, tree.right, tree.word)


def pair_columns(pairs: list[Pair], labels: list[str], lowercase: bool) -> dict[str, list]:
    """The columns of data/pairs.parquet (see the module's docstring) of `pairs`; a pair's label
    id is its index in `labels` (-1 when it has none)."""
    index = {name: i for i, name in enumerate(labels)}
    rows: dict[str, list] = {name: [] for name in COLUMNS}
    for pair in pairs:
        rows["split"].append(pair.split)
        for side, sentence in (("p", pair.premise), ("h", pair.hypothesis)):
            tokens = [t.lower() for t in sentence.tokens] if lowercase else sentence.tokens
            rows["premise" if side == "p" else "hypothesis"].append(tokens)
            for name, values in zip(("left", "right", "word"), tree_columns(sentence.tree)):
                rows[f"{side}_{name}"].append(list(values))
            rows[f"{side}_heads"].append(list(sentence.heads or []))
            rows[f"{side}_relations"].append(list(sentence.relations or []))
        rows["label"].append(index.get(pair.label, -1))
        rows["score"].append(float(pair.score) if pair.score is not None else float("nan"))
    return rows


def parse_pairs(params: dict) -> None:
    settings, source = params["parse"], params["data"]["source"]
    pairs, skipped = read_source(params)
    counts = {split: sum(p.split == split for p in pairs) for split in SPLITS}
    empty = [split for split, n in counts.items() if not n]
    if empty:
        raise DataError(
            f"{RAW}: no {' or '.join(empty)} pair; give each split some pairs (a table: a split "
            "column, split files, or parse.val_fraction / test_fraction)."
        )
    labels: list[str] = []
    if settings["target"] == "label":
        labels = label_ids(pairs, source)
        present = {p.label for p in pairs if p.split == "train"}
        if len(present) < 2:
            raise DataError(
                f"{RAW}: every training pair has the label {present.pop()!r}; a classifier "
                "needs at least two."
            )
    else:
        check_scores(pairs, *settings["score_range"])
    lowercase = settings["lowercase"]
    vocabulary = build_vocabulary(
        (
            [t.lower() if lowercase else t for t in sentence.tokens]
            for p in pairs
            if p.split == "train"
            for sentence in (p.premise, p.hypothesis)
        ),
        num_words=10**9,
    )
    sentences = [s for p in pairs for s in (p.premise, p.hypothesis)]
    with atomic_path("data/pairs.parquet") as tmp:
        pq.write_table(pa.table(pair_columns(pairs, labels, lowercase)), tmp)
    with atomic_path("data/vocab.txt") as tmp:
        vocabulary.save(tmp)
    relations = build_vocabulary(
        (s.relations or [] for p in pairs if p.split == "train" for s in (p.premise, p.hypothesis)),
        num_words=10**9,
    )
    with atomic_path("data/relations.txt") as tmp:
        relations.save(tmp)
    summary = {
        "pairs": counts,
        "skipped_without_gold_label": skipped,
        "labels": labels,
        "target": settings["target"],
        "vocabulary": len(vocabulary),
        "binary_parses": all(s.tree is not None for s in sentences),
        "dependency_parses": all(s.heads is not None for s in sentences),
        "relation_labels": all(s.relations is not None for s in sentences),
    }
    write_json("data/parse.json", summary)
    parses = [k for k in ("binary_parses", "dependency_parses") if summary[k]]
    print(
        f"parse: {counts} pairs"
        + (f" ({skipped} without a gold label skipped)" if skipped else "")
        + f", vocabulary {len(vocabulary)}, parses: {', '.join(parses) or 'none'} -> "
        "data/pairs.parquet"
    )

"""The tagging download: CoNLL-U / CoNLL / token-list tables -> one frame of (tokens, tags, split).

Splits come from the files (a UD folder's train/dev/test, or a table's split column); validation is
carved from train (seeded, by sentence) only when there is no dev file, and test only when nothing
names one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..core.archives import unpacked
from ..core.errors import DataError
from .conll import (
    Sentence,
    check_sentences,
    read_conll_columns,
    read_conllu,
    read_tagged_table,
    sentences_frame,
    ud_split_files,
)


def read_tagged(source: str, path: Path, download: dict) -> pd.DataFrame:
    """tokens, tags, split (None where the source names no split) from `path`."""
    if source == "table":
        sentences = read_tagged_table(
            path, download["tokens_column"], download["tags_column"], download["split_column"]
        )
        check_sentences(sentences, path, "row")
        return sentences_frame({None: sentences})
    # A UD release archive: its .conllu files by folder and base name
    # (treebank/en_ewt-ud-train.conllu).
    with unpacked(path, keep=lambda name: name.endswith(".conllu"), parts=2) as where:
        files = ud_split_files(where) if where.is_dir() else {None: where}
        by_split: dict = {}
        for split, file in files.items():
            sentences: list[Sentence] = (
                read_conllu(file, download["tag_column"])
                if source == "conllu"
                else read_conll_columns(file, download["tag_column"])
            )
            check_sentences(sentences, file)
            by_split[split] = sentences
    return sentences_frame(by_split)


def assign_sentence_splits(
    frame: pd.DataFrame, test_fraction: float, val_fraction: float, seed: int
) -> pd.DataFrame:
    """Carve test (only if no sentence has a split) and then validation (only if none is named)
    from train."""
    frame = frame.reset_index(drop=True).copy()
    frame["split"] = frame["split"].astype(object)
    rng = np.random.default_rng(seed)
    if frame["split"].isna().all():
        frame["split"] = np.where(rng.random(len(frame)) < test_fraction, "test", "train")
    elif frame["split"].isna().any():
        raise DataError(
            "some sentences have a split and others none; give every file a split name "
            "(<name>-ud-train/dev/test.conllu) or none."
        )
    if not (frame["split"] == "validation").any():
        train_rows = np.flatnonzero(frame["split"].to_numpy() == "train")
        chosen = np.random.default_rng(seed + 1).random(len(train_rows)) < val_fraction
        frame.loc[train_rows[chosen], "split"] = "validation"
    return frame  # the download refuses an empty split as it writes (require_every_split)


def require_every_split(sentences: dict[str, int]) -> None:
    """Refuse (DataError) when train, validation or test has no sentence."""
    for split in ("train", "validation", "test"):
        if not sentences.get(split, 0):
            raise DataError(
                f"the {split} split has no sentences; add sentences, give a {split} file, or "
                "change data.val_fraction / download.test_fraction."
            )

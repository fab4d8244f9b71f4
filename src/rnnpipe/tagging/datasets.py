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
from ..data.file_names import NOT_DATA, split_of_name
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
    # (treebank/en_ewt-ud-train.conllu); a CoNLL archive: every file but documentation.
    if source == "conllu":
        keep = lambda name: name.endswith(".conllu")  # noqa: E731
    else:
        keep = lambda name: not NOT_DATA.search(name.rsplit("/", 1)[-1])  # noqa: E731
    with unpacked(path, keep=keep, parts=2) as where:
        files = split_files(where, source) if where.is_dir() else {None: where}
        if not where.is_dir():
            sibling_note(path)
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


def split_files(folder: Path, source: str) -> dict[str, Path]:
    """A folder's files by split: a UD treebank's *-ud-{train,dev,test}.conllu (conllu), else the
    files whose names hold a split word (CoNLL-2003's eng.train / eng.testa / eng.testb, train.txt,
    dev.conll, ...; documentation files skipped)."""
    if source == "conllu" and any(folder.rglob("*-ud-train.conllu")):
        return ud_split_files(folder)
    suffix = ".conllu" if source == "conllu" else ""
    found: dict[str, Path] = {}
    for file in sorted(folder.rglob(f"*{suffix}")):
        if not file.is_file() or NOT_DATA.search(file.name) or file.name.startswith("."):
            continue
        split = split_of_name(file)
        if split in (None, "unsup"):
            continue
        if split in found:
            raise DataError(
                f"{folder}: two {split} files ({found[split].relative_to(folder)}, "
                f"{file.relative_to(folder)}); point download.path at a folder of one dataset."
            )
        found[split] = file
    if "train" not in found:
        raise DataError(
            f"{folder}: no training file; a folder of tagged files names its splits, e.g. "
            "eng.train / eng.testa / eng.testb (CoNLL-2003), train.txt / dev.txt / test.txt, or "
            "<name>-ud-train.conllu / -dev / -test (UD)."
        )
    names = ", ".join(f"{f.relative_to(folder)} ({split})" for split, f in found.items())
    print(f"download: split files {names}")
    return found


def sibling_note(path: Path) -> None:
    """One file given: name its siblings that hold other splits, which a folder would read."""
    if split_of_name(path) != "train":
        return
    others = sorted(
        f.name
        for f in path.parent.iterdir()
        if f != path and f.is_file() and split_of_name(f) in ("validation", "test")
    )
    if others:
        print(
            f"download: note: {path.name} is read alone (its test split carved at random); "
            f"beside it {', '.join(others[:4])} name other splits: give the folder "
            f"{path.parent} as download.path to read them as those splits."
        )


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

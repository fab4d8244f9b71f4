"""Read labeled text into one table `text, label, split` with splits train / validation / test.

Sources: the official IMDB tarball (read member by member, never extracted to disk), or the user's
own files in any of the layouts text.layouts reads. Unlabeled text (IMDB's 50,000 `train/unsup`
reviews, or table rows with split `unsup`) is kept with split `unsup` and no label: only the embed
stage's in-domain word vectors read it.
"""

from __future__ import annotations

import re
import tarfile
from collections import Counter
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

# scikit-learn's own size rules and per-class allocation, so the split stays the one its
# train_test_split draws (tests/text/test_datasets.py compares them on random inputs)
from ..core.errors import DataError, DownloadError
from ..data.stratify import stratified_split

IMDB_SPLITS = ("train", "test")
IMDB_LABELS = ("neg", "pos")
_IMDB_MEMBER = re.compile(r"^aclImdb/(train|test)/(pos|neg|unsup)/(\d+)_(\d+)\.txt$")
SPLITS = ("train", "validation", "test", "unsup")


def _check_member_name(name: str, archive: Path) -> None:
    """Refuse absolute paths and '..' components, whatever we do with the member afterwards."""
    parts = PurePosixPath(name).parts
    if name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", name):
        raise DownloadError(
            f"{archive}: unsafe member path {name!r} (absolute or containing '..'); "
            f"the archive is not the official one or has been tampered with. Nothing was written."
        )


def read_imdb_tarball(
    archive: Path, max_chars: int = 1_000_000, notes: list[str] | None = None
) -> pd.DataFrame:
    """All labeled reviews of aclImdb_v1.tar.gz as text/label/split, in a stable order; a review
    longer than `max_chars` characters is cut (only that much of it is read), and named in
    `notes`."""
    rows, cut = [], []
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for member in tar:
                _check_member_name(member.name, archive)
                match = _IMDB_MEMBER.match(member.name)
                if not match or not member.isfile():
                    continue
                handle = tar.extractfile(member)
                raw = handle.read(max_chars * 4 + 4) if handle else b""
                text = raw.decode("utf-8", errors="replace")
                if len(text) > max_chars:
                    cut.append(member.name)
                    text = text[:max_chars]
                split, label, review_id, rating = match.groups()
                if label == "unsup":
                    split, label = "unsup", None
                rows.append(
                    (
                        text,
                        label,
                        split,
                        int(review_id),
                        int(rating),
                    )
                )
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise DownloadError(
            f"{archive}: cannot read the archive ({exc}); it is truncated or corrupt. "
            f"Delete it and download it again."
        ) from None
    if cut and notes is not None:
        from .layouts import long_texts_note

        notes.append(long_texts_note(cut, max_chars))
    frame = pd.DataFrame(rows, columns=["text", "label", "split", "id", "rating"])
    _check_imdb_layout(frame, archive)
    # Tar order is the archiver's; sorting makes the table independent of it.
    frame = frame.sort_values(
        ["split", "label", "id"], kind="stable", na_position="last"
    ).reset_index(drop=True)
    return frame[["text", "label", "split"]]


def _check_imdb_layout(frame: pd.DataFrame, source: Path) -> None:
    found = Counter(zip(frame["split"], frame["label"]))
    missing = [
        f"aclImdb/{split}/{label}/"
        for split in IMDB_SPLITS
        for label in IMDB_LABELS
        if found[(split, label)] == 0
    ]
    if missing:
        raise DownloadError(
            f"{source}: no reviews under {', '.join(missing)}; expected the layout of the official "
            f"aclImdb_v1.tar.gz (aclImdb/{{train,test}}/{{pos,neg}}/ID_RATING.txt)."
        )


def normalise_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """Integer-valued labels become nullable integers (-1/0/1 stay numbers), anything else text;
    unlabeled (`unsup`) rows keep a missing label."""
    frame = frame.copy()
    labeled = frame["split"] != "unsup"
    values = frame.loc[labeled, "label"]
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if numeric and bool((values.astype(float) % 1 == 0).all()):
        frame["label"] = frame["label"].astype("Int64")
    else:
        frame["label"] = frame["label"].astype(object).where(~labeled, frame["label"].astype(str))
        frame.loc[~labeled, "label"] = None
    return frame


def assign_splits(
    frame: pd.DataFrame, test_fraction: float, val_fraction: float, seed: int
) -> pd.DataFrame:
    """Fill in missing splits: carve `test` (if no row has a split) and then `validation` from
    `train`."""
    frame = frame.reset_index(drop=True).copy()
    carving = frame["split"].isna().all() or not (frame["split"] == "validation").any()
    classes = int(frame["label"].nunique())
    need = max(classes, 2) + 2
    if carving and len(frame) < need:
        raise DataError(
            f"the data has {len(frame)} labeled row(s) ({classes} class(es)); carving validation "
            "and "
            f"test out of it needs at least {need}: training needs a row of each of at least two "
            "classes, "
            "validation and test one row each (and splits that keep the class shares need 2 rows "
            "of "
            f"every class). Add rows, or give a split column."
        )
    if frame["split"].isna().all():
        test = stratified_split(frame["label"].astype(str).to_numpy(), test_fraction, seed)
        frame["split"] = np.where(test, "test", "train")
    elif frame["split"].isna().any():
        raise DataError(
            f"{int(frame['split'].isna().sum())} rows have no split while others do; "
            f"give every row a split or none."
        )
    if not (frame["split"] == "validation").any():
        train_rows = np.flatnonzero(frame["split"].to_numpy() == "train")
        if len(train_rows) < 2:
            raise DataError("the training split has fewer than 2 rows; nothing to learn from.")
        val = stratified_split(
            frame["label"].astype(str).to_numpy()[train_rows], val_fraction, seed + 1
        )
        frame.loc[train_rows[val], "split"] = "validation"
    for split in ("train", "validation", "test"):
        if not (frame["split"] == split).any():
            raise DataError(
                f"the {split} split is empty; add rows or change data.val_fraction / "
                "download.test_fraction."
            )
    return frame


def deduplicate(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Drop a text's repeats within its split (the first row stays), then from train and
    validation the texts that are also in test, and from train those also in validation (a test
    score must not reward memory). Returns the frame and the counts dropped. Unlabeled (`unsup`)
    rows are left as they are."""
    labeled = frame["split"] != "unsup"
    repeated = labeled & frame.duplicated(["split", "text"])
    frame = frame[~repeated]
    cross = pd.Series(False, index=frame.index)
    for later, earlier in (("test", ("train", "validation")), ("validation", ("train",))):
        seen = set(frame.loc[frame["split"] == later, "text"])
        cross |= frame["split"].isin(earlier) & frame["text"].isin(seen)
    return frame[~cross].reset_index(drop=True), {
        "duplicate_texts_dropped": int(repeated.sum()),
        "cross_split_texts_dropped": int(cross.sum()),
    }


def cut_long_texts(frame: pd.DataFrame, max_chars: int) -> tuple[pd.DataFrame, list[str]]:
    """Texts of table rows or lines longer than `max_chars`, cut to it; the rows cut, named by
    split and row."""
    lengths = frame["text"].str.len()
    long = lengths > max_chars
    if not long.any():
        return frame, []
    names = [
        f"row {row + 1}{f' ({split})' if isinstance(split, str) else ''} of {len(frame):,} "
        f"({length:,} characters)"
        for row, split, length in zip(
            frame.index[long], frame.loc[long, "split"], lengths[long], strict=False
        )
    ]
    frame = frame.copy()
    frame.loc[long, "text"] = frame.loc[long, "text"].str.slice(0, max_chars)
    return frame, names


def blank_texts(frame: pd.DataFrame) -> pd.Series:
    """Rows whose text is empty or only whitespace."""
    return frame["text"].str.strip() == ""


def quality_report(frame: pd.DataFrame) -> dict:
    """Counts of what a user should know about their data; none of it stops the pipeline.

    `undecodable_rows`: texts with bytes that did not decode (now U+FFFD); `duplicate_rows`:
    repeated (text, label) pairs; `conflicting_texts`: the same text with different labels;
    `cross_split_texts`: texts present in more than one of train / validation / test, a leak that
    inflates test scores.
    """
    labeled = frame[frame["split"] != "unsup"]
    text_labels = labeled.groupby("text")["label"].nunique()
    splits = labeled[labeled["split"].notna()].groupby("text")["split"].nunique()
    return {
        "blank_texts": int(blank_texts(labeled).sum()),
        "undecodable_rows": int(frame["text"].str.contains("\ufffd", regex=False).sum()),
        "duplicate_rows": int(labeled.duplicated(["text", "label"]).sum()),
        "conflicting_texts": int((text_labels > 1).sum()),
        "cross_split_texts": int((splits > 1).sum()),
    }


def quality_warnings(quality: dict, blank_policy: str, encoding: str) -> list[str]:
    """One line per non-zero count of `quality_report`, saying what was counted and what was done
    about it."""
    notes = {
        "blank_texts": (
            f"empty or whitespace-only texts ({'dropped' if blank_policy == 'drop' else 'kept'}; "
            f"download.blank_texts)"
        ),
        "undecodable_rows": (
            f"texts with bytes that are not valid {encoding} (replaced by U+FFFD; set "
            f"download.encoding if the file uses another encoding)"
        ),
        "duplicate_rows": (
            "duplicate (text, label) rows (kept; download.deduplicate=true drops the repeats)"
        ),
        "conflicting_texts": "texts that appear with different labels",
        "cross_split_texts": (
            "texts that appear in more than one of train / validation / test (a leak; "
            "download.deduplicate=true drops them from train and validation)"
        ),
    }
    return [f"{count} {notes[key]}" for key, count in quality.items() if count and key in notes]


def split_rows(path: str | Path, splits: tuple[str, ...]) -> dict[str, tuple[list[str], list]]:
    """(texts, labels) of each labeled split of the download stage's table, read once, in its row
    order: the order the tokenize and pad stages keep, so row i of a split here is row i of it in
    data/padded.parquet."""
    frame = pd.read_parquet(path, columns=["text", "label", "split"])
    return {
        split: (part["text"].tolist(), part["label"].tolist())
        for split, part in ((s, frame[frame["split"] == s]) for s in splits)
    }


def aligned_label_ids(
    rows: dict[str, tuple[list[str], list]],
    label_map,
    padded_labels: dict[str, np.ndarray],
    path: str | Path,
) -> dict[str, np.ndarray]:
    """The class ids of `rows`' labels (split_rows), checked against the pad stage's class ids of
    the same splits: a DataError when the two tables no longer describe the same rows."""
    ids = {}
    for split, expected in padded_labels.items():
        texts, labels = rows[split]
        ids[split] = label_map.encode(labels, split)
        if len(texts) != len(expected) or not np.array_equal(ids[split], expected):
            raise DataError(
                f"{path} and data/padded.parquet disagree on the {split} rows ({len(texts)} texts, "
                f"{len(expected)} padded rows); rerun `dvc repro` so every stage reads the same "
                "download."
            )
    return ids


# Below this many test rows a test accuracy is no measurement: its 95% interval is wider than +-10
# points.
SMALL_TEST = 100


def split_warnings(frame: pd.DataFrame) -> list[str]:
    """What makes a score meaningless though every row is valid: a text that gives its label away
    (as few distinct training texts as classes: e.g. the label column used as text) and a tiny
    test split."""
    train = frame[frame["split"] == "train"]
    return count_warnings(
        train["text"].nunique(), train["label"].nunique(), int((frame["split"] == "test").sum())
    )


def count_warnings(train_texts: int, classes: int, tested: int) -> list[str]:
    """split_warnings from the counts: distinct training texts, classes, test rows."""
    warnings = []
    if train_texts <= classes:
        warnings.append(
            f"the training split holds only {train_texts} distinct text(s) for {classes} classes: "
            "the text gives the label away and any accuracy is meaningless; check "
            "download.text_column."
        )
    if tested < SMALL_TEST:
        spread = 100 * 1.96 * (0.25 / max(tested, 1)) ** 0.5
        warnings.append(
            f"the test split has only {tested} row(s): a test accuracy on it can be off by about "
            f"{min(spread, 100):.0f} points either way (95%); raise download.test_fraction or add "
            "rows."
        )
    return warnings

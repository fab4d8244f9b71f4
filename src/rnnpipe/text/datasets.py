"""Read labeled text into one table `text, label, split` with splits train / validation / test.

Sources: the official IMDB tarball (read member by member, never extracted to disk), an IMDB-style
folder tree (`<split>/<label>/*.txt`), or the user's own CSV / Parquet / JSONL file.
Unlabeled text (IMDB's 50,000 `train/unsup` reviews, or table rows with split `unsup`) is kept
with split `unsup` and no label: only the embed stage's in-domain word vectors read it.
"""

from __future__ import annotations

import codecs
import re
import tarfile
from collections import Counter
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from ..core.errors import DataError, DownloadError

IMDB_SPLITS = ("train", "test")
IMDB_LABELS = ("neg", "pos")
_IMDB_MEMBER = re.compile(r"^aclImdb/(train|test)/(pos|neg|unsup)/(\d+)_(\d+)\.txt$")
SPLITS = ("train", "validation", "test", "unsup")


def _check_member_name(name: str, archive: Path) -> None:
    """Refuse absolute paths and '..' components, whatever we do with the member afterwards."""
    parts = PurePosixPath(name).parts
    if name.startswith(("/", "\\")) or ".." in parts or re.match(r"^[A-Za-z]:", name):
        raise DownloadError(f"{archive}: unsafe member path {name!r} (absolute or containing '..'); "
                            f"the archive is not the official one or has been tampered with. Nothing was written.")


def read_imdb_tarball(archive: Path) -> pd.DataFrame:
    """All labeled reviews of aclImdb_v1.tar.gz as text/label/split, in a stable order."""
    rows = []
    try:
        with tarfile.open(archive, mode="r:*") as tar:
            for member in tar:
                _check_member_name(member.name, archive)
                match = _IMDB_MEMBER.match(member.name)
                if not match or not member.isfile():
                    continue
                handle = tar.extractfile(member)
                raw = handle.read() if handle else b""
                split, label, review_id, rating = match.groups()
                if label == "unsup":
                    split, label = "unsup", None
                rows.append((raw.decode("utf-8", errors="replace"), label, split, int(review_id), int(rating)))
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise DownloadError(f"{archive}: cannot read the archive ({exc}); it is truncated or corrupt. "
                            f"Delete it and download it again.") from None
    frame = pd.DataFrame(rows, columns=["text", "label", "split", "id", "rating"])
    _check_imdb_layout(frame, archive)
    # Tar order is the archiver's; sorting makes the table independent of it.
    frame = frame.sort_values(["split", "label", "id"], kind="stable", na_position="last").reset_index(drop=True)
    return frame[["text", "label", "split"]]


def _check_imdb_layout(frame: pd.DataFrame, source: Path) -> None:
    found = Counter(zip(frame["split"], frame["label"]))
    missing = [f"aclImdb/{s}/{l}/" for s in IMDB_SPLITS for l in IMDB_LABELS if found[(s, l)] == 0]
    if missing:
        raise DownloadError(f"{source}: no reviews under {', '.join(missing)}; expected the layout of the official "
                            f"aclImdb_v1.tar.gz (aclImdb/{{train,test}}/{{pos,neg}}/ID_RATING.txt).")


def read_folder_tree(root: Path, encoding: str = "utf-8") -> pd.DataFrame:
    """IMDB-style folders: `root/<split>/<label>/*.txt` (split train/test), or `root/<label>/*.txt`."""
    split_dirs = [d for d in sorted(root.iterdir()) if d.is_dir() and d.name in ("train", "test", "validation")]
    rows = []
    for split_dir in split_dirs or [root]:
        split = split_dir.name if split_dirs else None
        for label_dir in sorted(d for d in split_dir.iterdir() if d.is_dir() and not d.name.startswith(".")):
            if split_dirs and label_dir.name == "unsup":
                continue
            for file in sorted(label_dir.glob("*.txt")):
                rows.append((file.read_bytes().decode(encoding, errors="replace"), label_dir.name, split))
    if not rows:
        raise DataError(f"{root}: no *.txt files in label subfolders; expected {root}/<split>/<label>/*.txt "
                        f"or {root}/<label>/*.txt.")
    return pd.DataFrame(rows, columns=["text", "label", "split"])


def read_table(path: Path, text_column: str, label_column: str, split_column: str,
               encoding: str = "utf-8") -> pd.DataFrame:
    """A CSV / TSV / Parquet / JSONL file with a text and a label column (and optionally a split column).

    Text files are decoded with `encoding`; bytes that do not decode become U+FFFD instead of
    stopping the read (quality_report counts the rows affected)."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise DataError(f"download.encoding: unknown encoding {encoding!r}; use e.g. utf-8, latin-1, cp1252.") from None
    if path.is_dir():
        return read_folder_tree(path, encoding)
    suffixes = "".join(path.suffixes[-2:]).lower()
    try:
        if suffixes.endswith(".parquet") or suffixes.endswith(".pq"):
            frame = pd.read_parquet(path)
        elif suffixes.endswith((".jsonl", ".ndjson", ".jsonl.gz")):
            frame = pd.read_json(path, lines=True, encoding=encoding, encoding_errors="replace")
        elif suffixes.endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz")):
            sep = "\t" if ".tsv" in suffixes else ","
            # keep_default_na=False: a review that reads "NA" or "null" is text, not a missing value.
            frame = pd.read_csv(path, sep=sep, encoding=encoding, encoding_errors="replace", keep_default_na=False,
                                dtype=str)
            if label_column in frame.columns:
                frame[label_column] = _numbers_if_all_numeric(frame[label_column].replace("", None))
        else:
            raise DataError(f"{path}: unknown table format; use .csv, .tsv, .parquet or .jsonl (optionally .gz).")
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; expected a header row with '{text_column}' and "
                        f"'{label_column}' columns.") from None
    except (ValueError, OSError) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"{path}: cannot be read as a table ({exc}).") from None
    for role, column in (("text", text_column), ("label", label_column)):
        if column not in frame.columns:
            raise DataError(f"{path}: no {role} column '{column}'; columns found: {', '.join(map(str, frame.columns))}. "
                            f"Set download.{role}_column to one of them.")
    if frame.empty:
        raise DataError(f"{path}: the table has a header but no rows.")
    out = pd.DataFrame({"text": frame[text_column].fillna("").astype(str), "label": frame[label_column]})
    out["split"] = frame[split_column].astype(str).str.lower() if split_column in frame.columns else None
    unknown = set(out["split"].dropna()) - set(SPLITS)
    if unknown:
        raise DataError(f"{path}: column '{split_column}' has values {sorted(unknown)}; allowed: {', '.join(SPLITS)}.")
    unlabeled = out["label"].isna() & (out["split"] != "unsup")
    if unlabeled.any():
        raise DataError(f"{path}: {int(unlabeled.sum())} rows have no label in '{label_column}'; fill or drop them, "
                        f"or mark unlabeled text with split 'unsup'.")
    return out


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


def _numbers_if_all_numeric(column: pd.Series) -> pd.Series:
    """CSV labels arrive as text; '-1', '0', '1' become integers again, anything else stays text."""
    present = column.dropna()
    numbers = pd.to_numeric(present, errors="coerce")
    if len(present) and numbers.notna().all():
        return pd.to_numeric(column)
    return column


def _stratified_split(labels: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """A boolean mask selecting about `fraction` of rows, stratified by label when every class allows it."""
    index = np.arange(len(labels))
    counts = Counter(labels.tolist())
    stratify = labels if min(counts.values()) >= 2 and round(fraction * len(labels)) >= len(counts) else None
    _, picked = train_test_split(index, test_size=fraction, random_state=seed, stratify=stratify)
    mask = np.zeros(len(labels), dtype=bool)
    mask[picked] = True
    return mask


def assign_splits(frame: pd.DataFrame, test_fraction: float, val_fraction: float, seed: int) -> pd.DataFrame:
    """Fill in missing splits: carve `test` (if no row has a split) and then `validation` from `train`."""
    frame = frame.reset_index(drop=True).copy()
    if frame["split"].isna().all():
        test = _stratified_split(frame["label"].astype(str).to_numpy(), test_fraction, seed)
        frame["split"] = np.where(test, "test", "train")
    elif frame["split"].isna().any():
        raise DataError(f"{int(frame['split'].isna().sum())} rows have no split while others do; "
                        f"give every row a split or none.")
    if not (frame["split"] == "validation").any():
        train_rows = np.flatnonzero(frame["split"].to_numpy() == "train")
        if len(train_rows) < 2:
            raise DataError("the training split has fewer than 2 rows; nothing to learn from.")
        val = _stratified_split(frame["label"].astype(str).to_numpy()[train_rows], val_fraction, seed + 1)
        frame.loc[train_rows[val], "split"] = "validation"
    for split in ("train", "validation", "test"):
        if not (frame["split"] == split).any():
            raise DataError(f"the {split} split is empty; add rows or change data.val_fraction / download.test_fraction.")
    return frame


def blank_texts(frame: pd.DataFrame) -> pd.Series:
    """Rows whose text is empty or only whitespace."""
    return frame["text"].str.strip() == ""


def quality_report(frame: pd.DataFrame) -> dict:
    """Counts of what a user should know about their data; none of it stops the pipeline.

    `undecodable_rows`: texts with bytes that did not decode (now U+FFFD); `duplicate_rows`: repeated
    (text, label) pairs; `conflicting_texts`: the same text with different labels; `cross_split_texts`:
    texts present in more than one of train / validation / test, a leak that inflates test scores.
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
    """One line per non-zero count of `quality_report`, saying what was counted and what was done about it."""
    notes = {
        "blank_texts": f"empty or whitespace-only texts ({'dropped' if blank_policy == 'drop' else 'kept'}; "
                       f"download.blank_texts)",
        "undecodable_rows": f"texts with bytes that are not valid {encoding} (replaced by U+FFFD; set "
                            f"download.encoding if the file uses another encoding)",
        "duplicate_rows": "duplicate (text, label) rows (kept)",
        "conflicting_texts": "texts that appear with different labels",
        "cross_split_texts": "texts that appear in more than one of train / validation / test (a leak)",
    }
    return [f"{count} {notes[key]}" for key, count in quality.items() if count]


def split_rows(path: str | Path, split: str) -> tuple[list[str], list]:
    """(texts, labels) of one labeled split of the download stage's table, in its row order: the order the
    tokenize and pad stages keep, so row i here is row i of that split in data/padded.parquet."""
    frame = pd.read_parquet(path, columns=["text", "label", "split"])
    part = frame[frame["split"] == split]
    return part["text"].tolist(), part["label"].tolist()

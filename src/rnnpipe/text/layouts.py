"""A user's labeled texts, in the layouts they arrive in, read into one table `text, label, split`.

`download.path` may be:
- a table: CSV / TSV / Parquet / JSONL (optionally .gz) with a text and a label column (and
optionally a
  split column); a two-column file whose header names other columns (or that has no header) is read
  with its longer column as the text, and says so;
- a line file (.txt or any other suffix): `label<TAB>text`, `label text` or fastText's `__label__x
text`;
- a folder of split files (names holding train / dev / validation / test: `train.tsv`,
`sst_dev.csv`,
  ...), each read as above, `dev` being validation;
- a folder of one file per label, one text per line (`rt-polarity.pos` / `rt-polarity.neg`: the
  label is the suffix when the files share a name, else the file name: `pos.txt`, `neg.txt`);
- a folder tree `<split>/<label>/*.txt` or `<label>/*.txt` (IMDB's layout);
- a .zip / .tar.gz / .tgz of any of these; a folder (or archive) holding nothing but one folder is
  read from inside it.
Lines end in LF or CRLF; a UTF-8 byte-order mark is dropped. Every guess is reported in `notes`.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import pandas as pd

from ..core.archives import is_archive, unpacked
from ..core.encodings import check_not_wide
from ..core.errors import DataError
from ..data.file_names import NAME_WORDS, NOT_DATA, SPLIT_NAMES, split_of_name

DELIMITED_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz")
PARQUET_SUFFIXES = (".parquet", ".pq")
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz")
TABLE_SUFFIXES = DELIMITED_SUFFIXES + PARQUET_SUFFIXES + JSONL_SUFFIXES
FASTTEXT_PREFIX = "__label__"
MAX_LINE_LABELS = 100  # more distinct first fields than this: not a label column


def read_labeled(
    path: Path,
    text_column: str,
    label_column: str,
    split_column: str,
    encoding: str = "utf-8",
    notes: list[str] | None = None,
    max_chars: int = 1_000_000,
) -> pd.DataFrame:
    """text, label, split (None where the source names no split) from a table, line file, folder
    or archive; a text file of a label folder is read up to `max_chars` characters (the rest is
    cut, and a note names the file)."""
    notes = [] if notes is None else notes
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise DataError(
            f"download.encoding: unknown encoding {encoding!r}; use e.g. utf-8, latin-1, cp1252."
        ) from None
    columns = (text_column, label_column, split_column)
    if is_archive(path):
        with unpacked(path) as folder:
            notes.append(f"{path}: unpacked into a temporary folder")
            return read_folder(folder, columns, encoding, notes, max_chars)
    if path.is_dir():
        return read_folder(path, columns, encoding, notes, max_chars)
    return read_file(path, columns, encoding, notes)


def read_file(
    path: Path,
    columns: tuple[str, str, str],
    encoding: str,
    notes: list[str],
    split: str | None = None,
) -> pd.DataFrame:
    """One table or line file; `split` (from the file's name) fills rows the file gives no split."""
    if path.name.lower().endswith(TABLE_SUFFIXES):
        frame = read_table(path, *columns, encoding=encoding, notes=notes)
    else:
        frame = read_label_lines(path, encoding, notes)
    if split is not None:
        frame["split"] = frame["split"].fillna(split)
    return frame


def read_folder(
    root: Path,
    columns: tuple[str, str, str],
    encoding: str,
    notes: list[str],
    max_chars: int = 1_000_000,
) -> pd.DataFrame:
    """A folder in any of the layouts of the module docstring."""
    files, folders = _visible(root)
    if not files and len(folders) == 1:
        notes.append(f"{root}: holds only the folder {folders[0].name}/; reading that")
        return read_folder(folders[0], columns, encoding, notes, max_chars)
    split_dirs = {d: SPLIT_NAMES[d.name.lower()] for d in folders if d.name.lower() in SPLIT_NAMES}
    if split_dirs:
        frames = [
            read_label_folders(d, encoding, root, max_chars, notes).assign(split=split)
            for d, split in split_dirs.items()
            if split != "unsup"
        ]
        return pd.concat(frames, ignore_index=True)
    split_files = {f: split_of_name(f) for f in files}
    split_files = {f: s for f, s in split_files.items() if s is not None}
    if "train" in split_files.values():
        notes.append(
            f"{root}: split files " + ", ".join(f"{f.name} ({s})" for f, s in split_files.items())
        )
        return pd.concat(
            [read_file(f, columns, encoding, notes, split=s) for f, s in split_files.items()],
            ignore_index=True,
        )
    if len(files) >= 2:
        tables = [f.name for f in files if f.name.lower().endswith(TABLE_SUFFIXES)]
        if tables:
            # One file per label holds one text per line: a table read so would make every row
            # a "text" labelled with the file's name.
            raise DataError(
                f"{root}: holds several files, among them the table(s) {', '.join(tables[:4])}, "
                "but none is named for a split (train / dev / test). Name the tables train.csv, "
                "dev.csv, test.csv, or give the one table as download.path; one file per label "
                "(x.pos, x.neg) holds one text per line, never a table."
            )
        return read_label_files(files, encoding, notes)
    if folders:
        return read_label_folders(root, encoding, None, max_chars, notes)
    raise DataError(
        f"{root}: no labeled texts found. Accepted folder layouts: split files (train.csv, "
        "dev.csv, "
        "test.csv, ...), one file per label with one text per line (x.pos, x.neg), or label "
        "folders "
        f"<label>/*.txt, optionally under <split>/ (train, dev, test)."
    )


def _visible(root: Path) -> tuple[list[Path], list[Path]]:
    entries = [p for p in sorted(root.iterdir()) if not p.name.startswith((".", "_"))]
    return (
        [p for p in entries if p.is_file() and not NOT_DATA.search(p.name)],
        [p for p in entries if p.is_dir()],
    )


def read_label_folders(
    root: Path,
    encoding: str,
    inside: Path | None = None,
    max_chars: int = 1_000_000,
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """`root/<label>/*.txt`, one text per file (split: None). Only regular files inside `inside`
    (the folder the user gave; default `root`) are read: a directory or broken link named *.txt,
    a symlink loop, or a link leading out of that folder is skipped and counted in a warning."""
    inside = (inside or root).resolve()
    rows, skipped, cut = [], [], []
    for label_dir in sorted(
        d for d in root.iterdir() if d.is_dir() and not d.name.startswith((".", "_"))
    ):
        if label_dir.name.lower() == "unsup":
            continue
        if not label_dir.resolve().is_relative_to(inside):
            skipped.append(f"{label_dir}/ (a link out of {inside})")
            continue
        for file in sorted(label_dir.glob("*.txt")):
            if (
                not file.is_file()
            ):  # a directory, a broken link or a symlink loop (is_file() is False for all)
                skipped.append(f"{file} (not a file)")
            elif not file.resolve().is_relative_to(inside):
                skipped.append(f"{file} (a link out of {inside})")
            else:
                text = _decode(_read_bytes(file, max_chars * 4 + 4), encoding)
                if len(text) > max_chars:
                    cut.append(str(file.relative_to(root)))
                    text = text[:max_chars]
                rows.append((text, label_dir.name, None))
    if cut and notes is not None:
        notes.append(long_texts_note(cut, max_chars))
    if skipped:
        shown = "; ".join(skipped[:5]) + (
            f"; and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        )
        print(
            f"download: WARNING: skipped {len(skipped)} entr{'y' if len(skipped) == 1 else 'ies'} "
            "of the label "
            f"folders that are not readable files inside {inside}: {shown}"
        )
    if not rows:
        raise DataError(
            f"{root}: no *.txt files in label subfolders; expected {root}/<label>/*.txt "
            f"(or <split>/<label>/*.txt)."
        )
    return pd.DataFrame(rows, columns=["text", "label", "split"])


def long_texts_note(names: list[str], max_chars: int) -> str:
    """The warning for texts cut at download.max_text_chars, naming them."""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return (
        f"WARNING: {len(names)} text(s) longer than download.max_text_chars ({max_chars:,} "
        f"characters) cut to that length: {shown}. Raise download.max_text_chars if they are "
        "real documents."
    )


def _read_bytes(path: Path, most: int | None = None) -> bytes:
    """The file's bytes, at most `most` of them (None: all)."""
    try:
        if most is None:
            return path.read_bytes()
        with path.open("rb") as handle:
            return handle.read(most)
    except OSError as exc:
        raise DataError(
            f"{path}: cannot be read ({exc.strerror}); fix its permissions or remove it."
        ) from None


def read_label_files(files: list[Path], encoding: str, notes: list[str]) -> pd.DataFrame:
    """One file per label, one text per line; the label is the suffix when the files share their
    name (rt-polarity.pos, rt-polarity.neg), else the name without suffix (pos.txt, neg.txt)."""
    stems = {f.name.split(".")[0] for f in files}
    by_suffix = len(stems) == 1 and all("." in f.name for f in files)
    labels = {f: (f.name.split(".", 1)[1] if by_suffix else f.name.split(".")[0]) for f in files}
    named_for_splits = sorted(
        f.name
        for f, label in labels.items()
        if set(NAME_WORDS.split(label.lower())) & SPLIT_NAMES.keys()
    )
    if named_for_splits:
        # Labels that name splits are a misread layout (TREC.train.all / TREC.test.all): a model
        # of "which file a line came from" must never train silently.
        raise DataError(
            f"{files[0].parent}: the files {', '.join(named_for_splits[:4])} would be read as one "
            "file per label, but their names name splits (train / dev / test). Give a training "
            "file (train in its name) beside them, or give one table with a split column as "
            "download.path."
        )
    if len(set(labels.values())) != len(files):
        raise DataError(
            f"{files[0].parent}: {len(files)} files but their names give labels "
            f"{sorted(set(labels.values()))}; name one file per label (x.pos, x.neg or pos.txt, "
            "neg.txt)."
        )
    notes.append(
        f"{files[0].parent}: one file per label, one text per line: "
        + ", ".join(f"{f.name} -> {labels[f]}" for f in files)
    )
    rows = [(line, labels[f], None) for f in files for _, line in _lines(f, encoding)]
    return pd.DataFrame(rows, columns=["text", "label", "split"])


def read_label_lines(path: Path, encoding: str, notes: list[str]) -> pd.DataFrame:
    """`label<TAB>text`, `label text` or fastText `__label__x text` lines (blank lines skipped)."""
    lines = list(_lines(path, encoding))
    if not lines:
        raise DataError(f"{path}: no lines of text.")
    if all(line.startswith(FASTTEXT_PREFIX) for _, line in lines):
        pairs = [_fasttext_pair(path, number, line) for number, line in lines]
        kind = "fastText __label__ lines"
    else:
        separator = "\t" if all("\t" in line for _, line in lines) else " "
        pairs = []
        for number, line in lines:
            label, _, text = line.partition(separator)
            if not text.strip():
                raise DataError(
                    f"{path}, line {number}: a label and no text ({line[:60]!r}); expected "
                    f"label<TAB>text, label text or __label__x text on every line."
                )
            pairs.append((label.strip(), text.strip()))
        kind = f"label{'<TAB>' if separator == chr(9) else ' '}text lines"
        if separator == "\t" and len({p[0] for p in pairs}) > _label_limit(pairs) >= len(
            {p[1] for p in pairs}
        ):
            pairs, kind = [(text, label) for label, text in pairs], "text<TAB>label lines"
    labels = {p[0] for p in pairs}
    if len(labels) > _label_limit(pairs):
        examples = ", ".join(repr(p[0][:20]) for p in pairs[:3])
        raise DataError(
            f"{path}: the first field of each line does not look like a label "
            f"({len(labels)} different values over {len(pairs)} lines: {examples}, ...); "
            "expected label<TAB>text, label text or __label__x text. For one text per line and "
            "one file "
            f"per label, give the folder holding the files as download.path."
        )
    notes.append(f"{path}: {kind}")
    return pd.DataFrame(
        {"text": [p[1] for p in pairs], "label": [p[0] for p in pairs], "split": None}
    )


def _fasttext_pair(path: Path, number: int, line: str) -> tuple[str, str]:
    words = line.split()
    labels = [w[len(FASTTEXT_PREFIX) :] for w in words if w.startswith(FASTTEXT_PREFIX)]
    text = " ".join(w for w in words if not w.startswith(FASTTEXT_PREFIX))
    if len(labels) > 1:
        raise DataError(
            f"{path}, line {number}: {len(labels)} labels ({', '.join(labels)}); one label per "
            "text is "
            f"supported (multi-label classification is not)."
        )
    if not text:
        raise DataError(f"{path}, line {number}: a label and no text.")
    return labels[0], text


def _label_limit(pairs: list) -> int:
    """At most this many distinct labels for a column of `pairs` to read as labels."""
    return min(MAX_LINE_LABELS, max(2, len(pairs) // 2))


def _lines(path: Path, encoding: str):
    """(line number, line) of every non-blank line, CR of CRLF removed, a byte-order mark
    dropped."""
    check_not_wide(path, encoding, "download.encoding")
    text = _decode(path.read_bytes(), encoding)
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if line.strip():
            yield number, line


def _decode(raw: bytes, encoding: str) -> str:
    """Bytes that do not decode become U+FFFD (quality_report counts them) instead of stopping
    the read."""
    return raw.decode(_dropping_bom(encoding), errors="replace")


def _dropping_bom(encoding: str) -> str:
    """UTF-8 as `utf-8-sig`, so a byte-order mark is not read as the first text's (or header's)
    first character."""
    return "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding


def read_table(
    path: Path,
    text_column: str,
    label_column: str,
    split_column: str,
    encoding: str = "utf-8",
    notes: list[str] | None = None,
) -> pd.DataFrame:
    """A CSV / TSV / Parquet / JSONL file with a text and a label column (and optionally a split
    column)."""
    notes = [] if notes is None else notes
    frame = read_table_file(path, encoding)
    if text_column not in frame.columns or label_column not in frame.columns:
        frame, text_column, label_column = _two_column_table(
            frame, path, encoding, (text_column, label_column, split_column), notes
        )
    if frame.empty:
        raise DataError(f"{path}: the table has a header but no rows.")
    if text_column == label_column:
        raise DataError(
            f"{path}: download.text_column and download.label_column both name '{text_column}': "
            "the model "
            f"would read the answer (a leak that scores 100%). Point them at different columns."
        )
    _check_text_column(frame[text_column], path, text_column)
    if pd.api.types.is_object_dtype(frame[label_column]) or pd.api.types.is_string_dtype(
        frame[label_column]
    ):
        # Only texts keep "NA" literal: an empty or NA-like label is a missing label, refused below.
        labels = frame[label_column].where(
            ~frame[label_column].astype(str).str.strip().isin(MISSING_LABELS), None
        )
        frame[label_column] = _numbers_if_all_numeric(labels)
        _warn_mixed_label_kinds(frame[label_column], path, label_column)
    out = pd.DataFrame(
        {"text": frame[text_column].fillna("").astype(str), "label": frame[label_column]}
    )
    out["split"] = None
    if split_column in frame.columns:
        names = frame[split_column].astype(str).str.strip().str.lower()
        unknown = sorted(set(names) - set(SPLIT_NAMES))
        if unknown:
            raise DataError(
                f"{path}: column '{split_column}' has values {unknown}; allowed: train, validation "
                "(or "
                f"dev), test, unsup."
            )
        out["split"] = names.map(SPLIT_NAMES)
    unlabeled = out["label"].isna() & (out["split"] != "unsup")
    if unlabeled.any():
        raise DataError(
            f"{path}: {int(unlabeled.sum())} rows have no label in '{label_column}'; fill or drop "
            "them, "
            f"or mark unlabeled text with split 'unsup'."
        )
    return out


# Label cells read as missing (compared after stripping spaces); a text cell keeps them as written.
MISSING_LABELS = frozenset(
    {"", "NA", "N/A", "NaN", "nan", "NAN", "null", "NULL", "None", "none", "<NA>", "#N/A"}
)


def _check_text_column(column: pd.Series, path: Path, name: str) -> None:
    """Texts must be strings: a list column (stored as numpy's abbreviated repr) or a number
    column is refused."""
    values = column.dropna()
    odd = values[~values.map(lambda v: isinstance(v, str))]
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        kind = str(column.dtype)
    elif len(odd):
        kind = type(odd.iloc[0]).__name__
    elif len(values) and values.str.strip().str.fullmatch(r"[-+]?\d+(\.\d*)?").all():
        # A CSV reads every cell as text: an id or a score column picked by mistake.
        kind = "only numbers as"
    else:
        kind = None
    if kind is not None:
        raise DataError(
            f"{path}: the text column '{name}' holds {kind} values, not strings of text; set "
            "download.text_column to the column of texts (a column of token lists must be joined "
            "into "
            f"one string per row first)."
        )


def _warn_mixed_label_kinds(labels: pd.Series, path: Path, name: str) -> None:
    """Numbers and words in one label column (1/0 beside pos/neg) are two labelings mixed up: say
    so, counted."""
    values = labels.dropna().astype(str).str.strip()
    numeric = values.str.fullmatch(r"[-+]?\d+(\.\d+)?")
    if numeric.any() and not numeric.all():

        def counts(part: pd.Series) -> str:
            return ", ".join(f"{k} x{v}" for k, v in part.value_counts().head(6).items())

        print(
            f"download: WARNING: {path}: column '{name}' mixes numeric labels "
            f"({counts(values[numeric])}) with "
            f"words ({counts(values[~numeric])}); they become separate classes. Make the labels "
            "one kind."
        )


def read_table_file(path: Path, encoding: str, header: bool = True) -> pd.DataFrame:
    """A CSV / TSV / Parquet / JSONL file (any of TABLE_SUFFIXES) as a frame; CSV cells stay
    strings ("NA" too)."""
    name = path.name.lower()
    try:
        if name.endswith(PARQUET_SUFFIXES):
            return pd.read_parquet(path)
        if name.endswith(JSONL_SUFFIXES):
            return pd.read_json(path, lines=True, encoding=encoding, encoding_errors="replace")
        sep = "\t" if name.endswith((".tsv", ".tsv.gz")) else ","
        if not name.endswith(".gz"):
            check_not_wide(path, encoding, "download.encoding")
        # keep_default_na=False: a review that reads "NA" or "null" is text, not a missing value.
        frame = pd.read_csv(
            path,
            sep=sep,
            encoding=_dropping_bom(encoding),
            encoding_errors="replace",
            keep_default_na=False,
            dtype=str,
            header=0 if header else None,
        )
        if not header:
            frame.columns = [f"column {i + 1}" for i in range(frame.shape[1])]
        return frame
    except pd.errors.EmptyDataError:
        raise DataError(
            f"{path}: the file is empty; expected a header row with a text and a label column."
        ) from None
    except (ValueError, OSError) as exc:
        raise DataError(f"{path}: cannot be read as a table ({exc}).") from None


def _two_column_table(
    frame: pd.DataFrame, path: Path, encoding: str, columns: tuple[str, str, str], notes: list[str]
) -> tuple[pd.DataFrame, str, str]:
    """A table without the named columns: if it has exactly two others, the longer one is the
    text and the other the label; a CSV / TSV whose header row is itself a text and a label is
    read as having no header."""
    text_column, label_column, split_column = columns
    others = [c for c in frame.columns if c != split_column]
    if len(others) != 2:
        role, missing = (
            ("text", text_column) if text_column not in frame.columns else ("label", label_column)
        )
        raise DataError(
            f"{path}: no {role} column '{missing}'; columns found: "
            f"{', '.join(map(str, frame.columns))}. "
            f"Set download.{role}_column to one of them."
        )
    text, label = _text_then_label(frame, others)
    headerless = path.name.lower().endswith(DELIMITED_SUFFIXES) and str(label) in set(
        frame[label].astype(str)
    )
    if headerless:
        frame = read_table_file(path, encoding, header=False)
        text, label = _text_then_label(frame, list(frame.columns))
        notes.append(
            f"{path}: no header row (its first row is a text and a label); reading {text} as the "
            "text and "
            f"{label} as the label"
        )
    else:
        notes.append(
            f"{path}: no columns '{text_column}' and '{label_column}'; reading '{text}' as the "
            "text and "
            f"'{label}' as the label (download.text_column / download.label_column choose)"
        )
    return frame, text, label


def _text_then_label(frame: pd.DataFrame, columns: list) -> tuple:
    """Of two columns, (the one with longer values on average, the other)."""
    lengths = {c: frame[c].astype(str).str.len().mean() for c in columns}
    text, label = sorted(columns, key=lambda c: -lengths[c])
    return text, label


def _numbers_if_all_numeric(column: pd.Series) -> pd.Series:
    """CSV labels arrive as text; '-1', '0', '1' become integers again, anything else stays text."""
    present = column.dropna()
    numbers = pd.to_numeric(present, errors="coerce")
    if len(present) and numbers.notna().all():
        return pd.to_numeric(column)
    return column

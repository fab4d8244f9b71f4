"""Tagged sentences from CoNLL-U (Universal Dependencies), CoNLL column files and token-list tables.

CoNLL-U fields are read by the `conllu` package (the format's reference parser for Python); here
only the UD conventions on top: multi-word tokens (`1-2 don't`) are surface forms whose words (`do`,
`n't`) carry the tags, so ranges are skipped and the words kept; empty nodes (`8.1`) are not words
of the sentence and are skipped too. Every sentence keeps the line it starts on, so errors name file
and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import conllu
import pandas as pd

from ..core.encodings import check_not_wide
from ..core.errors import DataError

UD_SPLIT = re.compile(r"-ud-(train|dev|test)\.conllu$")
SPLIT_NAMES = {"train": "train", "dev": "validation", "test": "test"}


@dataclass
class Sentence:
    tokens: list[str]
    tags: list[str]
    line: int  # where the sentence starts in its file (1-based)
    split: str | None = None  # a table's split column, when it has one


def _blocks(text: str):
    """(first line number, lines) of each blank-line-separated block; Windows line endings
    allowed."""
    block, start = [], 1
    for number, line in enumerate(
        text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1
    ):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def read_conllu(path: Path, tag_field: str = "upos") -> list[Sentence]:
    """The sentences of a CoNLL-U file: each word's FORM and the `tag_field` column (upos, xpos,
    ...)."""
    sentences = []
    check_not_wide(path, "utf-8", None)
    for start, lines in _blocks(path.read_text(encoding="utf-8-sig", errors="strict")):
        token_lines = [start + i for i, line in enumerate(lines) if not line.startswith("#")]
        if not token_lines:
            continue  # comments only (e.g. a document's header)
        try:
            tokens = conllu.parse("\n".join(lines) + "\n\n")[0]
        except conllu.exceptions.ParseException as exc:
            raise DataError(f"{path}, line {start}: not CoNLL-U ({exc}).") from None
        words, tags = [], []
        for token, line in zip(tokens, token_lines):
            if not isinstance(token["id"], int):
                continue  # a multi-word token's range (its words follow) or an empty node
            tag = token.get(tag_field)
            if tag is None or tag == "_":
                raise DataError(
                    f"{path}, line {line}: the word {token['form']!r} has no {tag_field!r} value; "
                    f"download.tag_column names a CoNLL-U column: upos or xpos (the tag columns)."
                )
            words.append(token["form"])
            tags.append(tag)
        if not words:
            raise DataError(f"{path}, line {start}: a sentence without words.")
        sentences.append(Sentence(words, tags, start))
    return sentences


def read_conll_columns(path: Path, column: str) -> list[Sentence]:
    """One token per line, columns split by whitespace, a blank line between sentences,
    `-DOCSTART-` lines skipped; the token is the first column and the tag the `column`-th (an
    index; -1 = the last)."""
    try:
        index = int(column)
    except ValueError:
        raise DataError(
            f"download.tag_column is {column!r}, but CoNLL column files name their tag column by "
            f"index: e.g. -1 (the last column: NER tags in CoNLL-2003) or 1 (POS tags)."
        ) from None
    sentences = []
    check_not_wide(path, "utf-8", None)
    for start, lines in _blocks(path.read_text(encoding="utf-8-sig")):
        lines = [line for line in lines if not line.startswith("-DOCSTART-")]
        if not lines:
            continue
        words, tags = [], []
        for offset, line in enumerate(lines):
            fields = line.split()
            # The token is column 0: the tag column must be another one (-1 on a line holding
            # only a token would make the token its own tag).
            if index == 0 or not -len(fields) <= index < len(fields) or index % len(fields) == 0:
                remedy = (
                    f"set download.tag_column to an index from 1 to {len(fields) - 1} or -1"
                    if len(fields) > 1
                    else "give every token line its tag (or remove the line)"
                )
                raise DataError(
                    f"{path}, line {start + offset}: no tag column {index} in {len(fields)} "
                    f"column{'s' if len(fields) != 1 else ''} ({line.strip()!r}); {remedy}."
                )
            words.append(fields[0])
            tags.append(fields[index])
        sentences.append(Sentence(words, tags, start))
    return sentences


def read_tagged_table(
    path: Path, tokens_column: str, tags_column: str, split_column: str = ""
) -> list[Sentence]:
    """A Parquet / JSONL table with a token-list column, a tag-list column and optionally a split
    column."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif suffix in (".jsonl", ".json"):
        frame = pd.read_json(path, lines=True, dtype=False)
    else:
        raise DataError(
            f"{path}: a tagged table is a .parquet or .jsonl file with a token-list and a tag-list "
            f"column; for CoNLL files set data.source to conllu or conll."
        )
    for name, param in (
        (tokens_column, "download.tokens_column"),
        (tags_column, "download.tags_column"),
    ):
        if name not in frame.columns:
            raise DataError(
                f"{path}: no column {name!r} ({param}); its columns: {list(frame.columns)}."
            )
    splits = _table_splits(frame, split_column, path)
    sentences = []
    for row, (tokens, tags, split) in enumerate(
        zip(frame[tokens_column], frame[tags_column], splits), start=1
    ):
        if isinstance(tokens, str) or isinstance(tags, str) or not hasattr(tokens, "__len__"):
            raise DataError(
                f"{path}, row {row}: {tokens_column!r} and {tags_column!r} must hold lists "
                "(tokens, "
                f"tags), not {type(tokens).__name__} / {type(tags).__name__}."
            )
        sentences.append(Sentence([str(t) for t in tokens], [str(t) for t in tags], row, split))
    return sentences


def _table_splits(frame: pd.DataFrame, column: str, path: Path) -> list:
    """Each row's split from `column` (dev / valid mean validation), or None for every row
    without one."""
    if column not in frame.columns:
        return [None] * len(frame)
    splits = (
        frame[column].astype(str).str.lower().replace({"dev": "validation", "valid": "validation"})
    )
    unknown = sorted(set(splits) - {"train", "validation", "test"})
    if unknown:
        raise DataError(
            f"{path}: column {column!r} (download.split_column) holds {unknown[:5]}; allowed: "
            "train, "
            f"validation (or dev), test."
        )
    return list(splits)


def check_sentences(sentences: list[Sentence], path: Path, what: str = "line") -> None:
    """Every sentence has words, and as many tags as tokens."""
    if not sentences:
        raise DataError(f"{path}: no sentences.")
    for sentence in sentences:
        if not sentence.tokens:
            raise DataError(f"{path}, {what} {sentence.line}: an empty sentence.")
        if len(sentence.tokens) != len(sentence.tags):
            raise DataError(
                f"{path}, {what} {sentence.line}: {len(sentence.tokens)} tokens but "
                f"{len(sentence.tags)} tags."
            )


def ud_split_files(folder: Path) -> dict[str, Path]:
    """A UD treebank folder's `*-ud-{train,dev,test}.conllu` files by split (train, validation,
    test)."""
    found = {}
    for path in sorted(folder.rglob("*.conllu")):
        match = UD_SPLIT.search(path.name)
        if match:
            split = SPLIT_NAMES[match.group(1)]
            if split in found:
                raise DataError(
                    f"{folder}: two {match.group(1)} files ({found[split].relative_to(folder)}, "
                    f"{path.relative_to(folder)}); point download.path at one treebank's folder."
                )
            found[split] = path
    if "train" not in found:
        raise DataError(
            f"{folder}: no *-ud-train.conllu file; a UD treebank folder holds "
            f"<name>-ud-train.conllu, -dev and -test."
        )
    return found


def sentences_frame(by_split: dict[str | None, list[Sentence]]) -> pd.DataFrame:
    """tokens (list), tags (list), split: the download stage's dataset for tagging; a sentence's
    own split (a table's split column) comes before its file's."""
    rows = [
        (s.tokens, s.tags, s.split or split)
        for split, sentences in by_split.items()
        for s in sentences
    ]
    return pd.DataFrame(rows, columns=["tokens", "tags", "split"])

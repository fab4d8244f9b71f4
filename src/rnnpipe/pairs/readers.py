"""Sentence pairs from the files public pair datasets ship, as `Pair`s: two sentences (tokens, and
their parses when the data gives them), a label and/or a score, a split.

- JSON lines as SNLI 1.0 and MultiNLI write them (`sentence1`, `sentence2`, `gold_label`, and
  `sentence{1,2}_binary_parse`: the unlabeled binary trees SPINN reads); rows whose gold label is
  `-` (no annotator consensus) are skipped and counted. rnnpipe's synthetic pairs use the same
  format, with `sentence{1,2}_heads` (dependency heads) and a `score` besides.
- SICK (SemEval-2014 Task 1): tab-separated `pair_ID, sentence_A, sentence_B, relatedness_score,
  entailment_judgment`; with Tai et al.'s `dependency/{train,dev,test}/` folders beside the files,
  their tokens and dependency heads, joined by pair_ID.
- Tables (CSV/TSV/Parquet/JSONL) with two sentence columns and a label or score column.
Every error names the file and line (or pair) and what to do.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import DataError
from ..trees.childsum import check_heads
from ..trees.ptb import Tree, parse_unlabeled

NLI_LABELS = ["entailment", "neutral", "contradiction"]
TOKEN = re.compile(r"\w+(?:'\w+)?|n't|[^\w\s]", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """Words and punctuation marks (no parse given): "isn't" -> is, n't as the Penn Treebank
    splits it."""
    text = re.sub(r"(\w)n't\b", r"\1 n't", text)
    return TOKEN.findall(text)


@dataclass
class Sentence:
    tokens: list[str]
    tree: Tree | None = None  # a binary constituency parse (SNLI's), leaves = tokens
    heads: list[int] | None = None  # dependency heads, 1-based, 0 = the root
    relations: list[str] | None = None  # each token's dependency relation (nsubj, dobj, ...)


@dataclass
class Pair:
    premise: Sentence
    hypothesis: Sentence
    label: str | None = None
    score: float | None = None
    split: str = "train"
    where: str = ""  # file:line, for messages


@dataclass
class ReadResult:
    pairs: list[Pair] = field(default_factory=list)
    skipped: int = 0  # SNLI rows without a gold label


def read_nli_jsonl(path: Path, split: str, skip_unlabelled: bool = True) -> ReadResult:
    """SNLI / MultiNLI JSON lines (and rnnpipe's synthetic pairs); `skip_unlabelled`: rows whose
    gold label is '-' are left out and counted."""
    result = ReadResult()
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{path}, line {number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{where}: not a JSON object ({exc.msg}).") from None
            label = row.get("gold_label")
            if label == "-" and skip_unlabelled:
                result.skipped += 1
                continue
            sentences = [row_sentence(row, k, f"sentence{k}", where) for k in (1, 2)]
            score = row.get("score")
            result.pairs.append(
                Pair(
                    *sentences,
                    label=None if label is None else str(label),
                    score=None if score is None else float(score),
                    split=split,
                    where=where,
                )
            )
    return result


def row_sentence(row: dict, k: int, column: str, where: str) -> Sentence:
    """Sentence k (1 or 2) of a row: its text in `column`, and when the row has them its binary
    parse (`sentence<k>_binary_parse`), dependency heads and relation labels
    (`sentence<k>_heads`, `sentence<k>_relations`: lists, or space-separated in a table cell; an
    empty cell is none). DataError naming `where` for a missing text or parses of other tokens."""
    text = row.get(column)
    if not isinstance(text, str) or not text.strip():
        raise DataError(f"{where}: {column} is missing or empty.")
    parse = present(row.get(f"sentence{k}_binary_parse"))
    tree = parse_unlabeled(parse, f"{where}, sentence{k}_binary_parse") if parse else None
    tokens = list(tree.words) if tree else tokenize(text)
    heads = present(row.get(f"sentence{k}_heads"))
    if heads is not None:
        try:
            heads = [int(h) for h in listed(heads)]
        except ValueError:
            raise DataError(f"{where}: sentence{k}_heads must be integers.") from None
        check_heads(heads, f"{where}, sentence{k}_heads")
        if len(heads) != len(tokens):
            raise DataError(
                f"{where}: sentence{k}_heads has {len(heads)} heads for {len(tokens)} tokens."
            )
    relations = present(row.get(f"sentence{k}_relations"))
    if relations is not None:
        relations = [str(r) for r in listed(relations)]
        if len(relations) != len(tokens):
            raise DataError(
                f"{where}: sentence{k}_relations has {len(relations)} labels for "
                f"{len(tokens)} tokens."
            )
    return Sentence(tokens, tree, heads, relations)


def present(value):
    """`value`, or None for an absent or empty cell (None, NaN, an empty string or list)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value if len(value) else None


def listed(value) -> list:
    """A list cell as a list: a string's space-separated items, or the items themselves."""
    return value.split() if isinstance(value, str) else list(value)


SICK_FILES = {
    "train": "SICK_train.txt",
    "validation": "SICK_trial.txt",
    "test": "SICK_test_annotated.txt",
}
SICK_PARSES = {"train": "train", "validation": "dev", "test": "test"}
SICK_COLUMNS = ["pair_ID", "sentence_A", "sentence_B", "relatedness_score", "entailment_judgment"]


def read_sick(folder: Path, split: str) -> ReadResult:
    """One SICK split: SICK_train.txt (train), SICK_trial.txt (validation) or
    SICK_test_annotated.txt (test); with dependency/<train|dev|test>/ beside them, Tai et al.'s
    tokens and heads for the same pairs."""
    path = folder / SICK_FILES[split]
    parses = _sick_parses(folder / "dependency" / SICK_PARSES[split])
    result = ReadResult()
    with open(path, encoding="utf-8") as lines:
        header = next(lines, "").rstrip("\n").split("\t")
        if header[:5] != SICK_COLUMNS:
            raise DataError(
                f"{path}, line 1: expected the SICK header {' '.join(SICK_COLUMNS)}, got "
                f"{' '.join(header[:5])!r}."
            )
        for number, line in enumerate(lines, 2):
            if not line.strip():
                continue
            where = f"{path}, line {number}"
            cells = line.rstrip("\n").split("\t")
            if len(cells) < 5:
                raise DataError(f"{where}: {len(cells)} tab-separated cells; SICK has 5.")
            pair_id, first, second, score, label = cells[:5]
            try:
                value = float(score)
            except ValueError:
                raise DataError(f"{where}: relatedness_score {score!r} is not a number.") from None
            if parses is not None:
                if pair_id not in parses:
                    raise DataError(
                        f"{where}: pair {pair_id} is not in {folder / 'dependency'} "
                        f"{SICK_PARSES[split]}/id.txt; the parses belong to another split."
                    )
                sentences = parses[pair_id]
            else:
                sentences = (Sentence(tokenize(first)), Sentence(tokenize(second)))
            if not sentences[0].tokens or not sentences[1].tokens:
                raise DataError(f"{where}: an empty sentence.")
            result.pairs.append(Pair(*sentences, label.lower(), value, split, where))
    return result


def _sick_parses(folder: Path) -> dict[str, tuple[Sentence, Sentence]] | None:
    """{pair_ID: (sentence A, sentence B)} from Tai et al.'s id.txt, a/b.toks, a/b.parents and,
    when present, a/b.rels (each token's relation label); None when the folder is absent."""
    if not folder.is_dir():
        return None
    names = ["id.txt", "a.toks", "b.toks", "a.parents", "b.parents"]
    missing = [n for n in names if not (folder / n).is_file()]
    if missing:
        raise DataError(f"{folder}: lacks {', '.join(missing)} (Tai et al.'s SICK layout).")
    names += [n for n in ("a.rels", "b.rels") if (folder / n).is_file()]
    columns = {n: (folder / n).read_text(encoding="utf-8").splitlines() for n in names}
    lengths = {n: len(v) for n, v in columns.items()}
    if len(set(lengths.values())) != 1:
        raise DataError(f"{folder}: the files have different line counts {lengths}.")
    parses = {}
    for row in range(lengths["id.txt"]):
        sentences = []
        for side in "ab":
            tokens = columns[f"{side}.toks"][row].split()
            where = f"{folder / f'{side}.parents'}, line {row + 1}"
            try:
                heads = [int(h) for h in columns[f"{side}.parents"][row].split()]
            except ValueError:
                raise DataError(f"{where}: heads must be integers.") from None
            if len(heads) != len(tokens):
                raise DataError(
                    f"{where}: {len(heads)} heads for the {len(tokens)} tokens of "
                    f"{side}.toks line {row + 1}; the parses are not of these sentences."
                )
            check_heads(heads, where)
            relations = None
            if f"{side}.rels" in columns:
                relations = columns[f"{side}.rels"][row].split()
                if len(relations) != len(tokens):
                    raise DataError(
                        f"{folder / f'{side}.rels'}, line {row + 1}: {len(relations)} labels for "
                        f"the {len(tokens)} tokens of {side}.toks line {row + 1}."
                    )
            sentences.append(Sentence(tokens, None, heads, relations))
        parses[columns["id.txt"][row].strip()] = tuple(sentences)
    return parses


def read_table(frame, path: Path, columns: dict, target: str) -> list[Pair]:
    """Pairs from a table's rows: `columns` names premise, hypothesis, label (or score) and
    split (None: the caller splits)."""
    for role, name in columns.items():
        if name is not None and name not in frame.columns:
            raise DataError(
                f"{path}: no column {name!r} (parse.{role}_column); the columns are "
                f"{', '.join(map(str, frame.columns[:12]))}."
            )
    pairs = []
    split_column = columns.get("split")
    for number, row in enumerate(frame.itertuples(index=False), 2):
        values = dict(zip(frame.columns, row))
        where = f"{path}, row {number - 1}"
        sentences = []
        for role in ("premise", "hypothesis"):
            text = values[columns[role]]
            if not isinstance(text, str) or not text.strip():
                raise DataError(f"{where}: {columns[role]!r} is missing or empty.")
            sentences.append(Sentence(tokenize(text)))
        answer = values[columns["label"]]
        label = score = None
        if target == "score":
            try:
                score = float(answer)
            except (TypeError, ValueError):
                raise DataError(
                    f"{where}: {columns['label']!r} is {answer!r}, not a score."
                ) from None
            if math.isnan(score):
                raise DataError(f"{where}: {columns['label']!r} is missing.")
        else:
            if answer is None or (isinstance(answer, float) and math.isnan(answer)):
                raise DataError(f"{where}: {columns['label']!r} is missing.")
            label = str(answer)
        split = str(values[split_column]) if split_column else "train"
        pairs.append(Pair(*sentences, label, score, split, where))
    return pairs

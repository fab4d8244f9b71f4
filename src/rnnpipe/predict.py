"""`rnnpipe predict`'s printers, one per model format (the task registry, rnnpipe.tasks, picks one),
and the input readers they share. Each printer gets the parsed arguments and the loaded model, and
prints one output line per input (texts, sentences, trees) or per sequence / forecast.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np

from .core.errors import RnnpipeError


def read_column(path: str, column: str) -> list[str]:
    """The texts of one column of a table file (any suffix the text pipeline's download reads)."""
    from .text.layouts import TABLE_SUFFIXES, read_table_file

    if not path.lower().endswith(TABLE_SUFFIXES):
        raise RnnpipeError(
            f"{path}: --column reads table files ({', '.join(TABLE_SUFFIXES)}); this one has "
            "another "
            f"suffix."
        )
    frame = read_table_file(Path(path), "utf-8")
    if column not in frame.columns:
        raise RnnpipeError(
            f"{path}: no column {column!r}; its columns: {', '.join(map(str, frame.columns))}."
        )
    return ["" if value is None or value != value else str(value) for value in frame[column]]


def read_texts(args) -> list[str]:
    """The inputs: arguments, a file's lines, a table's column (--column) or standard input's
    lines."""
    if args.column and not args.file:
        raise RnnpipeError("--column names a column of the file given with --file; add --file.")
    if args.texts and args.file:
        raise RnnpipeError("give the texts either as arguments or with --file, not both.")
    if args.texts:
        return list(args.texts)
    if args.file and args.column:
        return read_column(args.file, args.column)
    if args.file and args.file != "-":
        try:
            with open(args.file, encoding="utf-8", errors="replace", newline="") as handle:
                texts = split_lines(handle.read())
        except OSError as exc:
            raise RnnpipeError(f"{args.file}: cannot be read ({exc.strerror}).") from None
    else:
        texts = split_lines(sys.stdin.buffer.read().decode("utf-8", errors="replace"))
    if not texts:
        raise RnnpipeError(
            f"{'standard input' if not args.file or args.file == '-' else args.file} holds no "
            f"text; give one text per line."
        )
    return texts


def split_lines(text: str) -> list[str]:
    """One text per line, the same for a file and for standard input: a line ends at \\n, \\r\\n
    or a lone \\r (and at nothing else: str.splitlines would also split at form feeds and Unicode
    separators inside a text)."""
    lines = re.split(r"\r\n|\r|\n", text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def predict_texts(args, classifier) -> None:
    """A text classifier: a label and its probability per text."""
    texts = read_texts(args)
    filled = [i for i, text in enumerate(texts) if text.strip()]
    _warn_unreadable(texts, filled, classifier)
    proba = classifier.predict_proba([texts[i] for i in filled], batch_size=args.batch_size)
    print_classified(texts, dict(zip(filled, proba)), classifier.label_map.labels, args.json)


def predict_tags(args, tagger) -> None:
    """A tagger: every text's tokens (split at whitespace, as the training data was tokenized)
    with their tags, one output line per input line."""
    texts = read_texts(args)
    sentences = [text.split() for text in texts]
    filled = [i for i, tokens in enumerate(sentences) if tokens]
    _warn_empty(texts)
    proba = dict(
        zip(
            filled, tagger.predict_proba([sentences[i] for i in filled], batch_size=args.batch_size)
        )
    )
    names = tagger.tag_map.labels
    for i, tokens in enumerate(sentences):
        rows = proba.get(i, np.zeros((0, len(names))))
        best = rows.argmax(axis=1) if len(rows) else []
        if args.json:
            print(
                json.dumps(
                    {
                        "tokens": tokens,
                        "tags": [str(names[k]) for k in best],
                        "probability": [round(float(r[k]), 6) for r, k in zip(rows, best)],
                        "probabilities": [
                            {str(n): round(float(p), 6) for n, p in zip(names, r)} for r in rows
                        ],
                        "text": texts[i],
                    }
                )
            )
        else:
            print(" ".join(f"{token}/{names[k]}" for token, k in zip(tokens, best)))


def file_only(args, refusal: str) -> None:
    """Models that read a file (forecasters, sequences models) refuse texts, --column and
    standard input."""
    if args.texts or args.column or not args.file or args.file == "-":
        raise RnnpipeError(refusal)


def predict_forecast(args, forecaster) -> None:
    """A forecaster: one forecast from the CSV of recent readings given with --file."""
    from .forecast.readings import forecast_from_readings

    file_only(
        args,
        f"{args.model} holds a forecasting model: it forecasts from a CSV of recent readings, not "
        "from "
        f"texts. Run `rnnpipe predict --model {args.model} --file recent.csv` with the station's "
        "latest "
        f"readings (the training data's columns).",
    )
    forecast = forecast_from_readings(args.file, forecaster)
    if args.json:
        print(json.dumps({**forecast, "forecast": round(forecast["forecast"], 6)}))
    else:
        print(f"{forecast['time']}\t{forecast['target']}\t{forecast['forecast']:.4f}")


def predict_sequences(args, trained) -> None:
    """A sequences model: a label per sequence (or window), or per step, for the file given with
    --file."""
    from .sequences.predictor import predict_file

    file_only(
        args,
        f"{args.model} holds a numeric-sequences model: it reads a file of sequences (CSV, Parquet "
        "or "
        f".npz, laid out as its training data). Run `rnnpipe predict --model {args.model} --file "
        f"new.csv`.",
    )
    for row in predict_file(args.file, trained, args.batch_size):
        # One layout per model kind, so every line of one output has the same columns.
        if args.json:
            print(json.dumps(row))
        elif trained.target == "step":
            print(f"{row['sequence']}\t{' '.join(map(str, row['labels']))}")
        elif trained.classifies_windows:
            print(
                f"{row['sequence']}\t{row['start']}\t{row['labels'][0]}\t{row['probability'][0]:.4f}"
            )
        else:
            print(f"{row['sequence']}\t{row['labels'][0]}\t{row['probability'][0]:.4f}")


def predict_trees(args, trained) -> None:
    """A trees model: the root label of every bracketed tree, one output line per input line."""
    from .trees.predictor import predict_roots, read_input_trees

    source = (
        "argument"
        if args.texts
        else (args.file if args.file and args.file != "-" else "standard input")
    )
    trees = read_input_trees(read_texts(args), source)
    filled = [i for i, tree in enumerate(trees) if tree is not None]
    proba = dict(zip(filled, predict_roots(trained, [trees[i] for i in filled], args.batch_size)))
    sentences = [" ".join(tree.words) if tree is not None else "" for tree in trees]
    print_classified(sentences, proba, trained.class_names, args.json)


def _numbers(indices: list[int]) -> str:
    shown = ", ".join(str(i + 1) for i in indices[:10])
    return shown + (f" and {len(indices) - 10} more" if len(indices) > 10 else "")


def _warn_empty(texts: list[str]) -> None:
    """On stderr (stdout keeps one line per input): empty inputs get no label."""
    empty = [i for i, text in enumerate(texts) if not text.strip()]
    if empty:
        print(
            f"rnnpipe predict: warning: input {_numbers(empty)} is empty: no label (a blank output "
            "line).",
            file=sys.stderr,
        )


def _warn_unreadable(texts: list[str], filled: list[int], classifier) -> None:
    """Empty inputs (see _warn_empty); inputs without one word the model knows get a label read
    from `<unk>` alone, which says nothing about them."""
    _warn_empty(texts)
    unknown = [i for i in filled if classifier.known_words(texts[i]) == 0]
    if unknown:
        print(
            f"rnnpipe predict: warning: input {_numbers(unknown)} has no word the model's "
            "vocabulary knows: its "
            f"label is a guess from the unknown-word token alone.",
            file=sys.stderr,
        )


def print_classified(texts: list[str], proba: dict, labels: list, as_json: bool) -> None:
    """One line per text: `label<TAB>probability<TAB>text`, or a JSON object with every class's
    probability; a text without probabilities (`proba` lacks its index: an empty input) gets an
    empty label."""
    for i, text in enumerate(texts):
        row = proba.get(i)
        k = int(row.argmax()) if row is not None else None
        if as_json:
            print(
                json.dumps(
                    {
                        "label": labels[k] if row is not None else None,
                        "probability": round(float(row[k]), 6) if row is not None else None,
                        "probabilities": {
                            str(label): round(float(p), 6) for label, p in zip(labels, row)
                        }
                        if row is not None
                        else None,
                        "text": text,
                    }
                )
            )
        elif row is None:
            print(f"\t\t{text}")
        else:
            print(f"{labels[k]}\t{row[k]:.4f}\t{text}")

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


def classifier_rows(classifier, texts: list[str], batch_size: int = 256) -> list[dict]:
    """A text classifier's prediction per text: `label`, `probability`, `probabilities` (every
    class) and `text`; an empty text gets None for all three."""
    filled = [i for i, text in enumerate(texts) if text.strip()]
    _warn_unreadable(texts, filled, classifier)
    proba = classifier.predict_proba([texts[i] for i in filled], batch_size=batch_size)
    return classified_rows(texts, dict(zip(filled, proba)), classifier.label_map.labels)


def tagger_rows(tagger, texts: list[str], batch_size: int = 256) -> list[dict]:
    """A tagger's prediction per text (tokens split at whitespace, as the training data was
    tokenized): `tokens`, `tags`, `probability` and `probabilities` per token, `text`."""
    sentences = [text.split() for text in texts]
    filled = [i for i, tokens in enumerate(sentences) if tokens]
    _warn_empty(texts)
    chosen, proba = tagger.decode([sentences[i] for i in filled], batch_size=batch_size)
    proba, chosen = dict(zip(filled, proba)), dict(zip(filled, chosen))
    names = tagger.tag_map.labels
    rows = []
    for i, tokens in enumerate(sentences):
        scores = proba.get(i, np.zeros((0, len(names))))
        best = chosen.get(i, [])
        rows.append(
            {
                "tokens": tokens,
                "tags": [str(names[k]) for k in best],
                "probability": [float(r[k]) for r, k in zip(scores, best)],
                "probabilities": [{str(n): float(p) for n, p in zip(names, r)} for r in scores],
                "text": texts[i],
            }
        )
    return rows


def forecast_rows(forecaster, path: str, batch_size: int = 256) -> list[dict]:
    """A forecaster's one forecast from the CSV of recent readings at `path`: `time`, `target`,
    `forecast`."""
    from .forecast.readings import forecast_from_readings

    return [forecast_from_readings(path, forecaster)]


def panel_forecast_rows(trained, path: str, batch_size: int = 256) -> list[dict]:
    """A many-series forecaster's forecasts from the CSV of recent values at `path`: per series
    and step ahead `series`, `step`, `forecast` (the median) and each interval's `lower_<level>`,
    `upper_<level>` (a model of bins: `bin`, the most likely, and each bin's `p_<bin>`)."""
    from .forecast.panel_predict import panel_forecast_rows as rows

    return rows(trained, path)


def sequence_rows(trained, path: str, batch_size: int = 256) -> list[dict]:
    """A sequences model's labels for the file at `path`: per sequence (or window) `sequence`,
    `start`, `labels` (one, or one per step) and `probability`."""
    from .sequences.predictor import predict_file

    return predict_file(path, trained, batch_size)


def tree_rows(trained, texts: list[str], batch_size: int = 256, source: str = "input") -> list:
    """A trees model's root label per bracketed tree (as the classifier's rows; `text` is the
    sentence)."""
    from .trees.predictor import predict_roots, read_input_trees

    trees = read_input_trees(texts, source)
    filled = [i for i, tree in enumerate(trees) if tree is not None]
    proba = dict(zip(filled, predict_roots(trained, [trees[i] for i in filled], batch_size)))
    sentences = [" ".join(tree.words) if tree is not None else "" for tree in trees]
    return classified_rows(sentences, proba, trained.class_names)


def classified_rows(texts: list[str], proba: dict, labels: list) -> list[dict]:
    """Rows of `label`, `probability`, `probabilities`, `text`; a text without probabilities
    (`proba` lacks its index: an empty input) gets None for the first three."""
    rows = []
    for i, text in enumerate(texts):
        row = proba.get(i)
        if row is None:
            rows.append({"label": None, "probability": None, "probabilities": None, "text": text})
            continue
        k = int(row.argmax())
        rows.append(
            {
                "label": labels[k],
                "probability": float(row[k]),
                "probabilities": {str(label): float(p) for label, p in zip(labels, row)},
                "text": text,
            }
        )
    return rows


def rounded(value):
    """`value` with every float rounded to 6 decimals, for JSON lines a person reads."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, dict):
        return {key: rounded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [rounded(item) for item in value]
    return value


def predict_texts(args, classifier) -> None:
    """A text classifier: a label and its probability per text."""
    print_classified(classifier_rows(classifier, read_texts(args), args.batch_size), args.json)


def predict_tags(args, tagger) -> None:
    """A tagger: every text's tokens with their tags, one output line per input line."""
    for row in tagger_rows(tagger, read_texts(args), args.batch_size):
        if args.json:
            print(json.dumps(rounded(row)))
        else:
            print(" ".join(f"{token}/{tag}" for token, tag in zip(row["tokens"], row["tags"])))


def file_only(args, refusal: str) -> None:
    """Models that read a file (forecasters, sequences models) refuse texts, --column and
    standard input."""
    if args.texts or args.column or not args.file or args.file == "-":
        raise RnnpipeError(refusal)


def predict_forecast(args, forecaster) -> None:
    """A forecaster: one forecast from the CSV of recent readings given with --file."""
    file_only(
        args,
        f"{args.model} holds a forecasting model: it forecasts from a CSV of recent readings, not "
        f"from texts. Run `rnnpipe predict --model {args.model} --file recent.csv` with the "
        "station's latest readings (the training data's columns).",
    )
    (forecast,) = forecast_rows(forecaster, args.file)
    if args.json:
        print(json.dumps(rounded(forecast)))
    else:
        print(f"{forecast['time']}\t{forecast['target']}\t{forecast['forecast']:.4f}")


def predict_panel_forecast(args, trained) -> None:
    """A many-series forecaster: every series of the CSV of recent values given with --file,
    forecast for each step of the horizon with its intervals."""
    file_only(
        args,
        f"{args.model} holds a many-series forecasting model: it forecasts from a CSV of recent "
        f"values (a long table with a '{trained.target}' column, or a wide one). Run `rnnpipe "
        f"predict --model {args.model} --file recent.csv`.",
    )
    rows = panel_forecast_rows(trained, args.file)
    if rows and not args.json:
        print("\t".join(rows[0]))
    for row in rows:
        if args.json:
            print(json.dumps(rounded(row)))
        else:
            print(
                "\t".join(
                    v if isinstance(v, str) else f"{v:.4f}" if isinstance(v, float) else str(v)
                    for v in row.values()
                )
            )


def predict_sequences(args, trained) -> None:
    """A sequences model: a label per sequence (or window), or per step, for the file given with
    --file."""
    file_only(
        args,
        f"{args.model} holds a numeric-sequences model: it reads a file of sequences (CSV, Parquet "
        f"or .npz, laid out as its training data). Run `rnnpipe predict --model {args.model} "
        "--file new.csv`.",
    )
    for row in sequence_rows(trained, args.file, args.batch_size):
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


def pair_rows(trained, pairs: list, batch_size: int = 256) -> list[dict]:
    """A sentence-pair model's rows for `pairs` (rnnpipe.pairs.readers.Pair): `premise`,
    `hypothesis`, then `label`, `probability` and `p_<label>` per label, or `score`."""
    from .pairs.predictor import pair_rows as rows

    return rows(trained, pairs, batch_size)


def predict_pairs(args, trained) -> None:
    """A sentence-pair model: each pair of --premise / --hypothesis, or of the file given with
    --file, with its label and probabilities (or its score), one line per pair."""
    from .pairs.predictor import pairs_of_file, pairs_of_texts

    if args.texts or args.column:
        raise RnnpipeError(
            f"{args.model} holds a sentence-pair model: give pairs as --premise TEXT --hypothesis "
            "TEXT, or a file of pairs with --file (JSON lines as SNLI's, or a table with "
            "sentence1 / sentence2 columns)."
        )
    if args.file and (args.premise or args.hypothesis):
        raise RnnpipeError(
            "give the pairs either with --premise / --hypothesis or --file, not both."
        )
    if not args.file and not args.premise:
        raise RnnpipeError(
            f"no pair given: rnnpipe predict --model {args.model} --premise TEXT --hypothesis TEXT"
        )
    pairs = pairs_of_file(args.file) if args.file else pairs_of_texts(args.premise, args.hypothesis)
    rows = pair_rows(trained, pairs, args.batch_size)
    for row in rows:
        if args.json:
            print(json.dumps(rounded(row)))
        elif "score" in row:
            print(f"{row['score']:.4f}\t{row['premise']}\t{row['hypothesis']}")
        else:
            print(
                f"{row['label']}\t{row['probability']:.4f}\t{row['premise']}\t{row['hypothesis']}"
            )


def predict_trees(args, trained) -> None:
    """A trees model: the root label of every bracketed tree, one output line per input line."""
    source = (
        "argument"
        if args.texts
        else (args.file if args.file and args.file != "-" else "standard input")
    )
    print_classified(tree_rows(trained, read_texts(args), args.batch_size, source), args.json)


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


def print_classified(rows: list[dict], as_json: bool) -> None:
    """One line per row: `label<TAB>probability<TAB>text` (an empty input: a blank label), or
    the row as JSON."""
    for row in rows:
        if as_json:
            print(json.dumps(rounded(row)))
        elif row["label"] is None:
            print(f"\t\t{row['text']}")
        else:
            print(f"{row['label']}\t{row['probability']:.4f}\t{row['text']}")

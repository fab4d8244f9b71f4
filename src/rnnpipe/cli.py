"""`rnnpipe predict`: classify texts with a trained model, one output line per input text; or, with a
forecaster's folder, forecast from a CSV of recent readings.

    rnnpipe predict "a dull plot, but great acting"          # texts as arguments
    rnnpipe predict --file reviews.txt                         # one text per line (blank lines kept)
    echo "not good at all" | rnnpipe predict                   # standard input, one per line
    rnnpipe predict --file reviews.csv --column review         # a column of a CSV / TSV / JSONL / Parquet file
    rnnpipe predict --model data/model --json "..."            # JSON lines with every class's probability

Prints, per text: the predicted label, its probability, and the text (tab-separated), or with --json
one object per text with `label`, `probability`, `probabilities` (every class) and `text`. An empty
or blank text gets an empty label (JSON: null) on its own line, so output lines match input lines.

    rnnpipe predict "The old man the boat ."                   # a tagger's folder: each token with its tag

prints `The/DET old/NOUN man/VERB the/DET boat/NOUN ./PUNCT` (tokens split at whitespace, as in the
training data); --json gives tokens, tags and every tag's probability per token.

    rnnpipe predict --model forecast/data/model --file recent.csv [--json]

reads the station's recent readings (the training data's columns; at least window.lookback rows up to
now) and prints the time forecast, the target and its forecast value (tab-separated, or one JSON object).

    rnnpipe predict --model sequences/data/model --file new.csv [--json]

reads sequences laid out as the training data (long CSV/Parquet, list-column Parquet or .npz; no labels
needed) and prints per sequence its id, label and probability; a window model prints each window's id,
first step, label and probability; a per-step model each sequence's id and its steps' labels.

    rnnpipe predict --model trees/data/model "(2 (2 a) (3 (2 good) (2 film)))"

reads bracketed trees (SST style, one per line; their labels are ignored) and prints per tree the root's
label, its probability and the sentence. Plain text is refused with the command of a parser that
writes such trees (none is bundled).

    rnnpipe export --model data/model --out export/ [--format onnx]

writes a classifier's, tagger's or forecaster's folder as one ONNX file (export/model.onnx, variable batch
and length) plus export.json (how to build its inputs) and the vocabulary it reads, checks that
onnxruntime computes what PyTorch computes on varied-length examples, and prints the largest difference.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from .core.errors import RnnpipeError

TABLE_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rnnpipe", description="rnnpipe command-line tools")
    commands = parser.add_subparsers(dest="command", required=True)
    predict = commands.add_parser("predict", help="classify texts with a trained model, or forecast from a CSV "
                                                  "of recent readings with a forecaster")
    predict.add_argument("texts", nargs="*", help="texts to classify; none: read --file or standard input")
    predict.add_argument("--file", help="read texts from this file, one per line ('-' for standard input), or "
                                        "with --column from a CSV / TSV / JSONL / Parquet table")
    predict.add_argument("--column", help="the table column holding the texts (with --file)")
    predict.add_argument("--model", default="data/model", help="trained model folder (default: data/model)")
    predict.add_argument("--json", action="store_true", help="print one JSON object per text")
    predict.add_argument("--batch-size", type=_positive_int, default=256, help="texts per forward pass (>= 1)")
    export = commands.add_parser("export", help="write a trained classifier, tagger or forecaster as ONNX for "
                                                "programs without rnnpipe (onnxruntime)")
    export.add_argument("--model", default="data/model", help="trained model folder (default: data/model)")
    export.add_argument("--out", required=True, help="folder to write (replaced atomically if it exists)")
    export.add_argument("--format", choices=["onnx"], default="onnx", help="onnx (the only format)")
    return parser


def _positive_int(value: str) -> int:
    """argparse type: an integer >= 1 (argparse turns the ValueError into a usage error naming the option)."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {number}")
    return number


def _read_column(path: str, column: str) -> list[str]:
    import pandas as pd

    kind = TABLE_SUFFIXES.get(Path(path).suffix.lower())
    if kind is None:
        raise RnnpipeError(f"{path}: --column reads .csv, .tsv, .jsonl or .parquet files; this one has another "
                           f"suffix.")
    try:
        if kind == "parquet":
            frame = pd.read_parquet(path)
        elif kind == "jsonl":
            frame = pd.read_json(path, lines=True, dtype=False)
        else:
            frame = pd.read_csv(path, sep="\t" if kind == "tsv" else ",", dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise RnnpipeError(f"{path}: cannot be read as {kind} ({exc}).") from None
    if column not in frame.columns:
        raise RnnpipeError(f"{path}: no column {column!r}; its columns: {', '.join(map(str, frame.columns))}.")
    return ["" if value is None or value != value else str(value) for value in frame[column]]


def _read_texts(args) -> list[str]:
    if args.column and not args.file:
        raise RnnpipeError("--column names a column of the file given with --file; add --file.")
    if args.texts and args.file:
        raise RnnpipeError("give the texts either as arguments or with --file, not both.")
    if args.texts:
        return list(args.texts)
    if args.file and args.column:
        return _read_column(args.file, args.column)
    if args.file and args.file != "-":
        try:
            with open(args.file, encoding="utf-8", errors="replace", newline="") as handle:
                texts = _split_lines(handle.read())
        except OSError as exc:
            raise RnnpipeError(f"{args.file}: cannot be read ({exc.strerror}).") from None
    else:
        texts = _split_lines(sys.stdin.buffer.read().decode("utf-8", errors="replace"))
    if not texts:
        raise RnnpipeError(f"{'standard input' if not args.file or args.file == '-' else args.file} holds no "
                           f"text; give one text per line.")
    return texts


def _split_lines(text: str) -> list[str]:
    """One text per line, the same for a file and for standard input: a line ends at \\n, \\r\\n or a lone \\r
    (and at nothing else: str.splitlines would also split at form feeds and Unicode separators inside a text)."""
    lines = re.split(r"\r\n|\r|\n", text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def _model_format(folder: str) -> str:
    try:
        return str(json.loads((Path(folder) / "model.json").read_text(encoding="utf-8")).get("format", ""))
    except (OSError, ValueError, AttributeError):
        return ""  # the classifier's loader reports what is wrong


def predict_tags(args) -> int:
    """A tagger's folder: every text's tokens (split at whitespace, as the training data was tokenized) with
    their tags, one output line per input line."""
    import numpy as np

    from .tagging.tagger import TrainedTagger  # torch is imported only when needed

    tagger = TrainedTagger.load(args.model)
    texts = _read_texts(args)
    sentences = [text.split() for text in texts]
    filled = [i for i, tokens in enumerate(sentences) if tokens]
    _warn_empty(texts)
    proba = dict(zip(filled, tagger.predict_proba([sentences[i] for i in filled], batch_size=args.batch_size)))
    names = tagger.tag_map.labels
    for i, tokens in enumerate(sentences):
        rows = proba.get(i, np.zeros((0, len(names))))
        best = rows.argmax(axis=1) if len(rows) else []
        if args.json:
            print(json.dumps({"tokens": tokens, "tags": [str(names[k]) for k in best],
                              "probability": [round(float(r[k]), 6) for r, k in zip(rows, best)],
                              "probabilities": [{str(n): round(float(p), 6) for n, p in zip(names, r)} for r in rows],
                              "text": texts[i]}))
        else:
            print(" ".join(f"{token}/{names[k]}" for token, k in zip(tokens, best)))
    return 0


def _file_only(args, refusal: str) -> None:
    """Models that read a file (forecasters, sequences models) refuse texts, --column and standard input."""
    if args.texts or args.column or not args.file or args.file == "-":
        raise RnnpipeError(refusal)


def predict_forecast(args) -> int:
    """A forecaster's folder: one forecast from the CSV of recent readings given with --file."""
    _file_only(args, f"{args.model} holds a forecasting model: it forecasts from a CSV of recent readings, not from "
                     f"texts. Run `rnnpipe predict --model {args.model} --file recent.csv` with the station's latest "
                     f"readings (the training data's columns).")
    from .forecast.model import TrainedForecaster  # torch is imported only when needed
    from .forecast.readings import forecast_from_readings

    forecast = forecast_from_readings(args.file, TrainedForecaster.load(args.model))
    if args.json:
        print(json.dumps({**forecast, "forecast": round(forecast["forecast"], 6)}))
    else:
        print(f"{forecast['time']}\t{forecast['target']}\t{forecast['forecast']:.4f}")
    return 0


def predict_sequences(args) -> int:
    """A sequences model's folder: a label per sequence (or window), or per step, for the file given with --file."""
    _file_only(args, f"{args.model} holds a numeric-sequences model: it reads a file of sequences (CSV, Parquet or "
                     f".npz, laid out as its training data). Run `rnnpipe predict --model {args.model} --file "
                     f"new.csv`.")
    from .sequences.model import TrainedSequenceModel  # torch is imported only when needed
    from .sequences.predictor import predict_file

    trained = TrainedSequenceModel.load(args.model)
    for row in predict_file(args.file, trained, args.batch_size):
        # One layout per model kind, so every line of one output has the same columns.
        if args.json:
            print(json.dumps(row))
        elif trained.target == "step":
            print(f"{row['sequence']}\t{' '.join(map(str, row['labels']))}")
        elif trained.classifies_windows:
            print(f"{row['sequence']}\t{row['start']}\t{row['labels'][0]}\t{row['probability'][0]:.4f}")
        else:
            print(f"{row['sequence']}\t{row['labels'][0]}\t{row['probability'][0]:.4f}")
    return 0


def predict_trees(args) -> int:
    """A trees model's folder: the root label of every bracketed tree, one output line per input line."""
    from .trees.classifier import TrainedTreeClassifier  # torch is imported only when needed
    from .trees.predictor import predict_roots, read_input_trees

    trained = TrainedTreeClassifier.load(args.model)
    source = "argument" if args.texts else (args.file if args.file and args.file != "-" else "standard input")
    trees = read_input_trees(_read_texts(args), source)
    filled = [i for i, tree in enumerate(trees) if tree is not None]
    proba = dict(zip(filled, predict_roots(trained, [trees[i] for i in filled], args.batch_size)))
    sentences = [" ".join(tree.words) if tree is not None else "" for tree in trees]
    _print_classified(sentences, proba, trained.class_names, args.json)
    return 0


def _numbers(indices: list[int]) -> str:
    shown = ", ".join(str(i + 1) for i in indices[:10])
    return shown + (f" and {len(indices) - 10} more" if len(indices) > 10 else "")


def _warn_empty(texts: list[str]) -> None:
    """On stderr (stdout keeps one line per input): empty inputs get no label."""
    empty = [i for i, text in enumerate(texts) if not text.strip()]
    if empty:
        print(f"rnnpipe predict: warning: input {_numbers(empty)} is empty: no label (a blank output line).",
              file=sys.stderr)


def _warn_unreadable(texts: list[str], filled: list[int], classifier) -> None:
    """Empty inputs (see _warn_empty); inputs without one word the model knows get a label read from `<unk>`
    alone, which says nothing about them."""
    _warn_empty(texts)
    unknown = [i for i in filled if classifier.known_words(texts[i]) == 0]
    if unknown:
        print(f"rnnpipe predict: warning: input {_numbers(unknown)} has no word the model's vocabulary knows: its "
              f"label is a guess from the unknown-word token alone.", file=sys.stderr)


def predict(args) -> int:
    kind = _model_format(args.model)
    if kind.startswith("rnnpipe-trees"):
        return predict_trees(args)
    if kind.startswith("rnnpipe-sequences"):
        return predict_sequences(args)
    if kind.startswith("rnnpipe-forecaster"):
        return predict_forecast(args)
    if kind.startswith("rnnpipe-tagger"):
        return predict_tags(args)
    from .text.classifier import TrainedClassifier  # torch is imported only when needed

    classifier = TrainedClassifier.load(args.model)
    texts = _read_texts(args)
    filled = [i for i, text in enumerate(texts) if text.strip()]
    _warn_unreadable(texts, filled, classifier)
    proba = classifier.predict_proba([texts[i] for i in filled], batch_size=args.batch_size)
    _print_classified(texts, dict(zip(filled, proba)), classifier.label_map.labels, args.json)
    return 0


def _print_classified(texts: list[str], proba: dict, labels: list, as_json: bool) -> None:
    """One line per text: `label<TAB>probability<TAB>text`, or a JSON object with every class's probability;
    a text without probabilities (`proba` lacks its index: an empty input) gets an empty label."""
    for i, text in enumerate(texts):
        row = proba.get(i)
        k = int(row.argmax()) if row is not None else None
        if as_json:
            print(json.dumps({
                "label": labels[k] if row is not None else None,
                "probability": round(float(row[k]), 6) if row is not None else None,
                "probabilities": {str(label): round(float(p), 6) for label, p in zip(labels, row)}
                if row is not None else None,
                "text": text}))
        elif row is None:
            print(f"\t\t{text}")
        else:
            print(f"{labels[k]}\t{row[k]:.4f}\t{text}")


def export(args) -> int:
    from .export import export_model  # torch and the exporter are imported only when needed

    result = export_model(args.model, args.out)
    written = Path(args.out) / "model.onnx"
    print(f"rnnpipe export: {result['kind']} -> {written} (inputs: {', '.join(result['inputs'])}); "
          f"onnxruntime matches PyTorch on {result['examples']} varied-length examples to {result['difference']:.1e}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return export(args) if args.command == "export" else predict(args)
    except RnnpipeError as exc:
        print(f"rnnpipe {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

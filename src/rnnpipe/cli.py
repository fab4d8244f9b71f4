"""`rnnpipe predict`: classify texts with a trained model.

    rnnpipe predict "a dull plot, but great acting"          # texts as arguments
    rnnpipe predict --file reviews.txt                         # one text per line
    echo "not good at all" | rnnpipe predict                   # standard input, one per line
    rnnpipe predict --model data/model --json "..."            # JSON lines instead of tab-separated

Prints, per text: the predicted label, its probability, and the text.
"""

from __future__ import annotations

import argparse
import json
import sys

from .core.errors import RnnpipeError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rnnpipe", description="rnnpipe command-line tools")
    commands = parser.add_subparsers(dest="command", required=True)
    predict = commands.add_parser("predict", help="classify texts with a trained model")
    predict.add_argument("texts", nargs="*", help="texts to classify; none: read --file or standard input")
    predict.add_argument("--file", help="read texts from this file, one per line ('-' for standard input)")
    predict.add_argument("--model", default="data/model", help="trained model folder (default: data/model)")
    predict.add_argument("--json", action="store_true", help="print one JSON object per text")
    predict.add_argument("--batch-size", type=int, default=256, help="texts per forward pass")
    return parser


def _read_texts(args) -> list[str]:
    if args.texts:
        return list(args.texts)
    if args.file and args.file != "-":
        try:
            with open(args.file, encoding="utf-8", errors="replace") as handle:
                return [line.rstrip("\n") for line in handle if line.strip()]
        except OSError as exc:
            raise RnnpipeError(f"{args.file}: cannot be read ({exc.strerror}).") from None
    return [line.rstrip("\n") for line in sys.stdin if line.strip()]


def predict(args) -> int:
    from .text.classifier import TrainedClassifier  # torch is imported only when needed

    classifier = TrainedClassifier.load(args.model)
    texts = _read_texts(args)
    proba = classifier.predict_proba(texts, batch_size=args.batch_size)
    for text, row in zip(texts, proba):
        k = int(row.argmax())
        label = classifier.label_map.labels[k]
        if args.json:
            print(json.dumps({"label": label, "probability": round(float(row[k]), 6), "text": text}))
        else:
            print(f"{label}\t{row[k]:.4f}\t{text}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return predict(args)
    except RnnpipeError as exc:
        print(f"rnnpipe {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

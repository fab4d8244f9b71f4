"""`rnnpipe export`: a model folder -> an ONNX folder (model.onnx, export.json, vocabulary), verified.

Which task's graph is used follows the folder's format, as `rnnpipe predict` does; the examples the
export is checked on are made from the model's own vocabulary (texts and sentences of several lengths,
one longer than maxlen, with unknown words) or, for a forecaster, windows on the training scale.
"""

from __future__ import annotations

import json
from pathlib import Path

from .core.atomic import atomic_path
from .core.errors import ModelFileError


def _format(folder: Path) -> str:
    try:
        meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""  # the task's loader names what is wrong
    return str(meta.get("format", "")) if isinstance(meta, dict) else ""


def example_sentences(words: list[str], longest: int) -> list[list[str]]:
    """Word lists of lengths 1, 4, 9 and longest + 3, cycling through `words`, with an unknown word in one."""
    pool = words or ["x"]
    lengths = [1, 4, 9, longest + 3]
    sentences = [[pool[(i * 7 + j) % len(pool)] for j in range(n)] for i, n in enumerate(lengths)]
    sentences[1][2] = "Zyxwvut"  # unknown to any vocabulary; capitalised for the character encoder
    return sentences


def export_model(model: str | Path, out: str | Path) -> dict:
    """Export the model folder `model` into the folder `out`; what was exported, its inputs and the check."""
    model, out = Path(model), Path(out)
    kind = _format(model)
    with atomic_path(out) as staged:
        staged.mkdir()
        if kind.startswith("rnnpipe-forecaster"):
            from .forecast.export import export_forecaster
            from .forecast.model import TrainedForecaster

            result, examples = export_forecaster(TrainedForecaster.load(model), staged), 3
        elif kind.startswith("rnnpipe-tagger"):
            from .tagging.export import export_tagger
            from .tagging.tagger import TrainedTagger

            tagger = TrainedTagger.load(model)
            sentences = example_sentences(tagger.vocabulary.words[2:50], tagger.maxlen)
            result, examples = export_tagger(tagger, staged, sentences), len(sentences)
        elif kind.startswith(("rnnpipe-trees", "rnnpipe-sequences")):
            raise ModelFileError(f"{model} holds a {kind.split('-')[1]} model; export covers classifiers, taggers "
                                 f"and forecasters so far.")
        else:
            from .text.classifier import TrainedClassifier
            from .text.export import export_classifier

            classifier = TrainedClassifier.load(model)
            texts = [" ".join(words) for words in example_sentences(classifier.vocabulary.words[2:50],
                                                                     classifier.maxlen)]
            result, examples = export_classifier(classifier, staged, texts), len(texts)
    return {"kind": kind or "rnnpipe-classifier", "examples": examples, **result}

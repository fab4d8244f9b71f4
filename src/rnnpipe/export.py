"""`rnnpipe export`: a model folder -> an ONNX folder (model.onnx, export.json, vocabulary),
verified.

Which task's exporter runs follows the folder's format (the task registry, rnnpipe.tasks); the
examples the export is checked on are made from the model's own vocabulary (texts and sentences of
several lengths, one longer than maxlen, with unknown words) or, for a forecaster, windows on the
training scale.
"""

from __future__ import annotations

from pathlib import Path

from .core.atomic import atomic_path
from .core.errors import ModelFileError
from .core.model_folder import folder_format
from .tasks import load_model, model_kind, resolve


def example_sentences(words: list[str], longest: int) -> list[list[str]]:
    """Word lists of lengths 1, 4, 9 and longest + 3, cycling through `words`, with an unknown
    word in one."""
    pool = words or ["x"]
    lengths = [1, 4, 9, longest + 3]
    sentences = [[pool[(i * 7 + j) % len(pool)] for j in range(n)] for i, n in enumerate(lengths)]
    sentences[1][2] = "Zyxwvut"  # unknown to any vocabulary; capitalised for the character encoder
    return sentences


def export_forecaster(forecaster, staged: Path) -> tuple[dict, int]:
    from .forecast.export import export_forecaster as export

    return export(forecaster, staged), 3


def export_tagger(tagger, staged: Path) -> tuple[dict, int]:
    from .tagging.export import export_tagger as export

    sentences = example_sentences(tagger.vocabulary.words[2:50], tagger.maxlen)
    return export(tagger, staged, sentences), len(sentences)


def export_classifier(classifier, staged: Path) -> tuple[dict, int]:
    from .text.export import export_classifier as export

    texts = [
        " ".join(words)
        for words in example_sentences(classifier.vocabulary.words[2:50], classifier.maxlen)
    ]
    return export(classifier, staged, texts), len(texts)


def export_model(model: str | Path, out: str | Path) -> dict:
    """Export the model folder `model` into the folder `out`; what was exported, its inputs and
    the check."""
    model, out = Path(model), Path(out)
    kind = model_kind(model)
    if kind.export is None:
        raise ModelFileError(
            f"{model} holds {kind.what}; export covers text classifiers, taggers and forecasters "
            f"so far."
        )
    trained = load_model(model, kind)
    with atomic_path(out) as staged:
        staged.mkdir()
        result, examples = resolve(kind.export)(trained, staged)
    return {"kind": folder_format(model) or "rnnpipe-classifier", "examples": examples, **result}

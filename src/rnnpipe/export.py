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
from .core.errors import ModelFileError, RnnpipeError
from .core.model_folder import META, WEIGHTS, folder_format
from .tasks import load_model, model_kind, resolve


class ExportTargetError(RnnpipeError):
    """`rnnpipe export --out` names a place whose replacement could lose files the export did not
    write."""


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


def export_quantile_forecaster(trained, staged: Path) -> tuple[dict, int]:
    from .forecast.panel_predict import export_quantile_forecaster as export

    return export(trained, staged)


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


# Every file an export writes: a folder holding these and nothing else is a previous export.
EXPORT_FILES = frozenset(
    {"model.onnx", "export.json", "vocab.txt", "linear_ngrams.txt", "lexical_terms.txt"}
)


def export_pair_model(trained, staged: Path) -> tuple[dict, int]:
    from .pairs.export import export_pair_model as export

    return export(trained, staged)


def check_export_target(out: Path, model: Path, force: bool) -> None:
    """Refuse an `--out` whose replacement could lose anything the export did not write: a file,
    a model folder or a folder inside one, a non-empty folder that is not a previous export, and a
    previous export unless `force`."""
    resolved, model_resolved = out.resolve(), model.resolve()
    inside_model = [
        folder
        for folder in (resolved, *resolved.parents)
        if folder == model_resolved or (folder / META).is_file() or (folder / WEIGHTS).is_file()
    ]
    if inside_model:
        raise ExportTargetError(
            f"--out {out}: {inside_model[0]} is a model folder; an export never writes into or "
            f"over one. Name a new folder, e.g. --out export/."
        )
    if out.exists() and not out.is_dir():
        raise ExportTargetError(
            f"--out {out} is a file, not a folder; name a new folder, e.g. --out export/."
        )
    if not out.is_dir():
        return
    names = {entry.name for entry in out.iterdir()}
    if not names:
        return
    if {"model.onnx", "export.json"} <= names and names <= EXPORT_FILES:
        if force:
            return
        raise ExportTargetError(
            f"--out {out} holds a previous export; add --force to replace it, or name a new folder."
        )
    others = sorted(names - EXPORT_FILES) or sorted(names)
    raise ExportTargetError(
        f"--out {out} is a folder that holds other files ({', '.join(others[:3])}"
        f"{', ...' if len(others) > 3 else ''}); an export replaces its folder, so name a new or "
        f"empty folder."
    )


def export_model(model: str | Path, out: str | Path, force: bool = False) -> dict:
    """Export the model folder `model` into the folder `out`; what was exported, its inputs and
    the check. `out` must be new, empty, or (with `force`) a previous export."""
    model, out = Path(model), Path(out)
    check_export_target(out, model, force)
    kind = model_kind(model)
    if kind.export is None:
        raise ModelFileError(
            f"{model} holds {kind.what}; export covers text classifiers, taggers, forecasters "
            f"and pair models so far."
        )
    trained = load_model(model, kind)
    with atomic_path(out) as staged:
        staged.mkdir()
        result, examples = resolve(kind.export)(trained, staged)
    return {"kind": folder_format(model) or "rnnpipe-classifier", "examples": examples, **result}

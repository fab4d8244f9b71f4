"""The task registry: per model format, what it is, how to load it, predict with it and export it.

A model folder's model.json names its format (`rnnpipe-tagger-1`); its family (the name without the
version) picks one entry here. `rnnpipe predict` and `rnnpipe export` dispatch through this dict and
nowhere else, so a new task kind is one entry (see docs/architecture.md). The entries name their
functions as "module:attribute" and import them only when used: `rnnpipe predict` on a tagger never
imports the forecaster's code.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from .core.errors import ModelFileError
from .core.model_folder import folder_format, recorded_format


@dataclass(frozen=True)
class ModelKind:
    what: str  # in messages: "a text classifier"
    loader: str  # a class with .load(folder): the trained model
    predict: str  # a function of (parsed arguments, loaded model) that prints the predictions
    rows: str  # a function of (loaded model, inputs, batch size) -> one dict per prediction
    takes: str  # what `rows` reads, in messages: "texts" or "a file path"
    export: str | None = (
        None  # a function of (loaded model, folder) -> (what was exported, examples checked)
    )


MODEL_KINDS = {
    "rnnpipe-classifier": ModelKind(
        "a text classifier",
        "rnnpipe.text.classifier:TrainedClassifier",
        "rnnpipe.predict:predict_texts",
        "rnnpipe.predict:classifier_rows",
        "texts",
        "rnnpipe.export:export_classifier",
    ),
    "rnnpipe-tagger": ModelKind(
        "a tagger",
        "rnnpipe.tagging.tagger:TrainedTagger",
        "rnnpipe.predict:predict_tags",
        "rnnpipe.predict:tagger_rows",
        "texts",
        "rnnpipe.export:export_tagger",
    ),
    "rnnpipe-forecaster": ModelKind(
        "a forecaster",
        "rnnpipe.forecast.model:TrainedForecaster",
        "rnnpipe.predict:predict_forecast",
        "rnnpipe.predict:forecast_rows",
        "a file path",
        "rnnpipe.export:export_forecaster",
    ),
    "rnnpipe-quantile-forecaster": ModelKind(
        "a many-series forecaster",
        "rnnpipe.forecast.quantile_model:TrainedQuantileForecaster",
        "rnnpipe.predict:predict_panel_forecast",
        "rnnpipe.predict:panel_forecast_rows",
        "a file path",
        "rnnpipe.export:export_quantile_forecaster",
    ),
    "rnnpipe-sequences": ModelKind(
        "a numeric-sequences model",
        "rnnpipe.sequences.model:TrainedSequenceModel",
        "rnnpipe.predict:predict_sequences",
        "rnnpipe.predict:sequence_rows",
        "a file path",
    ),
    "rnnpipe-trees": ModelKind(
        "a trees model",
        "rnnpipe.trees.classifier:TrainedTreeClassifier",
        "rnnpipe.predict:predict_trees",
        "rnnpipe.predict:tree_rows",
        "texts",
    ),
    "rnnpipe-pairs": ModelKind(
        "a sentence-pair model",
        "rnnpipe.pairs.classifier:TrainedPairModel",
        "rnnpipe.predict:predict_pairs",
        "rnnpipe.predict:pair_rows",
        "pairs",
        "rnnpipe.export:export_pair_model",
    ),
}
# A folder whose model.json cannot be read is loaded as a classifier: its loader names what is
# wrong.
UNREADABLE = "rnnpipe-classifier"


def family(format_name: str) -> str:
    """`rnnpipe-tagger-1` -> `rnnpipe-tagger`."""
    name, _, version = format_name.rpartition("-")
    return name if version.isdigit() else format_name


def model_kind(folder: str | Path) -> ModelKind:
    """The registry entry of the model in `folder`; ModelFileError for a format rnnpipe does not
    know."""
    format_name, recorded = folder_format(folder), recorded_format(folder)
    if format_name and recorded and format_name != recorded:
        # model.json is the file a person edits; the weights' copy decides which loader runs.
        raise ModelFileError(
            f"{Path(folder) / 'model.json'}: format {format_name!r}, but {recorded!r} is recorded "
            "in model.safetensors; the model folder has been altered or mixed up. Restore it "
            "(`dvc checkout`) or retrain (`dvc repro`)."
        )
    if not format_name:
        return MODEL_KINDS[UNREADABLE]
    if family(format_name) not in MODEL_KINDS:
        raise ModelFileError(
            f"{Path(folder) / 'model.json'}: format {format_name!r} is no rnnpipe model format "
            f"({', '.join(MODEL_KINDS)}); is this folder a model written by another tool or "
            "version?"
        )
    return MODEL_KINDS[family(format_name)]


def resolve(reference: str):
    """The object a "module:attribute" reference names, imported now."""
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


def load_model(folder: str | Path, kind: ModelKind | None = None):
    """The trained model in `folder`, loaded (and verified) by its kind's loader."""
    return resolve((kind or model_kind(folder)).loader).load(folder)

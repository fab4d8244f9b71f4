"""A trained model on disk, without pickle, for every task: one implementation of format, weights,
checks.

A model folder holds `model.safetensors` (tensors only: loading never runs code), `model.json`
(format, architecture and whatever the task needs to use the model) and any task files (the text
classifier's `vocab.txt`). The weights file carries its own copy of the facts that must never be
paired with the wrong model (`recorded` keys: the label map, the vocabulary hash, the feature
columns, ...), and model.json records the weights' SHA-256. Loading checks both, so neither file can
be swapped or edited without `load_model_folder` refusing the folder.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file
from torch import nn

from .errors import ModelFileError
from .hashing import sha256_of_file

WEIGHTS, META = "model.safetensors", "model.json"


def save_model_folder(
    folder: str | Path, model: nn.Module, format_name: str, meta: dict, recorded: Iterable[str]
) -> None:
    """Write `model`'s weights and `meta` into `folder` (which the caller stages atomically); the
    keys of `meta` named in `recorded` are also stored inside the weights file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    # One metadata key: safetensors writes several in an order that varies between processes,
    # which would make identical models differ byte for byte.
    inside = {
        "format": format_name,
        **{key: meta[key] for key in recorded},
        "meta_sha256": _meta_hash({"format": format_name, **meta}),
    }
    save_file(state, folder / WEIGHTS, metadata={"rnnpipe": json.dumps(inside, sort_keys=True)})
    full = {"format": format_name, **meta, "weights_sha256": sha256_of_file(folder / WEIGHTS)}
    (folder / META).write_text(json.dumps(full, indent=2) + "\n", encoding="utf-8")


def folder_format(folder: str | Path) -> str:
    """The format model.json names (e.g. rnnpipe-tagger-1), or "" when it cannot be read: the
    task's loader then says what is wrong."""
    try:
        meta = json.loads((Path(folder) / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return str(meta.get("format", "")) if isinstance(meta, dict) else ""


def recorded_format(folder: str | Path) -> str:
    """The format recorded inside the weights file (which model.json's hash also covers), or ""
    when it cannot be read: the task's loader then says what is wrong."""
    try:
        with safe_open(Path(folder) / WEIGHTS, framework="numpy") as handle:
            inside = json.loads((handle.metadata() or {}).get("rnnpipe", "{}"))
    except (SafetensorError, OSError, ValueError):
        return ""
    return str(inside.get("format", "")) if isinstance(inside, dict) else ""


def load_model_folder(
    folder: str | Path,
    format_name: str,
    recorded: Iterable[str],
    extra_files: Iterable[str] = (),
    missing_hint: str = "",
) -> tuple[dict, dict[str, torch.Tensor]]:
    """(model.json's contents, the weights) of a verified folder; ModelFileError naming the file at
    fault.

    `recorded`: the keys the task saved inside the weights (the task says which, not the folder's
    files).
    """
    folder = Path(folder)
    files = [folder / name for name in (META, WEIGHTS, *extra_files)]
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        raise ModelFileError(
            f"{folder}: no trained model here (missing {', '.join(missing)}). "
            f"{missing_hint}".strip()
        )
    meta_path, weights = folder / META, folder / WEIGHTS
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ModelFileError(f"{meta_path}: not valid JSON ({exc}).") from None
    if not isinstance(meta, dict) or meta.get("format") != format_name:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise ModelFileError(
            f"{meta_path}: format {found!r}, expected {format_name!r}; this folder holds "
            f"another kind of model."
        )
    if sha256_of_file(weights) != meta.get("weights_sha256"):
        raise ModelFileError(
            f"{weights} is not the file {META} was written with (hash differs); the model folder "
            f"has been altered or mixed up."
        )
    try:
        with safe_open(weights, framework="pt") as handle:
            inside = json.loads((handle.metadata() or {}).get("rnnpipe", "{}"))
        state = load_file(weights)
    except (SafetensorError, OSError, ValueError) as exc:
        raise ModelFileError(f"{weights}: not a valid safetensors file ({exc}).") from None
    differing = [key for key in recorded if inside.get(key) != meta.get(key)]
    if inside.get("format") != format_name or differing:
        raise ModelFileError(
            f"{meta_path}: {', '.join(differing) or 'format'} differs from what is recorded in "
            f"the weights; the model folder has been altered or mixed up."
        )
    # Every other field too (maxlen, tokenizer settings, pooling, ...): an edit would change
    # predictions
    # silently or fail deep inside the model. Folders written before this hash existed lack it.
    recorded_hash = inside.get("meta_sha256")
    written = {key: value for key, value in meta.items() if key != "weights_sha256"}
    if recorded_hash is not None and recorded_hash != _meta_hash(written):
        raise ModelFileError(
            f"{meta_path}: edited since the model was saved (its contents no longer match the hash "
            f"recorded in {WEIGHTS}); the model folder has been altered. Restore it (`dvc "
            "checkout`) "
            f"or retrain (`dvc repro`)."
        )
    return meta, state


def _meta_hash(meta: dict) -> str:
    """SHA-256 of model.json's fields in one canonical form (key order and whitespace do not
    count)."""
    canonical = json.dumps(meta, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def load_weights(model: nn.Module, state: dict[str, torch.Tensor], folder: str | Path) -> None:
    """Load `state` into `model` strictly; a mismatch names the folder's files."""
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise ModelFileError(
            f"{Path(folder) / WEIGHTS}: weights do not fit the architecture in {META} "
            f"({str(exc).splitlines()[0]})."
        ) from None

"""The numeric-sequences pipeline's prepare stage: data/steps.parquet -> data/prepared/ (arrays the
trainer just reads).

Encodes the classes (fitted on the training split), splits by the split column, by whole groups
(download.group_column; prepare.test_groups names the test groups) or by seeded fractions of
sequences, standardises every feature with the training split's mean and std, and lists the items to
learn from: whole sequences, or windows of window.length steps every window.stride steps (labeled by
window.label when the target is a class per window). See rnnpipe.sequences.prepared for the folder's
files.
"""

from __future__ import annotations

from pathlib import Path

from ..core.atomic import atomic_path
from .prepared import prepare_folder

OUTPUT = Path("data/prepared")


def prepare_items(params: dict) -> None:
    with atomic_path(OUTPUT) as tmp:
        meta = prepare_folder("data/steps.parquet", params["prepare"], params["window"], tmp)
    counts = ", ".join(
        f"{split} {c['items']} items / {c['sequences']} sequences"
        for split, c in meta["counts"].items()
    )
    print(
        f"prepare: target {meta['target']}, {len(meta['labels'])} classes, {len(meta['features'])} "
        "features; "
        f"{counts} -> {OUTPUT}/"
    )

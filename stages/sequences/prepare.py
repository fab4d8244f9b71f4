"""Sequences stage 2, prepare: data/steps.parquet -> data/prepared/ (arrays the trainer just reads).

    cd sequences && python ../stages/sequences/prepare.py   # reads params: prepare.*, window.*

Encodes the classes (fitted on the training split), splits by the split column, by whole groups
(download.group_column; prepare.test_groups names the test groups) or by seeded fractions of sequences,
standardises every feature with the training split's mean and std, and lists the items to learn from:
whole sequences, or windows of window.length steps every window.stride steps (labeled by window.label
when the target is a class per window). See rnnpipe.sequences.prepared for the folder's files.
"""

from pathlib import Path

from rnnpipe.core.atomic import atomic_path
from rnnpipe.core.stage import run_stage
from rnnpipe.sequences.params import SEQUENCES_SCHEMA
from rnnpipe.sequences.prepared import prepare_sequences
from rnnpipe.sequences.tables import StepTable

OUTPUT = Path("data/prepared")


def main(params: dict) -> None:
    prepared = prepare_sequences(StepTable.read("data/steps.parquet"), params["prepare"], params["window"])
    with atomic_path(OUTPUT) as tmp:
        prepared.write(tmp)
    meta = prepared.meta
    counts = ", ".join(f"{split} {c['items']} items / {c['sequences']} sequences" for split, c in meta["counts"].items())
    print(f"prepare: target {meta['target']}, {len(meta['labels'])} classes, {len(meta['features'])} features; "
          f"{counts} -> {OUTPUT}/")


if __name__ == "__main__":
    run_stage("prepare", main, SEQUENCES_SCHEMA)

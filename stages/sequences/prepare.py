"""Sequences stage 2, prepare: data/steps.parquet -> data/prepared/ (arrays the trainer just reads).

    cd sequences && python ../stages/sequences/prepare.py   # reads params: prepare.*, window.*

What it does: rnnpipe.sequences.prepare.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.sequences.params import SEQUENCES_SCHEMA
from rnnpipe.sequences.prepare import prepare_items

if __name__ == "__main__":
    run_stage("prepare", prepare_items, SEQUENCES_SCHEMA)

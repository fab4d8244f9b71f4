"""Sequences stage 1, download: the sequences -> data/steps.parquet (one row per step) +
data/source.json.

    cd sequences && python ../stages/sequences/download.py  # reads params: data.*, download.*

What it does: rnnpipe.sequences.download.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.sequences.download import download_sequences
from rnnpipe.sequences.params import SEQUENCES_SCHEMA

if __name__ == "__main__":
    run_stage("download", download_sequences, SEQUENCES_SCHEMA)

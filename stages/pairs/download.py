"""Pairs stage 1, download: a pair dataset's files -> data/raw/ + data/sources.json.

    cd pairs && python ../stages/pairs/download.py     # reads params: data.*, download.*

What it does: rnnpipe.pairs.download.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.pairs.download import download_pairs
from rnnpipe.pairs.params import PAIRS_SCHEMA

if __name__ == "__main__":
    run_stage("download", download_pairs, PAIRS_SCHEMA)

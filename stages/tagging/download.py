"""Tagging stage 1, download: tagged sentences -> data/dataset.parquet (tokens, tags, split),
data/report.json.

    cd tagging && python ../stages/tagging/download.py      # reads params: data.*, download.*

data.source: synthetic (the embedded default) | conllu | conll | table (download.path). What it
does: rnnpipe.tagging.download.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.tagging.download import download_tagged
from rnnpipe.tagging.params import TAGGING_SCHEMA

if __name__ == "__main__":
    run_stage("download", download_tagged, TAGGING_SCHEMA)

"""Text stage 1, download: raw labeled text -> data/dataset.parquet (text, label, split) and
data/report.json.

    python stages/text/download.py      # reads params: data.*, download.*

data.source: synthetic (the embedded default) | imdb (download.url) | table (download.path: your
files in any layout text.layouts reads). What it does: rnnpipe.text.download.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.text.download import download_texts
from rnnpipe.text.params import TEXT_SCHEMA

if __name__ == "__main__":
    run_stage("download", download_texts, TEXT_SCHEMA)

"""Tagging stage 3, pad: data/tokens.parquet -> data/padded.parquet, long sentences cut into pieces
of maxlen.

    cd tagging && python ../stages/tagging/pad.py      # reads params: pad.maxlen

What it does: rnnpipe.tagging.pad.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.tagging.pad import pad_tagged
from rnnpipe.tagging.params import TAGGING_SCHEMA

if __name__ == "__main__":
    run_stage("pad", lambda params: pad_tagged(params["pad"]), TAGGING_SCHEMA)

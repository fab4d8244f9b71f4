"""Pairs stage 2, parse: data/raw/ -> data/pairs.parquet (tokens, parses, labels or scores) +
data/vocab.txt + data/parse.json.

    cd pairs && python ../stages/pairs/parse.py        # reads params: parse.*

What it does: rnnpipe.pairs.parse.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.pairs.params import PAIRS_SCHEMA
from rnnpipe.pairs.parse import parse_pairs

if __name__ == "__main__":
    run_stage("parse", parse_pairs, PAIRS_SCHEMA)

"""Trees stage 2, parse: data/raw/*.txt -> data/trees.parquet (columnar trees) + data/vocab.txt.

    cd trees && python ../stages/trees/parse.py        # reads params: parse.*

What it does: rnnpipe.trees.parse.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.trees.params import TREES_SCHEMA
from rnnpipe.trees.parse import parse_trees

if __name__ == "__main__":
    run_stage("parse", parse_trees, TREES_SCHEMA)

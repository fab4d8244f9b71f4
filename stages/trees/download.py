"""Trees stage 1, download: bracketed trees -> data/raw/{train,dev,test}.txt + data/sources.json.

    cd trees && python ../stages/trees/download.py     # reads params: data.*, download.*

What it does: rnnpipe.trees.download.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.trees.download import download_trees
from rnnpipe.trees.params import TREES_SCHEMA

if __name__ == "__main__":
    run_stage("download", download_trees, TREES_SCHEMA)

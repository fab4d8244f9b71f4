"""Pairs stage 3, embed: data/vocab.txt -> data/embeddings.npy ([vocabulary, dim] float32), the
trees pipeline's code (itself the text pipeline's).

    cd pairs && python ../stages/pairs/embed.py        # reads params: embed.*

What it does: rnnpipe.trees.embed.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.pairs.params import PAIRS_SCHEMA
from rnnpipe.trees.embed import embed_trees

if __name__ == "__main__":
    run_stage("embed", embed_trees, PAIRS_SCHEMA)

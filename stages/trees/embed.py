"""Trees stage 3, embed: data/vocab.txt -> data/embeddings.npy ([vocabulary, dim] float32), the text
pipeline's code.

    cd trees && python ../stages/trees/embed.py        # reads params: embed.*

What it does: rnnpipe.trees.embed.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.trees.embed import embed_trees
from rnnpipe.trees.params import TREES_SCHEMA

if __name__ == "__main__":
    run_stage("embed", embed_trees, TREES_SCHEMA)

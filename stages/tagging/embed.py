"""Tagging stage 4, embed: data/vocab.txt -> data/embeddings.npy and metrics/embed.json (vocabulary
coverage).

    cd tagging && python ../stages/tagging/embed.py      # reads params: embed.*

The text pipeline's embed stage; word2vec reads the given tokens. What it does:
rnnpipe.tagging.embed.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.tagging.embed import embed_tagged
from rnnpipe.tagging.params import TAGGING_SCHEMA

if __name__ == "__main__":
    run_stage("embed", lambda params: embed_tagged(params["embed"]), TAGGING_SCHEMA)

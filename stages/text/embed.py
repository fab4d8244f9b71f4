"""Text stage 4, embed: data/vocab.txt -> data/embeddings.npy and metrics/embed.json (vocabulary
coverage).

    python stages/text/embed.py      # reads params: embed.*

embed.source: random | glove (embed.path) | glove-package (offline GloVe 6B 50d) | word2vec
(in-domain, never test). What it does: rnnpipe.text.embed.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.text.embed import embed_texts
from rnnpipe.text.params import TEXT_SCHEMA

if __name__ == "__main__":
    run_stage("embed", lambda params: embed_texts(params["embed"]), TEXT_SCHEMA)

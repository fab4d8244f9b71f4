"""Text stage 3, pad: data/tokens.parquet -> data/padded.parquet, every sequence `pad.maxlen` ids
long.

    python stages/text/pad.py      # reads params: pad.maxlen, pad.padding, pad.truncating

Keras `pad_sequences` semantics; each row keeps its true length. What it does: rnnpipe.text.pad.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.text.pad import pad_texts
from rnnpipe.text.params import TEXT_SCHEMA

if __name__ == "__main__":
    run_stage("pad", lambda params: pad_texts(params["pad"]), TEXT_SCHEMA)

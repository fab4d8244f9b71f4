"""Text stage 2, tokenize: data/dataset.parquet -> token ids, vocabulary, label map and tokenizer
settings.

    python stages/text/tokenize_text.py      # reads params: tokenize.*

(Not named tokenize.py: a script's folder comes first on sys.path and would shadow the standard
library's `tokenize` module.) What it does: rnnpipe.text.tokenize.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.text.params import TEXT_SCHEMA
from rnnpipe.text.tokenize import tokenize_texts

if __name__ == "__main__":
    run_stage("tokenize", lambda params: tokenize_texts(params["tokenize"]), TEXT_SCHEMA)

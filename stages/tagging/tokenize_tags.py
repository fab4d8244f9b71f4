"""Tagging stage 2, tokenize: the given tokens -> word ids, tag ids, vocabulary, tag map and
characters.

    cd tagging && python ../stages/tagging/tokenize_tags.py      # reads params: tokenize.*

(Not named tokenize.py: it would shadow the standard library's `tokenize` module.) What it does:
rnnpipe.tagging.tokenize.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.tagging.params import TAGGING_SCHEMA
from rnnpipe.tagging.tokenize import tokenize_tagged

if __name__ == "__main__":
    run_stage("tokenize", lambda params: tokenize_tagged(params["tokenize"]), TAGGING_SCHEMA)

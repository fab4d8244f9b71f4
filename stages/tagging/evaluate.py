"""Tagging stage 6, evaluate: the trained tagger on every test token -> metrics/eval.json and the
plots' files.

    cd tagging && python ../stages/tagging/evaluate.py      # reads params: evaluate.*

Beside the tagger's scores, the most-frequent-tag baseline's. The only stage that reads the test
split. What it does: rnnpipe.tagging.evaluate.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.tagging.evaluate import evaluate_tagger
from rnnpipe.tagging.params import TAGGING_SCHEMA

if __name__ == "__main__":
    run_stage("evaluate", lambda params: evaluate_tagger(params["evaluate"]), TAGGING_SCHEMA)

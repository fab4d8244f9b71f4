"""Pairs stage 5, evaluate: the model on the test pairs beside the lexical and hypothesis-only
baselines -> metrics/eval.json and plots.

    cd pairs && python ../stages/pairs/evaluate.py     # reads params: evaluate.*

What it does: rnnpipe.pairs.evaluate.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.pairs.evaluate import evaluate_pairs
from rnnpipe.pairs.params import PAIRS_SCHEMA

if __name__ == "__main__":
    run_stage("evaluate", evaluate_pairs, PAIRS_SCHEMA)

"""Sequences stage 4, evaluate: the model on the test split, next to a simple baseline on the same
items.

    cd sequences && python ../stages/sequences/evaluate.py  # reads params: evaluate.*

What it does: rnnpipe.sequences.evaluate.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.sequences.evaluate import evaluate_sequence_model
from rnnpipe.sequences.params import SEQUENCES_SCHEMA

if __name__ == "__main__":
    run_stage("evaluate", evaluate_sequence_model, SEQUENCES_SCHEMA)

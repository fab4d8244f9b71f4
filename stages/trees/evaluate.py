"""Trees stage 5, evaluate: the classifier on the test trees -> metrics/eval.json and plots.

    cd trees && python ../stages/trees/evaluate.py     # reads params: evaluate.*

What it does: rnnpipe.trees.evaluate.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.trees.evaluate import evaluate_tree_classifier
from rnnpipe.trees.params import TREES_SCHEMA

if __name__ == "__main__":
    run_stage("evaluate", evaluate_tree_classifier, TREES_SCHEMA)

"""Text stage 6, evaluate: the trained classifier on the test split -> metrics/eval.json and the
plots' files.

    python stages/text/evaluate.py      # reads params: evaluate.batch_size, evaluate.device

Beside the model's scores, the linear baseline's on the same test rows. The only stage that reads
the test split. What it does: rnnpipe.text.evaluate.
"""

from rnnpipe.core.stage import run_stage
from rnnpipe.text.evaluate import evaluate_classifier
from rnnpipe.text.params import TEXT_SCHEMA

if __name__ == "__main__":
    run_stage("evaluate", lambda params: evaluate_classifier(params["evaluate"]), TEXT_SCHEMA)

"""Text stage 0, check_params: validate the whole params.yaml before any other stage runs.

    python stages/text/check_params.py    # reads every param

DVC removes a stage's outputs just before it runs the stage. Every other stage already validates the
whole params file, but only once DVC has started it, i.e. after its previous outputs are gone: a bad
train.lr would leave no model, metrics or plots. This stage depends on every param and runs first,
so a bad value stops `dvc repro` here and every output stays as it was. It writes
data/params.checked (always the same bytes: see rnnpipe.core.stage.run_params_check).
"""

from rnnpipe.core.stage import run_params_check
from rnnpipe.text.params import TEXT_SCHEMA

if __name__ == "__main__":
    run_params_check(TEXT_SCHEMA)

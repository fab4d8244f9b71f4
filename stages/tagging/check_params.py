"""Tagging stage 0, check_params: validate the whole tagging/params.yaml before any other stage
runs.

    cd tagging && python ../stages/tagging/check_params.py    # reads every param

Why a stage of its own: stages/text/check_params.py.
"""

from rnnpipe.core.stage import run_params_check
from rnnpipe.tagging.params import TAGGING_SCHEMA

if __name__ == "__main__":
    run_params_check(TAGGING_SCHEMA)

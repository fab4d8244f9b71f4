"""Sequences stage 0, check_params: the whole sequences/params.yaml validated before any other stage
runs, so a bad value stops `dvc repro` before DVC removes any stage's outputs (why:
stages/text/check_params.py).

    cd sequences && python ../stages/sequences/check_params.py
"""

from rnnpipe.core.stage import run_params_check
from rnnpipe.sequences.params import SEQUENCES_SCHEMA

if __name__ == "__main__":
    run_params_check(SEQUENCES_SCHEMA)

"""Pairs stage 0, check_params: the whole pairs/params.yaml validated before any other stage runs,
so a bad value stops `dvc repro` before DVC removes any stage's outputs (why:
stages/text/check_params.py).

    cd pairs && python ../stages/pairs/check_params.py
"""

from rnnpipe.core.stage import run_params_check
from rnnpipe.pairs.params import PAIRS_SCHEMA

if __name__ == "__main__":
    run_params_check(PAIRS_SCHEMA)

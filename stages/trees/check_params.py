"""Trees stage 0, check_params: the whole trees/params.yaml validated before any other stage runs,
so a bad value stops `dvc repro` before DVC removes any stage's outputs (why:
stages/text/check_params.py).

    cd trees && python ../stages/trees/check_params.py
"""

from rnnpipe.core.stage import run_params_check
from rnnpipe.trees.params import TREES_SCHEMA

if __name__ == "__main__":
    run_params_check(TREES_SCHEMA)

"""The README's SST table from `dvc exp show --csv`: per model and granularity, the mean +- sample std of
test root accuracy (and all-phrases accuracy) over the experiments named sst-<model>-<granularity>-s<seed>.

    dvc exp show --csv | python experiments/sst_table.py       (bash experiments/sst.sh table runs it)
"""

import io
import sys

import pandas as pd

ROOT_ACCURACY = "trees/metrics/eval.json:accuracy"
PHRASES = "trees/metrics/eval.json:all_phrases_accuracy"


def main() -> None:
    runs = pd.read_csv(io.StringIO(sys.stdin.read()))
    names = runs["Experiment"].fillna("").astype(str).str.extract(r"^sst-(\w+)-(fine|binary)-s(\d+)$")
    runs = runs.assign(model=names[0], granularity=names[1], seed=names[2]).dropna(subset=["model"])
    if runs.empty:
        sys.exit("no sst-<model>-<granularity>-s<seed> experiments found; run bash experiments/sst.sh first")
    for column in (ROOT_ACCURACY, PHRASES):
        runs[column] = pd.to_numeric(runs[column], errors="coerce") * 100
    print("| model | granularity | seeds | root accuracy (test) | all phrases (test) |")
    print("|---|---|---|---|---|")
    for (model, granularity), group in runs.groupby(["model", "granularity"], sort=True):
        root, phrases = group[ROOT_ACCURACY], group[PHRASES]
        print(f"| {model} | {granularity} | {', '.join(sorted(group['seed']))} | {root.mean():.2f} ± {root.std():.2f} "
              f"| {phrases.mean():.2f} ± {phrases.std():.2f} |")


if __name__ == "__main__":
    main()

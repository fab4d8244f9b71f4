"""The SST table of docs/pipelines/trees.md from `dvc exp show --csv`: per model and granularity,
the mean +- sample std of test root accuracy (and all-phrases accuracy) over the experiments named
sst-<model>-<granularity>-s<seed>.

    dvc exp show --csv | python experiments/sst_table.py       (bash experiments/sst.sh table runs
    it)
"""

import io
import sys

import pandas as pd

METRICS = "trees/metrics/eval.json"


def column(runs: pd.DataFrame, key: str) -> str:
    """The column of trees/metrics/eval.json's `key`: DVC drops the file prefix of a name no
    other file has."""
    qualified = f"{METRICS}:{key}"
    return qualified if qualified in runs.columns else key


def main() -> None:
    runs = pd.read_csv(io.StringIO(sys.stdin.read())).copy()
    names = (
        runs["Experiment"].fillna("").astype(str).str.extract(r"^sst-(\w+)-(fine|binary)-s(\d+)$")
    )
    runs = runs.assign(model=names[0], granularity=names[1], seed=names[2]).dropna(subset=["model"])
    if runs.empty:
        sys.exit(
            "no sst-<model>-<granularity>-s<seed> experiments found; run bash experiments/sst.sh "
            "first"
        )
    root_accuracy, phrases_accuracy = column(runs, "accuracy"), column(runs, "all_phrases_accuracy")
    for name in (root_accuracy, phrases_accuracy):
        runs[name] = pd.to_numeric(runs[name], errors="coerce") * 100
    print("| model | granularity | seeds | root accuracy (test) | all phrases (test) |")
    print("|---|---|---|---|---|")
    for (model, granularity), group in runs.groupby(["model", "granularity"], sort=True):
        root, phrases = group[root_accuracy], group[phrases_accuracy]
        print(
            f"| {model} | {granularity} | {', '.join(sorted(group['seed']))} | {root.mean():.2f} ± "
            f"{root.std():.2f} "
            f"| {phrases.mean():.2f} ± {phrases.std():.2f} |"
        )


if __name__ == "__main__":
    main()

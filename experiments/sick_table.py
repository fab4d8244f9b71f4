"""The SICK tables of docs/pipelines/pairs.md from `dvc exp show --csv`: per task and encoder, the
mean +- sample std over the experiments named sick-<task>-<encoder>-s<seed> of the model (the
network mixed with its lexical member), the network alone, and the baselines, on the test pairs.

    dvc exp show --csv --all-commits | python experiments/sick_table.py

(what `bash experiments/sick.sh table` runs)
"""

import io
import sys

import pandas as pd

METRICS = "pairs/metrics/eval.json"
COLUMNS = {
    "relatedness": [
        ("Pearson r", "pearson"),
        ("Spearman", "spearman"),
        ("MSE", "mse"),
        ("network alone r", "network_alone_pearson"),
        ("lexical r", "lexical_pearson"),
        ("hypothesis-only r", "hypothesis_only_pearson"),
    ],
    "entailment": [
        ("accuracy", "accuracy"),
        ("macro F1", "f1_macro"),
        ("network alone", "network_alone_accuracy"),
        ("lexical", "lexical_accuracy"),
        ("hypothesis only", "hypothesis_only_accuracy"),
        ("majority", "majority_accuracy"),
    ],
}


def column(runs: pd.DataFrame, key: str) -> str:
    """The column of pairs/metrics/eval.json's `key`: DVC drops the file prefix of a name no
    other file has."""
    qualified = f"{METRICS}:{key}"
    return qualified if qualified in runs.columns else key


def main() -> None:
    runs = pd.read_csv(io.StringIO(sys.stdin.read())).copy()
    names = runs["Experiment"].fillna("").astype(str).str.extract(r"^sick-(\w+)-(\w+)-s(\d+)$")
    runs = runs.assign(task=names[0], encoder=names[1], seed=names[2]).dropna(subset=["task"])
    # an experiment still running (or failed) has no metrics yet; one name may be listed under
    # several commits: the newest row of each name counts
    runs = runs[pd.to_numeric(runs[column(runs, "test_pairs")], errors="coerce").notna()]
    runs = runs.drop_duplicates(subset=["Experiment"], keep="first")
    if runs.empty:
        sys.exit("no sick-<task>-<encoder>-s<seed> experiments; run bash experiments/sick.sh first")
    for task, group in runs.groupby("task", sort=False):
        shown = COLUMNS[task]
        scale = 100 if task == "entailment" else 1
        print(f"\n{task}\n")
        print("| encoder | seeds | " + " | ".join(label for label, _ in shown) + " |")
        print("|---|---|" + "---|" * len(shown))
        for encoder, runs_of in group.groupby("encoder", sort=True):
            cells = []
            for _, key in shown:
                values = pd.to_numeric(runs_of[column(runs_of, key)], errors="coerce") * scale
                digits = 2 if scale == 100 else 4
                cells.append(f"{values.mean():.{digits}f} ± {values.std():.{digits}f}")
            seeds = ", ".join(sorted(runs_of["seed"]))
            print(f"| {encoder} | {seeds} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

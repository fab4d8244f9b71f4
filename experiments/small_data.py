"""Small public datasets in the layouts users bring, for tuning and checking the text pipeline's
defaults.

    python experiments/small_data.py --out ../small-data      # then: bash experiments/small_data.sh
    DATASET

Writes, from ../shared/datasets (never into git):
- sst2/: SST binary sentences as split files train.tsv / dev.tsv / test.tsv (`sentence<TAB>label`,
the
  GLUE layout; root label 0-1 negative, 3-4 positive, neutral dropped): 6,920 / 872 / 1,821.
- imdb2k/ and imdb5k/: 2,000 and 5,000 reviews drawn from IMDB's official train half (seeded,
balanced)
  as train.csv, and the whole official test half (25,000) as test.csv; validation is carved from
  train.
The defaults were chosen on validation accuracy only; the test files are read by evaluate alone.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pandas as pd

from rnnpipe.text.datasets import read_imdb_tarball

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
_LEAF = re.compile(r"\(\d ([^()]+)\)")


def sst2(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for split in ("train", "dev", "test"):
        rows = []
        for line in (SHARED / "sst" / f"{split}.txt").read_text(encoding="utf-8").splitlines():
            label = int(line[1])
            if label != 2:
                rows.append((" ".join(_LEAF.findall(line)), int(label > 2)))
        pd.DataFrame(rows, columns=["sentence", "label"]).to_csv(
            out / f"{split}.tsv", sep="\t", index=False
        )
        print(f"{out / split}.tsv: {len(rows)} sentences")


def imdb_subsamples(out: Path, sizes=(2000, 5000)) -> None:
    frame = read_imdb_tarball(SHARED / "imdb" / "aclImdb_v1.tar.gz")
    train, test = frame[frame["split"] == "train"], frame[frame["split"] == "test"]
    for size in sizes:
        folder = out / f"imdb{size // 1000}k"
        folder.mkdir(parents=True, exist_ok=True)
        sample = train.groupby("label", group_keys=False).sample(n=size // 2, random_state=0)
        sample[["text", "label"]].to_csv(folder / "train.csv", index=False)
        test[["text", "label"]].to_csv(folder / "test.csv", index=False)
        print(f"{folder}: {len(sample)} train, {len(test)} test reviews")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", default="../small-data", help="folder for the datasets (outside the repository)"
    )
    out = Path(parser.parse_args().out)
    sst2(out / "sst2")
    imdb_subsamples(out)


if __name__ == "__main__":
    main()

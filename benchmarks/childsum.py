"""Child-Sum Tree-LSTM speed on SICK's dependency trees: the node-by-node reference against level
batching, in one process.

    python benchmarks/childsum.py              # SICK dependency/train, the first 1,000 trees
    python benchmarks/childsum.py --trees 300 --seconds 5

Both ways run the same ChildSumTreeLSTM (src/rnnpipe/trees/childsum.py) with the same weights and
50-d word vectors, Tai et al.'s sizes (150 units, batches of 25), and train with Adam on a
regression of each tree's root state (forward, loss, backward, step):
- reference: one tree at a time, one cell call per node (`forward_one`), as a plain recursive
  implementation does;
- level-batched: `--batch-size` trees per step, one step per tree height over the whole batch,
  batches cut from size-sorted pools as the training loop cuts them (data.bucketing, 5).
Prints trees/s for training and inference each way, and the ratios (target: training >= 10x).
Without the SICK folder it reads random trees of SICK's sizes (9-10 words on average).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from rnnpipe.data.bucketing import bucketed_batches
from rnnpipe.trees.childsum import ChildSumTreeLSTM, batch_dependency_trees, check_heads

SICK = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "sick" / "dependency" / "train"


def sick_trees(folder: Path, count: int) -> tuple[list[list[str]], list[np.ndarray]]:
    tokens, parents = [], []
    for side in "ab":
        toks = (folder / f"{side}.toks").read_text(encoding="utf-8").splitlines()
        heads = (folder / f"{side}.parents").read_text(encoding="utf-8").splitlines()
        for t, h in zip(toks, heads):
            tokens.append(t.lower().split())
            parents.append(check_heads([int(x) for x in h.split()], str(folder)))
    return tokens[:count], parents[:count]


def random_trees(count: int, seed: int = 0) -> tuple[list[list[str]], list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    tokens, parents = [], []
    for _ in range(count):
        n = int(rng.integers(5, 15))
        heads = [0] + [int(rng.integers(1, k + 1)) for k in range(1, n)]
        tokens.append([f"w{int(rng.integers(0, 2000))}" for _ in range(n)])
        parents.append(check_heads(heads, "random"))
    return tokens, parents


def rate(step, items, seconds: float) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for item in items:
            done += step(item)
            if time.perf_counter() - started >= seconds:
                break
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", default=str(SICK), help="Tai et al.'s SICK dependency folder")
    parser.add_argument("--trees", type=int, default=1000, help="trees used (the first ones)")
    parser.add_argument("--hidden", type=int, default=150, help="units (Tai et al.: 150)")
    parser.add_argument("--batch-size", type=int, default=25, help="trees per batched step")
    parser.add_argument("--seconds", type=float, default=15.0, help="timing per measurement")
    args = parser.parse_args()
    torch.manual_seed(0)
    folder = Path(args.folder)
    tokens, parents = (
        sick_trees(folder, args.trees) if folder.is_dir() else random_trees(args.trees)
    )
    vocabulary = {w: i for i, w in enumerate(sorted({w for t in tokens for w in t}))}
    ids = [np.array([vocabulary[w] for w in t]) for t in tokens]
    embedding, model = nn.Embedding(len(vocabulary), 50), ChildSumTreeLSTM(50, args.hidden)
    optimizer = torch.optim.Adam([*embedding.parameters(), *model.parameters()], lr=1e-3)
    singles = list(zip(ids, parents))
    sizes = np.array([len(p) for p in parents])
    batches = [
        batch_dependency_trees([ids[r] for r in rows], [parents[r] for r in rows])
        for rows in bucketed_batches(sizes, args.batch_size, np.random.default_rng(0), 5)
    ]

    def train_one(item) -> int:
        token_ids, tree = item
        optimizer.zero_grad()
        model.forward_one(embedding(torch.as_tensor(token_ids)), tree).square().mean().backward()
        optimizer.step()
        return 1

    def train_batch(batch) -> int:
        optimizer.zero_grad()
        model(embedding(batch.tokens), batch).square().mean().backward()
        optimizer.step()
        return len(batch.roots)

    @torch.no_grad()
    def infer_one(item) -> int:
        model.forward_one(embedding(torch.as_tensor(item[0])), item[1])
        return 1

    @torch.no_grad()
    def infer_batch(batch) -> int:
        model(embedding(batch.tokens), batch)
        return len(batch.roots)

    where = folder if folder.is_dir() else "random trees"
    print(
        f"Child-Sum Tree-LSTM, {len(ids)} trees of {sizes.mean():.1f} words ({where}), hidden "
        f"{args.hidden}, batches of {args.batch_size}, {torch.get_num_threads()} threads"
    )
    results = {}
    for name, step, items in (
        ("train, node by node", train_one, singles),
        ("train, level-batched", train_batch, batches),
        ("inference, node by node", infer_one, singles),
        ("inference, level-batched", infer_batch, batches),
    ):
        results[name] = rate(step, items, args.seconds)
        print(f"{name:<26} {results[name]:8.1f} trees/s")
    for kind in ("train", "inference"):
        ratio = results[f"{kind}, level-batched"] / results[f"{kind}, node by node"]
        print(f"{kind}: level batching {ratio:.1f}x the node-by-node reference")


if __name__ == "__main__":
    main()

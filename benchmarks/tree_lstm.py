"""Tree-LSTM speed on SST: the node-by-node reference against level batching, in one process.

    python benchmarks/tree_lstm.py                       # ../shared/datasets/sst/train.txt, 1,000
    trees
    python benchmarks/tree_lstm.py --trees 300 --hidden 150

Both ways run the same TreeLSTM (src/rnnpipe/trees/treelstm.py) with the same weights, 50-d word
vectors and a 5-class output on every node, and train with Adam (forward, every-node cross-entropy,
backward, step):
- reference: one tree at a time, one cell call per node (`forward_one`), as a plain recursive
  implementation does;
- level-batched: `--batch-size` trees per step, one cell call per tree height over the whole batch
  (grouped_cells: the groups as one autograd Function), batches cut from size-sorted pools as the
  training loop cuts them (data.bucketing, `bucket_batches` 5);
- SPINN (training): the same batches transition by transition (thin stack; the same weights at the
  start), without the tracker (SPINN-PI-NT) and with it (SPINN-PI: every transition is a step).
Prints trees/s for training and for inference each way, and the ratios.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from rnnpipe.data.bucketing import bucketed_batches
from rnnpipe.trees.batching import batch_trees
from rnnpipe.trees.files import read_tree_file
from rnnpipe.trees.spinn import SPINN
from rnnpipe.trees.treelstm import TreeLSTM

SST = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "sst" / "train.txt"


def rate(step, batches, seconds: float) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for batch in batches:
            done += step(batch)
            if time.perf_counter() - started >= seconds:
                break
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", default=str(SST), help="bracketed trees, one per line")
    parser.add_argument(
        "--trees", type=int, default=1000, help="trees used (the first ones of the file)"
    )
    parser.add_argument("--hidden", type=int, default=150, help="Tree-LSTM units (Tai et al.: 150)")
    parser.add_argument(
        "--batch-size", type=int, default=25, help="trees per level-batched step (Tai et al.: 25)"
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="timing per measurement")
    args = parser.parse_args()
    torch.manual_seed(0)
    trees = read_tree_file(args.file)[: args.trees]
    vocabulary = {w: i for i, w in enumerate(sorted({w for t in trees for w in t.words}))}
    ids = [np.array([vocabulary[w] for w in t.words]) for t in trees]
    embedding, model, output = (
        nn.Embedding(len(vocabulary), 50),
        TreeLSTM(50, args.hidden),
        nn.Linear(args.hidden, 5),
    )
    parameters = [*embedding.parameters(), *model.parameters(), *output.parameters()]
    optimizer = torch.optim.Adam(parameters, lr=1e-3)
    singles = [(torch.as_tensor(i), t, torch.tensor(t.label)) for i, t in zip(ids, trees)]
    sizes = np.array([len(t.label) for t in trees])
    batches = [
        batch_trees([trees[r] for r in rows], [ids[r] for r in rows])
        for rows in bucketed_batches(sizes, args.batch_size, np.random.default_rng(0), 5)
    ]

    def train_one(item) -> int:
        tokens, tree, labels = item
        optimizer.zero_grad()
        nn.functional.cross_entropy(
            output(model.forward_one(embedding(tokens), tree)), labels
        ).backward()
        optimizer.step()
        return 1

    def train_batch(batch) -> int:
        optimizer.zero_grad()
        nn.functional.cross_entropy(
            output(model(embedding(batch.tokens), batch)), batch.labels
        ).backward()
        optimizer.step()
        return len(batch.roots)

    spinn = SPINN(50, args.hidden)
    spinn.compose.load_state_dict(model.state_dict())
    spinn_optimizer = torch.optim.Adam(
        [*embedding.parameters(), *spinn.parameters(), *output.parameters()], lr=1e-3
    )

    def train_spinn(batch) -> int:
        spinn_optimizer.zero_grad()
        nn.functional.cross_entropy(
            output(spinn(embedding(batch.tokens), batch)), batch.labels
        ).backward()
        spinn_optimizer.step()
        return len(batch.roots)

    tracked = SPINN(50, args.hidden, tracker=True)
    tracked.compose.load_state_dict(model.state_dict())
    tracked_optimizer = torch.optim.Adam(
        [*embedding.parameters(), *tracked.parameters(), *output.parameters()], lr=1e-3
    )

    def train_tracked(batch) -> int:
        tracked_optimizer.zero_grad()
        nn.functional.cross_entropy(
            output(tracked(embedding(batch.tokens), batch)), batch.labels
        ).backward()
        tracked_optimizer.step()
        return len(batch.roots)

    @torch.no_grad()
    def infer_one(item) -> int:
        output(model.forward_one(embedding(item[0]), item[1]))
        return 1

    @torch.no_grad()
    def infer_batch(batch) -> int:
        output(model(embedding(batch.tokens), batch))
        return len(batch.roots)

    nodes = sum(len(t.label) for t in trees) / len(trees)
    depth = np.mean([max(t.heights()) for t in trees])
    print(
        f"{len(trees)} trees ({nodes:.1f} nodes, height {depth:.1f} on average), hidden "
        f"{args.hidden}, "
        f"{torch.get_num_threads()} threads"
    )
    results = {}
    for name, step, items in (
        ("train, node by node", train_one, singles),
        ("train, level-batched", train_batch, batches),
        ("train, SPINN", train_spinn, batches),
        ("train, SPINN tracker", train_tracked, batches),
        ("infer, node by node", infer_one, singles),
        ("infer, level-batched", infer_batch, batches),
    ):
        results[name] = rate(step, items, args.seconds)
        print(f"{name:<22} {results[name]:9.1f} trees/s")
    print(
        "level batching / node by node: training "
        f"x{results['train, level-batched'] / results['train, node by node']:.1f}, "
        f"inference x{results['infer, level-batched'] / results['infer, node by node']:.1f}; "
        f"SPINN training at {results['train, SPINN'] / results['train, level-batched']:.2f} of the "
        "level-batched "
        f"rate ({results['train, SPINN tracker'] / results['train, level-batched']:.2f} with the "
        "tracker)"
    )


if __name__ == "__main__":
    main()

"""Data-parallel training (training.distributed) on CPU with gloo: two ranks sharing each global
batch take exactly the step one process takes on the whole batch, and agree on the validation
scores."""

import json
import os
import socket

import pytest
import torch
import torch.multiprocessing as mp

from conftest import classifier_config
from rnnpipe.text.model import RNNClassifier
from rnnpipe.text.sequences import SequenceSet
from rnnpipe.training.distributed import Distributed
from rnnpipe.training.loop import TrainSettings, train_model

ROWS = 7  # one global batch of 7 rows: ranks take 4 and 3, an uneven split on purpose


def data(seed: int) -> SequenceSet:
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, 9, (ROWS,), generator=generator)
    ids = torch.randint(2, 30, (ROWS, 8), generator=generator)
    ids[torch.arange(8)[None, :] >= lengths[:, None]] = 0
    return SequenceSet(ids, lengths, torch.randint(0, 3, (ROWS,), generator=generator))


def train_once(dist=None):
    torch.manual_seed(0)
    model = RNNClassifier(
        classifier_config(
            vocab_size=30,
            embed_dim=5,
            num_classes=3,
            hidden=4,
            cell="gru",
            bidirectional=True,
            pooling="meanmax",
        )
    )
    settings = TrainSettings(batch_size=ROWS, epochs=2, lr=0.05, clip_norm=1.0, patience=0, seed=3)
    result = train_model(
        model, data(1), data(2), settings, torch.device("cpu"), progress=False, dist=dist
    )
    return model, result


def worker(rank: int, world: int, port: int, out: str) -> None:
    os.environ.update(
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE=str(world),
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
    )
    torch.set_num_threads(1)
    dist = Distributed.from_env()
    model, result = train_once(dist)
    if dist.is_main:
        torch.save({"state": model.state_dict(), "history": result.history}, out)
    dist.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_two_ranks_sharing_each_batch_step_exactly_as_one_process_on_the_whole_batch(tmp_path):
    out = str(tmp_path / "rank0.pt")
    mp.spawn(worker, args=(2, free_port(), out), nprocs=2, join=True)
    parallel = torch.load(out)
    torch.set_num_threads(1)
    model, result = train_once()
    for name, value in model.state_dict().items():
        torch.testing.assert_close(parallel["state"][name], value, atol=1e-6, rtol=1e-5, msg=name)
    for single, shared in zip(result.history, parallel["history"]):
        for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
            assert shared[key] == pytest.approx(single[key], abs=1e-6), (key, json.dumps(shared))


NODE_SCRIPT = """
import sys
import torch
sys.path[:0] = [{tests!r}, {suite!r}]  # the suite's folder: conftest
from test_distributed import train_once
from rnnpipe.training.distributed import Distributed
torch.set_num_threads(1)
dist = Distributed.from_env()
model, result = train_once(dist)
if dist.is_main:
    torch.save({{"state": model.state_dict(), "world": dist.world}}, {out!r})
dist.close()
"""


@pytest.mark.slow
def test_two_launchers_rendezvous_as_two_nodes(tmp_path):
    """The multi-node path of docs/scale-out.md on one machine: two torchrun launchers (--nnodes
    2, one process each) meet through the c10d rendezvous on 127.0.0.1 and train as one job."""
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "node.py"
    out = str(tmp_path / "rank0.pt")
    script.write_text(
        NODE_SCRIPT.format(
            tests=str(Path(__file__).parent), suite=str(Path(__file__).parents[1]), out=out
        )
    )
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nnodes",
        "2",
        "--nproc-per-node",
        "1",
        "--rdzv-backend",
        "c10d",
        "--rdzv-endpoint",
        f"127.0.0.1:{free_port()}",
        "--rdzv-id",
        "rnnpipe-test",
        "--max-restarts",
        "0",
        str(script),
    ]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).parents[2] / "src"), os.environ.get("PYTHONPATH", "")]
        ),
    }
    nodes = [
        subprocess.Popen(
            command,
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    logs = [node.communicate(timeout=240)[0] for node in nodes]
    assert [node.returncode for node in nodes] == [0, 0], "\n".join(logs)
    parallel = torch.load(out)
    assert parallel["world"] == 2
    torch.set_num_threads(1)
    model, _ = train_once()
    for name, value in model.state_dict().items():
        torch.testing.assert_close(parallel["state"][name], value, atol=1e-6, rtol=1e-5, msg=name)

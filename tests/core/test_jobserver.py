"""Machine-wide admission (rnnpipe.core.jobserver): slots held by live processes only, a waiter
that gathers what it needs ahead of later arrivals, a deadline, and a stage's thread count."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import torch

from rnnpipe.core.device import using_threads
from rnnpipe.core.jobserver import ADMITTED_ENV, AdmissionTimeoutError, admitted, holders
from rnnpipe.core.stage import stage_threads


@pytest.fixture(autouse=True)
def not_inherited(monkeypatch):
    """These tests use registries of their own, whatever admission the test process inherited
    (a suite started from inside a stage)."""
    monkeypatch.delenv(ADMITTED_ENV, raising=False)


def hold_in_another_process(folder: Path, threads: int, cores: int) -> subprocess.Popen:
    """A process that holds `threads` slots of `folder`'s registry until it is killed."""
    code = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from rnnpipe.core.jobserver import admitted
        with admitted("train", {threads}, folder=Path({str(folder)!r}), cores={cores}):
            print("in", flush=True)
            time.sleep(600)
        """
    )
    env = {key: value for key, value in os.environ.items() if key != ADMITTED_ENV}
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout.readline().strip() == "in"
    return process


def test_taken_cores_make_a_stage_wait_and_a_killed_holder_frees_them(tmp_path):
    holder = hold_in_another_process(tmp_path, threads=2, cores=2)
    try:
        said = []
        with pytest.raises(AdmissionTimeoutError, match=f"pid {holder.pid}: train in"):
            with admitted("evaluate", 1, folder=tmp_path, cores=2, timeout=0.5, say=said.append):
                pass
        assert "waiting for 1 of this machine's 2 cores (2 taken" in said[0]
        assert f"pid {holder.pid}: train in {Path.cwd()} (2 cores))" in said[0]  # one line each
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # SIGKILL leaves no stale slot: the kernel released the locks.
    with admitted("evaluate", 2, folder=tmp_path, cores=2, timeout=5) as held:
        assert held == 2
        assert len(holders(tmp_path)) == 2


def test_free_cores_admit_several_stages_at_once(tmp_path):
    holder = hold_in_another_process(tmp_path, threads=1, cores=2)
    try:
        with admitted("train", 1, folder=tmp_path, cores=2, timeout=5) as held:
            assert held == 1
            assert len(holders(tmp_path)) == 2
    finally:
        holder.kill()
        holder.wait()


def test_a_waiter_keeps_its_place_ahead_of_later_smaller_requests(tmp_path):
    """The waiter for two cores holds the one it found free; a later one-core stage cannot take
    the core freed next and starve it."""
    holder = hold_in_another_process(tmp_path, threads=1, cores=2)
    admitted_order = []
    waiter_in = threading.Event()

    def waiter():
        with admitted("train", 2, folder=tmp_path, cores=2, timeout=30, say=lambda line: None):
            admitted_order.append("two-core waiter")
            waiter_in.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while len(holders(tmp_path)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(holders(tmp_path)) == 2  # the holder's core and the waiter's gathered one
        with pytest.raises(AdmissionTimeoutError):
            with admitted("evaluate", 1, folder=tmp_path, cores=2, timeout=0.5, say=print):
                admitted_order.append("one-core latecomer")
    finally:
        holder.kill()
        holder.wait()
        thread.join(30)
    assert waiter_in.is_set() and admitted_order == ["two-core waiter"]


def test_more_threads_than_cores_wait_for_the_whole_machine(tmp_path):
    with admitted("train", 16, folder=tmp_path, cores=2, timeout=5) as held:
        assert held == 2


def test_processes_a_stage_starts_inherit_its_admission(tmp_path):
    with admitted("train", 2, folder=tmp_path, cores=2, timeout=5):
        assert os.environ[ADMITTED_ENV] == "train"
        # a nested stage (a DDP worker, a stage run inside a stage) would otherwise wait forever
        # behind its own parent
        with admitted("evaluate", 2, folder=tmp_path, cores=2, timeout=0.5) as held:
            assert held == 0
    assert ADMITTED_ENV not in os.environ


def test_admission_off(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNPIPE_JOBSERVER", "off")
    with admitted("train", 2, cores=2, timeout=0.1) as held:
        assert held == 0


def test_a_stage_computes_with_its_recorded_threads_and_puts_the_previous_back():
    before = torch.get_num_threads()
    other = 1 if before != 1 else 2
    with using_threads(other):
        assert torch.get_num_threads() == other
        assert os.environ["OMP_NUM_THREADS"] == str(other)
    assert torch.get_num_threads() == before


@pytest.mark.parametrize(
    ("name", "section", "expected"),
    [
        ("train", {"threads": 2, "processes": 1}, (2, 2)),
        ("train", {"threads": 4, "processes": 2}, (4, 2)),  # DDP: the threads shared by the ranks
        ("train", {"threads": 1, "processes": 3}, (3, 1)),  # at least one thread per rank
        ("evaluate", {"threads": 1}, (1, 1)),
        ("tokenize", {"lowercase": True}, (1, 1)),  # a data stage: one thread
    ],
)
def test_the_cores_a_stage_holds(name, section, expected):
    assert stage_threads(name, {name: section}) == expected

"""core.locking: one running copy of a stage per folder; core.stage: unwritable folders get a
message."""

import errno
import os
import subprocess
import sys

import pytest

from conftest import without_admission
from rnnpipe.core.locking import StageBusyError, lock_path, stage_lock
from rnnpipe.core.params import Schema
from rnnpipe.core.stage import run_stage

HOLD = (
    "from rnnpipe.core.locking import stage_lock; import sys, time\n"
    "with stage_lock('train'):\n    print('held', flush=True); time.sleep(60)"
)


def test_a_second_run_of_a_stage_is_refused_while_the_first_lives(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(
            StageBusyError,
            match=rf"another train is still running in this folder \(pid {holder.pid};"
            rf".*`kill {holder.pid}`",
        ):
            with stage_lock("train", lock_path("train", tmp_path)):
                pass
    finally:
        holder.kill()
        holder.wait()
    with stage_lock(
        "train", lock_path("train", tmp_path)
    ):  # a dead holder's lock is gone with it (even SIGKILL)
        with stage_lock("evaluate", lock_path("evaluate", tmp_path)):  # other stages have their own
            pass


def test_locks_live_in_dvcs_scratch_folder_named_by_stage_and_folder(tmp_path):
    (tmp_path / ".dvc").mkdir()
    (tmp_path / "forecast").mkdir()
    assert lock_path("train", tmp_path) == tmp_path / ".dvc/tmp/rnnpipe-locks/train.lock"
    assert (
        lock_path("train", tmp_path / "forecast")
        == tmp_path / ".dvc/tmp/rnnpipe-locks/forecast__train.lock"
    )


@pytest.mark.parametrize(
    "code, words",
    [
        (errno.EACCES, "Permission denied"),
        (errno.EROFS, "Read-only file system"),
        (errno.ENOSPC, "No space left on device"),
    ],
)
def test_an_unwritable_output_is_named_not_a_traceback(tmp_path, monkeypatch, capsys, code, words):
    """What a read-only data/, data/.checkpoints/ or metrics/ raises (root, as in CI, may write
    anyway: the error is raised directly)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "params.yaml").write_text("{}\n")

    def main(params):
        raise OSError(code, os.strerror(code), "metrics/train.json")

    with pytest.raises(SystemExit) as stop:
        run_stage("train", main, Schema({}))
    assert stop.value.code == 1
    assert without_admission(capsys.readouterr().err).startswith(
        f"train: error: cannot write metrics/train.json: {words}. Make that "
        f"folder writable (or free space)"
    )

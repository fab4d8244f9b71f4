"""What every stage shares (core.stage): a disk without room is named before any work."""

import shutil

import pytest

from rnnpipe.core import stage
from rnnpipe.core.errors import DiskSpaceError


def test_a_stage_on_a_disk_without_room_for_its_outputs_is_refused_by_path(tmp_path, monkeypatch):
    (tmp_path / "dvc.lock").write_text(
        "schema: '2.0'\nstages:\n  evaluate:\n    outs:\n"
        "    - path: metrics/confusion.csv\n      md5: 0123\n      size: 300000000\n"
    )
    free = {"bytes": 500 * 2**20}
    monkeypatch.setattr(
        stage.shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(10**12, 0, free["bytes"])
    )
    # 2 x 286 MiB of outputs (the file and DVC's cached copy) + 100 MiB > 500 MiB free
    with pytest.raises(DiskSpaceError, match=r"only 500.0 MiB free on the disk holding .* needs"):
        stage.check_free_space("evaluate", tmp_path)
    free["bytes"] = 800 * 2**20
    stage.check_free_space("evaluate", tmp_path)  # room enough
    free["bytes"] = 50 * 2**20
    with pytest.raises(DiskSpaceError, match=r"it needs about 100.0 MiB"):
        stage.check_free_space("train", tmp_path)  # no record of train: the margin alone

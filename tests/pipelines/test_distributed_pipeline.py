"""`train.processes=2`: the text pipeline's train stage runs as two DDP workers under torchrun's
launcher (gloo on CPU), writes one model, and gives the same metrics run to run."""

import json

import pytest

from conftest import make_pipeline_copy, run

pytestmark = pytest.mark.slow


def test_a_two_process_repro_finishes_writes_one_model_and_is_deterministic(tmp_path):
    wd = make_pipeline_copy(tmp_path / "project", {"train": {"processes": 2}})
    result = run(["dvc", "repro"], wd)
    assert "launching 2 worker processes (torch.distributed.run, gloo)" in result.stderr
    assert "x 2 processes (DDP)" in result.stdout + result.stderr
    assert (wd / "data/model/model.safetensors").is_file() and not list(
        (wd / "data").glob(".model.*.tmp")
    )
    assert not list((wd / "data/.checkpoints").glob("*.pt"))
    first = {
        name: (wd / "metrics" / name).read_text()
        for name in ("train.json", "eval.json", "history.csv")
    }
    assert json.loads(first["train.json"])["epochs_run"] >= 1
    run(["dvc", "repro", "--force", "--single-item", "train"], wd)
    run(["dvc", "repro", "--single-item", "evaluate"], wd)
    assert {name: (wd / "metrics" / name).read_text() for name in first} == first


@pytest.mark.parametrize("folder", ["forecast", "sequences", "trees", "pairs"])
def test_the_other_pipelines_train_as_two_processes(tmp_path_factory, folder):
    import conftest

    wd = conftest.built_pipeline(tmp_path_factory, folder)  # built with one process; train again
    conftest.edit_params(wd / folder, {"train": {"processes": 2}})
    result = run(["dvc", "repro", f"{folder}/dvc.yaml"], wd)
    assert "launching 2 worker processes (torch.distributed.run, gloo)" in result.stderr
    assert (wd / folder / "data/model/model.safetensors").is_file()
    evaluation = json.loads((wd / folder / "metrics/eval.json").read_text())
    assert evaluation and all(
        value == value for value in evaluation.values() if isinstance(value, float)
    )

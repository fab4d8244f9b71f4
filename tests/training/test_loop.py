"""The shared training loop: weight averaging (train.ema_decay) and its checkpoints."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from torch.optim.optimizer import register_optimizer_step_post_hook

from conftest import classifier_config
from rnnpipe.text.model import RNNClassifier
from rnnpipe.text.sequences import SequenceSet
from rnnpipe.training.history import write_progress
from rnnpipe.training.loop import TrainSettings, train_model

CPU = torch.device("cpu")


def tiny_set(rows: int, seed: int) -> SequenceSet:
    """Rows whose label is whether token 2 occurs: learnable in a few steps."""
    generator = torch.Generator().manual_seed(seed)
    lengths = torch.randint(3, 12, (rows,), generator=generator)
    ids = torch.randint(2, 20, (rows, 12), generator=generator)
    ids[torch.arange(12) >= lengths[:, None]] = 0
    labels = (ids == 2).any(dim=1).long()
    return SequenceSet(ids, lengths, labels)


def fresh_model() -> RNNClassifier:
    torch.manual_seed(0)
    return RNNClassifier(
        classifier_config(
            vocab_size=20, embed_dim=8, num_classes=2, cell="gru", hidden=8, dropout=0.2
        )
    )


def settings(**overrides) -> TrainSettings:
    return TrainSettings(**{"lr": 0.01, "batch_size": 16, "epochs": 3, "patience": 0, **overrides})


def test_averaged_weights_are_the_exponential_average_of_every_step():
    data = tiny_set(96, seed=1)
    snapshots = []

    def record(optimizer, args, kwargs):
        snapshots.append({k: v.detach().clone() for k, v in model.state_dict().items()})

    model = fresh_model()
    handle = register_optimizer_step_post_hook(record)
    try:
        train_model(model, data, None, settings(), CPU, progress=False)
    finally:
        handle.remove()
    assert len(snapshots) == 3 * 96 // 16

    decay = 0.9
    expected = dict(snapshots[0])  # the first update copies the weights
    for step in snapshots[1:]:
        expected = {k: decay * expected[k] + (1 - decay) * step[k] for k in expected}
    averaged = fresh_model()
    train_model(averaged, data, None, settings(ema_decay=decay), CPU, progress=False)
    for name, value in averaged.state_dict().items():
        torch.testing.assert_close(value, expected[name], msg=name)
    # The average is not the last step's weights: the option does something.
    assert not torch.allclose(
        averaged.state_dict()["head.linear.weight"], snapshots[-1]["head.linear.weight"]
    )


def test_validation_and_the_kept_model_use_the_averaged_weights():
    train, validation = tiny_set(96, seed=1), tiny_set(48, seed=2)
    plain = fresh_model()  # each model right before its run: fresh_model() also seeds dropout
    plain_result = train_model(plain, train, validation, settings(), CPU, progress=False)
    averaged = fresh_model()
    averaged_result = train_model(
        averaged, train, validation, settings(ema_decay=0.9), CPU, progress=False
    )
    # Same optimisation trajectory (same seed, same batches), different validated weights.
    assert [r["train_loss"] for r in plain_result.history] == [
        r["train_loss"] for r in averaged_result.history
    ]
    assert [r["val_loss"] for r in plain_result.history] != [
        r["val_loss"] for r in averaged_result.history
    ]
    assert not torch.equal(
        plain.state_dict()["head.linear.weight"], averaged.state_dict()["head.linear.weight"]
    )


class Interrupted(Exception):
    pass


class FailsOnEpoch:
    """A training set that raises when asked for the batches of epoch `epoch` (a killed run)."""

    def __init__(self, data: SequenceSet, epoch: int):
        self.data, self.epoch, self.calls = data, epoch, 0

    def __len__(self):
        return len(self.data)

    def batches(self, *args):
        self.calls += 1
        if self.calls == self.epoch:
            raise Interrupted
        return self.data.batches(*args)

    def batch(self, *args, **kwargs):
        return self.data.batch(*args, **kwargs)


@pytest.mark.parametrize("ema_decay", [0.0, 0.9])
def test_an_interrupted_run_resumes_to_the_uninterrupted_result(tmp_path, ema_decay):
    train, validation = tiny_set(96, seed=1), tiny_set(48, seed=2)
    whole = fresh_model()
    whole_result = train_model(
        whole, train, validation, settings(ema_decay=ema_decay), CPU, progress=False
    )

    checkpoint = tmp_path / "train.pt"
    with pytest.raises(Interrupted):
        train_model(
            fresh_model(),
            FailsOnEpoch(train, 3),
            validation,
            settings(ema_decay=ema_decay),
            CPU,
            progress=False,
            checkpoint=checkpoint,
            fingerprint="run",
        )
    resumed = fresh_model()
    resumed_result = train_model(
        resumed,
        train,
        validation,
        settings(ema_decay=ema_decay),
        CPU,
        progress=False,
        checkpoint=checkpoint,
        fingerprint="run",
    )
    assert resumed_result.history == [
        {**row, "seconds": resumed_result.history[i]["seconds"]}
        for i, row in enumerate(whole_result.history)
    ]
    for name, value in whole.state_dict().items():
        assert torch.equal(value, resumed.state_dict()[name]), name


def test_logs_get_one_line_per_epoch_and_no_progress_bar_frames(capsys):
    """stderr captured (not a terminal, as in CI or a queued experiment): tqdm stays silent by
    its own TTY check and each epoch leaves one summary line."""
    torch.manual_seed(0)
    model = RNNClassifier(classifier_config(vocab_size=30, embed_dim=4, num_classes=2, hidden=4))
    data = SequenceSet(
        torch.randint(2, 30, (40, 6)), torch.full((40,), 6), torch.randint(0, 2, (40,))
    )
    train_model(
        model,
        data,
        data,
        TrainSettings(lr=0.01, batch_size=8, epochs=2, patience=0),
        torch.device("cpu"),
        progress=True,
    )
    err = capsys.readouterr().err
    assert "\r" not in err
    assert [line.split(":")[0] for line in err.splitlines()] == ["epoch 1", "epoch 2"]


def test_metrics_so_far_are_written_after_every_epoch_for_a_single_model_and_an_ensemble(tmp_path):
    """What `dvc exp show` reads while a run goes on: after epoch k the history holds k rows (an
    ensemble's: the finished members' and the current one's, by member) and the summary the best
    epoch so far."""
    train, validation = tiny_set(64, seed=1), tiny_set(32, seed=2)
    seen = []

    def record(names, done=()):
        def on_epoch(result):
            history, summary = tmp_path / "history.csv", tmp_path / "train.json"
            write_progress([*done, result], names, "accuracy", str(history), str(summary))
            seen.append((pd.read_csv(history), json.loads(summary.read_text())))

        return on_epoch

    first = train_model(
        fresh_model(),
        train,
        validation,
        settings(epochs=2),
        CPU,
        progress=False,
        on_epoch=record(None),
    )
    assert [len(history) for history, _ in seen] == [1, 2]
    assert [summary["epochs_run"] for _, summary in seen] == [1, 2]
    seen.clear()
    train_model(
        fresh_model(),
        train,
        validation,
        settings(epochs=2),
        CPU,
        progress=False,
        on_epoch=record(["1:gru", "2:gru"], done=(first,)),
    )
    history, summary = seen[-1]
    assert history["member"].tolist() == ["1:gru", "1:gru", "2:gru", "2:gru"]
    assert [member["epochs_run"] for member in summary["members"]] == [2, 2]


@pytest.mark.parametrize("select_on", ["loss", "accuracy"])
def test_the_kept_epoch_is_the_best_by_the_chosen_yardstick(select_on):
    train, validation = tiny_set(96, seed=1), tiny_set(48, seed=2)
    model = fresh_model()
    result = train_model(
        model, train, validation, settings(epochs=6, select_on=select_on), CPU, progress=False
    )
    history = pd.DataFrame(result.history)
    # the first epoch of the best value wins ties (later ones must be strictly better)
    best = history["val_loss"].idxmin() if select_on == "loss" else history["val_accuracy"].idxmax()
    assert result.best_epoch == int(history.loc[best, "epoch"])
    assert result.best_val_loss == history.loc[best, "val_loss"]


def test_an_unknown_yardstick_is_refused():
    from rnnpipe.training.loop import selection_value
    from rnnpipe.training.objectives import RegressionObjective

    row = {"val_loss": 0.5, "val_mae": 2.0, "val_accuracy": 0.9}
    assert selection_value(row, "mae", RegressionObjective()) == 2.0  # MAE: lower is better already
    with pytest.raises(ValueError, match="'loss' or 'mae'"):
        selection_value(row, "accuracy", RegressionObjective())


def test_chance_level_is_the_majority_class_accuracy_on_validation():
    from rnnpipe.training.history import chance_level, chance_warning

    train, validation = np.array([0, 1, 1, 1]), np.array([1, 1, 0, 0, 1])
    summary = chance_level(0.6, train, validation)
    assert summary == {"majority_accuracy": 0.6, "at_chance": True}
    assert "at chance level: validation accuracy 0.6000" in chance_warning(summary, 0.6)
    better = chance_level(0.8, train, validation)
    assert not better["at_chance"] and chance_warning(better, 0.8) is None


def test_chance_level_counts_labelled_steps_only_and_says_when_a_model_is_at_it():
    from rnnpipe.training.history import chance_level, chance_warning

    train = np.array([[2, 2, 1, -100], [0, 2, -100, -100]])  # class 2 is the most frequent
    validation = np.array([[2, 1, -100], [2, 0, 2]])
    summary = chance_level(0.6, train, validation)
    assert summary == {"majority_accuracy": 0.6, "at_chance": True}
    assert "at chance level: validation accuracy 0.6000" in chance_warning(summary, 0.6)
    assert chance_warning(chance_level(0.61, train, validation), 0.61) is None


def test_a_per_step_split_counts_the_steps_of_its_own_items_only():
    import torch

    from rnnpipe.sequences.train import item_targets

    class Items:  # what SpanSet holds: every sequence's steps, and this split's spans
        step_labels = torch.tensor([5, 6, 7, 8, 9, 10, 11])
        starts = torch.tensor([4, 1])
        lengths = torch.tensor([2, 1])
        labels = torch.tensor([1, 0])

    assert item_targets(Items, per_step=True).tolist() == [9, 10, 6]
    assert item_targets(Items, per_step=False).tolist() == [1, 0]

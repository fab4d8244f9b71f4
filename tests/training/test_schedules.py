"""Learning-rate schedules (train.schedule, train.milestones, train.warmup_steps): the LR each
optimiser step really used, on a real training run of the shared loop."""

from __future__ import annotations

import pytest
from test_loop import CPU, fresh_model, settings, tiny_set
from torch.optim.optimizer import register_optimizer_step_pre_hook

from rnnpipe.core.errors import ParamsError
from rnnpipe.core.params import TRAINING_RULES
from rnnpipe.training.loop import train_model
from rnnpipe.training.optim import warmup_factor


def step_lrs(**overrides) -> list[float]:
    """The LR of every optimiser step of a 4-epoch run of 64 rows in batches of 16 (4 per
    epoch)."""
    seen = []
    handle = register_optimizer_step_pre_hook(
        lambda optimizer, args, kwargs: seen.append(optimizer.param_groups[0]["lr"])
    )
    try:
        train_model(
            fresh_model(),
            tiny_set(64, 0),
            tiny_set(16, 1),
            settings(epochs=4, **overrides),
            CPU,
            progress=False,
        )
    finally:
        handle.remove()
    return seen


def per_epoch(lrs: list[float]) -> list[float]:
    return [lrs[k] for k in range(0, len(lrs), 4)]


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({}, [0.01, 0.01, 0.01, 0.01]),
        ({"schedule": "step", "step_size": 2, "gamma": 0.5}, [0.01, 0.01, 0.005, 0.005]),
        (
            {"schedule": "multistep", "milestones": [1, 3], "gamma": 0.1},
            [0.01, 0.001, 0.001, 0.0001],
        ),
        ({"schedule": "exponential", "gamma": 0.5}, [0.01, 0.005, 0.0025, 0.00125]),
        ({"schedule": "cosine"}, [0.01, 0.01 * (1 + 2**-0.5) / 2, 0.005, 0.01 * (1 - 2**-0.5) / 2]),
    ],
)
def test_each_epoch_schedule_sets_the_lr_of_its_epochs(overrides, expected):
    lrs = step_lrs(**overrides)
    assert len(lrs) == 16
    assert per_epoch(lrs) == pytest.approx(expected)


def test_the_warmup_rises_linearly_then_hands_over_to_the_schedule():
    lrs = step_lrs(schedule="exponential", gamma=0.5, warmup_steps=6)
    # steps 1..6 of the run: k / 6 of the scheduled LR (epoch 1: 0.01, epoch 2: 0.005)
    assert lrs[:6] == pytest.approx(
        [0.01 * 1 / 6, 0.01 * 2 / 6, 0.01 * 3 / 6, 0.01 * 4 / 6, 0.005 * 5 / 6, 0.005 * 6 / 6]
    )
    assert lrs[6:8] == pytest.approx([0.005, 0.005]) and lrs[8] == pytest.approx(0.0025)
    assert [warmup_factor(k, 0) for k in range(3)] == [1.0, 1.0, 1.0]


def test_milestones_are_whole_epochs():
    rule = TRAINING_RULES["milestones"]
    assert rule.check("train.milestones", [5, 8.0]) == [5, 8]
    for bad in ([2.5], [0], [3, 3]):
        with pytest.raises(ParamsError, match="milestones"):
            rule.check("train.milestones", bad)

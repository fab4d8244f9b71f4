"""Lazy forecasting windows: exact rows, split boundaries, gaps, batching order, shared memory."""

import numpy as np
import pytest
import torch

from rnnpipe.core.errors import DataError
from rnnpipe.forecast.windows import make_windows, window_anchors, window_offsets


def series(rows=200, features=3):
    values = np.arange(rows * features, dtype=np.float32).reshape(rows, features)
    return values, values[:, 0].copy() / features  # target = row number


def test_offsets_end_at_the_anchor_and_keep_the_step():
    assert window_offsets(5, 1).tolist() == [-4, -3, -2, -1, 0]
    offsets = window_offsets(240, 6)
    assert (
        len(offsets) == 40
        and offsets[0] == -234
        and offsets[-1] == 0
        and set(np.diff(offsets)) == {6}
    )


def test_a_batch_holds_exactly_the_window_rows_and_the_delayed_target():
    values, target = series()
    valid = np.ones(len(values), bool)
    windows = make_windows(values, target, valid, 0, 200, lookback=10, step=3, delay=5)
    rows = np.array([0, 7, len(windows) - 1])
    (x,), y = windows.batch(rows, torch.device("cpu"))
    assert x.shape == (3, 4, 3)
    for i, anchor in enumerate(windows.anchors[rows]):
        expected_rows = [anchor - 9, anchor - 6, anchor - 3, anchor]
        assert torch.equal(x[i], torch.from_numpy(values[expected_rows]))
        assert y[i] == anchor + 5
    assert windows.anchors[0] == 9 and windows.anchors[-1] == 194  # 194 + 5 = last row 199


def test_windows_stay_inside_their_split():
    values, target = series()
    valid = np.ones(len(values), bool)
    windows = make_windows(values, target, valid, 100, 150, lookback=10, step=1, delay=5)
    assert windows.anchors.min() - 9 >= 100 and windows.anchors.max() + 5 <= 149
    assert len(windows) == 50 - 9 - 5


def test_no_window_touches_an_invalid_row():
    valid = np.ones(100, bool)
    valid[[40, 41]] = False
    anchors = window_anchors(valid, 0, 100, lookback=10, delay=3)
    for anchor in anchors:
        assert valid[anchor - 9 : anchor + 4].all()
    # every window that avoids rows 40-41 is kept
    expected = [a for a in range(9, 97) if not (a - 9 <= 41 and a + 3 >= 40)]
    assert anchors.tolist() == expected


def test_reach_back_keeps_room_for_the_baseline():
    valid = np.ones(100, bool)
    assert window_anchors(valid, 0, 100, lookback=5, delay=2, reach_back=22)[0] == 22


def test_too_long_a_lookback_is_a_clear_error():
    values, target = series(50)
    with pytest.raises(DataError, match=r"train period has 50 rows .*window.lookback 60"):
        make_windows(values, target, np.ones(50, bool), 0, 50, lookback=60, step=1, delay=5)
    with pytest.raises(DataError, match="window.step"):
        make_windows(values, target, np.ones(50, bool), 0, 50, lookback=4, step=6, delay=1)


def test_training_order_is_a_seeded_shuffle_and_evaluation_order_is_time():
    values, target = series()
    windows = make_windows(values, target, np.ones(200, bool), 0, 200, lookback=10, step=1, delay=1)
    ordered = np.concatenate(windows.batches(32, None))
    assert ordered.tolist() == list(range(len(windows)))
    first = np.concatenate(windows.batches(32, np.random.default_rng(3)))
    again = np.concatenate(windows.batches(32, np.random.default_rng(3)))
    assert first.tolist() == again.tolist() and sorted(first.tolist()) == list(range(len(windows)))
    assert first.tolist() != ordered.tolist()


def test_splits_share_one_copy_of_the_series():
    values, target = series()
    valid = np.ones(200, bool)
    a = make_windows(values, target, valid, 0, 100, lookback=10, step=1, delay=1)
    b = make_windows(values, target, valid, 100, 200, lookback=10, step=1, delay=1)
    assert a.values.data_ptr() == b.values.data_ptr() == torch.from_numpy(values).data_ptr()
    assert a.flat(np.array([0, 1])).shape == (2, 30)


def test_change_targets_are_relative_to_the_baseline_row_and_convert_back():
    values, target = series()
    windows = make_windows(
        values,
        target,
        np.ones(200, bool),
        0,
        200,
        lookback=10,
        step=1,
        delay=5,
        reach_back=20,
        base_offset=24,
    )
    (_,), y = windows.batch(np.arange(len(windows)), torch.device("cpu"))
    assert torch.allclose(
        y, torch.full_like(y, 24.0)
    )  # target = row number: value(t+5) - value(t+5-24)
    assert torch.equal(windows.targets, y)
    assert torch.equal(windows.absolute(y), windows.absolute_targets)
    assert torch.equal(windows.absolute_targets, torch.from_numpy(windows.anchors + 5).float())

"""The forecaster's linear member: ridge regression on the flattened window, mixed with the RNN.

On Beijing station files ridge regression on the whole window is a strong forecaster (test MAE
within a few percent of the GRU's, sometimes below it), and its errors differ from the RNN's. As the
text pipeline mixes its RNN with a linear model, the forecast train stage (`train.ensemble_linear`)
fits ridge on training windows, predicting what the RNN predicts (the change from the naive
forecast, or the value), with alpha chosen on validation MAE; the forecast is then (1 - w) * RNN + w
* ridge with w on a 0..1 grid (step 0.05). The test split is never read here.

The weight is chosen on one validation period, and an RNN that does well there can do worse on
the next (an independent run on Beijing TEMP: RNN validation MAE 2.362, test 2.510, and the mix
lost to the ridge baseline on test). A blockwise one-standard-error rule (the largest w toward
ridge within one standard error of the best, over four validation blocks) was measured against
this choice on all 12 Beijing stations (docs/pipelines/forecast.md): it cost test MAE on 11 of
them (0.0-1.7%) and the plain choice lost to the ridge baseline on none, so the weight stays the
lowest validation loss. What the blocks are kept for is the warning: train reports on how many of
VALIDATION_BLOCKS consecutive validation periods the mix beats ridge alone
(`val_blocks_mix_beats_ridge`), and says so when its edge rests on fewer than all.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.linalg import LinAlgWarning
from sklearn.linear_model import Ridge

from .windows import WindowSet

ALPHAS = (0.1, 1.0, 10.0, 100.0, 1000.0)
WEIGHT_GRID = np.round(np.arange(0.0, 1.0001, 0.05), 2)


def sample_rows(windows: int, max_windows: int, seed: int) -> np.ndarray:
    """A seeded, sorted sample of at most `max_windows` window indices."""
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(windows, size=min(max_windows, windows), replace=False))


def predict_flat(model: Ridge, windows: WindowSet, batch_size: int = 4096) -> np.ndarray:
    """The ridge model's outputs (float64) for every window, in order, a batch at a time (the
    flat windows of a whole split would not fit in memory). Shared with the evaluate stage's
    ridge baseline (forecast.baselines)."""
    return np.concatenate(
        [
            model.predict(windows.flat(np.arange(i, min(i + batch_size, len(windows)))))
            for i in range(0, len(windows), batch_size)
        ]
    )


def loss_of(errors: np.ndarray, loss: str) -> float:
    return float(np.mean(np.abs(errors)) if loss == "mae" else np.mean(errors**2))


def fit_ridge(
    train: WindowSet, validation: WindowSet, max_windows: int, loss: str, seed: int
) -> tuple[Ridge, float, np.ndarray]:
    """(ridge fitted on <= max_windows training windows with the alpha of lowest validation loss,
    that alpha, its validation outputs). Targets are the windows' training targets: what the RNN
    learns."""
    rows = sample_rows(len(train), max_windows, seed)
    inputs, targets = train.flat(rows), train.targets.numpy()[rows]
    truth = validation.targets.numpy()
    best = None
    for alpha in ALPHAS:
        with warnings.catch_warnings():
            # Lagged readings are nearly collinear, so the smallest alphas meet ill-conditioned
            # systems; the
            # solution is still the regularised one, and validation decides whether it is any good.
            warnings.simplefilter("ignore", LinAlgWarning)
            model = Ridge(alpha=alpha).fit(inputs, targets)
        outputs = predict_flat(model, validation).astype(np.float32)  # as the RNN's outputs
        score = loss_of(outputs - truth, loss)
        if best is None or score < best[0]:
            best = (score, alpha, model, outputs)
    return best[2], best[1], best[3]


VALIDATION_BLOCKS = 4


def mix_weight(truth: np.ndarray, rnn: np.ndarray, linear: np.ndarray, loss: str) -> float:
    """The linear member's weight w in (1 - w) * RNN + w * linear: the grid point of lowest
    validation loss."""
    losses = [loss_of((1 - w) * rnn + w * linear - truth, loss) for w in WEIGHT_GRID]
    return float(WEIGHT_GRID[int(np.argmin(losses))])


def blocks_won(truth: np.ndarray, mixed: np.ndarray, linear: np.ndarray, loss: str) -> int:
    """On how many of VALIDATION_BLOCKS consecutive stretches of the validation windows (in time
    order) the mix's loss is below ridge's alone."""
    return sum(
        loss_of(mixed[rows] - truth[rows], loss) < loss_of(linear[rows] - truth[rows], loss)
        for rows in np.array_split(np.arange(len(truth)), VALIDATION_BLOCKS)
        if len(rows)
    )

"""A global RNN on M4 Hourly, the recipe the forecasting pipeline will run (issue 31): one GRU for
all 414 series, 48 steps at once, three quantiles, on top of the seasonal naive forecast.

    python benchmarks/m4_global_rnn.py          # 15 epochs x 200 batches: ~6 min on 2 cores
    python benchmarks/m4_global_rnn.py --seed 1 --epochs 6

Per window (a forecast origin inside a series): the last `--lookback` values, logged and centred
on the mean of their last season (so series of any level share one model), with each step's
position in the season as a second input; the GRU's last state and the window itself go through a
two-layer head to 48 x 3 values: the 2.5%, 50% and 97.5% quantiles of each future step's log
value, as offsets from the seasonal naive's (the last season repeated; output 0 = seasonal naive).
Trained with the pinball loss on random windows of every series with its last 48 training values
held out; the epoch kept is the one with the best validation OWA on those held-out values (the
test values, Hourly-test.csv, are read once, at the end). Quantiles are sorted (no crossing).
Scores as M4 computes them: sMAPE, MASE, OWA against Naive2 of the same split, the 95% interval's
MSIS and ACD.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from rnnpipe.core.allocator import keep_freed_memory
from rnnpipe.forecast import accuracy, classical
from rnnpipe.forecast.panel import read_wide_split

ROOT = Path(__file__).resolve().parents[1]
HORIZON, SEASON = 48, 24
QUANTILES = torch.tensor([0.025, 0.5, 0.975])


class GlobalForecaster(nn.Module):
    def __init__(self, lookback: int, hidden: int):
        super().__init__()
        self.lookback = lookback
        self.rnn = nn.GRU(2, hidden, batch_first=True)
        self.head = nn.Sequential(
            nn.Linear(hidden + lookback, 256), nn.ReLU(), nn.Linear(256, HORIZON * 3)
        )

    def forward(self, window: torch.Tensor, base: torch.Tensor) -> torch.Tensor:
        """[batch, lookback] centred log values -> [batch, HORIZON, 3] quantile offsets."""
        position = torch.arange(self.lookback, dtype=torch.float32).remainder(SEASON) / SEASON
        steps = torch.stack([window, position.expand(window.shape[0], self.lookback)], -1)
        out, _ = self.rnn(steps)
        return self.head(torch.cat([out[:, -1], window], 1)).view(-1, HORIZON, 3)


class DecodingForecaster(nn.Module):
    """The alternative to one output layer for all 48 steps: a second GRU unrolled over the
    horizon from the encoder's last state, its inputs per future step the seasonal naive's value
    and the step's position in the season (what is known of the future), three quantiles out of
    each step's state."""

    def __init__(self, lookback: int, hidden: int):
        super().__init__()
        self.lookback = lookback
        self.encoder = nn.GRU(2, hidden, batch_first=True)
        self.decoder = nn.GRU(2, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 3)

    def forward(self, window: torch.Tensor, base: torch.Tensor) -> torch.Tensor:
        position = torch.arange(self.lookback + HORIZON, dtype=torch.float32) % SEASON / SEASON
        batch = window.shape[0]
        past = torch.stack([window, position[: self.lookback].expand(batch, -1)], -1)
        _, state = self.encoder(past)
        future = torch.stack([base, position[self.lookback :].expand(batch, -1)], -1)
        out, _ = self.decoder(future, state)
        return self.out(out)


def window_at(log_values: np.ndarray, end: int, lookback: int):
    """(centred window, centred seasonal-naive base, level) for a forecast made after end - 1."""
    window = log_values[end - lookback : end]
    level = window[-SEASON:].mean()
    return window - level, np.resize(window[-SEASON:], HORIZON) - level, level


def sample_windows(rng, logs, count: int, holdout: int, lookback: int):
    windows, targets, bases = [], [], []
    for _ in range(count):
        series = rng.integers(len(logs))
        values = logs[series][: len(logs[series]) - holdout]
        end = rng.integers(lookback, len(values) - HORIZON + 1)
        window, base, level = window_at(values, end, lookback)
        windows.append(window)
        bases.append(base)
        targets.append(values[end : end + HORIZON] - level)
    return (torch.tensor(np.array(a)) for a in (windows, targets, bases))


def pinball(predicted: torch.Tensor, actual: torch.Tensor) -> torch.Tensor:
    difference = actual.unsqueeze(-1) - predicted
    return torch.maximum(QUANTILES * difference, (QUANTILES - 1) * difference).mean()


def forecast(model, logs, holdout: int, lookback: int) -> np.ndarray:
    """[series, HORIZON, 3] quantile forecasts from the end of each series minus `holdout`."""
    windows, bases, levels = [], [], []
    for values in logs:
        values = values[: len(values) - holdout] if holdout else values
        window, base, level = window_at(values, len(values), lookback)
        windows.append(window)
        bases.append(base)
        levels.append(level)
    with torch.no_grad():
        base = torch.tensor(np.array(bases))
        out = model(torch.tensor(np.array(windows)), base) + base.unsqueeze(-1)
    out = out.numpy() + np.array(levels)[:, None, None]
    out.sort(axis=-1)
    return np.exp(out)


def split(panel, holdout: int):
    """(history, actual) per series: the training part minus `holdout` and the holdout, or
    (holdout 0) the whole training part and the test values."""
    if holdout:
        return [(h[:-holdout], h[-holdout:]) for _, h, _ in panel]
    return [(h, a) for _, h, a in panel]


def scores(pairs, predicted) -> dict:
    msis, covered = [], []
    for (history, actual), quantiles in zip(pairs, predicted):
        lower, _, upper = quantiles.T
        msis.append(accuracy.msis(actual, lower, upper, accuracy.seasonal_scale(history, SEASON)))
        covered.append(accuracy.coverage(actual, lower, upper))
    smape, mase = accuracy.mean_scores(pairs, [quantiles[:, 1] for quantiles in predicted], SEASON)
    naive2 = [classical.naive2(history, HORIZON, SEASON) for history, _ in pairs]
    result = {"sMAPE": smape, "MASE": mase}
    result["OWA"] = accuracy.owa(smape, mase, *accuracy.mean_scores(pairs, naive2, SEASON))
    result["MSIS"] = np.mean(msis)
    result["ACD"] = abs(np.mean(covered) - 0.95)
    return result


def shown(result: dict) -> str:
    return " ".join(f"{name} {value:.3f}" for name, value in result.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/datasets/m4_hourly")
    parser.add_argument("--lookback", type=int, default=168, help="input steps (168 = a week)")
    parser.add_argument("--hidden", type=int, default=64, help="GRU units")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--steps", type=int, default=200, help="batches per epoch")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=3e-3, help="Adam, cosine-annealed to 0")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--decoder",
        action="store_true",
        help="unroll a decoder GRU over the 48 steps instead of one output layer for all",
    )
    args = parser.parse_args()
    keep_freed_memory()
    torch.manual_seed(args.seed)
    torch.set_num_threads(2)
    panel = read_wide_split(args.data / "Hourly-train.csv", args.data / "Hourly-test.csv")
    logs = [np.log(history).astype(np.float32) for _, history, _ in panel]
    model = (DecodingForecaster if args.decoder else GlobalForecaster)(args.lookback, args.hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.epochs * args.steps)
    rng = np.random.default_rng(args.seed)
    best_owa, best_state, started = float("inf"), None, time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        model.train()
        total = 0.0
        for _ in range(args.steps):
            windows, targets, bases = sample_windows(
                rng, logs, args.batch_size, HORIZON, args.lookback
            )
            loss = pinball(model(windows, bases) + bases.unsqueeze(-1), targets)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total += loss.item()
        model.eval()
        validation = scores(split(panel, HORIZON), forecast(model, logs, HORIZON, args.lookback))
        seconds = time.perf_counter() - started
        print(
            f"epoch {epoch:2} loss {total / args.steps:.4f} validation {shown(validation)} "
            f"[{seconds:.0f} s]",
            flush=True,
        )
        if validation["OWA"] < best_owa:
            best_owa = validation["OWA"]
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    test = scores(split(panel, 0), forecast(model, logs, 0, args.lookback))
    print(f"test (best validation OWA {best_owa:.3f}): {shown(test)}")
    print("M4 Hourly published: ES-RNN (winner) sMAPE 9.328 MASE 0.893 OWA 0.440 MSIS 7.93")


if __name__ == "__main__":
    main()

"""A network mixed with a linear member: the member's weight w in (1 - w) * network + w * member,
chosen on validation data. Shared by the text classifier (its NB-linear member) and the sequences
models (their summary-statistics baseline)."""

from __future__ import annotations

import numpy as np

WEIGHT_GRID = np.round(np.linspace(0.0, 1.0, 21), 2)


def log_loss(labels: np.ndarray, proba: np.ndarray) -> float:
    """Mean negative log-likelihood of the true classes (probabilities clipped at 1e-7)."""
    if len(labels) == 0:
        return 0.0
    return float(-np.log(np.clip(proba[np.arange(len(labels)), labels], 1e-7, 1.0)).mean())


def member_weight(labels: np.ndarray, network_proba: np.ndarray, member_proba: np.ndarray) -> float:
    """The member's weight w in (1 - w) * network + w * member: the grid point of lowest
    validation log loss (ties: the smaller w). Log loss, not accuracy: on a few hundred
    validation items accuracy moves in steps of whole items and many weights tie."""
    losses = [log_loss(labels, (1 - w) * network_proba + w * member_proba) for w in WEIGHT_GRID]
    return float(WEIGHT_GRID[int(np.argmin(losses))])

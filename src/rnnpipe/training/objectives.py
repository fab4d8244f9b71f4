"""What the loop minimises and reports: an objective maps (model outputs, targets) to (mean loss,
score sum, count), where the score is summed over `count` scored items and the loop reports score
sum / count. Items are rows for whole-sequence tasks; for per-step tasks they are the real steps
only, so token-level accuracy and masked per-step losses fit the same loop.
"""

from __future__ import annotations

import torch
from torch import nn


class ClassificationObjective:
    """Binary (one logit, BCE) or multi-class (softmax, cross-entropy); the score is accuracy."""

    metric = "accuracy"
    higher_is_better = True

    def __init__(self, num_classes: int):
        self.criterion = nn.BCEWithLogitsLoss() if num_classes == 2 else nn.CrossEntropyLoss()

    def __call__(
        self, logits: torch.Tensor, labels: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, int]:
        """(mean loss, number of correct predictions, number of rows)."""
        if logits.dim() == 1:
            correct = ((logits > 0).long() == labels).sum()
            return self.criterion(logits.float(), labels.float()), correct, labels.numel()
        return (
            self.criterion(logits.float(), labels),
            (logits.argmax(-1) == labels).sum(),
            labels.numel(),
        )


class RegressionObjective:
    """MAE or MSE on standardised targets; the score is the absolute error in the target's own
    units.

    `scale` is the target's standard deviation on the training period, so `mae` reads in e.g.
    degrees C.
    """

    metric = "mae"
    higher_is_better = False

    def __init__(self, loss: str = "mae", scale: float = 1.0):
        self.criterion = nn.L1Loss() if loss == "mae" else nn.MSELoss()
        self.scale = scale

    def __call__(
        self, predictions: torch.Tensor, targets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, int]:
        """(mean loss, sum of absolute errors in target units, number of targets)."""
        predictions = predictions.float()
        error_sum = (predictions.detach() - targets).abs().sum() * self.scale
        return self.criterion(predictions, targets), error_sum, targets.numel()


IGNORE_INDEX = -100  # a per-step target that is not scored: padding


class StepClassificationObjective:
    """Cross-entropy over the real steps of per-step logits [batch, time, classes]; steps whose
    target is IGNORE_INDEX (padding) count neither in the loss nor in the score. The score is
    accuracy over real steps."""

    metric = "accuracy"
    higher_is_better = True

    def __call__(
        self, logits: torch.Tensor, targets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, int]:
        """(mean loss over real steps, correctly labelled real steps, real steps)."""
        steps = min(logits.size(1), targets.size(1))
        logits, targets = logits[:, :steps].float(), targets[:, :steps]
        real = targets != IGNORE_INDEX
        loss = nn.functional.cross_entropy(
            logits.reshape(-1, logits.size(-1)), targets.reshape(-1), ignore_index=IGNORE_INDEX
        )
        correct = ((logits.argmax(-1) == targets) & real).sum()
        return loss, correct, int(real.sum())


class CRFObjective:
    """A linear-chain CRF over per-step emissions [batch, time, tags] (nn.crf): the loss is the
    sentences' negative log-likelihood per real token, the score Viterbi-decoded accuracy over
    real steps. The CRF is the model's (`bound_to(model)` gives each trained model its own)."""

    metric = "accuracy"
    higher_is_better = True

    def __init__(self, crf=None):
        self.crf = crf

    def bound_to(self, model) -> CRFObjective:
        return CRFObjective(model.crf)

    def __call__(
        self, emissions: torch.Tensor, targets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, int]:
        steps = min(emissions.size(1), targets.size(1))
        emissions, targets = emissions[:, :steps], targets[:, :steps].to(emissions.device)
        real = targets != IGNORE_INDEX
        rows = real[:, 0]  # a row without tokens (none in practice) is left out
        emissions, targets, real = emissions[rows], targets[rows], real[rows]
        tokens = int(real.sum())
        loss = self.crf.nll(emissions, targets.clamp(min=0), real).sum() / max(tokens, 1)
        correct = ((self.crf.viterbi(emissions, real) == targets) & real).sum()
        return loss, correct, tokens


class QuantileObjective:
    """The pinball (quantile) loss of outputs [batch, steps, quantiles] against targets [batch,
    steps], averaged over everything; the score is the absolute error of the median output (the
    quantile nearest 0.5), summed over the targets, in the targets' own (scaled) units."""

    metric = "mae"
    higher_is_better = False

    def __init__(self, quantiles):
        self.levels = torch.tensor([float(q) for q in quantiles])
        self.median = int((self.levels - 0.5).abs().argmin())

    def __call__(
        self, outputs: torch.Tensor, targets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, int]:
        """(mean pinball loss, sum of the median's absolute errors, number of targets)."""
        outputs = outputs.float()
        levels = self.levels.to(outputs.device)
        difference = targets.unsqueeze(-1) - outputs
        loss = torch.maximum(levels * difference, (levels - 1) * difference).mean()
        error_sum = (outputs[..., self.median].detach() - targets).abs().sum()
        return loss, error_sum, targets.numel()


class RelatednessObjective:
    """Tai et al.'s relatedness objective: logits [batch, classes] over the integer scores low,
    low + 1, ..., targets [batch, classes] the sparse distribution of each true score; the loss is
    KL(target || softmax(logits)) per row, the prediction the expected score. The score is the
    squared error of the prediction, summed over rows."""

    metric = "mse"
    higher_is_better = False

    def __call__(
        self, logits: torch.Tensor, targets: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, int]:
        """(mean KL divergence, sum of squared errors of the expected score, number of rows)."""
        log_p = torch.log_softmax(logits.float(), dim=-1)
        loss = nn.functional.kl_div(log_p, targets, reduction="batchmean")
        grades = torch.arange(logits.size(-1), device=logits.device, dtype=torch.float32)
        error = (log_p.detach().exp() @ grades) - (targets @ grades)
        return loss, (error * error).sum(), len(targets)

"""A linear-chain CRF output layer (Lafferty et al. 2001; Lample et al. 2016's BiLSTM-CRF tagger):
per-token emission scores from the network plus learned transition scores between consecutive tags,
trained by the sentence's negative log-likelihood, decoded by Viterbi.

Emissions are [batch, time, tags]; `mask` [batch, time] marks the real tokens, a prefix of each row
whose first token is real (padding never enters a sum). Everything is in log space (logsumexp), so
long sentences neither overflow nor underflow. `marginals` gives each token's posterior tag
probabilities (forward-backward): what `rnnpipe predict` prints beside the Viterbi tags.
Checked against enumerating every tag sequence of short sentences (tests/nn/test_crf.py).
"""

from __future__ import annotations

import torch
from torch import nn


class LinearChainCRF(nn.Module):
    def __init__(self, num_tags: int):
        super().__init__()
        self.num_tags = num_tags
        # transitions[i, j]: the score of tag j following tag i
        self.transitions = nn.Parameter(torch.empty(num_tags, num_tags).uniform_(-0.1, 0.1))
        self.start = nn.Parameter(torch.zeros(num_tags))
        self.end = nn.Parameter(torch.zeros(num_tags))

    def _forward_scores(self, emissions: torch.Tensor, mask: torch.Tensor) -> list[torch.Tensor]:
        """alpha_t [batch, tags] for every t: the log-sum of the scores of all tag prefixes ending
        in each tag at t (carried unchanged over padding)."""
        alpha = self.start + emissions[:, 0]
        alphas = [alpha]
        for t in range(1, emissions.size(1)):
            step = torch.logsumexp(alpha.unsqueeze(2) + self.transitions, dim=1) + emissions[:, t]
            alpha = torch.where(mask[:, t : t + 1], step, alpha)
            alphas.append(alpha)
        return alphas

    def log_partition(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """[batch] log Z: the log-sum of the scores of every tag sequence."""
        return torch.logsumexp(self._forward_scores(emissions, mask)[-1] + self.end, dim=1)

    def sequence_score(
        self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor
    ) -> torch.Tensor:
        """[batch] the score of the given tag sequences (tags at padding are ignored)."""
        tags = tags.masked_fill(~mask, 0)
        rows = torch.arange(tags.size(0), device=tags.device)
        score = self.start[tags[:, 0]] + emissions[rows, 0, tags[:, 0]]
        for t in range(1, tags.size(1)):
            step = self.transitions[tags[:, t - 1], tags[:, t]] + emissions[rows, t, tags[:, t]]
            score = score + step * mask[:, t]
        last = mask.long().sum(1) - 1
        return score + self.end[tags[rows, last]]

    def nll(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """[batch] each sentence's negative log-likelihood of its tags."""
        emissions = _wide(emissions)
        return self.log_partition(emissions, mask) - self.sequence_score(emissions, tags, mask)

    @torch.no_grad()
    def viterbi(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """[batch, time] the highest-scoring tag sequence of each row (0 at padding)."""
        emissions = _wide(emissions)
        score = self.start + emissions[:, 0]
        pointers = []
        identity = torch.arange(self.num_tags, device=emissions.device).expand_as(score)
        for t in range(1, emissions.size(1)):
            best, pointer = (score.unsqueeze(2) + self.transitions).max(dim=1)
            real = mask[:, t : t + 1]
            score = torch.where(real, best + emissions[:, t], score)
            pointers.append(torch.where(real, pointer, identity))
        tag = (score + self.end).argmax(dim=1)
        path = [tag]
        for pointer in reversed(pointers):
            tag = pointer.gather(1, tag.unsqueeze(1)).squeeze(1)
            path.append(tag)
        return torch.stack(path[::-1], dim=1).masked_fill(~mask, 0)

    @torch.no_grad()
    def marginals(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """[batch, time, tags] each real token's posterior tag probabilities (uniform at
        padding)."""
        emissions = _wide(emissions)
        alphas = self._forward_scores(emissions, mask)
        beta = self.end.expand_as(alphas[-1])
        betas = [beta]
        for t in range(emissions.size(1) - 1, 0, -1):
            step = torch.logsumexp(self.transitions + (emissions[:, t] + beta).unsqueeze(1), dim=2)
            beta = torch.where(mask[:, t : t + 1], step, beta)
            betas.append(beta)
        betas = betas[::-1]
        log_z = torch.logsumexp(alphas[-1] + self.end, dim=1)
        posterior = torch.stack(alphas, 1) + torch.stack(betas, 1) - log_z[:, None, None]
        uniform = torch.full_like(posterior, 1.0 / self.num_tags)
        return torch.where(mask.unsqueeze(2), posterior.exp(), uniform)


def _wide(emissions: torch.Tensor) -> torch.Tensor:
    """Half-precision emissions (autocast) summed in float32; float64 kept (the tests)."""
    return emissions.float() if emissions.dtype in (torch.float16, torch.bfloat16) else emissions

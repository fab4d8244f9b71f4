"""The linear-chain CRF against enumerating every tag sequence: log Z, the sentence score, the
negative log-likelihood and its gradient, Viterbi and the marginals; padding changes nothing."""

from __future__ import annotations

import itertools

import torch

from rnnpipe.nn.crf import LinearChainCRF


def brute_force(crf: LinearChainCRF, emissions: torch.Tensor, length: int):
    """(log Z, best path, marginals [length, tags], score of a path) of one sentence by
    enumeration."""
    tags = crf.num_tags

    def score(path):
        total = crf.start[path[0]] + emissions[0, path[0]] + crf.end[path[-1]]
        for t in range(1, length):
            total = total + crf.transitions[path[t - 1], path[t]] + emissions[t, path[t]]
        return total

    paths = list(itertools.product(range(tags), repeat=length))
    scores = torch.stack([score(p) for p in paths])
    log_z = torch.logsumexp(scores, 0)
    best = paths[int(scores.argmax())]
    marginals = torch.zeros(length, tags, dtype=scores.dtype)
    for p, s in zip(paths, scores):
        for t, tag in enumerate(p):
            marginals[t, tag] += torch.exp(s - log_z)
    return log_z, best, marginals, score


def test_the_crf_matches_enumeration_with_padding_ignored():
    torch.manual_seed(0)
    crf = LinearChainCRF(3).double()
    with torch.no_grad():
        crf.start.normal_()
        crf.end.normal_()
        crf.transitions.normal_()
    lengths = [4, 2, 1]
    emissions = torch.randn(3, 4, 3, dtype=torch.float64)
    mask = torch.arange(4)[None, :] < torch.tensor(lengths)[:, None]
    gold = torch.tensor([[0, 2, 1, 1], [2, 2, 0, 0], [1, 0, 0, 0]])
    log_z = crf.log_partition(emissions, mask)
    paths = crf.viterbi(emissions, mask)
    marginals = crf.marginals(emissions, mask)
    gold_scores = crf.sequence_score(emissions, gold, mask)
    for row, n in enumerate(lengths):
        z, best, expected_marginals, score = brute_force(crf, emissions[row], n)
        assert torch.allclose(log_z[row], z)
        assert paths[row, :n].tolist() == list(best) and (paths[row, n:] == 0).all()
        assert torch.allclose(marginals[row, :n].double(), expected_marginals, atol=1e-6)
        assert torch.allclose(gold_scores[row], score(gold[row, :n].tolist()))
    # padding: other emissions past a row's length change nothing
    noisy = emissions.clone()
    noisy[~mask] = 100 * torch.randn(int((~mask).sum()), 3, dtype=torch.float64)
    assert torch.allclose(crf.log_partition(noisy, mask), log_z)
    assert torch.equal(crf.viterbi(noisy, mask), paths)


def test_the_nll_gradient_is_marginals_minus_the_gold_counts():
    # d NLL / d emission[t, j] = P(y_t = j) - [gold_t = j]: the classic CRF identity
    torch.manual_seed(1)
    crf = LinearChainCRF(4).double()
    emissions = torch.randn(1, 5, 4, dtype=torch.float64, requires_grad=True)
    mask = torch.ones(1, 5, dtype=torch.bool)
    gold = torch.tensor([[3, 1, 1, 0, 2]])
    crf.nll(emissions.double(), gold, mask).sum().backward()
    expected = crf.marginals(emissions.detach(), mask).double()
    expected[0, torch.arange(5), gold[0]] -= 1
    assert torch.allclose(emissions.grad, expected, atol=1e-6)

import itertools

import pytest
import torch

from rnnpipe.models import ModelConfig, RNNClassifier, reverse_within_length


def make_model(**overrides) -> RNNClassifier:
    torch.manual_seed(0)
    config = dict(vocab_size=50, embed_dim=6, num_classes=2, hidden=5)
    config.update(overrides)
    return RNNClassifier(ModelConfig(**config)).eval()


def batch(lengths, steps):
    ids = torch.zeros(len(lengths), steps, dtype=torch.long)
    for row, n in enumerate(lengths):
        ids[row, :n] = torch.arange(2, 2 + n)
    return ids, torch.tensor(lengths)


@pytest.mark.parametrize("cell, bidirectional, layers, pooling, classes", [
    (c, b, l, p, k) for (c, b, l, p), k in zip(
        itertools.product(["rnn", "lstm", "gru"], [False, True], [1, 2], ["last", "max", "mean", "meanmax"]),
        itertools.cycle([2, 3]))
])
def test_output_shape_for_batch_first_input_of_varied_lengths(cell, bidirectional, layers, pooling, classes):
    model = make_model(cell=cell, bidirectional=bidirectional, layers=layers, pooling=pooling, num_classes=classes)
    ids, lengths = batch([7, 1, 4, 0], steps=7)
    out = model(ids, lengths)
    assert out.shape == ((4,) if classes == 2 else (4, classes))
    assert torch.isfinite(out).all()


@pytest.mark.parametrize("cell, bidirectional, pooling", list(itertools.product(
    ["rnn", "lstm", "gru"], [False, True], ["last", "max", "mean", "meanmax"])))
def test_padding_never_changes_the_output(cell, bidirectional, pooling):
    """Masking-correct: a row's logits are the same whether its batch is padded to 5 or to 30 steps."""
    model = make_model(cell=cell, bidirectional=bidirectional, layers=2, pooling=pooling)
    short_ids, lengths = batch([5, 3, 2], steps=5)
    long_ids, _ = batch([5, 3, 2], steps=30)
    torch.testing.assert_close(model(short_ids, lengths), model(long_ids, lengths))


def test_each_row_is_independent_of_its_batch_mates():
    model = make_model(bidirectional=True, pooling="mean")
    ids, lengths = batch([6, 2, 4], steps=6)
    together = model(ids, lengths)
    alone = torch.stack([model(ids[i:i + 1, : lengths[i]], lengths[i:i + 1])[0] for i in range(3)])
    torch.testing.assert_close(together, alone)


def test_reverse_within_length_keeps_padding_in_place():
    index = reverse_within_length(torch.tensor([3, 1]), steps=4)
    assert index.tolist() == [[2, 1, 0, 3], [0, 1, 2, 3]]


def test_keras_style_initialisation():
    model = make_model(cell="lstm", hidden=4)
    rnn = model.rnn.forward_layers[0]
    forget = rnn.bias_ih_l0.data.chunk(4)[1]
    assert torch.all(forget == 1.0) and torch.all(rnn.bias_hh_l0 == 0)
    for gate in rnn.weight_hh_l0.data.chunk(4):  # each recurrent gate matrix is orthogonal
        torch.testing.assert_close(gate @ gate.T, torch.eye(4), atol=1e-5, rtol=0)
    assert model.embedding.weight.abs().max() <= 0.05 and torch.all(model.embedding.weight[0] == 0)


def test_frozen_embeddings_get_no_gradient():
    model = make_model(freeze_embeddings=True)
    ids, lengths = batch([3, 2], steps=3)
    model(ids, lengths).sum().backward()
    assert model.embedding.weight.grad is None
    assert model.rnn.forward_layers[0].weight_ih_l0.grad is not None


def test_pretrained_matrix_of_wrong_shape_is_rejected():
    with pytest.raises(ValueError, match=r"\(50, 6\)"):
        RNNClassifier(ModelConfig(vocab_size=50, embed_dim=6, num_classes=2), torch.zeros(49, 6))

import itertools
import json

import pytest
import torch

from conftest import classifier_config
from rnnpipe.core.errors import ModelFileError
from rnnpipe.core.labels import LabelMap
from rnnpipe.nn.recurrent import reverse_within_length
from rnnpipe.text.classifier import TrainedClassifier
from rnnpipe.text.model import EnsembleClassifier, RNNClassifier
from rnnpipe.text.tokenizer import Tokenizer
from rnnpipe.text.vocabulary import Vocabulary


def make_model(**overrides) -> RNNClassifier:
    torch.manual_seed(0)
    config = dict(vocab_size=50, embed_dim=6, num_classes=2, hidden=5)
    config.update(overrides)
    return RNNClassifier(classifier_config(**config)).eval()


def batch(lengths, steps):
    ids = torch.zeros(len(lengths), steps, dtype=torch.long)
    for row, n in enumerate(lengths):
        ids[row, :n] = torch.arange(2, 2 + n)
    return ids, torch.tensor(lengths)


@pytest.mark.parametrize(
    "cell, bidirectional, layers, pooling, classes",
    [
        (cell, both, layers, pool, k)
        for (cell, both, layers, pool), k in zip(
            itertools.product(
                ["rnn", "lstm", "gru"], [False, True], [1, 2], ["last", "max", "mean", "meanmax"]
            ),
            itertools.cycle([2, 3]),
        )
    ],
)
def test_output_shape_for_batch_first_input_of_varied_lengths(
    cell, bidirectional, layers, pooling, classes
):
    model = make_model(
        cell=cell, bidirectional=bidirectional, layers=layers, pooling=pooling, num_classes=classes
    )
    ids, lengths = batch([7, 1, 4, 0], steps=7)
    out = model(ids, lengths)
    assert out.shape == ((4,) if classes == 2 else (4, classes))
    assert torch.isfinite(out).all()


@pytest.mark.parametrize(
    "cell, bidirectional, pooling",
    list(
        itertools.product(["rnn", "lstm", "gru"], [False, True], ["last", "max", "mean", "meanmax"])
    ),
)
def test_padding_never_changes_the_output(cell, bidirectional, pooling):
    """Masking-correct: a row's logits are the same whether its batch is padded to 5 or to 30
    steps."""
    model = make_model(cell=cell, bidirectional=bidirectional, layers=2, pooling=pooling)
    short_ids, lengths = batch([5, 3, 2], steps=5)
    long_ids, _ = batch([5, 3, 2], steps=30)
    torch.testing.assert_close(model(short_ids, lengths), model(long_ids, lengths))


def test_each_row_is_independent_of_its_batch_mates():
    model = make_model(bidirectional=True, pooling="mean")
    ids, lengths = batch([6, 2, 4], steps=6)
    together = model(ids, lengths)
    alone = torch.stack(
        [model(ids[i : i + 1, : lengths[i]], lengths[i : i + 1])[0] for i in range(3)]
    )
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
        RNNClassifier(
            classifier_config(vocab_size=50, embed_dim=6, num_classes=2), torch.zeros(49, 6)
        )


@pytest.mark.parametrize("classes", [2, 3])
def test_ensemble_output_is_the_mean_of_its_members_logits(classes):
    members = [
        make_model(cell=cell, num_classes=classes, pooling="meanmax")
        for cell in ("lstm", "gru", "rnn")
    ]
    for seed, member in enumerate(
        members
    ):  # make_model seeds identically; give each its own weights
        torch.manual_seed(seed)
        torch.nn.init.normal_(member.head.linear.weight)
    ids, lengths = batch([4, 1, 7], 9)
    expected = sum(member(ids, lengths) for member in members) / 3
    torch.testing.assert_close(EnsembleClassifier(members)(ids, lengths), expected)


def test_ensemble_members_must_share_vocabulary_and_classes():
    with pytest.raises(ValueError, match="share the vocabulary size and the classes"):
        EnsembleClassifier([make_model(), make_model(vocab_size=51)])


def test_ensemble_model_folder_round_trip_and_mixed_up_members(tmp_path):
    vocabulary = Vocabulary(["<pad>", "<unk>", *[f"w{i}" for i in range(48)]])
    members = [make_model(cell="lstm", bidirectional=True), make_model(cell="gru", hidden=7)]
    TrainedClassifier(
        EnsembleClassifier(members), Tokenizer(), vocabulary, LabelMap(["neg", "pos"]), 20, "pre"
    ).save(tmp_path / "model")
    loaded = TrainedClassifier.load(tmp_path / "model")
    assert isinstance(loaded.model, EnsembleClassifier)
    assert [m.config for m in loaded.model.members] == [m.config for m in members]
    ids, lengths = batch([3, 5], 6)
    torch.testing.assert_close(
        loaded.model(ids, lengths), EnsembleClassifier(members)(ids, lengths)
    )
    assert loaded.predict_proba(["w1 w2 w3"]).shape == (1, 2)

    meta = json.loads((tmp_path / "model/model.json").read_text())
    meta["members"][1]["hidden"] = 8  # the weights no longer fit the recorded architecture
    (tmp_path / "model/model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="model.json: edited since the model was saved"):
        TrainedClassifier.load(tmp_path / "model")


@pytest.mark.parametrize(
    "edit",
    [
        lambda meta: meta.update(maxlen=0),  # predictions would change silently
        lambda meta: meta["tokenizer"].update(lowercase=not meta["tokenizer"]["lowercase"]),
        lambda meta: meta["model"].update(pooling="bogus"),  # a shape error deep in the model
        lambda meta: meta.update(truncating="post"),
    ],
)
def test_every_field_of_model_json_is_covered_by_the_recorded_hash(tmp_path, edit):
    TrainedClassifier(
        make_model(),
        Tokenizer(),
        Vocabulary(["<pad>", "<unk>", *[f"w{i}" for i in range(48)]]),
        LabelMap(["neg", "pos"]),
        20,
        "pre",
    ).save(tmp_path / "model")
    path = tmp_path / "model/model.json"
    meta = json.loads(path.read_text())
    path.write_text(json.dumps(meta, indent=4, sort_keys=True))  # layout alone is no edit
    TrainedClassifier.load(tmp_path / "model")
    edit(meta)
    path.write_text(json.dumps(meta))
    with pytest.raises(
        ModelFileError, match=r"model.json: edited since the model was saved .* Restore it"
    ):
        TrainedClassifier.load(tmp_path / "model")


@pytest.mark.parametrize("content", ["[]", "", '{"format": 3}'])
def test_a_model_json_that_is_not_an_object_is_named(tmp_path, content):
    TrainedClassifier(
        make_model(),
        Tokenizer(),
        Vocabulary(["<pad>", "<unk>", *[f"w{i}" for i in range(48)]]),
        LabelMap(["neg", "pos"]),
        20,
        "pre",
    ).save(tmp_path / "model")
    (tmp_path / "model/model.json").write_text(content)
    with pytest.raises(ModelFileError, match="model.json"):
        TrainedClassifier.load(tmp_path / "model")

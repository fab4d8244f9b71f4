"""The Siamese pair model: one encoder's weights for both sentences, padding that never changes a
prediction, every encoder's forward and backward on a real batch, the relatedness objective, and a
tree encoder refused without its parses."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnpipe.core.errors import DataError
from rnnpipe.pairs.dataset import PairSet
from rnnpipe.pairs.model import PairModel, PairModelConfig
from rnnpipe.pairs.parse import pair_columns
from rnnpipe.pairs.readers import NLI_LABELS, Pair, Sentence, read_nli_jsonl
from rnnpipe.pairs.synthetic import synthetic_pairs
from rnnpipe.text.vocabulary import build_vocabulary
from rnnpipe.training.objectives import RelatednessObjective


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    import json

    path = tmp_path_factory.mktemp("pairs") / "train.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in synthetic_pairs(12, 3)), encoding="utf-8")
    return read_nli_jsonl(path, "train").pairs


def model_for(encoder: str, vocabulary, outputs: int = 3, tracker: bool = False) -> PairModel:
    torch.manual_seed(0)
    config = PairModelConfig(
        len(vocabulary), 6, outputs, encoder, 5, 7, 0.0, False, tracker, "all", 0, 0
    )
    return PairModel(config).eval()


def encoded(pairs, vocabulary, encoder, target="label"):
    return PairSet(pair_columns(pairs, NLI_LABELS, True), vocabulary, encoder, target)


@pytest.mark.parametrize(
    "encoder, tracker",
    [
        ("bilstm", False),
        ("treelstm", False),
        ("spinn", False),
        ("spinn", True),
        ("childsum", False),
    ],
)
def test_one_encoder_reads_both_sentences_alone_or_batched(pairs, encoder, tracker):
    """Each sentence's vector is the same whichever side it is on and whatever shares its batch
    (padding and other trees never leak in); the model trains (finite gradients everywhere)."""
    vocabulary = build_vocabulary(
        [s.tokens for p in pairs for s in (p.premise, p.hypothesis)], 10**6
    )
    model = model_for(encoder, vocabulary, tracker=tracker)
    data = encoded(pairs, vocabulary, encoder)
    (batch,), targets = data.batch(np.arange(len(pairs)), torch.device("cpu"))
    with torch.no_grad():
        together = model.encode(batch)
        u, v = together.chunk(2)
        for k, pair in enumerate(pairs[:4]):
            # the pair swapped, alone: its premise is now second
            swapped = encoded(
                [Pair(pair.hypothesis, pair.premise, pair.label)], vocabulary, encoder
            )
            (alone,), _ = swapped.batch(np.arange(1), torch.device("cpu"))
            v_alone, u_alone = model.encode(alone)
            assert torch.allclose(u_alone, u[k], atol=1e-5) and torch.allclose(
                v_alone, v[k], atol=1e-5
            )
    model.train()
    loss = torch.nn.functional.cross_entropy(model(batch), targets)
    loss.backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)
    assert model.embedding.weight.grad.abs().sum() > 0 and model.encoder is not None


def test_the_features_are_u_v_their_difference_and_product(pairs):
    vocabulary = build_vocabulary(
        [s.tokens for p in pairs for s in (p.premise, p.hypothesis)], 10**6
    )
    model = model_for("bilstm", vocabulary)
    (batch,), _ = encoded(pairs[:2], vocabulary, "bilstm").batch(np.arange(2), torch.device("cpu"))
    seen = {}
    model.head[0].register_forward_hook(lambda m, inputs, out: seen.update(x=inputs[0]))
    with torch.no_grad():
        model(batch)
        u, v = model.encode(batch).chunk(2)
    assert torch.allclose(seen["x"], torch.cat([u, v, (u - v).abs(), u * v], -1))


def test_a_tree_encoder_without_parses_is_refused_by_name():
    vocabulary = build_vocabulary([["a", "dog"]], 100)
    plain = [Pair(Sentence(["a", "dog"]), Sentence(["a", "dog"]), "entailment")]
    for encoder, needs in (("childsum", "dependency heads"), ("spinn", "binary constituency")):
        with pytest.raises(DataError, match=f"encoder={encoder} reads {needs}.*bundles no parser"):
            encoded(plain, vocabulary, encoder)


def test_the_relatedness_objective_is_kl_to_the_target_and_scores_the_expected_value():
    objective = RelatednessObjective()
    target = torch.tensor([[0.0, 0.0, 0.0, 0.5, 0.5], [1.0, 0.0, 0.0, 0.0, 0.0]])
    exact = torch.log(target.clamp_min(1e-12))
    loss, squared, count = objective(exact, target)
    assert loss.item() == pytest.approx(0.0, abs=1e-6) and squared.item() == pytest.approx(
        0, abs=1e-6
    )
    uniform = torch.zeros(2, 5)  # expected score 3 (index 2) against 4.5 and 1 (indices 3.5, 0)
    loss, squared, count = objective(uniform, target)
    assert squared.item() == pytest.approx(1.5**2 + 2**2) and count == 2
    assert loss.item() == pytest.approx(float(np.log(5) - np.log(2) / 2), rel=1e-5)


def test_tfidf_by_hand_and_a_saved_lexical_model_predicts_the_same(tmp_path):
    from rnnpipe.pairs.baselines import Ngrams, PairBaseline

    words = Ngrams().fit([["a", "b"], ["a", "c"]])
    assert words.terms == ["a", "a b", "a c", "b", "c"]
    # "a" is in both documents: idf log(3/3) + 1 = 1; the others log(3/2) + 1
    row = words.transform([["a", "b", "b"]]).toarray()[0]
    raw = np.array([1.0, 1 + np.log(1.5), 0.0, (1 + np.log(2)) * (1 + np.log(1.5)), 0.0])
    assert np.allclose(row, raw / np.linalg.norm(raw))
    premises = [["a", "man", "runs"], ["a", "dog", "sleeps"], ["two", "men", "sing"]] * 4
    hypotheses = [["a", "man", "is", "not", "running"], ["a", "dog", "rests"], ["men", "sing"]] * 4
    for target, y in (("label", np.array([2, 0, 1] * 4)), ("score", np.array([1.5, 4.0, 4.5] * 4))):
        fitted = PairBaseline("lexical", target, 1.0).fit(premises, hypotheses, y)
        loaded = PairBaseline.from_arrays("lexical", target, fitted.arrays())
        assert np.allclose(
            loaded.predict(premises, hypotheses), fitted.predict(premises, hypotheses)
        )
    proba = fitted_labels = (
        PairBaseline("lexical", "label", 10.0)
        .fit(premises, hypotheses, np.array([2, 0, 1] * 4))
        .predict(premises, hypotheses)
    )
    assert np.allclose(proba.sum(axis=1), 1) and (fitted_labels.argmax(1) == [2, 0, 1] * 4).all()


def test_relation_labels_let_the_child_sum_tree_tell_who_does_what_to_whom():
    """ "the dog chases the cat" and "the cat chases the dog": one dependency tree shape and the
    same words; the Child-Sum node sums its children unordered, so only the relation labels
    (nsubj vs dobj) can tell the two apart."""
    from rnnpipe.pairs.synthetic import VERBS, sentence

    first = sentence("dog", VERBS[0], "cat", False, False)
    second = sentence("cat", VERBS[0], "dog", False, False)
    pair = Pair(
        Sentence(first[0], None, first[2], first[3]),
        Sentence(second[0], None, second[2], second[3]),
    )
    vocabulary = build_vocabulary([first[0]], 100)
    relations = build_vocabulary([first[3]], 100)
    states = {}
    for dim in (0, 4):
        torch.manual_seed(0)
        config = PairModelConfig(
            len(vocabulary), 6, 3, "childsum", 5, 7, 0.0, False, False, "all", len(relations), dim
        )
        model = PairModel(config).eval()
        data = PairSet(
            pair_columns([pair], NLI_LABELS, True),
            vocabulary,
            "childsum",
            "label",
            relations=relations if dim else None,
        )
        (batch,), _ = data.batch(np.arange(1), torch.device("cpu"))
        with torch.no_grad():
            states[dim] = model.encode(batch)
    assert torch.allclose(states[0][0], states[0][1])  # blind to the roles
    assert not torch.allclose(states[4][0], states[4][1], atol=1e-4)

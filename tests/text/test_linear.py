"""The linear text model: fit (C on validation), storage without pickle, and the ensemble weight."""

import json

import numpy as np
import pytest

from rnnpipe.core.errors import ModelFileError
from rnnpipe.text.linear import ensemble_weight, fit_linear, load_linear, log_loss, save_linear
from rnnpipe.text.tokenizer import Tokenizer

WORDS = {0: "awful dull", 1: "fine okay", 2: "great superb"}


def texts(n, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    words = [WORDS[k].split()[rng.integers(0, 2)] for k in labels]
    return [f"the film was {word} said reviewer {i}" for i, word in enumerate(words)], labels


@pytest.mark.parametrize("kind", ["tfidf", "nb"])
@pytest.mark.parametrize("classes", [2, 3])
def test_fit_save_and_load_give_the_same_probabilities(tmp_path, classes, kind):
    (train, y), (val, y_val), (test, _) = texts(300, 0), texts(60, 1), texts(50, 2)
    keep = y < classes
    model, val_proba = fit_linear(
        Tokenizer(),
        [t for t, k in zip(train, keep) if k],
        y[keep],
        val,
        np.minimum(y_val, classes - 1),
        classes,
        kind=kind,
    )
    assert val_proba.shape == (60, classes) and np.allclose(val_proba.sum(1), 1.0)
    # The words decide the class here: a linear model of either kind gets validation nearly right.
    assert (val_proba.argmax(1) == np.minimum(y_val, classes - 1)).mean() > 0.9
    record = save_linear(model, tmp_path, weight=0.3)
    json.dumps(record)  # model.json holds it
    loaded = load_linear(tmp_path, record, Tokenizer())
    assert np.array_equal(loaded.predict_proba(test), model.predict_proba(test))
    assert loaded.c == model.c and loaded.ngrams == model.ngrams and loaded.kind == kind
    (tmp_path / "linear_ngrams.txt").write_text("\n".join(reversed(model.ngrams)) + "\n")
    with pytest.raises(
        ModelFileError, match="linear_ngrams.txt is not the file model.json was written with"
    ):
        load_linear(tmp_path, record, Tokenizer())


def test_the_ensemble_weight_follows_the_better_member_on_validation():
    labels = np.array([0, 1] * 50)
    right = np.eye(2)[labels] * 0.9 + 0.05
    coin = np.full((100, 2), 0.5)
    assert ensemble_weight(labels, rnn_proba=right, linear_proba=coin) == 0.0
    assert ensemble_weight(labels, rnn_proba=coin, linear_proba=right) == 1.0
    half_wrong = np.where(np.arange(100)[:, None] < 50, right, right[:, ::-1])
    assert 0.0 < ensemble_weight(labels, rnn_proba=half_wrong, linear_proba=right) <= 1.0


def test_nb_ratios_point_at_the_class_an_ngram_speaks_for():
    from rnnpipe.text.linear import _fit_features, nb_ratios

    vectorizer, x = _fit_features(
        "nb", Tokenizer(), ["good film", "good plot", "bad film", "bad plot"]
    )
    ratios = nb_ratios(x, np.array([1, 1, 0, 0]), 2)[0]
    column = vectorizer.vocabulary_
    assert ratios[column["good"]] > 0 > ratios[column["bad"]] and ratios[
        column["film"]
    ] == pytest.approx(0.0)


def test_the_members_c_can_be_chosen_for_the_mix_rather_than_alone():
    from rnnpipe.text.linear import mixed_log_loss

    train, y = texts(300, 0)
    val, y_val = texts(100, 1)
    rng = np.random.default_rng(0)
    rnn = np.eye(3)[y_val] * 0.5 + rng.uniform(0, 0.5, (100, 3))  # a noisy RNN to mix with
    rnn = rnn / rnn.sum(1, keepdims=True)
    score = mixed_log_loss(y_val, rnn)
    chosen, chosen_val = fit_linear(Tokenizer(), train, y, val, y_val, 3, kind="nb", select=score)
    alone, alone_val = fit_linear(Tokenizer(), train, y, val, y_val, 3, kind="nb")
    # Both searched the same C grid: the one chosen for the mix mixes at least as well as the one
    # best alone.
    assert score(chosen_val) <= score(alone_val)
    assert score(alone_val) <= min(
        log_loss(y_val, (1 - w) * rnn + w * alone_val) for w in (0.0, 0.5, 1.0)
    )

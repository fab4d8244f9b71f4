"""The trees and pairs embed stage reads a GloVe file of any size (embed.source=glove), as the
text pipeline's does: the 300-d vectors Tai et al. used for SICK, when a user has them."""

from __future__ import annotations

import numpy as np
import pytest

from rnnpipe.core.errors import ParamsError
from rnnpipe.core.params import defaults, validate
from rnnpipe.pairs.params import PAIRS_SCHEMA
from rnnpipe.text.vocabulary import Vocabulary
from rnnpipe.trees.embed import embed_trees


def test_a_glove_file_gives_the_vectors_of_the_words_it_has(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    Vocabulary(["<pad>", "<unk>", "dog", "runs", "zyx"]).save("data/vocab.txt")
    (tmp_path / "glove.txt").write_text("dog 0.1 0.2 0.3\nruns -1 0 1\ncat 9 9 9\n")
    params = defaults(PAIRS_SCHEMA)
    params["embed"].update(source="glove", path=str(tmp_path / "glove.txt"), dim=3)
    embed_trees(params)
    weights = np.load("data/embeddings.npy")
    assert weights.shape == (5, 3)
    np.testing.assert_allclose(weights[2], [0.1, 0.2, 0.3], rtol=1e-6)
    np.testing.assert_allclose(weights[3], [-1, 0, 1])
    assert np.abs(weights[4]).max() > 0  # a word the file lacks starts random, not zero


def test_glove_without_a_path_is_refused_by_param():
    params = defaults(PAIRS_SCHEMA)
    params["embed"].update(source="glove", path="")
    with pytest.raises(ParamsError, match="embed.source=glove reads a GloVe file: set embed.path"):
        validate(params, PAIRS_SCHEMA)

import gzip
import zipfile

import numpy as np
import pytest

from rnnpipe.core.errors import VectorsError
from rnnpipe.text.vectors import EmbeddingMatrix, read_glove, read_glove_package, train_word2vec
from rnnpipe.text.vocabulary import PAD, UNK, Vocabulary

VOCAB = Vocabulary([PAD, UNK, "the", "film", "qqxjzvkw"])
LINES = "the 0.1 0.2 0.3\nof 1 1 1\nfilm -0.5 0.0 2.5\n"


@pytest.fixture(params=["txt", "gz", "zip"])
def glove_file(request, tmp_path):
    if request.param == "txt":
        path = tmp_path / "glove.6B.3d.txt"
        path.write_text(LINES)
    elif request.param == "gz":
        path = tmp_path / "glove.6B.3d.txt.gz"
        with gzip.open(path, "wt") as handle:
            handle.write(LINES)
    else:  # the official zip holds one file per dimension
        path = tmp_path / "glove.6B.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("glove.6B.3d.txt", LINES)
            archive.writestr("glove.6B.2d.txt", "the 9 9\nfilm 8 8\n")
    return path


def test_glove_text_gz_and_zip_give_the_vocabulary_vectors(glove_file):
    vectors = read_glove(glove_file, VOCAB, dim=3)
    assert set(vectors) == {"the", "film"}
    np.testing.assert_allclose(vectors["film"], [-0.5, 0.0, 2.5])


def test_wrong_dimension_is_rejected_with_the_files_dimension(glove_file):
    with pytest.raises(
        VectorsError, match=r"(3 dimensions but embed.dim is 4|no member for embed.dim=4)"
    ):
        read_glove(glove_file, VOCAB, dim=4)


def test_zip_member_is_chosen_by_dimension(tmp_path):
    path = tmp_path / "glove.6B.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("glove.6B.3d.txt", LINES)
        archive.writestr("glove.6B.2d.txt", "the 9 9\nfilm 8 8\n")
    np.testing.assert_allclose(read_glove(path, VOCAB, dim=2)["the"], [9, 9])


def test_malformed_line_reports_its_number(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("the 0.1 0.2 0.3\nfilm 0.1\n")
    with pytest.raises(VectorsError, match="line 2: malformed"):
        read_glove(path, VOCAB, dim=3)
    path.write_text("the 0.1 0.2 0.3\nfilm 0.1 x 0.3\n")
    with pytest.raises(VectorsError, match="line 2: non-numeric"):
        read_glove(path, VOCAB, dim=3)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(VectorsError, match="not found"):
        read_glove(tmp_path / "nope.txt", VOCAB, dim=3)


def test_matrix_uses_vectors_keeps_pad_zero_and_reports_coverage(glove_file):
    matrix = EmbeddingMatrix.from_vectors(
        VOCAB, read_glove(glove_file, VOCAB, 3), 3, seed=0, source="test"
    )
    assert matrix.weights.shape == (5, 3) and matrix.weights.dtype == np.float32
    np.testing.assert_allclose(matrix.weights[VOCAB.index["the"]], [0.1, 0.2, 0.3])
    assert np.all(matrix.weights[0] == 0)
    assert matrix.coverage == pytest.approx(2 / 3)


def test_zero_coverage_is_an_error():
    with pytest.raises(VectorsError, match="none of the 3 vocabulary words"):
        EmbeddingMatrix.from_vectors(VOCAB, {}, 3, seed=0, source="empty.txt")


def test_random_matrix_is_seeded_and_keras_scaled():
    a, b = EmbeddingMatrix.random(100, 4, seed=1), EmbeddingMatrix.random(100, 4, seed=1)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert np.abs(a.weights).max() <= 0.05 and np.all(a.weights[0] == 0)


def test_glove_package_offline():
    vectors = read_glove_package(VOCAB, 50)
    assert set(vectors) == {"the", "film"} and vectors["the"].shape == (50,)
    with pytest.raises(VectorsError, match="embed.dim=50"):
        read_glove_package(VOCAB, 100)


def test_word2vec_is_trained_reproducibly_on_the_given_ids():
    from rnnpipe.text.vocabulary import build_vocabulary, encode_corpus

    rng = np.random.default_rng(0)
    words = ["good", "great", "bad", "awful", "film", "plot"]
    docs = [[words[i] for i in rng.integers(0, 6, 12)] for _ in range(200)]
    vocab = build_vocabulary(docs, num_words=10)
    ids, offsets = encode_corpus(docs, vocab)
    first = train_word2vec(ids, offsets, vocab, dim=8, epochs=2, window=2, seed=3)
    second = train_word2vec(ids, offsets, vocab, dim=8, epochs=2, window=2, seed=3)
    assert set(first) == set(words)
    for word in words:
        np.testing.assert_array_equal(first[word], second[word])
    assert first["good"].shape == (8,)


def test_the_embedding_matrix_must_be_finite_and_fit_the_vocabulary():
    from rnnpipe.text.vectors import check_embedding_matrix

    weights = np.zeros((5, 3), dtype=np.float32)
    check_embedding_matrix(weights, 5)
    with pytest.raises(VectorsError, match="has 5 rows but the vocabulary has 6 words"):
        check_embedding_matrix(weights, 6)
    weights[2, 1] = np.nan
    with pytest.raises(VectorsError, match="1 non-finite values"):
        check_embedding_matrix(weights, 5)


def test_token_ids_beyond_the_vocabulary_are_refused():
    import torch

    from rnnpipe.core.errors import DataError
    from rnnpipe.text.sequences import SequenceSet, check_token_ids

    rows = SequenceSet(torch.tensor([[2, 7, 0]]), torch.tensor([2]), torch.tensor([1]))
    check_token_ids({"train": rows}, 8)
    with pytest.raises(DataError, match="holds token id 7, but the vocabulary has only 7 words"):
        check_token_ids(
            {
                "train": rows,
                "validation": SequenceSet(
                    torch.zeros((0, 3), dtype=torch.long), torch.zeros(0), torch.zeros(0)
                ),
            },
            7,
        )

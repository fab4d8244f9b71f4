import numpy as np
import pytest

from rnnpipe.core.errors import DataError
from rnnpipe.core.labels import LabelMap
from rnnpipe.text.tokenizer import Tokenizer
from rnnpipe.text.vocabulary import PAD, UNK, UNK_ID, Vocabulary, build_vocabulary, encode_corpus


def test_tokenizer_lowercases_strips_html_breaks_and_keras_filters():
    tokens = Tokenizer().tokenize("Great film!<br /><br />The END, really... isn't it?<BR>ok")
    assert tokens == ["great", "film", "the", "end", "really", "isn't", "it", "ok"]


def test_tokenizer_settings_are_honoured():
    assert Tokenizer(lowercase=False, filters="").tokenize("Hi, There!") == ["Hi,", "There!"]
    assert Tokenizer(filters="!").tokenize("a!b,c") == ["a", "b,c"]


def test_vocabulary_reserves_pad_and_unk_and_ranks_by_frequency():
    vocab = build_vocabulary([["b", "a", "b"], ["c", "b", "a"]], num_words=10)
    assert vocab.words == [PAD, UNK, "b", "a", "c"]
    assert vocab.index[PAD] == 0 and vocab.index[UNK] == 1


def test_num_words_counts_the_reserved_ids_and_min_freq_drops_rare_words():
    corpus = [["x", "x", "x", "y", "y", "z"]]
    assert build_vocabulary(corpus, num_words=3).words == [PAD, UNK, "x"]
    assert build_vocabulary(corpus, num_words=100, min_freq=2).words == [PAD, UNK, "x", "y"]


def test_out_of_vocabulary_words_map_to_unk():
    vocab = build_vocabulary([["good", "film"]], num_words=10)
    assert vocab.encode(["good", "unseen", "film"]) == [
        vocab.index["good"],
        UNK_ID,
        vocab.index["film"],
    ]


def test_encode_corpus_matches_per_document_encoding():
    vocab = build_vocabulary([["a", "b", "a"]], num_words=10)
    docs = [["a", "zz"], [], ["b", "a", "b"]]
    ids, offsets = encode_corpus(docs, vocab)
    assert offsets.tolist() == [0, 2, 2, 5]
    assert ids.tolist() == vocab.encode(docs[0]) + vocab.encode(docs[2])


def test_vocabulary_file_round_trip_and_hash(tmp_path):
    vocab = build_vocabulary([["b", "a"]], num_words=10)
    vocab.save(tmp_path / "vocab.txt")
    loaded = Vocabulary.load(tmp_path / "vocab.txt")
    assert loaded.words == vocab.words and loaded.sha256() == vocab.sha256()
    assert Vocabulary([PAD, UNK, "c"]).sha256() != vocab.sha256()


@pytest.mark.parametrize(
    "labels, expected",
    [
        ([1, -1, 0, 1, 0], [-1, 0, 1]),
        (["pos", "neg", "neutral", "neg"], ["neg", "neutral", "pos"]),
        (np.array([3, 1, 2]), [1, 2, 3]),
    ],
)
def test_label_map_sorts_original_values(labels, expected):
    label_map = LabelMap.from_training_labels(labels)
    assert label_map.labels == expected
    assert label_map.encode(labels).tolist() == [expected.index(v) for v in list(labels)]


def test_label_map_for_minus_one_zero_one_round_trips_through_json(tmp_path):
    label_map = LabelMap.from_training_labels([-1, 0, 1])
    (tmp_path / "labels.json").write_text(label_map.to_json())
    loaded = LabelMap.load(tmp_path / "labels.json")
    assert loaded.labels == [-1, 0, 1] and all(isinstance(v, int) for v in loaded.labels)


def test_label_unseen_in_training_is_rejected_with_its_split():
    label_map = LabelMap.from_training_labels(["neg", "pos"])
    with pytest.raises(
        DataError,
        match=r"1 label\(s\) occur in the test split but never in training: meh; "
        r"known labels: neg, pos\.",
    ):
        label_map.encode(["pos", "meh"], "test")


def test_single_class_training_split_is_rejected():
    with pytest.raises(DataError, match="single class"):
        LabelMap.from_training_labels(["pos", "pos"])

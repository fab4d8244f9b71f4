"""Entity scores come from seqeval for span tag sets only, and the most-frequent-tag baseline."""

import pytest

from rnnpipe.tagging.baselines import MostFrequentTag
from rnnpipe.tagging.metrics import entity_scores, is_span_tagging


def test_span_tag_sets_are_recognised_and_upos_is_not():
    assert is_span_tagging(["B-PER", "I-PER", "O", "B-LOC"])
    assert not is_span_tagging(["NOUN", "VERB", "DET"])
    assert not is_span_tagging(["O"])


def test_an_entity_counts_only_when_its_whole_span_and_type_match():
    truth = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    guess = [["B-PER", "O", "O", "B-LOC"], ["B-ORG", "O"]]  # the person's span is cut short
    assert entity_scores(truth, guess) == {
        "entity_precision": pytest.approx(2 / 3, abs=1e-6),
        "entity_recall": pytest.approx(2 / 3, abs=1e-6),
        "entity_f1": pytest.approx(2 / 3, abs=1e-6),
    }


def test_most_frequent_tag_per_word_and_open_class_tag_for_unknown_words():
    train = [
        (["the", "book", "is", "red"], ["DET", "NOUN", "AUX", "ADJ"]),
        (["we", "book", "a", "room"], ["PRON", "VERB", "DET", "NOUN"]),
        (["the", "book"], ["DET", "NOUN"]),
    ]
    baseline = MostFrequentTag(train)
    assert baseline.predict(["book", "the", "zebra"]) == ["NOUN", "DET", "NOUN"]
    assert baseline.accuracy([(["we", "book"], ["PRON", "VERB"])]) == 0.5

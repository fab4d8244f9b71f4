"""Span schemes: IOB1, IOB2 and BIOES (BILOU) detected and converted without losing an entity."""

from __future__ import annotations

import pytest
from seqeval.metrics.sequence_labeling import get_entities

from rnnpipe.core.errors import DataError
from rnnpipe.tagging.schemes import convert, detect_scheme, entities
from rnnpipe.tagging.synthetic import synthetic_entity_sentences

IOB1 = ["I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-ORG", "O"]
IOB2 = ["B-PER", "I-PER", "B-PER", "O", "B-LOC", "B-ORG", "O"]
BIOES = ["B-PER", "E-PER", "S-PER", "O", "S-LOC", "S-ORG", "O"]
SPANS = [(0, 2, "PER"), (2, 3, "PER"), (4, 5, "LOC"), (5, 6, "ORG")]


def test_schemes_are_told_apart_and_other_tag_sets_are_not_span_tags():
    assert detect_scheme([IOB1]) == "IOB1" and detect_scheme([IOB2]) == "IOB2"
    assert detect_scheme([BIOES]) == "BIOES"
    assert detect_scheme([["B-PER", "L-PER", "U-LOC"]]) == "BIOES"  # BILOU
    assert detect_scheme([["NOUN", "VERB"]]) is None and detect_scheme([["O", "B-X-1"]]) == "IOB2"


@pytest.mark.parametrize("tags, scheme", [(IOB1, "IOB1"), (IOB2, "IOB2"), (BIOES, "BIOES")])
def test_each_scheme_reads_the_same_entities(tags, scheme):
    assert entities(tags, scheme) == SPANS


def test_conversions_keep_every_entity_of_generated_sentences():
    sentences = synthetic_entity_sentences(300, 0, "IOB1")
    tags = [t for _, t in sentences]
    assert detect_scheme(tags) == "IOB1" and any("B-ORG" in t for t in tags)
    iob2, seen, trained = convert(tags, "auto")
    assert (seen, trained) == ("IOB1", "IOB2") and detect_scheme(iob2) == "IOB2"
    bioes, _, trained = convert(tags, "bioes")
    assert trained == "BIOES"
    for original, a, b in zip(tags, iob2, bioes):
        spans = entities(original, "IOB1")
        assert entities(a, "IOB2") == spans == entities(b, "BIOES")
        # seqeval, which evaluate scores with, reads the converted tags as the same entities
        assert sorted((k, s, e - 1) for s, e, k in spans) == sorted(get_entities(a))
    assert convert(tags, "keep")[0] is tags


def test_converting_tags_that_are_not_spans_is_refused_by_param():
    with pytest.raises(DataError, match="download.span_scheme=bioes, but the tags are not span"):
        convert([["NOUN", "VERB"]], "bioes")
    assert convert([["NOUN"]], "auto") == ([["NOUN"]], None, "as given")

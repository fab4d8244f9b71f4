"""The tagger: padding never changes a tag or the loss; the model folder round trip; long
sentences in pieces."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import tagger_config
from rnnpipe.core.labels import LabelMap
from rnnpipe.data.ragged import piece_offsets
from rnnpipe.tagging.characters import CharVocabulary
from rnnpipe.tagging.model import RNNTagger
from rnnpipe.tagging.sequences import tag_set
from rnnpipe.tagging.tagger import TrainedTagger
from rnnpipe.text.vocabulary import Vocabulary
from rnnpipe.training.objectives import IGNORE_INDEX, StepClassificationObjective

WORDS = ["<pad>", "<unk>", "the", "dog", "runs", "fast", "a", "cat"]
SENTENCES = [["The", "dog", "runs"], ["a", "cat", "runs", "fast", "today"], ["Dog"]]


def tagger(seed: int = 0, dropout: float = 0.3) -> RNNTagger:
    torch.manual_seed(seed)
    return RNNTagger(
        tagger_config(
            vocab_size=len(WORDS),
            embed_dim=6,
            num_tags=4,
            char_vocab=40,
            char_dim=5,
            char_hidden=4,
            hidden=8,
            dropout=dropout,
        )
    ).eval()


LETTERS = CharVocabulary("abcdefghijklmnopqrstuvwxyzDT")


def rows(sentences, characters=LETTERS):
    vocabulary = Vocabulary(WORDS)
    width = max(map(len, sentences)) + 3  # room for padding
    ids = np.zeros((len(sentences), width), dtype=np.int64)
    for r, sentence in enumerate(sentences):
        ids[r, : len(sentence)] = vocabulary.encode(w.lower() for w in sentence)
    lengths = np.array([len(s) for s in sentences])
    tags = np.tile(np.arange(width) % 4, (len(sentences), 1))
    return tag_set(ids, lengths, tags, sentences, characters)


def test_padding_and_batch_company_never_change_a_tag():
    model, data = tagger(), rows(SENTENCES)
    with torch.no_grad():
        (inputs, _) = data.batch(np.arange(3), torch.device("cpu"))
        together = model(*inputs)
        for r, sentence in enumerate(SENTENCES):
            alone_inputs, _ = data.batch(np.array([r]), torch.device("cpu"))
            alone = model(*alone_inputs)[0]
            assert torch.allclose(together[r, : len(sentence)], alone[: len(sentence)], atol=1e-6)


def test_the_loss_and_score_count_real_tokens_only():
    data = rows(SENTENCES)
    (inputs, tags) = data.batch(np.arange(3), torch.device("cpu"))
    assert int((tags != IGNORE_INDEX).sum()) == sum(map(len, SENTENCES))
    with torch.no_grad():
        logits = tagger()(*inputs)
    loss, correct, count = StepClassificationObjective()(logits, tags)
    wider = torch.cat([logits, torch.randn(3, 4, 4) * 50], dim=1)  # garbage at extra padded steps
    padded_tags = torch.cat([tags, torch.full((3, 4), IGNORE_INDEX)], dim=1)
    assert StepClassificationObjective()(wider, padded_tags)[0] == pytest.approx(float(loss))
    assert count == 9 and int(correct) <= 9


def test_the_model_folder_round_trip_tags_as_the_model_does(tmp_path):
    model = tagger(dropout=0.0)
    characters = CharVocabulary("abcdefghijklmnopqrstuvwxyzDT")
    trained = TrainedTagger(
        model, True, Vocabulary(WORDS), characters, LabelMap(["DET", "NOUN", "VERB", "ADV"]), 4
    )
    trained.save(tmp_path / "tagger")
    loaded = TrainedTagger.load(tmp_path / "tagger")
    probabilities = loaded.predict_proba(SENTENCES)
    assert [len(p) for p in probabilities] == [
        3,
        5,
        1,
    ]  # "a cat runs fast today" tagged in pieces of 4 and 1
    data = rows(SENTENCES[:1], characters)
    with torch.no_grad():
        expected = torch.softmax(
            model(*data.batch(np.array([0]), torch.device("cpu"))[0])[0, :3], -1
        ).numpy()
    np.testing.assert_allclose(probabilities[0], expected, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=1, max_size=12), st.integers(1, 7))
def test_pieces_cover_every_item_once_in_order_and_none_is_longer_than_maxlen(lengths, maxlen):
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    pieces, source = piece_offsets(offsets, maxlen)
    sizes = np.diff(pieces)
    assert (
        pieces[0] == 0
        and pieces[-1] == offsets[-1]
        and (sizes >= 0).all()
        and (sizes <= maxlen).all()
    )
    for sentence, length in enumerate(lengths):
        assert sizes[source == sentence].sum() == length
    assert list(source) == sorted(source)


def test_lowercased_word_ids_leave_the_characters_their_case():
    # "Dog" and "dog" are one word id with tokenize.lowercase, but the character encoder reads
    # the capital: what tells a name (NER) when the word itself is rare or unknown.
    characters = CharVocabulary("abcdefghijklmnopqrstuvwxyzDT")
    trained = TrainedTagger(
        tagger(), True, Vocabulary(WORDS), characters, LabelMap(["DET", "NOUN", "VERB", "ADV"]), 8
    )
    upper, _, _ = trained.rows([["Dog"]])
    lower, _, _ = trained.rows([["dog"]])
    assert upper.ids.tolist() == lower.ids.tolist()
    assert upper.form_chars.tolist() != lower.form_chars.tolist()
    assert characters.encode(["Dog"])[0].tolist() == upper.form_chars[1:].tolist()

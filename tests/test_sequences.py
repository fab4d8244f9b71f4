import numpy as np
import pytest

from rnnpipe.errors import ParamsError
from rnnpipe.sequences import pad_sequences

SEQUENCES = [[1, 2, 3], [4, 5, 6, 7, 8], [9], []]

# Hand-checked against keras.utils.pad_sequences(SEQUENCES, maxlen=4, padding=..., truncating=...).
KERAS = {
    ("pre", "pre"): [[0, 1, 2, 3], [5, 6, 7, 8], [0, 0, 0, 9], [0, 0, 0, 0]],
    ("pre", "post"): [[0, 1, 2, 3], [4, 5, 6, 7], [0, 0, 0, 9], [0, 0, 0, 0]],
    ("post", "pre"): [[1, 2, 3, 0], [5, 6, 7, 8], [9, 0, 0, 0], [0, 0, 0, 0]],
    ("post", "post"): [[1, 2, 3, 0], [4, 5, 6, 7], [9, 0, 0, 0], [0, 0, 0, 0]],
}


@pytest.mark.parametrize("padding, truncating", list(KERAS))
def test_pad_sequences_matches_keras(padding, truncating):
    padded, lengths = pad_sequences(SEQUENCES, maxlen=4, padding=padding, truncating=truncating)
    assert padded.tolist() == KERAS[(padding, truncating)]
    assert lengths.tolist() == [3, 4, 1, 0]


def test_pad_value_and_long_maxlen():
    padded, lengths = pad_sequences([[7, 8]], maxlen=5, padding="post", value=-1)
    assert padded.tolist() == [[7, 8, -1, -1, -1]] and lengths.tolist() == [2]


@pytest.mark.parametrize("kwargs, message", [
    ({"maxlen": 0}, "pad.maxlen"),
    ({"maxlen": 3, "padding": "middle"}, "pad.padding"),
    ({"maxlen": 3, "truncating": "both"}, "pad.truncating"),
])
def test_bad_settings_are_rejected(kwargs, message):
    with pytest.raises(ParamsError, match=message):
        pad_sequences(SEQUENCES, **kwargs)


def test_many_random_sequences_agree_with_a_plain_python_reference():
    rng = np.random.default_rng(0)
    sequences = [list(rng.integers(1, 50, rng.integers(0, 12))) for _ in range(200)]
    for padding in ("pre", "post"):
        for truncating in ("pre", "post"):
            padded, _ = pad_sequences(sequences, maxlen=6, padding=padding, truncating=truncating)
            for row, seq in zip(padded.tolist(), sequences):
                kept = seq[-6:] if truncating == "pre" else seq[:6]
                fill = [0] * (6 - len(kept))
                assert row == (fill + kept if padding == "pre" else kept + fill)

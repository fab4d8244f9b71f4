import numpy as np
import pytest

from rnnpipe.core.errors import ParamsError
from rnnpipe.data.ragged import pad_sequences

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


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"maxlen": 0}, "pad.maxlen"),
        ({"maxlen": 3, "padding": "middle"}, "pad.padding"),
        ({"maxlen": 3, "truncating": "both"}, "pad.truncating"),
    ],
)
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


@pytest.mark.parametrize("padding", ["pre", "post"])
def test_load_padded_streams_every_split_left_aligned(tmp_path, padding):
    """More rows than one record batch, splits interleaved: each split gets exactly its rows, in
    order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from rnnpipe.text.sequences import load_padded

    rng = np.random.default_rng(3)
    sequences = [rng.integers(2, 90, rng.integers(0, 13)).tolist() for _ in range(9_000)]
    padded, lengths = pad_sequences(sequences, 12, padding=padding, truncating="pre")
    split = rng.choice(["train", "validation", "test"], len(sequences))
    labels = rng.integers(0, 2, len(sequences))
    table = pa.table(
        {
            "ids": pa.FixedSizeListArray.from_arrays(
                pa.array(padded.reshape(-1).astype(np.int32)), 12
            ),
            "length": pa.array(lengths.astype(np.int32)),
            "label": pa.array(labels),
            "split": pa.array(split),
        }
    ).replace_schema_metadata(
        {"rnnpipe.padding": padding, "rnnpipe.truncating": "pre", "rnnpipe.maxlen": "12"}
    )
    pq.write_table(table, tmp_path / "padded.parquet", row_group_size=2_500)
    sets, metadata = load_padded(str(tmp_path / "padded.parquet"), splits=("test", "train"))
    assert set(sets) == {"test", "train"} and metadata["rnnpipe.padding"] == padding
    for name, data in sets.items():
        rows = np.flatnonzero(split == name)
        assert data.labels.tolist() == labels[rows].tolist()
        assert data.lengths.tolist() == [min(len(sequences[r]), 12) for r in rows]
        expected = np.zeros((len(rows), 12), dtype=np.int64)
        for i, r in enumerate(rows):
            kept = sequences[r][-12:]
            expected[i, : len(kept)] = kept
        assert np.array_equal(data.ids.numpy(), expected)

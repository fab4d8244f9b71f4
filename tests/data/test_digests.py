"""data.digests: a set of 64-bit text digests in sorted arrays answers as a Python set would."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from rnnpipe.data.digests import DigestSet, digests, first_new

chunks = st.lists(st.lists(st.integers(0, 40), max_size=30), max_size=12)


@given(chunks, st.lists(st.integers(0, 60), max_size=40))
def test_membership_matches_a_python_set(added, probes):
    seen, reference = DigestSet(), set()
    for chunk in added:
        seen.add(np.asarray(chunk, dtype=np.uint64))
        reference.update(chunk)
    found = seen.contains(np.asarray(probes, dtype=np.uint64))
    assert found.tolist() == [p in reference for p in probes]
    assert len(seen) == sum(len(chunk) for chunk in added)


@given(chunks)
def test_first_new_keeps_each_value_once_in_order(added):
    seen, kept, reference = DigestSet(), [], []
    for chunk in added:
        values = np.asarray(chunk, dtype=np.uint64)
        keep = first_new(values, seen)
        seen.add(values[keep])
        kept.extend(values[keep].tolist())
    for value in (v for chunk in added for v in chunk):
        if value not in reference:
            reference.append(value)
    assert kept == reference


def test_equal_texts_share_a_digest_and_different_ones_do_not():
    values = digests(["a film", "a film", "A film", "a  film", ""])
    assert values[0] == values[1]
    assert len(set(values.tolist())) == 4

"""core.memory: the machine's memory and the up-front refusal of allocations that cannot fit."""

import pytest

from rnnpipe.core.errors import ParamsError
from rnnpipe.core.memory import human_bytes, machine_memory, require_memory
from rnnpipe.nn.recurrent import RecurrentStack, recurrent_weights


def test_machine_memory_is_plausible():
    assert 2**28 < machine_memory() < 2**50


def test_require_memory_names_the_estimate_the_memory_and_the_remedy():
    require_memory(10 * 2**30, "x", "y", available=16 * 2**30)  # fits: silent
    with pytest.raises(
        ParamsError,
        match=r"pad: 5 rows would need at least 3\.3 TiB, more than this machine's "
        r"16\.0 GiB of memory\. Lower pad\.maxlen\.",
    ):
        require_memory(3.3 * 2**40, "pad: 5 rows", "Lower pad.maxlen.", available=16 * 2**30)
    assert human_bytes(512) == "512 B" and human_bytes(1536) == "1.5 KiB"


@pytest.mark.parametrize(
    "cell, layers, bidirectional", [("lstm", 1, False), ("gru", 2, True), ("rnn", 3, False)]
)
def test_the_recurrent_weight_count_is_the_stacks(cell, layers, bidirectional):
    stack = RecurrentStack(7, cell, 5, layers, bidirectional, 0.0)
    assert recurrent_weights(7, cell, 5, layers, bidirectional) == sum(
        p.numel() for p in stack.parameters()
    )

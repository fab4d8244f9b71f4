"""What a data file's name says: the split it holds (a split word anywhere in the name:
`train.tsv`, `sst-dev.csv`, `TREC.train.all`, `stsa.binary.dev`, CoNLL-2003's `eng.testa`), or that
it is documentation beside the data (README, poldata.README.2.0, LICENSE.txt), never data."""

from __future__ import annotations

import re
from pathlib import Path

SPLIT_NAMES = {
    "train": "train",
    "training": "train",
    "dev": "validation",
    "valid": "validation",
    "val": "validation",
    "validation": "validation",
    "test": "test",
    "testing": "test",
    "testa": "validation",  # CoNLL-2003: eng.testa is its development set
    "testb": "test",
    "unsup": "unsup",
    "unlabeled": "unsup",
    "unlabelled": "unsup",
}
NAME_WORDS = re.compile(r"[-_. ]+")  # the words of a file's name
# Documentation beside the data, by a word of its name anywhere (README, poldata.README.2.0,
# LICENSE.txt, x-notice) or its suffix: never read as data, never a second entry of a folder.
NOT_DATA = re.compile(
    r"(^|[._-])(readme|license|licence|copying|notice|changelog|changes|authors|citation)"
    r"([._-]|$)|\.(md|rst|html?|pdf|py|sh|ipynb)$",
    re.IGNORECASE,
)


def split_of_name(path: Path) -> str | None:
    """The split a file's name holds as a word anywhere in it, or None (no split word, or
    several)."""
    found = {SPLIT_NAMES[w] for w in NAME_WORDS.split(path.name.lower()) if w in SPLIT_NAMES}
    return found.pop() if len(found) == 1 else None

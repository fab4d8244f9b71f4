"""Text normalisation and word tokenization, Keras-style: lowercase, HTML breaks and filtered
characters become spaces, split on whitespace."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
# The same characters as a params file holds them: a real tab and newline in a param value made
# every
# `dvc exp show` row print on two lines and broke its --csv, so the param spells them \t and \n.
KERAS_FILTERS_ESCAPED = '!"#$%&()*+,-./:;<=>?@[\\\\]^_`{|}~\\t\\n'
_ESCAPES = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}


def unescape(filters: str) -> str:
    """`filters` with \\t, \\n, \\r and \\\\ read as tab, newline, CR and a backslash (any other
    backslash is a backslash); characters given as themselves stay themselves."""
    return re.sub(r"\\[\\tnr]", lambda match: _ESCAPES[match.group()], filters)


_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


@dataclass(frozen=True)
class Tokenizer:
    """Lowercase (optional), turn HTML line breaks and every character in `filters` (escapes
    read, see `unescape`) into spaces, split."""

    lowercase: bool = True
    filters: str = KERAS_FILTERS

    def __post_init__(self):
        object.__setattr__(self, "_table", str.maketrans({c: " " for c in unescape(self.filters)}))

    def normalise(self, text: str) -> str:
        text = _HTML_BREAK.sub(" ", text)
        if self.lowercase:
            text = text.lower()
        return text.translate(self._table)

    def tokenize(self, text: str) -> list[str]:
        return self.normalise(text).split()

    def to_dict(self) -> dict:
        return {"lowercase": self.lowercase, "filters": self.filters}

    @classmethod
    def load(cls, path: str | Path) -> Tokenizer:
        """The settings the tokenize stage wrote (data/tokenizer.json), extra keys ignored."""
        meta = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(lowercase=meta["lowercase"], filters=meta["filters"])

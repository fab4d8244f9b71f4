"""Text normalisation and word tokenization, Keras-style: lowercase, HTML breaks and filtered characters
become spaces, split on whitespace."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


@dataclass(frozen=True)
class Tokenizer:
    """Lowercase (optional), turn HTML line breaks and every character in `filters` into spaces, split."""

    lowercase: bool = True
    filters: str = KERAS_FILTERS

    def __post_init__(self):
        object.__setattr__(self, "_table", str.maketrans({c: " " for c in self.filters}))

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
    def load(cls, path: str | Path) -> "Tokenizer":
        """The settings the tokenize stage wrote (data/tokenizer.json), extra keys ignored."""
        meta = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(lowercase=meta["lowercase"], filters=meta["filters"])

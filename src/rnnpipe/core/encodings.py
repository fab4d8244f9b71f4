"""Text files in a wide encoding (UTF-16 / UTF-32), noticed before they are misread.

Read as UTF-8 or Latin-1, a UTF-16 file (what Excel's "Unicode text" and many Windows tools save)
becomes text with a NUL between characters: the header ' l a b e l ' names no column the user
wrote, and every later message is about the wrong thing. Its byte-order mark, or NUL bytes between
ASCII characters, give it away.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from .errors import DataError

BOMS = (  # the UTF-32 marks first: UTF-32-LE's begins with UTF-16-LE's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def wide_encoding(head: bytes) -> str | None:
    """The wide encoding the first bytes of a file are in ("utf-16", "utf-16-le", ...), or
    None."""
    for bom, name in BOMS:
        if head.startswith(bom):
            return name
    sample = head[:4096]
    if len(sample) >= 8 and sample.count(0) >= len(sample) // 3:
        # ASCII text in UTF-16: every other byte is NUL, the even ones (BE) or the odd ones (LE).
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > 0.8 * len(sample[1::2]):
            return "utf-16-le"
        if even > 0.8 * len(sample[0::2]):
            return "utf-16-be"
    return None


def check_not_wide(path: Path, encoding: str, param: str | None) -> None:
    """Refuse a UTF-16 / UTF-32 file about to be read as `encoding` (another one), naming the
    param that sets the encoding (None: the pipeline reads UTF-8 only)."""
    if codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
        return
    with open(path, "rb") as handle:
        found = wide_encoding(handle.read(4096))
    if found is None:
        return
    remedy = (
        f"set {param}={found}" if param else "save it as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8`)"
    )
    raise DataError(
        f"{path}: the file is {found.upper()} text (a byte-order mark or NUL bytes between the "
        f"characters), not {encoding}; {remedy}."
    )

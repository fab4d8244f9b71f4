"""Span tagging schemes (NER, chunks): which one a dataset uses, and converting between them.

- IOB1 (CoNLL-2003's original files): `I-X` inside an entity, also at its start; `B-X` only for
  an entity that follows another of the same type directly.
- IOB2 (BIO): every entity starts with `B-X`.
- BIOES (IOBES; BILOU with L- = E-, U- = S-): `S-X` a one-token entity, `E-X` an entity's last.

Trained on IOB1 as given, a tagger learns `B-` as a rare tag (per-tag F1 0) and starts entities
with either prefix; the download stage therefore converts (download.span_scheme): `auto` turns IOB1
into IOB2 and keeps IOB2 and BIOES, `iob2` / `bioes` convert to that scheme, `keep` trains on the
tags as given. The scheme seen and the one trained are in data/report.json, and the model's tags
(`rnnpipe predict`) are in the trained one. Entity scores (seqeval, evaluate) read any of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..core.errors import DataError

BILOU = {"L": "E", "U": "S"}


def split_tag(tag: str) -> tuple[str, str]:
    """('B', 'PER') of 'B-PER'; ('O', '') of 'O'; (tag, '') of a tag of no span (NOUN). L-/U-
    read as E-/S-."""
    if tag == "O":
        return "O", ""
    if "-" not in tag:
        return tag, ""
    prefix, kind = tag.split("-", 1)
    return BILOU.get(prefix, prefix), kind


def detect_scheme(sentences: Iterable[list[str]]) -> str | None:
    """IOB1 | IOB2 | BIOES for span tags, None for other tag sets (UPOS, ...)."""
    seen_i_start = seen_e_s = False
    for tags in sentences:
        previous = ("O", "")
        for tag in tags:
            prefix, kind = split_tag(str(tag))
            if prefix not in ("O", "B", "I", "E", "S"):
                return None
            if prefix in ("E", "S"):
                seen_e_s = True
            if prefix == "I" and (previous[0] == "O" or previous[1] != kind or previous[0] == "E"):
                seen_i_start = True
            previous = (prefix, kind)
    if seen_e_s:
        return "BIOES"
    return "IOB1" if seen_i_start else "IOB2"


def entities(tags: list[str], scheme: str) -> list[tuple[int, int, str]]:
    """(start, end exclusive, type) of each entity of one sentence read in `scheme`."""
    spans, start, kind = [], None, ""
    for i, tag in enumerate(tags):
        prefix, this = split_tag(str(tag))
        begins = prefix in ("B", "S") or (prefix in ("I", "E") and (start is None or this != kind))
        if start is not None and (prefix == "O" or begins):
            spans.append((start, i, kind))
            start = None
        if prefix != "O" and start is None:
            start, kind = i, this
        if prefix in ("E", "S") and start is not None and scheme == "BIOES":
            spans.append((start, i + 1, kind))
            start = None
    if start is not None:
        spans.append((start, len(tags), kind))
    return spans


def write_scheme(length: int, spans: list[tuple[int, int, str]], scheme: str) -> list[str]:
    """One sentence's tags of the entities `spans` (sorted, not overlapping) in `scheme`."""
    tags = ["O"] * length
    previous_end, previous_kind = -1, ""
    for start, end, kind in spans:
        for i in range(start, end):
            tags[i] = f"I-{kind}"
        if scheme == "IOB1":
            if start == previous_end and kind == previous_kind:
                tags[start] = f"B-{kind}"
        elif scheme == "BIOES":
            if end - start == 1:
                tags[start] = f"S-{kind}"
            else:
                tags[start], tags[end - 1] = f"B-{kind}", f"E-{kind}"
        else:
            tags[start] = f"B-{kind}"
        previous_end, previous_kind = end, kind
    return tags


def convert(sentences: list[list[str]], setting: str) -> tuple[list[list[str]], str | None, str]:
    """(the sentences' tags in the scheme `setting` asks for, the scheme seen (None: not span
    tags), the scheme trained)."""
    seen = detect_scheme(sentences)
    if seen is None:
        if setting in ("iob2", "bioes"):
            raise DataError(
                f"download.span_scheme={setting}, but the tags are not span tags (O, B-/I-/E-/S- "
                "of a type); set download.span_scheme=auto."
            )
        return sentences, None, "as given"
    target = {"auto": "IOB2" if seen == "IOB1" else seen, "iob2": "IOB2", "bioes": "BIOES"}.get(
        setting, seen
    )
    if target == seen:
        return sentences, seen, seen
    return [write_scheme(len(t), entities(t, seen), target) for t in sentences], seen, target

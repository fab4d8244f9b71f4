"""The embedded tagging default: seeded sentences from a small grammar with UD tags, offline in
seconds.

Some words are both nouns and verbs ("book", "watch", "run", ...): their tag follows from the words
around them (a noun after a determiner, a verb after a subject), so a tagger that looks only at the
word itself (the most-frequent-tag baseline) stays well below one that reads the sentence.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

DETERMINERS = ["the", "a", "this", "every", "that"]
ADJECTIVES = ["old", "red", "quiet", "happy", "small", "strange", "bright", "late"]
NOUNS = ["man", "dog", "city", "teacher", "garden", "river", "child", "letter", "house", "song"]
VERBS = ["sees", "likes", "finds", "carries", "paints", "opens", "hears", "follows"]
BOTH = [
    "book",
    "watch",
    "run",
    "plant",
    "ship",
    "light",
    "park",
    "train",
]  # noun or verb by position
PRONOUNS = ["they", "we", "you", "i"]
PREPOSITIONS = ["in", "near", "behind", "under", "with"]
PUNCT = [".", "!"]


def _noun_phrase(rng: np.random.Generator) -> list[tuple[str, str]]:
    words = [(rng.choice(DETERMINERS), "DET")]
    words += [(rng.choice(ADJECTIVES), "ADJ") for _ in range(rng.integers(0, 3))]
    words.append((rng.choice(BOTH if rng.random() < 0.5 else NOUNS), "NOUN"))
    return words


def synthetic_sentence(rng: np.random.Generator) -> list[tuple[str, str]]:
    """One sentence as (word, tag) pairs."""
    if rng.random() < 0.5:
        subject = _noun_phrase(rng)
        verb = (
            rng.choice(BOTH if rng.random() < 0.5 else VERBS),
            "VERB",
        )  # "the old man ships ..."
    else:
        subject = [(rng.choice(PRONOUNS), "PRON")]
        verb = (rng.choice(BOTH), "VERB")  # "they book", "we watch"
    words = [*subject, verb, *_noun_phrase(rng)]
    if rng.random() < 0.5:
        words += [(rng.choice(PREPOSITIONS), "ADP"), *_noun_phrase(rng)]
    words.append((rng.choice(PUNCT), "PUNCT"))
    if rng.random() < 0.3:
        words[0] = (words[0][0].capitalize(), words[0][1])
    return words


def synthetic_tagged_batches(
    train: int, test: int, seed: int, val_fraction: float, batch_rows: int
) -> Iterator[pd.DataFrame]:
    """synthetic_tagged's sentences, in order, with validation carved from train exactly as
    datasets.assign_sentence_splits carves it (the same draws), as frames of at most `batch_rows`
    sentences: the download stage holds one batch, not the corpus."""
    rng = np.random.default_rng(seed)
    carve = np.random.default_rng(seed + 1)  # assign_sentence_splits' validation draws
    for split, count in (("train", train), ("test", test)):
        for start in range(0, count, batch_rows):
            sentences = [synthetic_sentence(rng) for _ in range(min(batch_rows, count - start))]
            splits = np.full(len(sentences), split, dtype=object)
            if split == "train":
                splits[carve.random(len(sentences)) < val_fraction] = "validation"
            yield pd.DataFrame(
                {
                    "tokens": [[str(w) for w, _ in words] for words in sentences],
                    "tags": [[t for _, t in words] for words in sentences],
                    "split": splits,
                }
            )


def synthetic_tagged(train: int, test: int, seed: int) -> pd.DataFrame:
    """tokens, tags, split (train / test) for `train` + `test` sentences, in one frame."""
    return pd.concat(
        list(synthetic_tagged_batches(train, test, seed, 0.0, max(train, test, 1))),
        ignore_index=True,
    )


# Generated named entities (tests, experiments/ner_generated.py): people, places and organisations
# in sentences whose entities are told apart by capitals (the character encoder reads them when
# word ids are lowercased), by context ("in Jordan" is a place, "Jordan said" a person) and by
# first names (two people in a row: "Anna Smith Paul Brown"), written in any span scheme.
FIRST = ["Anna", "Paul", "Maria", "David", "Lena", "Omar", "Sofia", "Ivan", "Grace", "Tom"]
LAST = ["Smith", "Brown", "Garcia", "Kim", "Novak", "Okafor", "Rossi", "Weber", "Silva", "Chen"]
PLACES = [["Paris"], ["Lagos"], ["Oslo"], ["New", "York"], ["San", "Diego"], ["Kyoto"], ["Lima"]]
ORGS = [["Acme", "Group"], ["Nordic", "Bank"], ["Blue", "River", "Labs"], ["Orion"], ["Vega"]]
AMBIGUOUS = ["Jordan", "Chad", "Georgia"]  # a person or a country by context
TEMPLATES = [
    "{PER} visited {LOC} with {PER} .",
    "{ORG} hired {PER} in {LOC} .",
    "yesterday {PER} {PER} and {ORG} met in {LOC} .",
    "the report by {ORG} says {PER} left {LOC} .",
    "in {AMB_LOC} , {PER} said {ORG} grew .",
    "{AMB_PER} said the team from {LOC} won .",
    "{ORG} {ORG} and {ORG} signed in {LOC} .",
    "we met {PER} near {LOC} .",
]


def synthetic_entity_sentences(
    count: int, seed: int, scheme: str = "IOB1", unseen: bool = False
) -> list[tuple[list[str], list[str]]]:
    """`count` (tokens, tags) sentences with PER / LOC / ORG entities in `scheme` (IOB1 | IOB2 |
    BIOES); the first word is capitalised, as sentences are. People's names are the first seven
    of each list, or with `unseen` the last three (a test split of names never trained on)."""
    from .schemes import write_scheme

    rng = np.random.default_rng(seed)
    first, last = (FIRST[7:], LAST[7:]) if unseen else (FIRST[:7], LAST[:7])
    sentences = []
    for _ in range(count):
        tokens, spans = [], []
        for piece in str(rng.choice(TEMPLATES)).split():
            if piece.startswith("{"):
                kind = piece.strip("{}")
                if kind == "PER":
                    words = [str(rng.choice(first))] + (
                        [str(rng.choice(last))] if rng.random() < 0.7 else []
                    )
                elif kind == "LOC":
                    words = list(PLACES[rng.integers(len(PLACES))])
                elif kind == "ORG":
                    words = list(ORGS[rng.integers(len(ORGS))])
                else:  # AMB_LOC / AMB_PER
                    words, kind = [str(rng.choice(AMBIGUOUS))], kind.split("_")[1]
                spans.append((len(tokens), len(tokens) + len(words), kind))
                tokens += words
            else:
                tokens.append(piece)
        tokens[0] = tokens[0][:1].upper() + tokens[0][1:]
        sentences.append((tokens, write_scheme(len(tokens), spans, scheme)))
    return sentences

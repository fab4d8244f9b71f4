"""The bar every tagger must clear: each word's most frequent training tag.

Unknown words get the most frequent open-class tag of the training data (UD's open classes: NOUN,
VERB, ADJ, ADV, PROPN, INTJ), or the most frequent tag when the tag set has none of them (NER,
chunks).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

OPEN_CLASSES = ("NOUN", "VERB", "ADJ", "ADV", "PROPN", "INTJ")


class MostFrequentTag:
    def __init__(self, sentences: Iterable[tuple[Sequence[str], Sequence[str]]]):
        by_word: dict[str, Counter] = defaultdict(Counter)
        overall: Counter = Counter()
        for tokens, tags in sentences:
            for token, tag in zip(tokens, tags):
                by_word[token][tag] += 1
                overall[tag] += 1
        # Ties go to the alphabetically first tag, so the baseline is the same run to run.
        self.tag = {
            word: min(counts, key=lambda t: (-counts[t], t)) for word, counts in by_word.items()
        }
        open_counts = Counter({t: n for t, n in overall.items() if t in OPEN_CLASSES}) or overall
        self.unknown = min(open_counts, key=lambda t: (-open_counts[t], t))

    def predict(self, tokens: Sequence[str]) -> list[str]:
        return [self.tag.get(token, self.unknown) for token in tokens]

    def accuracy(self, sentences: Iterable[tuple[Sequence[str], Sequence[str]]]) -> float:
        right = total = 0
        for tokens, tags in sentences:
            right += sum(p == t for p, t in zip(self.predict(tokens), tags))
            total += len(tags)
        return right / total

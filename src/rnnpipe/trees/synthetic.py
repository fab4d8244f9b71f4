"""The trees pipeline's embedded default: small sentiment trees whose labels compose, as SST's do.

Every node has a sentiment score in -2..2, shown as SST's 0-4 label (score + 2):
- a word: good/great/... +1 or +2, dull/awful/... -1 or -2, others (the film, plot, acting) 0;
- (very X): X's score pushed one step further from 0;
- (not X): X's score negated and halved towards 0 (not great = -1, not awful = +1), as in SST;
- (X (and Y)) between adjectives: the sum, clipped; between clauses: the stronger score with the
sum's sign;
- (X (but Y)): Y's score (the clause after "but" decides).
Phrases nest a few levels deep, so a model must compose along the tree. A bag of words cannot tell
"not good , but great" from "good , but not great"; and even a model reading the words in order
cannot tell (not (good (and great))) (-1: negative) from ((not good) (and great)) (+1: positive):
the same words in the same order, told apart by the tree alone, so sequence baselines cannot reach
100% here.
"""

from __future__ import annotations

import numpy as np

from .ptb import Tree

POSITIVE = {"good": 1, "fine": 1, "nice": 1, "great": 2, "superb": 2, "brilliant": 2}
NEGATIVE = {"dull": -1, "weak": -1, "flat": -1, "awful": -2, "terrible": -2, "dreadful": -2}
NOUNS = ["the film", "the plot", "the acting", "the score", "the ending", "the cast"]


def _clip(score: int) -> int:
    return max(-2, min(2, score))


class _Builder:
    """Builds one Tree bottom-up; each method returns (node id, score)."""

    def __init__(self, rng: np.random.Generator):
        self.rng, self.tree = rng, Tree()

    def word(self, text: str, score: int) -> tuple[int, int]:
        return self.tree.add_leaf(text, score + 2), score

    def join(self, left: tuple[int, int], right: tuple[int, int], score: int) -> tuple[int, int]:
        return self.tree.add_inner(left[0], right[0], _clip(score) + 2), _clip(score)

    def adjective(self, depth: int) -> tuple[int, int]:
        roll = self.rng.random()
        if depth > 0 and roll < 0.2:
            very = self.word("very", 0)
            inner = self.adjective(depth - 1)
            return self.join(very, inner, inner[1] + int(np.sign(inner[1])))
        if depth > 0 and roll < 0.45:
            negation = self.word("not", 0)
            inner = self.adjective(depth - 1)
            return self.join(negation, inner, -int(np.sign(inner[1])) * max(1, abs(inner[1]) - 1))
        if depth > 0 and roll < 0.65:  # the scope ambiguity: not (A and B) vs (not A) and B
            first = self.adjective(depth - 1)
            conjunction = self.word("and", 0)
            second = self.adjective(depth - 1)
            return self.join(first, self.join(conjunction, second, second[1]), first[1] + second[1])
        lexicon = POSITIVE if self.rng.random() < 0.5 else NEGATIVE
        word = self.rng.choice(sorted(lexicon))
        return self.word(str(word), lexicon[str(word)])

    def noun_phrase(self) -> tuple[int, int]:
        the, noun = str(self.rng.choice(NOUNS)).split()
        return self.join(self.word(the, 0), self.word(noun, 0), 0)

    def clause(self, depth: int) -> tuple[int, int]:
        subject = self.noun_phrase()
        verb = self.word("is", 0)  # leaves are made left to right: post-order and word order agree
        adjective = self.adjective(depth)
        predicate = self.join(verb, adjective, adjective[1])
        return self.join(subject, predicate, predicate[1])

    def sentence(self, depth: int) -> Tree:
        first = self.clause(depth)
        if self.rng.random() < 0.5:
            self.join(first, self.word(".", 0), first[1])
            return self.tree
        but = self.rng.random() < 0.5
        conjunction = self.word("but" if but else "and", 0)
        second = self.clause(depth)
        joined = self.join(conjunction, second, second[1])
        both = int(np.sign(first[1] + second[1])) * max(abs(first[1]), abs(second[1]))
        self.join(first, joined, second[1] if but else both)
        return self.tree


def synthetic_trees(count: int, seed: int, depth: int = 3) -> list[Tree]:
    rng = np.random.default_rng(seed)
    return [_Builder(rng).sentence(depth) for _ in range(count)]

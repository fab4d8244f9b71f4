"""The embedded default: generated sentence pairs whose labels need word order and negation.

A premise says who does what to whom, possibly negated ("the dog does not chase the cat"). The
hypothesis says it again, actively or passively ("the cat is not chased by the dog"): entailment
when both are negated or neither, contradiction otherwise; with the roles swapped ("the cat
chases the dog") it is neutral. A swapped hypothesis holds exactly the words of an unswapped one,
so a bag of words cannot tell neutral from the rest; nor, with negated premises, contradiction
from entailment. Each sentence comes with its binary parse (SNLI's format), dependency heads and
relation labels, so every encoder runs on the default; `score` is a relatedness in 1..5
(entailment high, contradiction low).
"""

from __future__ import annotations

import numpy as np

NOUNS = ["dog", "cat", "man", "woman", "boy", "girl", "horse", "bird", "child", "teacher"]
VERBS = [  # base, third person, past participle
    ("chase", "chases", "chased"),
    ("see", "sees", "seen"),
    ("follow", "follows", "followed"),
    ("help", "helps", "helped"),
    ("push", "pushes", "pushed"),
    ("watch", "watches", "watched"),
    ("carry", "carries", "carried"),
    ("find", "finds", "found"),
]
SCORES = {"entailment": 4.6, "neutral": 3.0, "contradiction": 2.0}


def sentence(agent: str, verb: tuple, patient: str, negated: bool, passive: bool):
    """(tokens, binary parse, dependency heads, relation labels) of one sentence."""
    base, third, participle = verb
    if passive:
        # the P is [not] V-ed by the A
        tokens = ["the", patient, "is"] + ["not"] * negated + [participle, "by", "the", agent]
        by = f"( {participle} ( by ( the {agent} ) ) )"
        verb_phrase = f"( is ( not {by} ) )" if negated else f"( is {by} )"
        parse = f"( ( the {patient} ) {verb_phrase} )"
        root = 5 if negated else 4
        heads = [2, root, root] + [root] * negated + [0, root + 3, root + 3, root]
        relations = ["det", "nsubjpass", "auxpass"] + ["neg"] * negated
        relations += ["root", "case", "det", "nmod:agent"]
    else:
        # the A does not V the P | the A Vs the P
        if negated:
            tokens = ["the", agent, "does", "not", base, "the", patient]
            parse = f"( ( the {agent} ) ( does ( not ( {base} ( the {patient} ) ) ) ) )"
            heads = [2, 5, 5, 5, 0, 7, 5]
            relations = ["det", "nsubj", "aux", "neg", "root", "det", "dobj"]
        else:
            tokens = ["the", agent, third, "the", patient]
            parse = f"( ( the {agent} ) ( {third} ( the {patient} ) ) )"
            heads = [2, 3, 0, 5, 3]
            relations = ["det", "nsubj", "root", "det", "dobj"]
    return tokens, parse, heads, relations


def synthetic_pairs(count: int, seed: int) -> list[dict]:
    """`count` pairs as SNLI-format rows (with sentence{1,2}_heads and score)."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(count):
        agent, patient = rng.choice(NOUNS, size=2, replace=False)
        verb = VERBS[int(rng.integers(len(VERBS)))]
        negated_premise = bool(rng.random() < 0.3)
        kind = rng.choice(["same", "same", "swapped"])
        negated = bool(rng.random() < 0.5)
        passive = bool(rng.random() < 0.5)
        if kind == "swapped":
            label = "neutral"
            hypothesis = sentence(patient, verb, agent, negated, passive)
        else:
            label = "entailment" if negated == negated_premise else "contradiction"
            hypothesis = sentence(agent, verb, patient, negated, passive)
        premise = sentence(agent, verb, patient, negated_premise, False)
        score = float(np.clip(SCORES[label] + rng.uniform(-0.4, 0.4), 1.0, 5.0))
        rows.append(
            {
                "gold_label": label,
                "sentence1": " ".join(premise[0]),
                "sentence2": " ".join(hypothesis[0]),
                "sentence1_binary_parse": premise[1],
                "sentence2_binary_parse": hypothesis[1],
                "sentence1_heads": premise[2],
                "sentence2_heads": hypothesis[2],
                "sentence1_relations": premise[3],
                "sentence2_relations": hypothesis[3],
                "score": round(score, 2),
            }
        )
    return rows

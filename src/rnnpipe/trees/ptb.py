"""Bracketed (PTB-style) trees, as the Stanford Sentiment Treebank writes them, read into flat node
lists.

    (3 (2 The) (4 (3 gorgeously) (2 elaborate)))

A bracket holds an optional integer label, then either one word (a leaf) or one or more subtrees; a
bracket of several plain words is a node over those words (user trees may leave labels out, inner
nodes included). Trees are made binary on the way in: a node with more than two children becomes a
right-branching chain of unlabeled nodes, and a node with a single subtree is merged with it
(keeping the outer label, the one given to the whole span).

A `Tree` lists its nodes in post-order (children before their parent, the root last): the order a
shift-reduce parser visits them, so a leaf is a SHIFT and an inner node a REDUCE.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from ..core.errors import DataError

UNLABELED = -1
TOKEN = re.compile(r"\(|\)|[^\s()]+")


@dataclass
class Tree:
    """Nodes in post-order: `left`/`right` child node indices (-1 at leaves), `word` the leaf's
    position in `words` (-1 at inner nodes), `label` (UNLABELED if none). `line` is the tree's
    line in its file."""

    words: list[str] = field(default_factory=list)
    left: list[int] = field(default_factory=list)
    right: list[int] = field(default_factory=list)
    word: list[int] = field(default_factory=list)
    label: list[int] = field(default_factory=list)
    line: int = 0

    def add_leaf(self, text: str, label: int) -> int:
        self.words.append(text)
        return self._add(-1, -1, len(self.words) - 1, label)

    def add_inner(self, left: int, right: int, label: int) -> int:
        return self._add(left, right, -1, label)

    def _add(self, left: int, right: int, word: int, label: int) -> int:
        self.left.append(left)
        self.right.append(right)
        self.word.append(word)
        self.label.append(label)
        return len(self.label) - 1

    @property
    def root_label(self) -> int:
        return self.label[-1]

    def heights(self) -> list[int]:
        """Per node: 0 at leaves, else 1 + the taller child's height (children come first in
        post-order)."""
        height = []
        for left, right in zip(self.left, self.right):
            height.append(0 if left < 0 else 1 + max(height[left], height[right]))
        return height

    def parents(self) -> list[int]:
        """Per node: its parent node, -1 at the root."""
        parent = [-1] * len(self.left)
        for node, (left, right) in enumerate(zip(self.left, self.right)):
            if left >= 0:
                parent[left] = parent[right] = node
        return parent

    def subtree(self, node: int) -> Tree:
        """The phrase under `node` as a tree of its own. In post-order a subtree's nodes are
        contiguous and end at its root, so it is a slice with shifted indices."""
        sizes: list[int] = []
        for left, right in zip(self.left[: node + 1], self.right[: node + 1]):
            sizes.append(1 if left < 0 else 1 + sizes[left] + sizes[right])
        start = node - sizes[node] + 1
        words = [w for w in self.word[start : node + 1] if w >= 0]
        first = words[0]
        moved = (
            shift_indices(ids[start : node + 1], -by).tolist()
            for ids, by in ((self.left, start), (self.right, start), (self.word, first))
        )
        return Tree(
            self.words[first : words[-1] + 1], *moved, self.label[start : node + 1], self.line
        )

    def to_text(self) -> str:
        """The tree in bracketed form (parse_tree reads it back to the same nodes)."""
        texts: list[str] = []
        for left, right, word, label in zip(self.left, self.right, self.word, self.label):
            head = "(" if label == UNLABELED else f"({label} "
            body = self.words[word] if left < 0 else f"{texts[left]} {texts[right]}"
            texts.append(f"{head}{body})")
        return texts[-1]

    def transitions(self) -> list[int]:
        """SPINN's shift (0) / reduce (1) sequence: 2n - 1 transitions for n words."""
        return [0 if left < 0 else 1 for left in self.left]

    @cached_property
    def stack_pointers(self) -> np.ndarray:
        """[nodes, 3]: before transition t (node t in post-order), the stack's top and second nodes
        and the buffer's next word (its leaf node); -1 where there is none. What SPINN's tracker
        reads.

        Transition t - 1 has just pushed node t - 1, so it is the top; below it lies whatever was
        the top before its subtree began: the node before the subtree's first node. A REDUCE's
        (second, top) are therefore its (left, right) children (tests/trees/test_ptb.py checks it
        on every tree)."""
        first: list[int] = []  # each node's subtree's first node in post-order
        for node, left in enumerate(self.left):
            first.append(node if left < 0 else first[left])
        leaves = [node for node, left in enumerate(self.left) if left < 0]
        pointers = np.full((len(self.left), 3), -1, dtype=np.int64)
        shifted = 0
        for t in range(len(self.left)):
            if t:
                pointers[t, 0], pointers[t, 1] = t - 1, first[t - 1] - 1
            while shifted < len(leaves) and leaves[shifted] < t:
                shifted += 1
            if shifted < len(leaves):
                pointers[t, 2] = leaves[shifted]
        return pointers


def shift_indices(ids: list[int], by: int) -> np.ndarray:
    """Node or word indices moved `by` places; -1 (none) stays -1."""
    ids = np.asarray(ids, dtype=np.int64)
    return np.where(ids >= 0, ids + by, -1)


def _label(token: str, labels: range, where: str) -> int | None:
    """The integer label `token` spells, None if it is a word; DataError if outside `labels`."""
    if not re.fullmatch(r"-?\d+", token):
        return None
    value = int(token)
    if value not in labels:
        raise DataError(
            f"{where}: label {value} is outside the declared labels "
            f"{labels.start}..{labels.stop - 1}."
        )
    return value


def parse_tree(text: str, labels: range = range(5), where: str = "tree") -> Tree:
    """One bracketed tree; DataError naming `where` (file:line) for unbalanced brackets, an empty
    node, a label outside `labels`, or text outside the brackets."""
    tokens = TOKEN.findall(text)
    if not tokens or tokens[0] != "(":
        raise DataError(f"{where}: a tree starts with '(' (got {text.strip()[:40]!r}).")
    tree = Tree()
    # Each open bracket: [label or None, child node ids, words seen directly inside it].
    stack: list[list] = []
    for position, token in enumerate(tokens):
        if token == "(":
            if position and not stack:
                raise DataError(
                    f"{where}: text after the tree's closing bracket (a second tree on one line?)."
                )
            stack.append([None, [], []])
        elif token == ")":
            if not stack:
                raise DataError(f"{where}: unbalanced brackets: a ')' closes nothing.")
            node = _close(tree, *stack.pop(), where)
            if stack:
                stack[-1][1].append(node)
        else:
            if not stack:
                raise DataError(f"{where}: text after the tree's closing bracket: {token!r}.")
            frame = stack[-1]
            label = (
                _label(token, labels, where)
                if not frame[1] and not frame[2] and frame[0] is None
                else None
            )
            if label is not None:
                frame[0] = label
            else:
                frame[2].append(token)
    if stack:
        raise DataError(
            f"{where}: unbalanced brackets: {len(stack)} '(' left open at the end of the line."
        )
    return tree


def _close(tree: Tree, label: int | None, children: list[int], words: list[str], where: str) -> int:
    label = UNLABELED if label is None else label
    if words and children:
        raise DataError(
            f"{where}: a node holds both words ({' '.join(words[:3])}) and subtrees; put each word "
            f"in its own bracket."
        )
    if words:
        nodes = [tree.add_leaf(word, label if len(words) == 1 else UNLABELED) for word in words]
    elif children:
        nodes = children
    else:
        raise DataError(f"{where}: a node with no children and no word ('()' or a label alone).")
    if len(nodes) == 1:
        if label != UNLABELED:  # a unary chain keeps the outer label
            tree.label[nodes[0]] = label
        return nodes[0]
    right = nodes[-1]
    for left in reversed(nodes[1:-1]):  # right-branching: (a (b (c d)))
        right = tree.add_inner(left, right, UNLABELED)
    return tree.add_inner(nodes[0], right, label)


def parse_unlabeled(text: str, where: str = "tree") -> Tree:
    """An unlabeled bracketed parse as SNLI and MultiNLI give it (`sentence1_binary_parse`):
    every token but a bracket is a word (digits too: there are no labels), and a bracket may hold
    words and subtrees side by side, `( to ( go packages ) )`. A bracket of more than two parts
    is made right-branching, of one part merged with it. DataError naming `where` for unbalanced
    brackets or an empty bracket."""
    tree = Tree()
    stack: list[list[int]] = []  # per open bracket: its parts' node ids, in order
    done = None
    for token in TOKEN.findall(text):
        if done is not None:
            raise DataError(f"{where}: text after the parse's closing bracket: {token!r}.")
        if token == "(":
            stack.append([])
        elif token == ")":
            if not stack:
                raise DataError(f"{where}: unbalanced brackets: a ')' closes nothing.")
            parts = stack.pop()
            if not parts:
                raise DataError(f"{where}: an empty bracket '( )'.")
            node = parts[-1]
            for left in reversed(parts[:-1]):
                node = tree.add_inner(left, node, UNLABELED)
            if stack:
                stack[-1].append(node)
            else:
                done = node
        elif stack:
            stack[-1].append(tree.add_leaf(token, UNLABELED))
        else:
            raise DataError(f"{where}: a parse starts with '(' (got {text.strip()[:40]!r}).")
    if stack or done is None:
        raise DataError(
            f"{where}: unbalanced brackets: {len(stack)} '(' left open at the end of the parse."
        )
    return tree

"""Paragraph identifiers that survive edits: a paragraph's anchor (#p3.4) is kept from
the release the build updates, so a link or a citation made to one version still lands
on the same words after a paragraph is inserted, moved, reworded or deleted above it.

Numbers (¶3.5) are still counted from the document's structure; only the anchors are
kept. Without a previous release an anchor is "p" + the number, as it always was. With
one, each current paragraph is matched to a released one:

- by its words: the same text keeps its identifier, wherever it now stands (duplicates
  pair in order);
- by its place and likeness: between two paragraphs matched in order, a paragraph that
  lost its match pairs with a released one of the same gap whose words are at least
  half alike (a reworded paragraph);
- else it is new, and gets "p" + its number, or with a letter after it ("p3.4a") when
  that identifier was ever given out: a deleted paragraph's anchor is never reused, so
  an old link fails plainly instead of pointing at other words.

Matching costs time linear in the paragraphs, plus at most CELLS alignment cells and WORK
words compared for likeness, whatever a release record holds: past that, paragraphs are
new and the released ones retired. Pure Python, no Pandoc: it reads and numbers the JSON
AST's paragraphs only.
"""

from __future__ import annotations

import bisect
import itertools
import re
import string
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

from briefing.model.releases import Edition

WORD_RE = re.compile(r"\w+")
LIKE = 0.5    # word similarity from which a reworded paragraph keeps its identifier
BAND = 40     # a paragraph is compared with released ones this far from its place only
# What matching reworded paragraphs may cost, all gaps of an edition together: the
# alignment's tables (current × released paragraphs of a gap) and the words compared for
# likeness (difflib's ratio is quadratic in the words). A gap past the first, or a pair
# past the second, is not aligned: its paragraphs are new and the released ones retired.
# Far above a real briefing's (gaps of a few paragraphs); a crafted record of 16,000
# paragraphs against a chapter of 16,000 took 112 s and 4.3 GB before (review #9).
CELLS = 1_000_000
WORK = 20_000_000
TEXT_KINDS = {"Str", "Code", "Math"}
BREAKS = {"Space", "SoftBreak", "LineBreak"}


def text_of(block: object) -> str:
    """A numbered paragraph's words, to match it across versions: lowercased word tokens
    of its text, one space apart, without its notes (which move and change on their own)
    and without its ¶ number."""
    return " ".join(WORD_RE.findall("".join(_words(block)).lower()))


def _words(node: object) -> Iterator[str]:
    if isinstance(node, list):
        for value in node:
            yield from _words(value)
    elif isinstance(node, dict):
        kind, content = node.get("t"), node.get("c")
        if kind == "Note" or (kind == "Span" and "pnum" in node["c"][0][1]):
            return
        if kind in BREAKS:
            yield " "
        elif kind in TEXT_KINDS:
            yield content if isinstance(content, str) else str(node["c"][-1])
        else:
            yield from _words(content)


def assign(current: list[tuple[str, str]], previous: Edition | None
           ) -> tuple[list[str], list[str]]:
    """The identifier of each current paragraph ((label, text) in order), and the
    identifiers retired from now on."""
    if previous is None:
        return [f"p{label}" for label, _ in current], []
    old = previous.paragraphs
    ids: list[str | None] = [None] * len(current)
    pairs = _same_text([text for _, text in current], [p.text for p in old])
    for i, j in pairs:
        ids[i] = old[j].id
    for i, j in _alike(current, [p.text for p in old], pairs):
        ids[i] = old[j].id
    given = {p.id for p in old} | set(previous.retired)
    final = _fresh(current, ids, given)
    retired = sorted(set(previous.retired) | ({p.id for p in old} - set(final)))
    return final, retired


def _same_text(current: list[str], old: list[str]) -> list[tuple[int, int]]:
    """(current, released) index pairs of the same text; the n-th copy of a text pairs
    with its n-th released copy."""
    queues: dict[str, deque[int]] = {}
    for j, text in enumerate(old):
        queues.setdefault(text, deque()).append(j)
    pairs = []
    for i, text in enumerate(current):
        queue = queues.get(text)
        if queue:
            pairs.append((i, queue.popleft()))
    return pairs


def _in_order(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of pairs in the same order in both versions (the paragraphs that
    did not move): the fixed points the gaps between them are aligned by."""
    tails: list[int] = []     # the released index ending the best run of each length
    ends: list[int] = []      # which pair that is
    before: list[int] = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):  # pairs come in current order
        at = bisect.bisect_left(tails, j)
        before[k] = ends[at - 1] if at else -1
        if at == len(tails):
            tails.append(j)
            ends.append(k)
        else:
            tails[at], ends[at] = j, k
    run, k = [], ends[-1] if ends else -1
    while k >= 0:
        run.append(pairs[k])
        k = before[k]
    return run[::-1]


@dataclass
class _Budget:
    cells: int
    work: int


def _alike(current: list[tuple[str, str]], old: list[str], pairs: list[tuple[int, int]]
           ) -> list[tuple[int, int]]:
    """Pairs of an unmatched current and an unmatched released paragraph in the same gap
    between fixed points, whose words are alike enough (within the _Budget)."""
    matched_now = {i for i, _ in pairs}
    matched_old = {j for _, j in pairs}
    found = []
    budget = _Budget(CELLS, WORK)
    fixed = [(-1, -1), *_in_order(pairs), (len(current), len(old))]
    for (a, b), (c, d) in itertools.pairwise(fixed):
        now = [i for i in range(a + 1, c) if i not in matched_now]
        then = [j for j in range(b + 1, d) if j not in matched_old]
        if now and then and len(now) * len(then) <= budget.cells:
            budget.cells -= len(now) * len(then)
            words_now = [current[i][1].split() for i in now]
            words_then = [old[j].split() for j in then]
            found += [(now[x], then[y]) for x, y in _align(words_now, words_then, budget)]
    return found


def _similarity(a: list[str], b: list[str], budget: _Budget) -> float:
    """The words' likeness, or 0 below LIKE (the cheap upper bounds first), or once the
    budget is spent."""
    budget.work -= len(a) + len(b)
    if budget.work < 0:
        return 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < LIKE or matcher.quick_ratio() < LIKE:
        return 0.0
    budget.work -= len(a) * len(b)
    if budget.work < 0:
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= LIKE else 0.0


def _align(now: list[list[str]], then: list[list[str]], budget: _Budget
           ) -> list[tuple[int, int]]:
    """The pairs, in order in both lists, of the greatest total likeness (each at least
    LIKE): an inserted paragraph next to a reworded one does not take its identifier."""
    n, m = len(now), len(then)
    like = [[_similarity(now[x], then[y], budget) if abs(x * m - y * n) <= BAND * max(n, m)
             else 0.0 for y in range(m)] for x in range(n)]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for x in range(n - 1, -1, -1):
        for y in range(m - 1, -1, -1):
            paired = like[x][y] + best[x + 1][y + 1] if like[x][y] else 0.0
            best[x][y] = max(paired, best[x + 1][y], best[x][y + 1])
    pairs, x, y = [], 0, 0
    while x < n and y < m:
        if like[x][y] and best[x][y] == like[x][y] + best[x + 1][y + 1]:
            pairs.append((x, y))
            x, y = x + 1, y + 1
        elif best[x][y] == best[x + 1][y]:
            x += 1
        else:
            y += 1
    return pairs


def _fresh(current: list[tuple[str, str]], ids: list[str | None], given: set[str]
           ) -> list[str]:
    """Every paragraph's identifier: the kept ones, and a new one for the rest, "p" +
    its number, or with the first letter that makes it one never given out."""
    taken = set(given)
    kept: set[str] = set()
    for k, ident in enumerate(ids):
        if ident is not None and ident in kept:  # a record naming one twice: new, not shared
            ids[k] = None
        elif ident is not None:
            kept.add(ident)
    taken |= kept
    final = []
    for (label, _), ident in zip(current, ids, strict=True):
        if ident is None:
            ident = next(f"p{label}{suffix}" for suffix in _suffixes()
                         if f"p{label}{suffix}" not in taken)
            taken.add(ident)
        final.append(ident)
    return final


def _suffixes() -> Iterator[str]:
    """"", "a" ... "z", "aa", "ab" ...: the letters after a number already given out."""
    yield ""
    for size in itertools.count(1):
        for letters in itertools.product(string.ascii_lowercase, repeat=size):
            yield "".join(letters)

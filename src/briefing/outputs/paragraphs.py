"""Paragraph numbers that are their own identifiers, kept across releases.

What a reader sees printed (¶2.7), the anchor (#p2.7) and the citation are one thing.
As in legislation, a paragraph keeps its number from the release the build updates:

- a paragraph is matched to a released one by its words (the same text, wherever it
  now stands; duplicates pair in order), else by its place and likeness (between two
  matched paragraphs, one whose words are at least half alike: a reworded paragraph);
- a matched paragraph keeps its printed number; a new one gets the number before it
  plus a letter (¶2.7a, then ¶2.7b; at the top of a chapter ¶3.0a), never one given out
  in an earlier release, so a deleted paragraph leaves a gap that is never filled and an
  old citation fails plainly instead of pointing at other words; a new chapter's
  paragraphs take their chapter's numbers when those were never given out;
- only `briefing release VERSION --renumber` numbers again from the document's
  structure; each paragraph then records the one it continues (`was`), and every number a
  paragraph had in an earlier release, where it differs from today's, stays an anchor of
  its own, `v<version>-p<number>`, which cannot be taken for a paragraph number.

Without a release before, a paragraph's number is its place: ¶<chapter>.<n>.
Pure Python, no Pandoc: it reads and numbers the JSON AST's paragraphs only. What
matching costs is bounded (CELLS, WORK): past it, paragraphs are new and the released
ones retired.
"""

from __future__ import annotations

import bisect
import itertools
import re
import string
from collections import deque
from collections.abc import Iterator, Set
from dataclasses import dataclass
from difflib import SequenceMatcher

from briefing.model.releases import Edition, Paragraph, Release

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


def plain_text(block: object) -> str:
    """A numbered paragraph's text as a reader reads it, without its notes, citations and
    ¶ number: what a release records, and (its words) what matching compares."""
    return tidy("".join(_words(block)))


def tidy(text: str) -> str:
    """Runs of white space one space, and none left before punctuation where a citation
    or a note was taken out ("the system ." -> "the system.")."""
    return re.sub(r" ([.,;:!?)\]])", r"\1", " ".join(text.split()))


def words(text: str) -> str:
    """A text's lower-cased word tokens, one space apart: what matching compares (a
    format-1 record holds only these)."""
    return " ".join(WORD_RE.findall(text.lower()))


def text_of(block: object) -> str:
    """A numbered paragraph's words (see `words`)."""
    return words(plain_text(block))


def _words(node: object) -> Iterator[str]:
    if isinstance(node, list):
        for value in node:
            yield from _words(value)
    elif isinstance(node, dict):
        kind, content = node.get("t"), node.get("c")
        # Not its notes (they move and change on their own), its citations (read before
        # citeproc prints them: a record would hold "[@key, para. 2]"), its ¶ number.
        if kind in ("Note", "Cite") or (
                kind == "Span" and {"pnum", "pnum-alias"} & set(node["c"][0][1])):
            return
        if kind in BREAKS:
            yield " "
        elif kind in TEXT_KINDS:
            yield content if isinstance(content, str) else str(node["c"][-1])
        else:
            yield from _words(content)


@dataclass(frozen=True)
class Numbered:
    """One numbered paragraph of this build: its printed number, its anchor ("p" + the
    number), the identifier of the released paragraph it continues, and its text."""

    label: str
    id: str
    was: str | None
    text: str

    def record(self) -> Paragraph:
        return Paragraph(id=self.id, label=self.label, text=self.text, was=self.was)


def assign(current: list[tuple[str, str]], previous: Edition | None,
           given: Set[str] = frozenset(), renumber: bool = False
           ) -> tuple[list[Numbered], list[str]]:
    """Each current paragraph ((number by place, plain text) in order) numbered, and the
    identifiers retired from now on. `given`: every number given out in a release since
    the last renumbering (never given again); `renumber`: number by place, recording
    which released paragraph each continues."""
    if previous is None:
        return [Numbered(label, f"p{label}", None, text) for label, text in current], []
    old = previous.paragraphs
    now_words = [words(text) for _, text in current]
    then_words = [words(p.text) for p in old]
    match: list[int | None] = [None] * len(current)
    pairs = _same_text(now_words, then_words)
    pairs += _alike(list(zip([label for label, _ in current], now_words, strict=True)),
                    then_words, pairs)
    seen: set[str] = set()
    for i, j in sorted(pairs):
        if old[j].label not in seen and old[j].id not in seen:  # a crafted record naming
            match[i] = j                                         # one twice: new, not shared
            seen |= {old[j].label, old[j].id}
    if renumber:
        labels = [label for label, _ in current]
    else:
        ever = set(given) | {p.label for p in old} | {p.id[1:] for p in old} | {
            ident[1:] for ident in previous.retired}
        labels = _labels(current, [old[j].label if j is not None else None for j in match],
                         ever)
    numbered = [Numbered(label, f"p{label}", old[j].id if j is not None else None, text)
                for label, j, (_, text) in zip(labels, match, current, strict=True)]
    kept = {n.was for n in numbered}
    retired = [] if renumber else sorted(set(previous.retired)
                                         | ({p.id for p in old} - kept))
    return numbered, retired


def _labels(current: list[tuple[str, str]], kept: list[str | None], given: set[str]
            ) -> list[str]:
    """The printed numbers: the kept ones; for a new paragraph its number by place if that
    was never given out and falls in order between its neighbours, else the number
    before it with the first letters that were never given out and fall in order (2.7a,
    2.7b; 2.7aa between 2.7a and 2.7b; at the top of a chapter 3.0a)."""
    taken = given | {label for label in kept if label is not None}
    chapters = [place.split(".")[0] for place, _ in current]
    after: list[str | None] = [None] * len(current)  # the next kept number in the chapter
    for k in range(len(current) - 2, -1, -1):
        if chapters[k] == chapters[k + 1]:
            after[k] = kept[k + 1] if kept[k + 1] is not None else after[k + 1]
    labels: list[str] = []
    base = ""  # the number a run of new paragraphs takes its letters from
    for k, (place, _) in enumerate(current):
        if kept[k] is not None:
            labels.append(kept[k])  # type: ignore[arg-type]
            base = labels[-1]
            continue
        before = labels[-1] if labels else None
        if k == 0 or (chapters[k - 1] != chapters[k] and after[k] is not None):
            before = None  # a chapter's first paragraph, with kept ones after it
            base = f"{(after[k] or place).split('.')[0]}.0"
        if place not in taken and _between(before, place, after[k]):
            label = base = place
        else:
            label = _letters(base, before, after[k], taken)
        taken.add(label)
        labels.append(label)
    return labels


LABEL_RE = re.compile(r"^(\d+)\.(\d+)([a-z]*)$")


def _key(label: str) -> tuple[int, int, str]:
    found = LABEL_RE.match(label)
    return (int(found[1]), int(found[2]), found[3]) if found else (-1, -1, label)


def _between(before: str | None, label: str, after: str | None) -> bool:
    return (before is None or _key(before) < _key(label)) and (
        after is None or _key(label) < _key(after))


def _letters(base: str, before: str | None, after: str | None, taken: set[str]) -> str:
    """`base` with the first letters never given out that sort after `before` and before
    `after`; if there is no room (2.7 and 2.7a kept next to each other), the first never
    given out."""
    for count, suffix in enumerate(_suffixes()):
        if count > 26 + 26 * 26:
            break
        if suffix and base + suffix not in taken and _between(before, base + suffix, after):
            return base + suffix
    return next(base + s for s in _suffixes() if s and base + s not in taken)


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


def _suffixes() -> Iterator[str]:
    """"", "a" ... "z", "aa", "ab" ...: the letters after a number already given out."""
    yield ""
    for size in itertools.count(1):
        for letters in itertools.product(string.ascii_lowercase, repeat=size):
            yield "".join(letters)


# --- Across releases: the numbers given out, the numbers a paragraph had, where one went --

def _fmt2(release: Release) -> bool:
    """Whether a record's paragraphs say which one each continues (`was`); in format 1 a
    kept paragraph kept its anchor."""
    return release.record.format >= 2


def _edition(release: Release, edition: str) -> Edition:
    return release.record.editions.get(edition) or Edition()


def given(history: list[Release], edition: str) -> set[str]:
    """Every number (and anchor, without its "p") given out in the releases since the
    last renumbering: never given to another paragraph."""
    found: set[str] = set()
    for release in history:
        if release.record.renumbered:
            found = set()
        ed = _edition(release, edition)
        found |= {p.label for p in ed.paragraphs} | {p.id[1:] for p in ed.paragraphs}
        found |= {ident[1:] for ident in ed.retired}
    return found


def _before(release: Release, paragraph: Paragraph) -> str | None:
    """The anchor, in the release before, of the paragraph this one continues."""
    return paragraph.was if _fmt2(release) else paragraph.id


def aliases(history: list[Release], edition: str, numbered: list[Numbered]) -> list[list[str]]:
    """For each paragraph, an anchor for every number it had in an earlier release that
    differs from today's: `v<version>-p<number>` (history: the releases before this
    version, oldest first)."""
    releases = [(r, {p.id: p for p in _edition(r, edition).paragraphs}) for r in history]
    found: list[list[str]] = []
    for paragraph in numbered:
        names: list[str] = []
        pointer = paragraph.was
        for release, by_id in reversed(releases):
            then = by_id.get(pointer) if pointer is not None else None
            if then is None:
                break
            name = f"v{release.version}-p{then.label}"
            if then.label != paragraph.label and name not in names:
                names.append(name)
            pointer = _before(release, then)
        found.append(names)
    return found


@dataclass(frozen=True)
class Whereabouts:
    """Where a paragraph of a release is in a later version: its number there, or the
    version it was deleted in."""

    version: str
    label: str | None  # None: deleted in `version`


def follow(history: list[Release], edition: str, version: str, label: str,
           current: tuple[str, list[Numbered]] | None = None) -> Whereabouts | None:
    """¶label of release `version` followed through every later release and, if given,
    the working tree (its version, its paragraphs); None if that release had no such
    paragraph."""
    start = next((k for k, r in enumerate(history) if r.version == version), None)
    if start is None:
        return None
    paragraph = next((p for p in _edition(history[start], edition).paragraphs
                      if p.label == label), None)
    if paragraph is None:
        return None
    ident, where = paragraph.id, Whereabouts(version, label)
    for release in history[start + 1:]:
        after = next((p for p in _edition(release, edition).paragraphs
                      if _before(release, p) == ident), None)
        if after is None:
            return Whereabouts(release.version, None)
        ident, where = after.id, Whereabouts(release.version, after.label)
    if current is not None and current[0] != where.version:
        now = next((p for p in current[1] if p.was == ident), None)
        return Whereabouts(current[0], now.label if now else None)
    return where

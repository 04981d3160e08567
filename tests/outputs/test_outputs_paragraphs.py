"""The paragraph matcher is bounded (review #9): whatever a release record holds, matching
this build's paragraphs to it costs at most CELLS alignment cells and WORK words compared;
past that, paragraphs are new and the released ones retired. Pure Python, in-process:
the bound is counted, not timed."""

from __future__ import annotations

import random

import pytest

from briefing.model.releases import Edition, Paragraph
from briefing.outputs import paragraphs


class Spent:
    """What the matcher spent: the cells of each alignment table, the pairs compared, and
    difflib's ratios computed (each quadratic in the words)."""

    def __init__(self, monkeypatch):
        self.tables: list[int] = []
        self.compared = self.ratios = 0
        align, similarity = paragraphs._align, paragraphs._similarity
        spent = self

        def counted_align(now, then, budget):
            self.tables.append(len(now) * len(then))
            return align(now, then, budget)

        def counted_similarity(a, b, budget):
            self.compared += 1
            return similarity(a, b, budget)

        class Matcher(paragraphs.SequenceMatcher):
            def ratio(self):
                spent.ratios += 1
                return super().ratio()

        monkeypatch.setattr(paragraphs, "_align", counted_align)
        monkeypatch.setattr(paragraphs, "_similarity", counted_similarity)
        monkeypatch.setattr(paragraphs, "SequenceMatcher", Matcher)


def _random(count: int, seed: int, words: int = 8, vocabulary: int = 5000) -> list[str]:
    rnd = random.Random(seed)
    found = [f"w{i}" for i in range(vocabulary)]
    return [" ".join(rnd.choice(found) for _ in range(words)) for _ in range(count)]


def _record(items: list[tuple[str, str]]) -> Edition:
    return Edition(paragraphs=[Paragraph(id=i, label=i[1:], text=t) for i, t in items])


def test_16000_released_against_16000_current_paragraphs_is_bounded(monkeypatch):
    """The review's case: before, two full 16,000 × 16,000 tables (112 s, 4.3 GB). Now the
    one gap is past CELLS: no table at all, every paragraph new, every released one
    retired."""
    spent = Spent(monkeypatch)
    record = _record([(f"p1.{i}", t) for i, t in enumerate(_random(16_000, 1), 1)])
    current = [(f"2.{i}", t) for i, t in enumerate(_random(16_000, 2), 1)]
    numbered, retired = paragraphs.assign(current, record)
    assert (spent.tables, spent.compared) == ([], 0)
    assert [n.id for n in numbered] == [f"p2.{i}" for i in range(1, 16_001)]
    assert len(retired) == 16_000


def test_gaps_are_aligned_until_the_cells_are_spent(monkeypatch):
    """200 gaps of 10 reworded paragraphs between paragraphs kept as they were: with CELLS
    at 2,000, the first 20 gaps are aligned (their reworded paragraphs keep their
    identifiers), the rest are not (theirs are new)."""
    monkeypatch.setattr(paragraphs, "CELLS", 2_000)
    spent = Spent(monkeypatch)
    kept, old = _random(200, 3), _random(2000, 4)
    released, current = [], []
    for g in range(200):
        released.append((f"p{g}.0", kept[g]))
        current.append(kept[g])
        for k in range(10):
            released.append((f"p{g}.{k + 1}", old[g * 10 + k]))
            current.append(old[g * 10 + k].rsplit(" ", 1)[0] + " changed")  # 7 of 8 words
    numbered, _ = paragraphs.assign([(f"{n}.1", t) for n, t in enumerate(current, 1)],
                                    _record(released))
    assert spent.tables == [100] * 20
    was = [n.was for n in numbered]
    assert was[:11] == [f"p0.{k}" for k in range(11)]  # aligned: each kept its number
    assert was[20 * 11:20 * 11 + 11] == ["p20.0", *([None] * 10)]  # past the budget: new


@pytest.mark.parametrize("words", [200, 2_000])
def test_difflib_is_asked_only_what_the_word_budget_allows(monkeypatch, words):
    """Paragraphs alike enough to pass difflib's cheap bounds: each ratio is charged
    words × words against WORK (here 1,000,000), so at most WORK // words² are computed
    (25 for 200 words, none for 2,000), however many pairs there are."""
    monkeypatch.setattr(paragraphs, "WORK", 1_000_000)
    spent = Spent(monkeypatch)
    texts = _random(60, 5, words=words, vocabulary=20)
    numbered, _ = paragraphs.assign([(f"{i}.1", t) for i, t in enumerate(texts[30:])],
                                    _record([(f"p{i}", t) for i, t in enumerate(texts[:30])]))
    assert len(numbered) == 30 and spent.compared == 30 * 30
    assert spent.ratios <= 1_000_000 // words ** 2
    assert spent.ratios > 0 if words == 200 else spent.ratios == 0

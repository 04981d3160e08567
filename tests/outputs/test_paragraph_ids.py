"""Paragraph numbers kept across releases (outputs/paragraphs.py): the number printed is
the anchor; the same words keep their number wherever they move, a reworded paragraph
keeps it, a new one gets the number before it and a letter, a deleted one's is never given
out again, and only a renumbering numbers by place. Pure Python, no Pandoc."""

from __future__ import annotations

import re

import pytest

from briefing.model.releases import Edition, Paragraph, Record, Release
from briefing.outputs import ast
from briefing.outputs.html import cite_paragraphs, paragraph_citation
from briefing.outputs.paragraphs import Whereabouts, aliases, assign, follow, given, text_of

A = "The state scores companies on their records."
B = "Newspapers mixed up two different systems."
C = "The government says the aim is trust."
D = "Local pilots scored citizens for a while."


def released(*items: tuple[str, str, str], retired: tuple[str, ...] = ()) -> Edition:
    return Edition(paragraphs=[Paragraph(id=i, label=label, text=text)
                               for i, label, text in items], retired=list(retired))


BEFORE = released(("p1.1", "1.1", A), ("p1.2", "1.2", B), ("p1.3", "1.3", C))


def labels(current, before=BEFORE, **options) -> list[str]:
    numbered, _ = assign(current, before, **options)
    assert all(n.id == f"p{n.label}" for n in numbered)  # the anchor is the number
    return [n.label for n in numbered]


def test_without_a_release_the_number_is_the_place():
    numbered, retired = assign([("1.1", A), ("1.2", B), ("2.1", C)], None)
    assert [(n.label, n.id, n.was) for n in numbered] == [
        ("1.1", "p1.1", None), ("1.2", "p1.2", None), ("2.1", "p2.1", None)]
    assert retired == []


def test_a_paragraph_inserted_above_leaves_the_others_their_numbers():
    numbered, retired = assign([("1.1", D), ("1.2", A), ("1.3", B), ("1.4", C)], BEFORE)
    assert [n.label for n in numbered] == ["1.0a", "1.1", "1.2", "1.3"]
    assert [n.was for n in numbered] == [None, "p1.1", "p1.2", "p1.3"]
    assert retired == []


def test_a_paragraph_inserted_between_gets_the_number_before_it_and_a_letter():
    assert labels([("1.1", A), ("1.2", D), ("1.3", B), ("1.4", C)]) == ["1.1", "1.1a", "1.2",
                                                                        "1.3"]
    assert labels([("1.1", A), ("1.2", D), ("1.3", D + " Two."), ("1.4", B)]) == [
        "1.1", "1.1a", "1.1b", "1.2"]


def test_a_new_paragraph_whose_number_was_never_given_out_and_fits_gets_it():
    assert labels([("1.1", A), ("1.2", B), ("1.3", C), ("1.4", D)]) == ["1.1", "1.2", "1.3",
                                                                        "1.4"]
    assert labels([("1.1", A), ("1.2", B), ("1.3", C), ("2.1", D)]) == ["1.1", "1.2", "1.3",
                                                                        "2.1"]


def test_a_moved_paragraph_keeps_its_number():
    numbered, retired = assign([("1.1", C), ("1.2", A), ("1.3", B)], BEFORE)
    assert [n.label for n in numbered] == ["1.3", "1.1", "1.2"] and retired == []


def test_a_deleted_number_is_retired_and_never_reused():
    numbered, retired = assign([("1.1", A), ("1.2", C)], BEFORE)
    assert [n.label for n in numbered] == ["1.1", "1.3"] and retired == ["p1.2"]
    # Next release: a new paragraph in the gap does not get 1.2 back.
    after = released(("p1.1", "1.1", A), ("p1.3", "1.3", C), retired=tuple(retired))
    assert labels([("1.1", A), ("1.2", D), ("1.3", C)], after) == ["1.1", "1.1a", "1.3"]


def test_the_letters_skip_every_number_ever_given_out():
    before = released(("p1.1", "1.1", A), ("p1.1a", "1.1a", B), retired=("p1.1b",))
    # 1.1b was given out and deleted; no number sorts between 1.1 and 1.1a: the first
    # never given out.
    assert labels([("1.1", A), ("1.2", D), ("1.3", B)], before) == ["1.1", "1.1c", "1.1a"]
    # After 1.1a, its place's number when it was never given, else letters after 1.1a.
    assert labels([("1.1", A), ("1.2", B), ("1.3", D)], before) == ["1.1", "1.1a", "1.3"]
    assert labels([("1.1", A), ("1.2", B), ("1.3", D)], before, given={"1.3"}) == [
        "1.1", "1.1a", "1.1aa"]


def test_a_reworded_paragraph_keeps_its_number():
    reworded = "The state scores all companies on their tax records."
    assert labels([("1.1", reworded), ("1.2", B), ("1.3", C)]) == ["1.1", "1.2", "1.3"]


def test_a_new_paragraph_beside_a_reworded_one_does_not_take_its_number():
    reworded = "Newspapers mixed up two quite different systems."
    assert labels([("1.1", A), ("1.2", D), ("1.3", reworded), ("1.4", C)]) == [
        "1.1", "1.1a", "1.2", "1.3"]


def test_a_rewritten_paragraph_is_a_new_one():
    numbered, retired = assign([("1.1", A), ("1.2", D), ("1.3", C)], BEFORE)
    assert [n.label for n in numbered] == ["1.1", "1.1a", "1.3"] and retired == ["p1.2"]


def test_duplicates_pair_in_order():
    before = released(("p1.1", "1.1", A), ("p1.2", "1.2", B), ("p1.3", "1.3", A))
    found = labels([("1.1", D), ("1.2", A), ("1.3", B), ("1.4", A), ("1.5", A)], before)
    assert found == ["1.0a", "1.1", "1.2", "1.3", "1.5"]  # 1.5: its place, never given


def test_a_new_chapter_takes_its_own_numbers_or_letters_when_they_were_given():
    assert labels([("1.1", A), ("1.2", B), ("1.3", C), ("2.1", D)]) == ["1.1", "1.2", "1.3",
                                                                        "2.1"]
    before = released(("p1.1", "1.1", A), ("p2.1", "2.1", B))
    # A chapter inserted before the old chapter 2 (now 3): its 2.1 is taken.
    assert labels([("1.1", A), ("2.1", D), ("3.1", B)], before) == ["1.1", "1.1a", "2.1"]


def test_a_record_from_before_the_numbers_persisted_keeps_its_printed_numbers():
    """Version 1.1 printed numbers that differed from its anchors: they are what readers
    cited, so they are what is kept."""
    before = released(("p1.1", "1.1", A), ("p1.1a", "1.2", D), ("p1.2", "1.3", B))
    numbered, _ = assign([("1.1", A), ("1.2", D), ("1.3", B)], before)
    assert [(n.label, n.id, n.was) for n in numbered] == [
        ("1.1", "p1.1", "p1.1"), ("1.2", "p1.2", "p1.1a"), ("1.3", "p1.3", "p1.2")]


def test_renumbering_numbers_by_place_and_records_what_each_continues():
    numbered, retired = assign([("1.1", D), ("1.2", A), ("1.3", C)], BEFORE, renumber=True)
    assert [(n.label, n.was) for n in numbered] == [("1.1", None), ("1.2", "p1.1"),
                                                    ("1.3", "p1.3")]
    assert retired == []


def test_the_same_inputs_give_the_same_numbers():
    current = [("1.1", D), ("1.2", C), ("1.3", A), ("2.1", B), ("2.2", D)]
    assert assign(current, BEFORE) == assign(list(current), BEFORE)


def test_a_record_naming_one_number_twice_gives_it_to_one_paragraph_only():
    before = released(("p1.1", "1.1", A), ("p1.1", "1.1", B))
    found = labels([("1.1", A), ("1.2", B)], before)
    assert found[0] == "1.1" and found[1] != "1.1" and len(set(found)) == 2


# --- across releases ------------------------------------------------------------------

def release(version: str, *items: tuple, fmt: int = 2, renumbered: bool = False) -> Release:
    paragraphs = [Paragraph(id=i, label=label, text=text, was=was)
                  for i, label, text, was in items]
    record = Record(format=fmt, version=version, date="2026-01-01", digest="0" * 64,
                    editions={"en": Edition(paragraphs=paragraphs)}, renumbered=renumbered)
    return Release(record, None)  # type: ignore[arg-type]


def history() -> list[Release]:
    """0.1 numbered by place; 1.1 (format 1) kept 0.1's anchors but printed by place: a
    paragraph inserted at the top moved every printed number; 2.0 renumbered."""
    first = release("0.1", ("p1.1", "1.1", A, None), ("p1.2", "1.2", B, None), fmt=1)
    second = release("1.1", ("p1.1a", "1.1", D, None), ("p1.1", "1.2", A, None),
                     ("p1.2", "1.3", B, None), fmt=1)
    return [first, second]


def test_every_earlier_number_that_differs_is_an_anchor_of_its_own():
    numbered, _ = assign([("1.1", D), ("1.2", A), ("1.3", C)],
                         history()[-1].record.editions["en"])
    assert [n.label for n in numbered] == ["1.1", "1.2", "1.2a"]
    assert aliases(history(), "en", numbered) == [[], ["v0.1-p1.1"], []]
    assert given(history(), "en") == {"1.1", "1.2", "1.3", "1.1a"}


def test_a_citation_of_an_old_version_is_followed_to_today():
    numbered, _ = assign([("1.1", D), ("1.2", A), ("1.3", C)],
                         history()[-1].record.editions["en"])
    assert follow(history(), "en", "0.1", "1.1", ("1.2", numbered)) == Whereabouts("1.2",
                                                                                    "1.2")
    assert follow(history(), "en", "0.1", "1.2", ("1.2", numbered)) == Whereabouts("1.2",
                                                                                    None)
    assert follow(history(), "en", "0.1", "1.2") == Whereabouts("1.1", "1.3")
    assert follow(history(), "en", "0.1", "9.9") is None
    assert follow(history(), "en", "0.7", "1.1") is None


def test_a_renumbered_release_is_followed_by_what_each_paragraph_continues():
    renumbered = release("2.0", ("p1.1", "1.1", D, "p1.1a"), ("p1.2", "1.2", A, "p1.1"),
                         renumbered=True)
    found = [*history(), renumbered]
    assert follow(found, "en", "0.1", "1.1") == Whereabouts("2.0", "1.2")
    assert follow(found, "en", "1.1", "1.1") == Whereabouts("2.0", "1.1")
    assert given(found, "en") == {"1.1", "1.2"}  # a renumbering starts afresh


@pytest.mark.parametrize("label", ["1.2", "1.2a", "10.0ab"])
def test_a_number_is_a_valid_anchor_in_every_format(label):
    """XML ids (EPUB) and PDF names: a letter first, then letters, digits, '.', '-'."""
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9.\-]*", f"p{label}")
    assert re.fullmatch(r"[A-Za-z][A-Za-z0-9.\-]*", f"v1.1-p{label}")


def _para(*inlines: dict) -> dict:
    return {"t": "Para", "c": list(inlines)}


def _str(text: str) -> dict:
    return {"t": "Str", "c": text}


def test_text_of_keeps_the_words_only():
    note = {"t": "Note", "c": [_para(_str("A"), {"t": "Space"}, _str("footnote"))]}
    block = _para({"t": "Span", "c": [["p1.1", ["pnum"], []], [_str("¶1.1")]]},
                  {"t": "Space"}, {"t": "Emph", "c": [_str("Zo’n")]}, {"t": "Space"},
                  _str("Überwachung,"), note, {"t": "SoftBreak"}, _str("«ça»"),
                  {"t": "Code", "c": [["", [], []], "x_1"]})
    assert text_of(block) == "zo n überwachung ça x_1"


def _document() -> list[dict]:
    heading = {"t": "Header", "c": [1, ["one", [], []], [_str("One")]]}
    return [heading, _para(_str("First.")), _para(_str("Second."))]


def test_the_span_carries_the_number_and_its_earlier_numbers_go_before_it():
    blocks = _document()
    ast.number_paragraphs(blocks, lambda found: [(f"{label}a", f"p{label}a", ["v0.1-p9.9"])
                                                 for label, _ in found])
    spans = [block["c"][:2] for block in blocks[1:]]
    assert spans == [[{"t": "Span", "c": [["v0.1-p9.9", ["pnum-alias"], []], []]},
                      {"t": "Span", "c": [["p1.1a", ["pnum"], []], [_str("¶1.1a")]]}],
                     [{"t": "Span", "c": [["v0.1-p9.9", ["pnum-alias"], []], []]},
                      {"t": "Span", "c": [["p1.2a", ["pnum"], []], [_str("¶1.2a")]]}]]
    plain = _document()
    ast.number_paragraphs(plain)
    assert [block["c"][0]["c"][0][0] for block in plain[1:]] == ["p1.1", "p1.2"]


def test_each_number_links_to_its_anchor_with_the_paragraph_citation():
    page = '<p><span id="p1.1a" class="pnum">¶1.2</span> Text.</p>'
    citation = "Unit. 2025. Title. Version 1.1. urn:x. <https://example.org/b/>."
    out = cite_paragraphs(page, citation, "https://example.org/b/", "Cite this paragraph")
    assert out.startswith('<p><a id="p1.1a" class="pnum" href="#p1.1a" '
                          'title="Cite this paragraph">¶1.2</a><span class="pcite">')
    assert "Unit. 2025. Title. Version 1.1. urn:x, ¶1.2. &lt;https://example.org/b/#p1.1a&gt;." \
        in out
    assert "<script" not in out and not re.search(r"\son\w+=", out)


def test_the_paragraph_citation_without_an_address():
    assert paragraph_citation("Unit. 2025. Title. urn:x.", None, "3.4", "p3.4") == \
        "Unit. 2025. Title. urn:x, ¶3.4."

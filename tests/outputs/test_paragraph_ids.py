"""Paragraph identifiers kept across releases (outputs/paragraphs.py): the same words keep
their anchor wherever they move, a reworded paragraph keeps it, a new one gets a fresh one,
and a deleted one's is never given out again. Pure Python, no Pandoc."""

from __future__ import annotations

import re

from briefing.model.releases import Edition, Paragraph
from briefing.outputs import ast
from briefing.outputs.html import cite_paragraphs, paragraph_citation
from briefing.outputs.paragraphs import assign, text_of

A = "the state scores companies on their records"
B = "newspapers mixed up two different systems"
C = "the government says the aim is trust"
D = "local pilots scored citizens for a while"


def released(*items: tuple[str, str, str], retired: tuple[str, ...] = ()) -> Edition:
    return Edition(paragraphs=[Paragraph(id=i, label=label, text=text)
                               for i, label, text in items], retired=list(retired))


BEFORE = released(("p1.1", "1.1", A), ("p1.2", "1.2", B), ("p1.3", "1.3", C))


def test_without_a_release_the_identifier_is_the_number():
    ids, retired = assign([("1.1", A), ("1.2", B), ("2.1", C)], None)
    assert ids == ["p1.1", "p1.2", "p2.1"] and retired == []


def test_a_paragraph_inserted_above_leaves_the_others_their_identifiers():
    ids, retired = assign([("1.1", D), ("1.2", A), ("1.3", B), ("1.4", C)], BEFORE)
    assert ids[1:] == ["p1.1", "p1.2", "p1.3"]
    assert ids[0] == "p1.1a"  # p1.1 is A's: the new paragraph's number is taken
    assert retired == []


def test_a_new_paragraph_whose_number_was_never_given_out_gets_it():
    ids, _ = assign([("1.1", A), ("1.2", B), ("1.3", C), ("1.4", D)], BEFORE)
    assert ids == ["p1.1", "p1.2", "p1.3", "p1.4"]


def test_a_moved_paragraph_keeps_its_identifier():
    ids, retired = assign([("1.1", C), ("1.2", A), ("1.3", B)], BEFORE)
    assert ids == ["p1.3", "p1.1", "p1.2"] and retired == []


def test_a_deleted_identifier_is_retired_and_never_reused():
    ids, retired = assign([("1.1", A), ("1.2", C)], BEFORE)
    assert ids == ["p1.1", "p1.3"] and retired == ["p1.2"]
    # Next release: a new paragraph takes number 1.2 (and then 1.3's place too).
    after = released(("p1.1", "1.1", A), ("p1.3", "1.2", C), retired=tuple(retired))
    ids, retired = assign([("1.1", A), ("1.2", D), ("1.3", C)], after)
    assert ids == ["p1.1", "p1.2a", "p1.3"]
    assert retired == ["p1.2"]


def test_the_letters_skip_every_identifier_ever_given_out():
    before = released(("p1.1", "1.1", A), ("p1.1a", "1.2", B), retired=("p1.1b",))
    ids, _ = assign([("1.1", D), ("1.2", A), ("1.3", B)], before)
    assert ids == ["p1.1c", "p1.1", "p1.1a"]


def test_a_reworded_paragraph_keeps_its_identifier():
    reworded = "the state scores all companies on their tax records"
    ids, retired = assign([("1.1", reworded), ("1.2", B), ("1.3", C)], BEFORE)
    assert ids == ["p1.1", "p1.2", "p1.3"] and retired == []


def test_a_new_paragraph_beside_a_reworded_one_does_not_take_its_identifier():
    reworded = "newspapers mixed up two quite different systems"
    ids, _ = assign([("1.1", A), ("1.2", D), ("1.3", reworded), ("1.4", C)], BEFORE)
    assert ids == ["p1.1", "p1.2a", "p1.2", "p1.3"]


def test_a_rewritten_paragraph_is_a_new_one():
    ids, retired = assign([("1.1", A), ("1.2", D), ("1.3", C)], BEFORE)
    assert ids == ["p1.1", "p1.2a", "p1.3"] and retired == ["p1.2"]


def test_duplicates_pair_in_order():
    before = released(("p1.1", "1.1", A), ("p1.2", "1.2", B), ("p1.3", "1.3", A))
    ids, _ = assign([("1.1", D), ("1.2", A), ("1.3", B), ("1.4", A), ("1.5", A)], before)
    assert ids == ["p1.1a", "p1.1", "p1.2", "p1.3", "p1.5"]
    assert len(set(ids)) == len(ids)


def test_the_same_inputs_give_the_same_identifiers():
    current = [("1.1", D), ("1.2", C), ("1.3", A), ("2.1", B), ("2.2", D)]
    assert assign(current, BEFORE) == assign(list(current), BEFORE)


def test_a_record_naming_one_identifier_twice_gives_it_to_one_paragraph_only():
    before = released(("p1.1", "1.1", A), ("p1.1", "1.2", B))
    ids, _ = assign([("1.1", A), ("1.2", B)], before)
    assert ids[0] == "p1.1" and ids[1] not in ("p1.1",) and len(set(ids)) == 2


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


def test_the_span_id_is_the_identifier_and_the_number_stays():
    blocks = _document()
    ast.number_paragraphs(blocks, lambda found: [f"id{label}" for label, _ in found])
    spans = [block["c"][0]["c"] for block in blocks[1:]]
    assert spans == [[["id1.1", ["pnum"], []], [_str("¶1.1")]],
                     [["id1.2", ["pnum"], []], [_str("¶1.2")]]]
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

"""When chapters may be read alone (outputs/ast.py): the cases where reading the whole
document would give other blocks send the build back to reading it whole. No Pandoc."""

from __future__ import annotations

import pytest

from briefing.outputs import ast

SPLIT = [
    ("headings_only", ["# One\n\nText.\n", "# Two\n\nMore [@key].\n"]),
    ("own_notes", ["# One\n\nA[^a].\n\n[^a]: note\n", "# Two\n\nB[^b].\n\n[^b]: note\n"]),
    ("closed_fences", ["# One\n\n```\ncode\n```\n", "# Two\n\n::: {.claim}\nx\n:::\n"]),
    ("an_empty_chapter", ["# One\n", "", "# Three\n"]),
]
WHOLE = [
    ("starts_without_a_heading", ["# One\n\n- a\n", "- b\n"]),
    ("fence_left_open", ["# One\n\n```\ncode\n", "# Two\n"]),
    ("div_left_open", ["# One\n\n::: {.claim}\nx\n", "# Two\n\n:::\n"]),
    ("note_label_in_two_chapters", ["# One\n\nA[^n].\n\n[^n]: one\n", "# Two\n\nB[^n].\n"]),
    ("link_label_in_two_chapters", ["# One\n\n[map]: a.png\n", "# Two\n\n![x][map]\n"]),
    ("implicit_link_to_another_heading", ["# Method {#m}\n", "# Two\n\nSee [Method].\n"]),
    ("example_lists_in_two_chapters", ["# One\n\n(@) a\n", "# Two\n\n(@) b\n"]),
]


@pytest.mark.parametrize("chapters", [c for _, c in SPLIT], ids=[i for i, _ in SPLIT])
def test_chapters_that_stand_alone_are_read_alone(chapters: list[str]) -> None:
    assert ast.splittable(chapters)


@pytest.mark.parametrize("chapters", [c for _, c in WHOLE], ids=[i for i, _ in WHOLE])
def test_chapters_that_reach_into_another_are_read_whole(chapters: list[str]) -> None:
    assert not ast.splittable(chapters)


def _header(ident: str) -> dict:
    return {"t": "Header", "c": [1, [ident, [], []], [{"t": "Str", "c": ident}]]}


def _span(ident: str) -> dict:
    return {"t": "Para", "c": [{"t": "Span", "c": [[ident, [], []], []]}]}


def test_an_identifier_in_two_chapters_is_read_whole() -> None:
    one, two = {"blocks": [_header("intro")]}, {"blocks": [_header("method"), _span("intro")]}
    assert not ast.distinct([one, two])
    assert ast.distinct([one, {"blocks": [_header("method")]}])


def test_segments_join_back_into_the_document() -> None:
    text = "---\ntitle: x\n---\n\n# One\n\nA.\n\n# Two\n\nB.\n"
    parts = ast.segments(text, [text.index("# One"), text.index("# Two")])
    assert "".join(parts) == text and parts[2] == "# Two\n\nB.\n"


def test_the_joined_document_has_the_header_meta_and_every_block_in_order() -> None:
    header = {"pandoc-api-version": [1, 23], "meta": {"title": 1}, "blocks": []}
    joined = ast.join(header, [{"blocks": [1, 2]}, {"blocks": [3]}])
    assert joined == {"pandoc-api-version": [1, 23], "meta": {"title": 1},
                      "blocks": [1, 2, 3]}

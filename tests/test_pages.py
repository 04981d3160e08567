"""The HTML page written chapter by chapter (outputs/pages.py) is the page Pandoc writes from
the whole document, byte for byte: on the real briefing (both editions) and, through the
build, on the fixtures (tests/test_citations_chapters.py). Real Pandoc."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing import TEMPLATES
from briefing.outputs import pages, pandoc


@pytest.mark.parametrize("work", [".work", ".work-nl"])
def test_the_real_page_by_chapter_is_the_whole_page(built_real: Path, tmp_path: Path,
                                                     work: str) -> None:
    folder = built_real / "build" / work
    resolved = folder / "briefing.json"
    assert (folder / "html" / "000.html").exists()  # it was written chapter by chapter
    inputs = pandoc.Inputs(markdown=folder / "briefing.md", bibliography=folder / "briefing.bib",
                           csl=built_real / "bib" / "chicago-author-date.csl", workdir=tmp_path,
                           epoch=0)
    whole, _ = pandoc.to_html(inputs, TEMPLATES / "briefing.html", resolved)
    assert (folder / "briefing.html").read_text("utf-8") == whole


def _header(ident: str, *classes: str) -> dict:
    return {"t": "Header", "c": [1, [ident, list(classes), []], [{"t": "Str", "c": ident}]]}


def test_chapters_and_their_section_numbers() -> None:
    para = {"t": "Para", "c": [{"t": "Str", "c": "x"}]}
    blocks = [_header("a", "unnumbered"), para, _header("b"), para, _header("c")]
    parts = pages.chapters(blocks)
    assert parts is not None and [len(p) for p in parts] == [2, 2, 1]
    assert pages.offsets(parts) == [0, 0, 1]
    assert pages.shell(parts) == [blocks[0], blocks[2], blocks[4]]


@pytest.mark.parametrize("blocks", [
    [{"t": "Para", "c": []}, _header("a")],  # text before the first chapter
    [_header("a"), {"t": "Para", "c": [{"t": "Note", "c": []}]}],  # notes: numbered through
    [_header("a"), {"t": "CodeBlock", "c": [["", [], []], "x"]}],  # code blocks: cb1, cb2...
])
def test_what_is_written_whole(blocks: list[dict]) -> None:
    assert pages.chapters(blocks) is None


def test_a_splice_that_does_not_pair_is_refused() -> None:
    page = '<main>\n<section id="a" class="level1">\n<h1>A</h1>\n</section>\n</main>'
    good = '<section id="a" class="level1">\n<h1>A</h1>\n<p>x</p>\n</section>\n'
    assert pages.splice(page, [good], ["a"]) == page.replace(
        "<h1>A</h1>\n</section>", "<h1>A</h1>\n<p>x</p>\n</section>")
    assert pages.splice(page, [good, good], ["a", "b"]) is None  # one section, two chapters
    assert pages.splice(page, [good.replace('"a"', '"b"')], ["b"]) is None  # another chapter
    assert json.dumps(pages.splice(page, [good], ["a"]))  # text, not None

"""Paragraph numbers are stable locators: ¶chapter.n, unaffected by later chapters, and
never in the form of a section number."""

from __future__ import annotations

import re

import pdfread
from conftest import run_cli


def _numbers(project) -> dict[str, str]:
    """Paragraph id -> its text, from the HTML the last build rendered."""
    html = (project / "build" / ".work" / "briefing.html").read_text("utf-8")
    return {m.group(1): re.sub(r"<[^>]+>", "", m.group(2)).strip()
            for m in re.finditer(r'<span id="p([\d.]+)" class="pnum">¶[\d.]+</span>(.*?)</p>',
                                 html, re.S)}


def test_numbers_of_unchanged_chapter_survive_a_later_chapter_growing(minimal):
    assert run_cli(minimal, "build", "--format", "pdf").code == 0
    before = _numbers(minimal)
    assert "1.1" in before and "2.1" in before
    chapter = minimal / "chapters" / "01-overview.md.j2"
    text = chapter.read_text("utf-8")
    # Add a paragraph at the start of the second chapter only.
    text = text.replace("{{ p.summary }}", "{% if not loop.first %}An added paragraph.\n\n"
                        "{% endif %}{{ p.summary }}")
    chapter.write_text(text, "utf-8")
    result = run_cli(minimal, "build", "--format", "pdf")
    assert result.code == 0, result.err
    after = _numbers(minimal)
    first = {k: v for k, v in before.items() if k.startswith("1.")}
    assert {k: v for k, v in after.items() if k.startswith("1.")} == first
    assert after["2.1"].startswith("An added paragraph.")
    assert len(after) == len(before) + 1


def test_pdf_shows_paragraph_numbers_in_the_text(built_minimal):
    text = pdfread.text(built_minimal / "build" / "briefing.pdf")
    assert "¶1.1" in text and "¶2.2" in text

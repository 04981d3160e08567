"""Layout read back from the real PDF: no blank page, nothing outside the printable area,
chapters on new pages, and TOC page numbers that match where the headings are."""

from __future__ import annotations

import re

import pypdf
import pypdfium2 as pdfium
import pytest

A4_MM = (210, 297)
MARGIN_MM = 8  # text may sit in the page margins (running heads) but never this close to the edge


@pytest.fixture(scope="module")
def pdf_path(built_real):
    return built_real / "build" / "briefing.pdf"


def _page_texts(path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def test_no_blank_page(pdf_path):
    for number, text in enumerate(_page_texts(pdf_path), start=1):
        # Every page has content beyond its page-number footer (the verso has the cite box).
        assert len(re.sub(r"Page \d+ of \d+", "", text).strip()) > 20, number


def test_no_character_outside_the_printable_area(pdf_path):
    document = pdfium.PdfDocument(str(pdf_path))
    for index in range(len(document)):
        page = document[index]
        width, height = page.get_width(), page.get_height()
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == A4_MM
        margin = MARGIN_MM / 25.4 * 72
        text = page.get_textpage()
        for i in range(text.count_chars()):
            if not text.get_text_range(i, 1).strip():
                continue
            left, bottom, right, top = text.get_charbox(i)
            assert margin <= left and right <= width - margin, (index + 1, i)
            assert margin <= bottom and top <= height - margin, (index + 1, i)


def test_chapters_start_on_a_new_page_and_toc_numbers_match(pdf_path):
    reader = pypdf.PdfReader(pdf_path)
    texts = [page.extract_text() for page in reader.pages]
    toc_page = next(t for t in texts if t.lstrip().startswith("Contents"))
    entries = re.findall(r"^(\d+ )?([A-Z][^\n.]*?)\s*(?:\. ?)+\s*(\d+)$", toc_page, re.M)
    top_level = [(num, title.strip(), int(page)) for num, title, page in entries
                 if num or title.strip() in {"Key points", "Glossary", "References",
                                             "Sources and further reading",
                                             "Appendix: source balance"}]
    assert len(top_level) >= 10, entries
    outline = {item.title: reader.get_destination_page_number(item) + 1
               for item in reader.outline if not isinstance(item, list)}
    for num, title, page in top_level:
        heading = f"{num}{title}".strip()
        body = texts[page - 1]
        # The heading is on the page the TOC names, at the top of that page (after the
        # running head), and the bookmark points to the same page.
        first_lines = " ".join(body.split("\n")[:4])
        assert title in first_lines, (heading, page, first_lines[:120])
        assert outline.get(heading) == page or outline.get(title) == page, (heading, outline)

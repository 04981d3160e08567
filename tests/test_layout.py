"""Layout read back from the real PDF: no blank page, nothing outside the printable area,
chapters on new pages, TOC page numbers that match where the headings are, and names in
narrow table columns neither split nor running over into the next cell."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

import pdfread
from conftest import FIXTURES, copy_project, run_cli

A4_MM = (210, 297)
MARGIN_MM = 8  # text may sit in the page margins (running heads) but never this close to the edge


# The layout tests run on the flagship and on a project made from nothing by `briefing
# new` and `briefing source add` (as tests/test_authoring.py makes it), so that a new
# author's briefing is held to the same page rules.
UNNUMBERED = {"flagship": {"Key points", "Glossary", "References", "Sources and further reading",
                           "Appendix: source balance"},
              "new": {"Key points", "Glossary", "Sources", "References"}}
TOP_LEVEL = {"flagship": 10, "new": 8}  # at least this many top-level contents entries
KIND: dict[Path, str] = {}  # each PDF's project: "flagship" or "new"


@pytest.fixture(scope="module")
def new_project(tmp_path_factory) -> Path:
    from test_authoring import add_sources

    base = tmp_path_factory.mktemp("new-layout")
    project = base / "project"
    # Two editions, as test_authoring's sources are written (`new` makes one by default).
    assert run_cli(base, "new", str(project), "--edition", "en,nl").code == 0
    add_sources(project, base)
    result = run_cli(project, "build", "--format", "pdf", "--edition", "en")
    assert result.code == 0, result.err
    return project


@pytest.fixture(scope="module", params=["flagship", "new"])
def pdf_path(request):
    project = request.getfixturevalue("built_real" if request.param == "flagship"
                                      else "new_project")
    path = project / "build" / "briefing.pdf"
    KIND[path] = request.param
    return path


def _page_texts(path) -> list[str]:
    return pdfread.texts(path)


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
    texts = pdfread.texts(pdf_path)
    toc_page = next(t for t in texts if t.lstrip().startswith("Contents"))
    entries = re.findall(r"^(\d+ )?([A-Z][^\n.]*?)\s*(?:\. ?)+\s*(\d+)$", toc_page, re.M)
    top_level = [(num, title.strip(), int(page)) for num, title, page in entries
                 if num or title.strip() in UNNUMBERED[KIND[pdf_path]]]
    assert len(top_level) >= TOP_LEVEL[KIND[pdf_path]], entries
    with pikepdf.open(pdf_path) as pdf:
        outline = {title: page + 1 for level, title, page, _ in pdfread.outline(pdf)
                   if level == 0}
    for num, title, page in top_level:
        heading = f"{num}{title}".strip()
        body = texts[page - 1]
        # The heading is on the page the TOC names, at the top of that page (after the
        # running head) unless it runs on below a chapter that ends high on that page
        # (outputs/pdf/runon.py; test_typography checks where), and the bookmark points
        # to the same page.
        first_lines = " ".join(body.split("\n")[:4])
        assert title in first_lines or title in " ".join(body.split("\n")), (
            heading, page, first_lines[:120])
        assert outline.get(heading) == page or outline.get(title) == page, (heading, outline)


# --- Names in narrow table columns ---------------------------------------------------------

NAMES = ("Okafor", "Vandenbroucke")
NARROW_BIB = """
@article{okafor2024,
  author = {Okafor, Chidinma},
  title = {Pavements and scooters},
  journaltitle = {Journal of Street Safety},
  date = {2024},
  note = {Invented for a layout test.}
}

@article{vandenbroucke2023,
  author = {Vandenbroucke, Els},
  title = {Who owns the kerb},
  journaltitle = {Journal of Street Safety},
  date = {2023},
  note = {Invented for a layout test.}
}
"""
CELL = "Scooters leave the pavement [@okafor2024, para. 5; @vandenbroucke2023]"
# The dashes make five answer columns of 3/55 of the text block (about 9 mm) each: narrower
# than "(Vandenbroucke" at 9 pt, as in an author's table of many perspectives.
NARROW_CHAPTER = f"""# Many cases {{#many-cases}}

: Five cases compared {{#tbl-cases .row-headers}}

| Question | A | B | C | D | E |
|----------------------------------------|---|---|---|---|---|
| What should happen | {" | ".join([CELL] * 5)} |
| Who says so | {" | ".join(["Okafor and Vandenbroucke"] * 5)} |
"""


@pytest.fixture(scope="module")
def narrow_pdf(tmp_path_factory) -> Path:
    """The minimal project with a table whose columns are narrower than the names in it."""
    project = copy_project(FIXTURES / "minimal", tmp_path_factory.mktemp("narrow"))
    with (project / "bib" / "briefing.bib").open("a", encoding="utf-8") as bib:
        bib.write(NARROW_BIB)
    (project / "chapters" / "02-cases.md.j2").write_text(NARROW_CHAPTER, "utf-8")
    result = run_cli(project, "build", "--format", "pdf")
    assert result.code == 0, result.err
    return project / "build" / "briefing.pdf"


def _glyphs(page) -> list[tuple[str, tuple[float, float, float, float]]]:
    text = page.get_textpage()
    return [(text.get_text_range(i, 1), text.get_charbox(i)) for i in range(text.count_chars())]


def _table_page(pdf) -> int:
    return next(i for i in range(len(pdf)) if "Five cases compared" in
                pdf[i].get_textpage().get_text_range())


def test_a_name_in_a_narrow_table_column_is_never_split(narrow_pdf):
    """Not "O / kafor" (no hyphen) nor "Oka- / for": every letter of each name on one line."""
    pdf = pdfium.PdfDocument(str(narrow_pdf))
    glyphs = [g for g in _glyphs(pdf[_table_page(pdf)]) if g[0].strip()]
    letters = "".join(char for char, _ in glyphs)
    # The references may run on below the table (runon.py): only the table's names count.
    letters = letters[:letters.find("References")] if "References" in letters else letters
    found = 0
    for name in NAMES:
        for match in re.finditer(name, letters):
            boxes = [box for _, box in glyphs[match.start():match.end()]]
            # On one line: every letter's height overlaps every other's.
            assert max(box[1] for box in boxes) < min(box[3] for box in boxes), (name, boxes)
            found += 1
    # Each answer cell names both authors, in a citation or in words: a name broken across
    # lines would not be found whole and be missing from the count.
    assert found == 2 * 2 * 5, (found, letters[:400])


def test_a_narrow_table_widens_its_columns_for_names_but_stays_on_the_page(narrow_pdf):
    """No text runs over into the next cell, and the table stays inside the text block."""
    pdf = pdfium.PdfDocument(str(narrow_pdf))
    page = pdf[_table_page(pdf)]
    width = page.get_width()
    left, right = 30 / 25.4 * 72, width - 22 / 25.4 * 72  # print.css's page margins
    # A paragraph number in the margin (of a chapter that runs on to this page) is no cell's.
    glyphs = [g for g in _glyphs(page) if g[0].strip() and g[1][2] > left]
    for char, (x0, _, x1, _) in glyphs:
        assert left - 1 <= x0 and x1 <= right + 1, (char, x0, x1)
    for i, (a, (ax0, ay0, ax1, ay1)) in enumerate(glyphs):
        for b, (bx0, by0, bx1, by1) in glyphs[i + 3:]:  # neighbours may kern into each other
            overlap = min(ax1, bx1) - max(ax0, bx0), min(ay1, by1) - max(ay0, by0)
            assert min(overlap) <= 0.5, (a, b, (ax0, ay0), (bx0, by0))


def test_a_name_with_a_possessive_ending_is_kept_whole():
    """typography.lua protects "Okafor’s" (curly apostrophe, three bytes in Lua) as it does
    "Okafor's" and "Okafor,": the name in a no-wrap span, the ending after it."""
    import pypandoc

    from briefing import TEMPLATES

    text = ("---\ntypography:\n  names: [Okafor]\n---\n\n"
            "Okafor’s view. Okafor's view. Okafor, again. Okaforia stays.\n")
    html = pypandoc.convert_text(text, "html", format="markdown",
                                 extra_args=["--sandbox", "--wrap=none",
                                             f"--lua-filter={TEMPLATES / 'typography.lua'}"])
    assert html.count('<span class="name">Okafor</span>') == 3, html
    assert "<span class=\"name\">Okafor</span>’s view" in html, html
    assert "Okaforia" in html and "Okafor</span>ia" not in html

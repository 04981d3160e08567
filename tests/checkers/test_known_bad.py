"""The checkers fail what they must fail. A checker that passes everything passes the real
briefing too, so each is run here on outputs broken on purpose: the minimal project's PDF
edited with pikepdf, one fault per Matterhorn condition of pdfua.py; its EPUB with a file
missing and a broken document, through EPUBCheck (each fault named by its own message
ID); a page with faults any reader meets, through axe-core. (The Nu HTML Checker gets its
bad page in the same run as the real pages: test_html.py.)"""

from __future__ import annotations

import json
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from . import pdfua
from .conftest import java
from .test_epub import _epubcheck_jar
from .test_html import _axe

# The minimal fixture has no table or figure: an edit makes them from its list and divisions.


def _first(pdf: pikepdf.Pdf, tag: str, inside: str | None = None) -> Dictionary:
    root = pdf.Root.StructTreeRoot
    if inside is not None:
        root = _first(pdf, inside)
    return next(e for e in pdfua.elements(root) if str(e.S) == tag)


def _no_structure_for_a_page(pdf):
    del pdf.pages[0].obj["/StructParents"]  # its marked content reaches no element


def _a_link_outside_the_tree(pdf):
    link = pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Link, Rect=Array([0, 0, 20, 20]), Border=Array([0, 0, 0]),
        Contents=String("Example site"),
        A=Dictionary(S=Name.URI, URI=String("https://example.org/"))))
    page = pdf.pages[0].obj
    page.Annots = Array([*page.get("/Annots", []), link])


def _a_link_without_a_description(pdf):
    annotation = next(a for page in pdf.pages for a in page.obj.get("/Annots", [])
                      if a.get("/Subtype") == Name.Link)
    annotation.Contents = String("")


def _a_paragraph_in_a_paragraph(pdf):
    _first(pdf, "/Span", inside="/P").S = Name.P


def _a_table_header_cell_without_scope(pdf):
    table = _first(pdf, "/L")
    table.S = Name.Table
    _first(pdf, "/LI", inside="/Table").S = Name.TH  # no /A /Scope, and no /THead around it


def _a_skipped_heading_level(pdf):
    _first(pdf, "/H2").S = Name("/H4")


def _a_figure_without_alt(pdf):
    figure = _first(pdf, "/Div")
    figure.S = Name.Figure
    if "/Alt" in figure:
        del figure["/Alt"]


def _a_font_without_to_unicode(pdf):
    font = next(iter(pdf.pages[0].obj.Resources.Font.values()))
    del font["/ToUnicode"]


def _no_document_language(pdf):
    del pdf.Root["/Lang"]


BAD_PDFS: dict[str, tuple[Callable[[pikepdf.Pdf], None], str]] = {
    "01-005 content in the structure tree or an artifact": (
        _no_structure_for_a_page, "not in the structure tree"),
    "28-011 link annotations in /Link elements": (
        _a_link_outside_the_tree, "link annotation outside a /Link element"),
    "28-012 link descriptions a person can read": (
        _a_link_without_a_description, "link described as ''"),
    "no Link in Link, no P in P": (_a_paragraph_in_a_paragraph, "/P inside /P"),
    "15-003/15-005 table headers": (_a_table_header_cell_without_scope, "a TH without /Scope"),
    "14-003 heading levels": (_a_skipped_heading_level, "H4 after H1"),
    "13-004 figure alternative text": (_a_figure_without_alt, "figure without /Alt"),
    "31-001/31-027 fonts embedded with ToUnicode": (
        _a_font_without_to_unicode, "without /ToUnicode"),
    "06/07/11 tagged, titled, language, identified": (
        _no_document_language, "no document language"),
}


def test_every_matterhorn_condition_has_a_known_bad_pdf():
    assert set(BAD_PDFS) == set(pdfua.CHECKS)


@pytest.mark.parametrize("condition", list(BAD_PDFS), ids=[
    name.split(" ")[0] for name in BAD_PDFS])
def test_the_pdf_checker_fails_a_pdf_broken_for_its_condition(built_minimal: Path,
                                                              tmp_path: Path, condition: str):
    good = built_minimal / "build" / "briefing.pdf"
    assert not any(pdfua.report(good).values()), "the minimal project's PDF passes as built"
    edit, expected = BAD_PDFS[condition]
    bad = tmp_path / "bad.pdf"
    with pikepdf.open(good) as pdf:
        edit(pdf)
        pdf.save(bad)
    found = pdfua.report(bad)
    assert any(expected in problem for problem in found[condition]), found[condition]
    # The one fault fails its own condition; those that look at other things still pass.
    others = {name for name, problems in found.items() if problems and name != condition}
    assert others == set(), others


def _epubcheck(epub: Path, report: Path) -> dict:
    subprocess.run([java(), "-jar", str(_epubcheck_jar()), "-u", "--json", str(report),
                    str(epub)], capture_output=True, timeout=300)
    return json.loads(report.read_text("utf-8"))


def test_epubcheck_fails_an_epub_with_a_missing_file_and_a_broken_document(
        built_minimal: Path, tmp_path: Path):
    good = built_minimal / "build" / "briefing.epub"
    bad = tmp_path / "bad.epub"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        names = source.namelist()
        chapters = [n for n in names if n.startswith("EPUB/text/ch") and n.endswith(".xhtml")]
        stylesheet = next(n for n in names if n.endswith(".css"))
        for info in source.infolist():
            data = source.read(info)
            if info.filename == stylesheet:
                continue  # listed in the manifest, not in the container
            if info.filename == chapters[0]:
                data = data.replace(b"</body>", b"<p>unclosed <em>paragraph</p></body>", 1)
            target.writestr(info, data)
    found = _epubcheck(bad, tmp_path / "report.json")
    ids = {m["ID"] for m in found["messages"] if m["severity"] in ("ERROR", "FATAL")}
    assert found["checker"]["nError"] + found["checker"]["nFatal"] >= 2, found["messages"]
    assert "RSC-001" in ids, ids  # the stylesheet is missing
    assert "RSC-005" in ids or "RSC-016" in ids, ids  # the chapter is not well-formed


BAD_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Bad</title></head>
<body>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<button></button>
<p style="color:#bbb;background:#fff">Text too pale to read.</p>
<a href="#nowhere"></a>
</body></html>
"""


def test_axe_fails_a_page_with_faults_a_reader_meets(browser, tmp_path: Path):
    axe = _axe()
    page_file = tmp_path / "bad.html"
    page_file.write_text(BAD_PAGE, "utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(page_file.as_uri())
        page.add_script_tag(path=str(axe))
        found = page.evaluate("async () => (await axe.run(document)).violations"
                              ".map(v => v.id)")
    finally:
        context.close()
    assert {"html-has-lang", "image-alt", "button-name", "color-contrast",
            "link-name"} <= set(found), found

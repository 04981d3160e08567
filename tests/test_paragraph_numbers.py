"""One number, everywhere (issue 28, review N1, N6, N17): in every format of both editions
of the real briefing, each numbered paragraph's printed number, its anchor and its
citation are the same number; and every format says which version it is.

Read back with the readers' own tools: the HTML as text, the EPUB's XHTML, the DOCX's
bookmarks, the PDF's text (PDFium) and named destinations (pikepdf).
"""

from __future__ import annotations

import html as htmllib
import re
import zipfile
from pathlib import Path

import pikepdf
import pytest

import pdfread

NUMBER = r"(\d+\.\d+[a-z]*)"
EDITIONS = ("en", "nl")


def _version(project: Path) -> tuple[str, str]:
    text = (project / "briefing.toml").read_text("utf-8")
    return (re.search(r'^version = "([^"]+)"', text, re.M)[1],
            re.search(r"^date = (\S+)", text, re.M)[1])


@pytest.mark.parametrize("edition", EDITIONS)
def test_html_number_anchor_and_citation_agree(built_real: Path, edition: str):
    page = (built_real / "build" / f"briefing.{edition}.html").read_text("utf-8")
    found = re.findall(r'<a id="([^"]+)" class="pnum" href="#([^"]+)"[^>]*>¶([^<]+)</a>'
                       r'<span class="pcite"><span class="pcite-label">[^<]*</span>([^<]*)'
                       r"</span>", page)
    assert len(found) > 40
    for ident, href, number, cite in found:
        assert ident == href == f"p{number}", (ident, href, number)
        assert htmllib.unescape(cite).rstrip().endswith(f", ¶{number}."), cite
    # An anchor that looks like a number is on the paragraph printed with it, and only there.
    ids = re.findall(r'\bid="(p\d[^"]*)"', page)
    assert sorted(ids) == sorted(ident for ident, _, _, _ in found)
    # Earlier numbers stay anchors of their own, which cannot be taken for a number.
    assert all(re.fullmatch(r"v[\d.]+-p" + NUMBER, alias)
               for alias in re.findall(r'id="(v[^"]+)" class="pnum-alias"', page))


@pytest.mark.parametrize("edition", EDITIONS)
def test_epub_number_and_anchor_agree(built_real: Path, edition: str):
    with zipfile.ZipFile(built_real / "build" / f"briefing.{edition}.epub") as epub:
        text = "".join(epub.read(n).decode("utf-8") for n in sorted(epub.namelist())
                       if n.endswith(".xhtml"))
    found = re.findall(r'<span id="([^"]+)" class="pnum">¶([^<]+)</span>', text)
    assert len(found) > 40
    assert all(ident == f"p{number}" for ident, number in found), found
    assert sorted(re.findall(r'\bid="(p\d[^"]*)"', text)) == sorted(i for i, _ in found)


@pytest.mark.parametrize("edition", EDITIONS)
def test_docx_number_and_bookmark_agree(built_real: Path, edition: str):
    with zipfile.ZipFile(built_real / "build" / f"briefing.{edition}.docx") as docx:
        document = docx.read("word/document.xml").decode("utf-8")
    checked = 0
    for paragraph in re.findall(r"<w:p[ >].*?</w:p>", document, re.S):
        text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", paragraph))
        # A changelog entry ("¶2.5: B3. …") names a paragraph; it is not one.
        printed = re.match("¶" + NUMBER + r"\s", htmllib.unescape(text))
        if printed:
            marks = re.findall(r'<w:bookmarkStart [^>]*w:name="(p\d[^"]*)"', paragraph)
            assert marks == [f"p{printed[1]}"], (printed[1], marks)
            checked += 1
    assert checked > 40


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdf_number_and_destination_agree_and_every_page_says_its_version(
        built_real: Path, edition: str):
    path = built_real / "build" / f"briefing.{edition}.pdf"
    with pikepdf.open(path) as pdf:
        targets = {name: page for name, (page, _, _) in pdfread.destinations(pdf).items()
                   if re.fullmatch("p" + NUMBER, name)}
    printed: dict[str, int] = {}
    version, _ = _version(built_real)
    word = "Version" if edition == "en" else "Versie"
    # A paragraph's number stands in the left margin (print.css: .pnum), left of the text's
    # 30 mm (85 pt): a "¶2.7a" in a sentence (the changelog's) is not one.
    margins = pdfread.texts_left_of(path, right=80)
    pages = pdfread.texts(path)
    for n, (margin, text) in enumerate(zip(margins, pages, strict=True)):
        for number in re.findall("¶" + NUMBER, margin):
            printed.setdefault(number, n)
        if n:  # every page but the cover says which version it belongs to
            assert f"{word} {version}" in text, f"page {n + 1} has no version"
    assert len(printed) > 40 and pages
    assert {f"p{number}": n for number, n in printed.items()} == targets


@pytest.mark.parametrize("edition", EDITIONS)
def test_epub_and_docx_say_in_text_what_they_are(built_real: Path, edition: str):
    version, _ = _version(built_real)
    toml = (built_real / "briefing.toml").read_text("utf-8")
    identifier = re.findall(r'identifier = "(urn:uuid:[^"]+)"', toml)[EDITIONS.index(edition)]
    word, cite = (("Version", "How to cite") if edition == "en" else ("Versie", "Zo citeert"))
    with zipfile.ZipFile(built_real / "build" / f"briefing.{edition}.epub") as epub:
        first = epub.read("EPUB/text/ch001.xhtml").decode("utf-8")
        cover = epub.read("EPUB/text/cover.xhtml").decode("utf-8")
    with zipfile.ZipFile(built_real / "build" / f"briefing.{edition}.docx") as docx:
        body = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>",
                                  docx.read("word/document.xml").decode("utf-8")))
    for text in (htmllib.unescape(re.sub(r"<[^>]+>", "", first)), htmllib.unescape(body)):
        assert f"{word} {version}" in text and identifier in text and cite in text
        assert "¶3.4" in text  # the paragraph rule
    assert re.search(rf'alt="[^"]*{word} {re.escape(version)}', cover)

"""The briefing as its readers meet it, both editions, checked from the built files.

Print: no text under 7 pt; no URL, author's name or citation split across lines (the
printed URL is exact once the lines are joined); no page less than a third full except
where a chapter ends; paragraph numbers (¶3.4) never in the form of section numbers.
Content: key points that are findings linked to their claims; a date on the cover; every
quote that is not its speaker's own words says whose words it is. Citation exports:
the briefing's identifier in each, both editions in CITATION.cff.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from briefing.model import bibliography
from conftest import run_cli

EDITIONS = ["en", "nl"]


def _pdf(project: Path, edition: str) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(project / "build" / f"briefing.{edition}.pdf")


def _text(page) -> str:
    textpage = page.get_textpage()
    return textpage.get_text_range()


@pytest.mark.parametrize("edition", EDITIONS)
def test_no_text_is_smaller_than_7_pt(built_real: Path, edition: str) -> None:
    smallest = []
    for number, page in enumerate(_pdf(built_real, edition), start=1):
        textpage = page.get_textpage()
        for i in range(textpage.count_chars()):
            char = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
            if chr(char).isspace():
                continue
            size = pdfium_c.FPDFText_GetFontSize(textpage.raw, i)
            if size < 6.95:
                smallest.append((number, chr(char), round(size, 2)))
    assert smallest == [], f"text under 7 pt (page, char, size): {smallest[:10]}"


def _joined(document: pdfium.PdfDocument) -> tuple[str, str]:
    """All text, and all text with its line breaks removed (nothing inserted). PDFium
    reports a hyphen that ends a line as U+FFFE: in a URL that is the URL's own hyphen."""
    raw = "\n".join(_text(page) for page in document)
    return raw, re.sub(r"\r?\n", "", raw).replace("\ufffe", "-")


@pytest.mark.parametrize("edition", EDITIONS)
def test_urls_are_printed_exactly(built_real: Path, edition: str) -> None:
    bib = bibliography.load(built_real / "bib" / "briefing.bib")
    _, joined = _joined(_pdf(built_real, edition))
    urls = []
    for entry in bib.library.entries:
        fields = {f.key.lower(): f.value for f in entry.fields}
        urls.append(f"https://doi.org/{fields['doi']}" if "doi" in fields else fields.get("url"))
    urls = [u for u in urls if u]
    assert len(urls) >= 6
    missing = [u for u in urls if u not in joined]
    assert missing == [], f"printed with an inserted hyphen or broken: {missing}"


@pytest.mark.parametrize("edition", EDITIONS)
def test_no_author_name_is_split_across_lines(built_real: Path, edition: str) -> None:
    bib = bibliography.load(built_real / "bib" / "briefing.bib")
    names = bibliography.typography(bib)["names"]
    raw, _ = _joined(_pdf(built_real, edition))
    split = [m.group() for name in names for k in range(1, len(name))
             for m in re.finditer(re.escape(name[:k]) + r"[-\u2010\u00ad]?\r?\n" +
                                  re.escape(name[k:]), raw)]
    assert split == [], f"names cut across lines: {split}"
    assert all(name in raw for name in names)


@pytest.mark.parametrize("edition", EDITIONS)
def test_no_page_is_under_a_third_full_except_where_a_chapter_ends(built_real: Path,
                                                                    edition: str) -> None:
    document = _pdf(built_real, edition)
    starts = {item.get_dest().get_index() for item in document.get_toc()
              if item.level == 0 and item.get_dest() is not None}
    thin = []
    for index, page in enumerate(document):
        if index + 1 in starts or index == len(document) - 1:
            continue  # the last page of a chapter may be short
        image = page.render(scale=0.5).to_pil().convert("L")
        width, height = image.size
        top, bottom = int(height * 24 / 297) + 2, int(height * 273 / 297) - 2
        pixels = image.load()
        last = next((y for y in range(bottom, top, -1)
                     if any(pixels[x, y] < 200 for x in range(0, width, 2))), top)
        if (last - top) / (bottom - top) < 1 / 3:
            thin.append(index + 1)
    assert thin == [], f"pages less than a third full in mid-chapter: {thin}"


@pytest.mark.parametrize("edition", EDITIONS)
def test_paragraph_numbers_never_look_like_section_numbers(built_real: Path,
                                                           edition: str) -> None:
    html = (built_real / "build" / f"briefing.{edition}.html").read_text("utf-8")
    # Each number links to its own anchor (the identifier kept across releases).
    numbers = re.findall(r'<a id="(p[^"]+)" class="pnum" href="#\1"[^>]*>([^<]*)</a>', html)
    assert len(numbers) > 50
    assert all(re.fullmatch(r"¶\d+\.\d+", shown) for _, shown in numbers), numbers[:5]
    sections = re.findall(r'<span class="header-section-number">([^<]*)</span>', html)
    assert sections and not any("¶" in s for s in sections)
    raw, _ = _joined(_pdf(built_real, edition))
    assert "¶3.1" in raw and "¶" not in "".join(sections)


def _key_points(html: str) -> list[str]:
    box = re.search(r'<div class="key-points">(.*?)</div>', html, re.S)
    assert box, "no key points box"
    return re.findall(r"<li>(.*?)</li>", box.group(1), re.S)


@pytest.mark.parametrize("edition", EDITIONS)
def test_key_points_are_findings_resting_on_linked_claims(built_real: Path,
                                                          edition: str) -> None:
    html = (built_real / "build" / f"briefing.{edition}.html").read_text("utf-8")
    findings = _key_points(html)
    assert 4 <= len(findings) <= 6
    for finding in findings:
        assert re.search(r'href="#claim-[a-z0-9-]+"', finding), finding[:80]
        assert 'class="citation"' in finding, finding[:80]
    assert not any(re.search(r"\b\d+ claims\b", f) for f in findings), "counts are no finding"


@pytest.mark.parametrize(("edition", "words"), [("en", ["2016", "before", "2020"]),
                                                ("nl", ["2016", "vóór", "2020"])])
def test_the_cover_says_how_old_the_sources_are(built_real: Path, edition: str,
                                                words: list[str]) -> None:
    cover = _text(_pdf(built_real, edition)[0])
    assert all(word in cover for word in words), cover


def test_a_paraphrase_is_not_printed_as_the_speakers_words(built_real: Path) -> None:
    """T7's quote is NOS's paraphrase of Shi Xinzhong (D11): the quote says so."""
    html = (built_real / "build" / "briefing.en.html").read_text("utf-8")
    claim = re.search(r'<div id="claim-trust-shi-background-checks" class="claim">(.*?)</div>',
                      html, re.S)
    assert claim, "claim not found"
    text = re.sub(r"<[^>]+>", "", claim.group(1))
    assert "The words of NOS, not a quotation of Shi Xinzhong." in text


def test_citation_exports_carry_the_identifier_and_both_editions(built_real: Path) -> None:
    build = built_real / "build"
    bib = (build / "briefing.en.bib").read_text()
    assert bib.startswith("@techreport{") and "langid = {british}" in bib
    assert "eprint = {urn:uuid:" in bib and "eprinttype = {urn}" in bib
    assert "langid = {dutch}" in (build / "briefing.nl.bib").read_text()
    assert "M1  - urn:uuid:" in (build / "briefing.en.ris").read_text()
    cff = run_cli(built_real, "cite", "--format", "cff").out
    identifiers = re.findall(r"value: \"(urn:uuid:[^\"]+)\"", cff)
    assert len(set(identifiers)) == 2, cff
    with zipfile.ZipFile(build / "briefing.en.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode()
    assert opf.count("<dc:title") == 2 and 'property="title-type">subtitle' in opf
    assert "<dc:description>" in opf


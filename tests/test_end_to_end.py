"""End to end: the real briefing, built by the real pandoc and WeasyPrint, read back."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
import pytest

import pdfread
from briefing.model import config, sources
from conftest import FLAGSHIP, ROOT, copy_project, digests, run_cli


def _pdf_text(path: Path) -> str:
    return pdfread.text(path)


def _flat(text: str) -> str:
    """PDF text with hyphenation and line breaks undone, for phrase searches."""
    return re.sub(r"\s+", " ", re.sub(r"[\u2010-]\n", "", text))


def _in_lines(phrase: str, text: str) -> bool:
    """`phrase` stands in the PDF's `text` (both normalised), read as a reader's software
    reads it: a word hyphenated at a line end comes without the hyphen, whose /ActualText
    leaves it out (outputs/pdf/tags.py), so a line break may also stand inside a word."""
    lines = "\n".join(sources.normalise(line) for line in text.split("\n"))
    words = sources.normalise(phrase).split(" ")
    pattern = r"\s+".join(r"\n?".join(map(re.escape, word)) for word in words)
    return re.search(pattern, lines) is not None


@pytest.fixture(scope="module")
def real_pdf_lines(built_real) -> str:
    return _pdf_text(built_real / "build" / "briefing.pdf")


@pytest.fixture(scope="module")
def real_pdf_text(real_pdf_lines) -> str:
    return _flat(real_pdf_lines)


def test_pdf_has_the_three_perspective_chapters(built_real, real_pdf_text):
    project = config.load(built_real)
    for perspective in project.config.perspectives.values():
        assert sources.normalise(perspective.title["en"]) in sources.normalise(real_pdf_text)
    assert "Western privacy concerns" in real_pdf_text
    assert "The trust rationale" in real_pdf_text
    assert "receptor approach" in real_pdf_text


def test_pdf_citations_are_rendered_with_paragraph_locators(real_pdf_text):
    assert re.search(r"\(Derksen 2016, paras?\. \d", real_pdf_text)
    assert re.search(r"\(NOS[^)]*paras?\. \d", real_pdf_text)
    assert "[@" not in real_pdf_text and "?nos" not in real_pdf_text


def test_pdf_reference_list_has_both_articles(real_pdf_text):
    # Author-first forms occur only in the reference list (in-text: "Derksen 2016").
    text = sources.normalise(real_pdf_text)
    assert "Derksen, Marco. 2016. 'China's sociaal krediet." in text
    assert "NOS. n.d. 'Big Brother 2.0" in text


def test_pdf_metadata_toc_bookmarks_and_page_numbers(built_real):
    with pikepdf.open(built_real / "build" / "briefing.pdf") as pdf:
        info = pdfread.info(pdf)
        titles = [title for level, title, _, _ in pdfread.outline(pdf) if level == 0]
    project = config.load(built_real)
    doc = project.config.document
    assert sources.normalise(info["/Title"]) == sources.normalise(
        f"{doc.title['en']}: {doc.subtitle['en']}")
    assert "\n" not in info["/Title"] + info["/Keywords"]
    assert info["/Author"] == project.config.document.organisation["en"]
    for perspective in project.config.perspectives.values():
        title = sources.normalise(perspective.title["en"])
        assert any(title in sources.normalise(t) for t in titles), titles
    texts = pdfread.texts(built_real / "build" / "briefing.pdf")
    assert f"Page 3 of {len(texts)}" in texts[2]
    assert "Contents" in _pdf_text(built_real / "build" / "briefing.pdf")


def test_every_quote_appears_in_dutch_with_translation(built_real, real_pdf_lines):
    project = config.load(built_real)
    base = sources.load(project.seeds_dir, list(project.config.perspectives),
                        editions=project.editions)
    quoted = [c for c in base.claims.values() if c.quote]
    assert quoted
    for claim in quoted:
        assert _in_lines(claim.quote.text, real_pdf_lines), claim.id


def test_epub_is_a_zip_with_navigation_and_passes_epubcheck(built_real):
    epub = built_real / "build" / "briefing.epub"
    with zipfile.ZipFile(epub) as archive:
        names = archive.namelist()
        assert names[0] == "mimetype"
        assert archive.read("mimetype") == b"application/epub+zip"
        nav = next(n for n in names if n.endswith("nav.xhtml"))
        # Read as text: a capitalised word may sit in a name span (typography.lua).
        assert "Western privacy concerns" in re.sub(r"<[^>]+>", "",
                                                    archive.read(nav).decode("utf-8"))
        text = b"".join(archive.read(n) for n in names if n.endswith(".xhtml"))
        assert b'lang="nl"' in text
    if shutil.which("java") is None:
        pytest.fail("java is needed for epubcheck; `make` installs it")
    result = subprocess.run([sys.executable, "-m", "epubcheck", str(epub)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stdout and "WARNING" not in result.stdout, result.stdout


def test_same_inputs_give_same_bytes_in_another_directory(tmp_path, built_minimal):
    other = copy_project(built_minimal, tmp_path / "elsewhere" / "copy")
    result = run_cli(other, "build")
    assert result.code == 0, result.err
    assert digests(other / "build") == digests(built_minimal / "build")


def test_source_date_epoch_sets_the_pdf_and_epub_dates(tmp_path, built_minimal):
    other = copy_project(built_minimal, tmp_path / "dated")
    result = run_cli(other, "build", env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.code == 0, result.err
    with pikepdf.open(other / "build" / "briefing.pdf") as pdf:
        assert pdfread.info(pdf)["/CreationDate"].startswith("D:20231114")
    with zipfile.ZipFile(other / "build" / "briefing.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode()
    assert '<meta property="dcterms:modified">2023-11-14T22:13:20Z</meta>' in opf


def test_without_source_date_epoch_the_document_date_is_used(built_minimal):
    with zipfile.ZipFile(built_minimal / "build" / "briefing.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode()
    assert '<meta property="dcterms:modified">2025-01-15T00:00:00Z</meta>' in opf
    assert "<dc:date" in opf and "2025-01-15" in opf


def test_real_project_is_the_one_in_this_repository():
    # Guards the fixture: the end-to-end tests must build the real seeds, not a stub.
    assert len(list((ROOT / "seeds").glob("*.yaml"))) >= 2


def test_epub_declares_its_accessibility(built_real):
    with zipfile.ZipFile(built_real / "build" / "briefing.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode()
    for prop in ("schema:accessMode", "schema:accessModeSufficient",
                 "schema:accessibilityFeature", "schema:accessibilityHazard",
                 "schema:accessibilitySummary", "dcterms:conformsTo"):
        assert f'<meta property="{prop}">' in opf, prop
    assert "EPUB Accessibility 1.1 - WCAG 2.1 Level AA" in opf


def test_html_is_one_self_contained_page(built_real):
    page = (built_real / "build" / "briefing.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en-GB"' in page
    assert 'name="viewport"' in page
    sources_ = re.findall(r'\bsrc="([^"]*)"', page)
    assert all(s.startswith("data:") for s in sources_), sources_[:3]  # every image inside
    # The argument map, inline (its boxes are links), named by its text alternative.
    assert re.search(r'<svg [^>]*role="group" aria-label="Argument map of \d+ claims', page)
    assert "<link " not in page and "@import" not in page
    assert not re.search(r"url\((?!data:)", page)
    assert 'lang="nl"' in page


def test_docx_has_the_expected_parts_our_styles_and_real_dates(built_real):
    with zipfile.ZipFile(built_real / "build" / "briefing.docx") as docx:
        names = set(docx.namelist())
        assert {"[Content_Types].xml", "word/document.xml", "word/styles.xml",
                "docProps/core.xml"} <= names
        document = docx.read("word/document.xml").decode()
        styles = docx.read("word/styles.xml").decode()
        core = docx.read("docProps/core.xml").decode()
        assert any(n.startswith("word/media/") and n.endswith(".svg") for n in names)
    assert "Western privacy concerns" in document
    assert 'w:val="1D2F4A"' in styles and 'w:val="0F4761"' not in styles
    assert "1970" not in core and f"{FLAGSHIP['date'].isoformat()}T00:00:00Z" in core


def test_epub_has_the_printed_cover_as_its_cover_image(built_real):
    with zipfile.ZipFile(built_real / "build" / "briefing.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode()
        png = epub.read("EPUB/media/cover.png")
    assert 'properties="cover-image"' in opf
    assert png.startswith(b"\x89PNG")

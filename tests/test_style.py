"""A project's own look ([style] in briefing.toml) and named authorship (issue 31): the
second-style fixture (tests/fixtures/styled: a PNG logo, house colours, DejaVu fonts of its
own, US Letter, continuous chapters, a long title with short_title, people as authors, a
licence) built once with the real CLI, its outputs read; and the style's files refused as
hostile inputs are, each an error at its line with build/ untouched."""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest

from briefing.model.settings import Config, contrast
from briefing.outputs.pdf import runon
from conftest import FIXTURES, run_cli

STYLED = FIXTURES / "styled"


# built_styled (conftest): the fixture built once for the whole run, shared with the
# checkers (tests/checkers), which read the same outputs.


# --- the outputs --------------------------------------------------------------------------

def test_pdf_page_size_fonts_and_logo(built_styled: Path):
    pdf = built_styled / "build" / "briefing.pdf"
    with pikepdf.open(pdf) as document:
        boxes = {tuple(round(float(v)) for v in page.mediabox) for page in document.pages}
        assert boxes == {(0, 0, 612, 792)}, "every page US Letter"
        fonts = set()
        for page in document.pages:
            for font in page.resources.get("/Font", {}).values():
                descendant = font.get("/DescendantFonts", [font])[0]
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is not None:
                    name = str(descriptor.FontName).split("+")[-1]
                    assert any(k in descriptor for k in ("/FontFile", "/FontFile2",
                                                         "/FontFile3")), name
                    fonts.add(name)
        assert {"Project-Body", "Project-Body-Bold", "Project-Heading",
                "Project-Heading-Bold"} <= fonts, fonts
        first = document.pages[0]
        images = [x for x in first.resources.get("/XObject", {}).values()
                  if x.get("/Subtype") == "/Image"]
        assert any(int(i.Width) == 480 and int(i.Height) == 120 for i in images), \
            "the logo (480 × 120 px) on the cover"
        with document.open_metadata() as xmp:
            assert "CC-BY-4.0" in str(xmp.get("dc:rights"))


def test_pdf_short_title_in_running_head_and_chapters_run_on(built_styled: Path):
    import pypdfium2 as pdfium

    from briefing.model import config
    from briefing.outputs import styling

    project = config.load(built_styled)
    block = styling.text_block_pt(project.config.style)
    document = pdfium.PdfDocument(str(built_styled / "build" / "briefing.pdf"))
    try:
        texts = [document[i].get_textpage().get_text_range() for i in range(len(document))]
        fills = [runon.page_fill(document[i], block) for i in range(len(document))]
    finally:
        document.close()
    body = [i for i, t in enumerate(texts) if "The press reading" in t and "¶" in t]
    assert body, texts
    page = texts[body[0]]
    assert "A Fixture Briefing" in page and "Far Too Long" not in page.split("\n")[0]
    # continuous: both chapters and the references on one page
    assert "The stated aim" in page and "References" in page
    # no page of the text under a third full except the last
    assert all(f >= runon.SHORT for f in fills[body[0]:-1]), fills


def test_html_and_epub_carry_the_style(built_styled: Path):
    html = (built_styled / "build" / "briefing.html").read_text("utf-8")
    assert "#6b2d5c" in html and "data:font/ttf;base64," in html
    assert "letter-spacing: 0.14em" in html  # the project stylesheet
    assert 'class="cover-logo" src="data:image/png;base64,' in html
    assert "Ada Example" in html and "0000-0002-1825-0097" in html
    with zipfile.ZipFile(built_styled / "build" / "briefing.epub") as epub:
        css = epub.read("EPUB/styles/stylesheet1.css").decode("utf-8")
        opf = epub.read("EPUB/content.opf").decode("utf-8")
    assert "#6b2d5c" in css and "#1d4e89" not in css
    assert "letter-spacing: 0.14em" in css and "url(" not in css
    assert "<dc:rights>" in opf and "CC-BY-4.0" in opf


def test_citation_exports_name_the_people_and_licence(built_styled: Path):
    result = run_cli(built_styled, "cite", "--format", "cff")
    assert result.code == 0, result.err
    assert 'family-names: "Example"' in result.out and 'license: "CC-BY-4.0"' in result.out
    assert "https://orcid.org/0000-0002-1825-0097" in result.out
    item = json.loads((built_styled / "build" / "briefing.json").read_text("utf-8"))[0]
    assert [a["literal"] for a in item["author"]] == ["Ada Example", "Bob Example"]
    assert item["collection-title"] == "Test Briefs" and item["license"] == "CC-BY-4.0"


# --- the checks, in-process ---------------------------------------------------------------

def _config(style: dict) -> dict:
    return {"document": {"title": "T", "organisation": "O", "version": "1",
                         "date": "2025-01-01", "identifier": "urn:x"}, "style": style}


@pytest.mark.parametrize(("key", "value", "least"), [
    ("accent", "#999999", "4.5:1"), ("text", "#aaaaaa", "4.5:1"),
    ("heading", "#cccccc", "3:1")])
def test_a_colour_below_wcag_aa_is_refused(key, value, least):
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as caught:
        Config.model_validate(_config({key: value}))
    error = caught.value.errors()[0]
    assert error["loc"] == ("style", key) and least in error["msg"]


def test_contrast_is_wcag_s():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48  # just below AA


# --- hostile style inputs, through the real CLI --------------------------------------------

def _digests(root: Path) -> dict[str, bytes]:
    """Every file of a tree but build/'s scratch (its lock, work folders and cache)."""
    return {str(p.relative_to(root)): p.read_bytes() if p.is_file() and not p.is_symlink()
            else b"" for p in sorted(root.rglob("*"))
            if p.relative_to(root).parts[:1] != ("build",)
            or not any(part.startswith(".") for part in p.relative_to(root).parts[1:])}


def _refused(project: Path, outside: Path | None = None) -> str:
    before = _digests(project)
    around = _digests(outside) if outside else {}
    result = run_cli(project, "build")
    assert result.code == 1, (result.code, result.err)
    assert "Traceback" not in result.err and "internal error" not in result.err
    lines = [line for line in result.err.strip().splitlines() if not line.startswith("·")]
    assert len(lines) == 2, result.err
    assert ": error: " in lines[0] and lines[1].startswith("  hint: "), result.err
    assert _digests(project) == before, "nothing in the project changed"
    if outside:
        assert _digests(outside) == around
    return lines[0]


def _styled_copy(tmp_path: Path, built: Path, replace: tuple[str, str] | None = None
                 ) -> Path:
    """A copy of the built fixture with its outputs in build/, as an author has it."""
    project = tmp_path / "project"
    shutil.copytree(built, project, ignore=shutil.ignore_patterns(".work", ".work-*",
                                                                   ".cache"))
    if replace:
        path = project / "briefing.toml"
        text = path.read_text("utf-8")
        assert replace[0] in text
        path.write_text(text.replace(*replace), "utf-8")
    return project


def _line(project: Path, needle: str) -> int:
    lines = (project / "briefing.toml").read_text("utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def test_stylesheet_import_is_refused_at_its_line(tmp_path: Path, built_styled: Path):
    project = _styled_copy(tmp_path, built_styled)
    (project / "style" / "house.css").write_text(
        "/* house */\n.cover { color: #000; }\n@import url(\"other.css\");\n", "utf-8")
    message = _refused(project)
    assert message.startswith("style/house.css:3: error: @import is not allowed"), message


def test_stylesheet_url_outside_the_project_is_refused(tmp_path: Path, built_styled: Path):
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "mark.png").write_bytes((STYLED / "style" / "logo.png").read_bytes())
    project = _styled_copy(tmp_path, built_styled)
    (project / "style" / "house.css").write_text(
        ".cover {\n  background: url(../../secret/mark.png);\n}\n", "utf-8")
    message = _refused(project, outside)
    assert message.startswith("style/house.css:2: error: url('../../secret/mark.png') is "
                              "outside the project"), message


def test_stylesheet_web_address_and_expression_are_refused(tmp_path: Path, built_styled: Path):
    project = _styled_copy(tmp_path, built_styled)
    (project / "style" / "house.css").write_text(
        "a { background: url(https://example.org/t.png); }\n"
        "b { width: expression(alert(1)); }\n", "utf-8")
    result = run_cli(project, "check")
    assert result.code == 1
    assert "style/house.css:1: error: url('https://example.org/t.png') loads from outside " \
           "the project" in result.err
    assert "style/house.css:2: error: expression() is not allowed" in result.err


# A style file whose content is not what its name says: (file, its new bytes, the key's
# line in briefing.toml, the message after "style.").
NOT_WHAT_IT_SAYS = {
    "font": ("style/fonts/DejaVuSans.ttf", b"<html>not a font</html>", "heading_font",
             "heading_font 'style/fonts/DejaVuSans.ttf': not a font: its content is no "
             "TrueType, OpenType or WOFF"),
    "reference-docx": ("style/reference.docx", b"PK\x03\x04 not really a zip",
                       "docx_reference =", "docx_reference 'style/reference.docx': not a Word "
                       "document (.docx is a ZIP archive)"),
}


@pytest.mark.parametrize("case", NOT_WHAT_IT_SAYS)
def test_a_style_file_that_is_not_what_it_says_is_refused(tmp_path: Path, built_styled: Path,
                                                          case: str):
    name, content, key, said = NOT_WHAT_IT_SAYS[case]
    project = _styled_copy(tmp_path, built_styled)
    (project / name).write_bytes(content)
    message = _refused(project)
    assert message == f"briefing.toml:{_line(project, key)}: error: style.{said}", message


def test_a_font_whose_licence_forbids_embedding_is_refused(tmp_path: Path, built_styled: Path):
    from fontTools.ttLib import TTFont

    project = _styled_copy(tmp_path, built_styled)
    path = project / "style" / "fonts" / "DejaVuSans.ttf"
    font = TTFont(str(path))
    font["OS/2"].fsType = 0x0002  # restricted licence embedding
    buffer = io.BytesIO()
    font.save(buffer)
    path.write_bytes(buffer.getvalue())
    message = _refused(project)
    assert "its licence does not allow embedding it in a PDF (OS/2 fsType 0x0002)" in message


def test_a_colour_that_fails_contrast_is_an_error_at_its_line(tmp_path: Path, built_styled: Path):
    project = _styled_copy(tmp_path, built_styled,
                           ('accent = "#6b2d5c"', 'accent = "#aaaaaa"'))
    message = _refused(project)
    line = _line(project, "accent =")
    assert message.startswith(f"briefing.toml:{line}: error: "), message
    assert "style.accent" in message and "#aaaaaa has a contrast of 2.14:1" in message


def test_a_logo_that_is_a_link_outside_the_project_is_refused(tmp_path: Path, built_styled: Path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "logo.png").write_bytes((STYLED / "style" / "logo.png").read_bytes())
    project = _styled_copy(tmp_path, built_styled)
    (project / "style" / "logo.png").unlink()
    os.symlink(outside / "logo.png", project / "style" / "logo.png")
    message = _refused(project, outside)
    line = _line(project, "logo =")
    assert message == (f"briefing.toml:{line}: error: style.logo 'style/logo.png' is a link "
                       "to a file outside the project"), message


def test_a_logo_that_is_no_image_is_refused(tmp_path: Path, built_styled: Path):
    project = _styled_copy(tmp_path, built_styled)
    (project / "style" / "logo.png").write_text("a text, not a picture", "utf-8")
    message = _refused(project)
    assert "style.logo: not a PNG image: its content is no image" in message


# --- the policy brief ---------------------------------------------------------------------

def _page_texts(pdf: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def test_styled_brief_holds_its_sections_then_how_to_cite(built_styled: Path):
    texts = _page_texts(built_styled / "build" / "briefing.brief.pdf")
    assert 1 <= len(texts) <= 4
    whole = "\n".join(texts)
    first = texts[0]
    assert "A Fixture Briefing Whose Title" in first and "Ada Example" in first
    assert "The press reading" in first and "Contents" not in whole
    assert whole.index("The stated aim") < whole.index("References") < whole.index(
        "How to cite this briefing")
    with pikepdf.open(built_styled / "build" / "briefing.brief.pdf") as document:
        assert {tuple(round(float(v)) for v in p.mediabox) for p in document.pages} == {
            (0, 0, 612, 792)}


def test_flagship_brief_fits_four_pages_with_the_key_points_on_page_one(built_real: Path):
    import re

    for edition, heading in (("en", "Key points"), ("nl", "Kernpunten")):
        report = (built_real / "build" / f".work-{edition}" / "briefing.html")
        report = report if report.exists() else built_real / "build" / ".work" / "briefing.html"
        texts = _page_texts(built_real / "build" / f"briefing.{edition}.brief.pdf")
        assert len(texts) <= 4, (edition, len(texts))
        assert heading in texts[0], edition
        # The first key point's title, as the report's HTML page (the brief's source) has it.
        found = re.search(r'<div class="key-points">\s*<ul>\s*<li>(?:<p>)?<strong>(.*?)</strong>',
                          report.read_text("utf-8"))
        assert found is not None, edition
        point = re.sub(r"<[^>]+>", "", found.group(1)).rstrip(".")
        assert point in " ".join(texts[0].split()), (edition, point)


def test_build_brief_naming_no_section_is_an_error_at_its_line(tmp_path: Path,
                                                               built_styled: Path):
    project = _styled_copy(tmp_path, built_styled,
                           ('brief = ["the-press-reading", "the-stated-aim"]',
                            'brief = ["the-press-reading", "conclusions"]'))
    message = _refused(project)
    line = _line(project, "brief = [")
    assert message == (f"briefing.toml:{line}: error: build.brief names 'conclusions', which "
                       "is no section of the briefing"), message


# --- the DOCX -------------------------------------------------------------------------

def test_docx_takes_the_reference_documents_styles_and_names_the_authorship(
        built_styled: Path):
    with zipfile.ZipFile(built_styled / "build" / "briefing.docx") as docx:
        styles = docx.read("word/styles.xml").decode("utf-8")
        text = docx.read("word/document.xml").decode("utf-8")
        custom = docx.read("docProps/custom.xml").decode("utf-8")
    assert 'w:styleId="TestInstituteNote"' in styles  # style/reference.docx's
    assert 'w:styleId="TOC1"' in styles  # the contents' styles added as ever
    # The style's Letter page and margins (20mm 20mm 22mm 25mm), in twips.
    assert ('<w:pgSz w:w="12240" w:h="15840" /><w:pgMar w:top="1134" w:right="1134" '
            'w:bottom="1247" w:left="1417"') in text
    assert "ORCID 0000-0002-1825-0097" in text and "Reviewed by Grace Example." in text
    assert "creativecommons.org/licenses/by/4.0/" in text
    assert "CC-BY-4.0 Creative Commons Attribution 4.0 International" in custom


def test_docx_default_look_is_made_from_the_style(built_styled: Path, tmp_path: Path):
    """Without a reference document: the heading and accent colours and the fonts' family
    names go into the DOCX's styles and theme."""
    from briefing.outputs import docx

    raw = tmp_path / "raw.docx"
    shutil.copy(built_styled / "build" / "briefing.docx", raw)
    with zipfile.ZipFile(raw) as archive:
        pandoc_styles = archive.read("word/styles.xml")
    data = docx.finish(raw, 1736899200, style=docx.Look(b"4A1F40", b"6B2D5C", b"DejaVu Serif",
                                                        b"DejaVu Sans"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        theme = archive.read("word/theme/theme1.xml").decode("utf-8")
        styles = archive.read("word/styles.xml")
    assert 'typeface="DejaVu Serif"' in theme and 'typeface="DejaVu Sans"' in theme
    assert '<a:srgbClr val="6B2D5C"' in theme
    assert b'w:val="0F4761"' in pandoc_styles  # Pandoc's heading colour, before
    assert b'w:val="4A1F40"' in styles and b'w:val="0F4761"' not in styles


def test_a_style_file_is_an_input_of_the_build(tmp_path: Path, built_styled: Path):
    """Editing the project stylesheet makes the next build rebuild; `briefing inputs`
    lists the style's files."""
    project = _styled_copy(tmp_path, built_styled)
    listed = run_cli(project, "inputs")
    assert listed.code == 0
    assert {"style/logo.png", "style/house.css", "style/reference.docx",
            "style/fonts/DejaVuSans.ttf"} <= set(listed.out.split())
    assert run_cli(project, "build").code == 0  # a copy is rebuilt once: its paths moved
    assert "Up to date" in run_cli(project, "build").err
    with (project / "style" / "house.css").open("a", encoding="utf-8") as css:
        css.write(".cover-title { letter-spacing: 0.02em; }\n")
    again = run_cli(project, "build")
    assert again.code == 0 and "Up to date" not in again.err
    assert "letter-spacing: 0.02em" in (project / "build" / "briefing.html").read_text("utf-8")



def _png(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "PNG")
    return out.getvalue()


def test_an_image_the_stylesheet_loads_is_an_input_of_the_build(tmp_path: Path,
                                                                 built_styled: Path):
    """A file named only in the project stylesheet's url() is listed by `briefing inputs`,
    and a new version of it rebuilds: its new bytes are in the outputs, not cached ones."""
    project = _styled_copy(tmp_path, built_styled)
    (project / "style" / "pattern.png").write_bytes(_png((240, 230, 240)))
    with (project / "style" / "house.css").open("a", encoding="utf-8") as css:
        css.write('.how-to-cite { background-image: url("pattern.png"); }\n')
    assert "style/pattern.png" in run_cli(project, "inputs").out.split()
    assert run_cli(project, "build").code == 0
    assert "Up to date" in run_cli(project, "build").err
    before = (project / "build" / "briefing.html").read_text("utf-8")
    pdf = (project / "build" / "briefing.pdf").read_bytes()
    (project / "style" / "pattern.png").write_bytes(_png((230, 240, 230)))
    again = run_cli(project, "build")
    assert again.code == 0 and "Up to date" not in again.err
    after = (project / "build" / "briefing.html").read_text("utf-8")
    new = base64.b64encode(_png((230, 240, 230))).decode()
    assert new not in before and new in after
    assert (project / "build" / "briefing.pdf").read_bytes() != pdf  # laid out again

"""The DOCX as Word and LibreOffice users open it: LibreOffice (headless) converts each
edition, and the converted document shows the argument map and a filled-in contents list;
the file carries no build path and gives dates in the edition's form. The second-style
fixture's DOCX, made on its reference document, opens on its style's US Letter (the
flagship's on A4) with the named people."""

from __future__ import annotations

import os
import re
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest

from conftest import flagship_date

from .conftest import EDITIONS, need

CONTENTS = {"en": ("Contents", "Argument map"), "nl": ("Inhoud", "Argumentkaart")}
DATES = {"en": flagship_date("en"), "nl": flagship_date("nl")}


def _libreoffice(docx: Path, folder: Path) -> Path:
    """`docx` as LibreOffice (headless, a profile of its own) prints it to PDF."""
    soffice = need("LibreOffice", "soffice", "Debian package libreoffice-writer-nogui")
    profile = folder / "profile"
    done = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "pdf", "--outdir", str(folder), str(docx)],
        capture_output=True, text=True, timeout=300, env=dict(os.environ, HOME=str(folder)))
    converted = folder / (docx.stem + ".pdf")
    assert converted.exists(), done.stdout + done.stderr
    return converted


@pytest.mark.parametrize("edition", EDITIONS)
def test_libreoffice_shows_the_map_and_a_contents_list(outputs: Path, edition: str, tmp_path):
    pdftotext = need("pdftotext", "pdftotext", "Debian package poppler-utils")
    converted = _libreoffice(outputs / f"briefing.{edition}.docx", tmp_path)
    with pikepdf.open(converted) as pdf:
        sizes = {tuple(round(float(v)) for v in page.mediabox[2:]) for page in pdf.pages}
        pictures = [name for page in pdf.pages
                    for name, obj in (page.obj.Resources.get("/XObject") or {}).items()
                    if obj.get("/Subtype") == "/Image" and int(obj.Width) >= 600]
    assert pictures, "the argument map (its PNG fallback) is drawn"
    assert sizes == {(595, 842)}, sizes  # A4, as the PDF: not the word processor's default
    text = subprocess.run([pdftotext, "-l", "3", str(converted), "-"], capture_output=True,
                          text=True, check=True).stdout
    heading, chapter = CONTENTS[edition]
    contents = text[text.index(heading):]
    entries = [line for line in contents.splitlines()[1:40] if re.match(r"^\d+(\.\d+)? \S", line)]
    assert len(entries) >= 15, contents[:1500]
    assert any(chapter in line for line in entries), entries


@pytest.mark.parametrize("edition", EDITIONS)
def test_docx_has_no_build_path_and_dates_in_the_edition_form(outputs: Path, edition: str):
    with zipfile.ZipFile(outputs / f"briefing.{edition}.docx") as docx:
        parts = {name: docx.read(name).decode("utf-8") for name in docx.namelist()
                 if name.endswith((".xml", ".rels"))}
        assert any(n.endswith(".png") for n in docx.namelist())
    for name, text in parts.items():
        assert "build/" not in text and ".work" not in text, name
        assert "<vt:lpwstr></vt:lpwstr>" not in text, name  # no empty custom property
    document = parts["word/document.xml"]
    date = re.search(r'<w:pStyle w:val="Date" />\s*</w:pPr>\s*<w:r><w:t[^>]*>([^<]*)<',
                     document).group(1)
    assert date == DATES[edition]
    assert re.search(r'<a:blip r:embed="rId\w+">', document), "a raster next to the SVG"


def test_libreoffice_opens_the_styled_docx_on_letter_with_its_people(built_styled: Path,
                                                                    tmp_path: Path):
    pdftotext = need("pdftotext", "pdftotext", "Debian package poppler-utils")
    converted = _libreoffice(built_styled / "build" / "briefing.docx", tmp_path)
    with pikepdf.open(converted) as pdf:
        sizes = {tuple(round(float(v)) for v in page.mediabox[2:]) for page in pdf.pages}
    assert sizes == {(612, 792)}, sizes  # US Letter, the style's page_size
    text = subprocess.run([pdftotext, str(converted), "-"], capture_output=True, text=True,
                          check=True).stdout
    contents = text[text.index("Contents"):]
    assert contents.index("The press reading") < contents.index("The stated aim")
    for shown in ("Ada Example, Policy analyst, Test Institute ORCID 0000-0002-1825-0097",
                  "Contact: Ada Example, ada@example.org", "(CC-BY-4.0)",
                  "Reviewed by Grace Example.", "The views expressed are the authors"):
        assert shown in text, shown

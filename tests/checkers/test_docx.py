"""The DOCX as Word and LibreOffice users open it: LibreOffice (headless) converts each
edition, and the converted document shows the argument map and a filled-in contents list;
the file carries no build path and gives dates in the edition's form."""

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


@pytest.mark.parametrize("edition", EDITIONS)
def test_libreoffice_shows_the_map_and_a_contents_list(outputs: Path, edition: str, tmp_path):
    soffice = need("LibreOffice", "soffice", "Debian package libreoffice-writer-nogui")
    pdftotext = need("pdftotext", "pdftotext", "Debian package poppler-utils")
    profile = tmp_path / "profile"
    done = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
         "--convert-to", "pdf", "--outdir", str(tmp_path),
         str(outputs / f"briefing.{edition}.docx")],
        capture_output=True, text=True, timeout=300, env=dict(os.environ, HOME=str(tmp_path)))
    converted = tmp_path / f"briefing.{edition}.pdf"
    assert converted.exists(), done.stdout + done.stderr
    with pikepdf.open(converted) as pdf:
        pictures = [name for page in pdf.pages
                    for name, obj in (page.obj.Resources.get("/XObject") or {}).items()
                    if obj.get("/Subtype") == "/Image" and int(obj.Width) >= 600]
    assert pictures, "the argument map (its PNG fallback) is drawn"
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

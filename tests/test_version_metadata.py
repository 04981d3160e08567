"""The document's version and date in every format's metadata (issue 21): the PDF's XMP and
Info dictionary, the EPUB's package document, the DOCX's core properties, the how-to-cite
box of the HTML page, and every citation export. The minimal fixture, given a version and
a date found nowhere else, built once by the real Pandoc and WeasyPrint (no
SOURCE_DATE_EPOCH: the build's date is the publication date), and once more to show the
metadata keeps the bytes identical from build to build."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import bibtexparser
import pikepdf
import pytest

from conftest import FIXTURES, copy_project, run_cli

VERSION = "3.14"
DATE = "2024-03-14"
STAMP = "2024-03-14T00:00:00Z"  # the build's date: the publication date, at midnight UTC
OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
DCTERMS = "{http://purl.org/dc/terms/}"
XMP_MM = "http://ns.adobe.com/xap/1.0/mm/"


def _versioned(target: Path) -> Path:
    project = copy_project(FIXTURES / "minimal", target)
    toml = project / "briefing.toml"
    text = toml.read_text("utf-8")
    assert text.count('version = "1.0"') == 1 and text.count("date = 2025-01-15") == 1
    toml.write_text(text.replace('version = "1.0"', f'version = "{VERSION}"')
                    .replace("date = 2025-01-15", f"date = {DATE}"), "utf-8")
    result = run_cli(project, "build")
    assert result.code == 0, result.err
    return project


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return _versioned(tmp_path_factory.mktemp("versioned"))


@pytest.fixture(scope="module")
def out(built: Path) -> Path:
    return built / "build"


def test_the_fixture_has_the_version_and_date_nowhere_else():
    for path in (FIXTURES / "minimal").rglob("*"):
        if path.is_file() and path.name != "briefing.toml":
            text = path.read_text("utf-8", "replace")
            assert VERSION not in text and DATE not in text, path


def test_pdf_xmp_has_version_and_dates(out: Path):
    with pikepdf.open(out / "briefing.pdf") as pdf:
        assert pdf.pdf_version == "1.7"  # PDF/UA-1: the Info dictionary is not deprecated
        meta = pdf.open_metadata()
        assert meta["xmpMM:VersionID"] == VERSION
        assert meta["dc:date"] == [DATE]
        assert meta["xmp:CreateDate"] == STAMP and meta["xmp:ModifyDate"] == STAMP
        # What was there stays: the PDF/UA identification, the title, the producer.
        assert meta["pdfuaid:part"] == "1"
        assert meta["dc:title"] == "Fixture Briefing: A two-perspective test document"
        assert meta["pdf:Producer"].startswith("WeasyPrint ")
        raw = pdf.Root.Metadata.read_bytes()
        # Well-formed, and the xmpMM prefix declared where it is used.
        packet = raw[raw.index(b"<x:xmpmeta"):raw.index(b"</x:xmpmeta>") + 12]
        root = ET.fromstring(packet)
        assert [e.text for e in root.iter(f"{{{XMP_MM}}}VersionID")] == [VERSION]
        assert "/StructTreeRoot" in pdf.Root  # still tagged


def test_pdf_info_has_version_and_dates(out: Path):
    with pikepdf.open(out / "briefing.pdf") as pdf:
        info = pdf.docinfo
        assert str(info["/Version"]) == VERSION
        assert str(info["/CreationDate"]) == str(info["/ModDate"]) == "D:20240314000000Z"


def test_epub_package_has_version_and_date(out: Path):
    with zipfile.ZipFile(out / "briefing.epub") as archive:
        package = ET.fromstring(archive.read("EPUB/content.opf"))
    metadata = package.find(f"{OPF}metadata")
    assert metadata is not None
    props = {m.get("property"): m.text for m in metadata.iter(f"{OPF}meta") if m.get("property")}
    assert props["schema:version"] == VERSION
    assert props["dcterms:modified"] == STAMP
    assert [d.text for d in metadata.iter(f"{DC}date")] == [DATE]
    # schema: is reserved in EPUB 3; declaring it again would be an error (epubcheck OPF-007).
    assert "schema:" not in (package.get("prefix") or "")


def test_docx_core_properties_have_version_and_dates(out: Path):
    with zipfile.ZipFile(out / "briefing.docx") as archive:
        core = ET.fromstring(archive.read("docProps/core.xml"))
    assert [v.text for v in core.iter(f"{CP}version")] == [VERSION]
    assert core.findtext(f"{DCTERMS}created") == STAMP
    assert core.findtext(f"{DCTERMS}modified") == STAMP


def test_html_how_to_cite_has_version_and_date(out: Path):
    page = (out / "briefing.html").read_text("utf-8")
    box = re.search(r'<div class="how-to-cite">(.*?)</div>', page, re.S)
    assert box is not None
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", box.group(1))).split())
    assert f"Version {VERSION}, 14 March 2024." in text


def test_citation_exports_have_version_and_date(built: Path, out: Path):
    (entry,) = bibtexparser.parse_string((out / "briefing.bib").read_text("utf-8")).entries
    assert entry["version"] == VERSION and entry["date"] == DATE
    tags = dict(line.split("  - ", 1) for line in
                (out / "briefing.ris").read_text("utf-8").splitlines() if "  - " in line)
    assert tags["ET"] == VERSION and tags["DA"] == "2024/03/14"
    (item,) = json.loads((out / "briefing.json").read_text("utf-8"))
    assert item["version"] == VERSION and item["issued"] == {"date-parts": [[2024, 3, 14]]}
    cff = run_cli(built, "cite", "--format", "cff")
    assert cff.code == 0, cff.err
    assert f'version: "{VERSION}"' in cff.out.splitlines()
    assert f"date-released: {DATE}" in cff.out.splitlines()
    assert f'  version: "{VERSION}"' in cff.out.splitlines()  # the preferred citation's
    text = run_cli(built, "cite", "--format", "text")
    assert text.code == 0, text.err
    assert f"Version {VERSION}, 14 March 2024." in text.out


def test_a_second_build_gives_the_same_bytes(built: Path, out: Path, tmp_path: Path):
    again = _versioned(tmp_path / "again") / "build"
    for name in ("briefing.pdf", "briefing.epub", "briefing.docx"):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name

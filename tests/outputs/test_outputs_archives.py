"""Finishing the archives Pandoc writes (EPUB, DOCX), on small ones made by hand: our
stylesheet and metadata in, dates pinned, the same bytes every time."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from briefing.errors import BriefingError
from briefing.outputs import docx, epub

EPOCH = 1736899200  # 2025-01-15T00:00:00Z
XHTML = ('<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
         "<head><title>t</title></head><body>{}</body></html>")
OPF = ('<?xml version="1.0"?>\n<package xmlns="http://www.idpf.org/2007/opf">'
       '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
       '<dc:title id="epub-title-1">Fixture</dc:title>'
       '<meta property="dcterms:modified">1970-01-01T00:00:00Z</meta></metadata>'
       "<manifest></manifest><spine></spine></package>")


def archive(path: Path, entries: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as out:
        for name, text in entries.items():
            out.writestr(zipfile.ZipInfo(name, date_time=(2001, 2, 3, 4, 5, 6)), text)
    return path


def raw_epub(tmp_path: Path, chapter: str = "<p>One</p>") -> Path:
    return archive(tmp_path / "raw.epub", {
        "mimetype": "application/epub+zip", epub.PACKAGE: OPF,
        "EPUB/nav.xhtml": XHTML.format("<nav/>"), epub.STYLESHEET: "body { color: red }",
        "EPUB/text/ch001.xhtml": XHTML.format(chapter)})


def test_the_epub_gets_our_stylesheet_its_date_and_pinned_timestamps(tmp_path: Path):
    raw = raw_epub(tmp_path)
    data = epub.finish(raw, "p { margin: 0 }\n", EPOCH, subtitle="A test")
    assert epub.finish(raw, "p { margin: 0 }\n", EPOCH, subtitle="A test") == data
    out = tmp_path / "done.epub"
    out.write_bytes(data)
    with zipfile.ZipFile(out) as done:
        infos = done.infolist()
        assert infos[0].filename == "mimetype"
        assert infos[0].compress_type == zipfile.ZIP_STORED
        assert {i.date_time for i in infos} == {(2025, 1, 15, 0, 0, 0)}
        assert done.read(epub.STYLESHEET) == b"p { margin: 0 }\n"
        package = done.read(epub.PACKAGE)
    assert b'<meta property="dcterms:modified">2025-01-15T00:00:00Z</meta>' in package
    assert epub.CONFORMS_TO in package
    assert b'<dc:title id="epub-title-2">A test</dc:title>' in package


def test_an_epub_with_a_broken_document_or_no_navigation_is_refused(tmp_path: Path):
    with pytest.raises(BriefingError) as caught:
        epub.finish(raw_epub(tmp_path, "<p>One</b>"), "", EPOCH)
    assert "EPUB/text/ch001.xhtml, which is not well-formed XML" in str(caught.value)
    bare = archive(tmp_path / "bare.epub", {"mimetype": "application/epub+zip",
                                            epub.PACKAGE: OPF})
    with pytest.raises(BriefingError, match="without mimetype or navigation"):
        epub.finish(bare, "", EPOCH)


def test_the_docx_gets_its_dates_and_loses_the_paths_pandoc_copied(tmp_path: Path):
    raw = archive(tmp_path / "raw.docx", {
        "[Content_Types].xml": "<Types/>",
        "word/_rels/document.xml.rels": "<Relationships></Relationships>",
        "word/document.xml": '<w:document><w:pPr><w:pStyle w:val="Date" />\n</w:pPr>\n'
                             "<w:r><w:t>2025-01-15</w:t></w:r></w:document>",
        "docProps/core.xml": "<cp><dcterms:created>1970-01-01T00:00:00Z</dcterms:created>"
                             "</cp>",
        "docProps/custom.xml": '<Properties><property pid="2" name="csl"><vt:lpwstr>'
                               "/home/someone/style.csl</vt:lpwstr></property>"
                               '<property pid="3" name="title"><vt:lpwstr>Fixture'
                               "</vt:lpwstr></property></Properties>"})
    out = tmp_path / "done.docx"
    out.write_bytes(docx.finish(raw, EPOCH, "2025-01-15", "15 January 2025"))
    with zipfile.ZipFile(out) as done:
        core = done.read("docProps/core.xml")
        custom = done.read("docProps/custom.xml")
        document = done.read("word/document.xml")
    assert core == b"<cp><dcterms:created>2025-01-15T00:00:00Z</dcterms:created></cp>"
    assert b"style.csl" not in custom and b"Fixture" in custom
    assert b"<w:t>15 January 2025</w:t>" in document

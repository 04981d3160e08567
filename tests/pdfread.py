"""The built PDFs read back for the tests with the two PDF libraries the engine already has:
the text as PDFium (Chrome's PDF engine, through pypdfium2) extracts it, the structure
(outline, named destinations, page labels, document information) with pikepdf (qpdf)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium


@contextmanager
def pdfium_document(source: Path | bytes) -> Iterator[pdfium.PdfDocument]:
    document = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))
    try:
        yield document
    finally:
        document.close()


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n")  # PDFium ends lines with CR LF


def texts(source: Path | bytes) -> list[str]:
    """Each page's text, lines ending in "\\n"."""
    with pdfium_document(source) as document:
        return [_lines(page.get_textpage().get_text_range()) for page in document]


def text(source: Path | bytes) -> str:
    """The whole document's text, page after page."""
    return "\n".join(texts(source))


def texts_left_of(source: Path | bytes, right: float) -> list[str]:
    """Each page's text that stands left of `right` (points from the page's left edge):
    a paragraph number in the margin, not the same characters in a sentence."""
    with pdfium_document(source) as document:
        return [_lines(page.get_textpage().get_text_bounded(right=right))
                for page in document]


def page_count(source: Path | bytes) -> int:
    with pdfium_document(source) as document:
        return len(document)


def _target(pages: dict, destination) -> tuple[int, float, float]:
    """(page index, left, top) of an explicit destination [page /XYZ left top zoom]."""
    if isinstance(destination, pikepdf.Dictionary):
        destination = destination.D
    return (pages[destination[0].objgen], round(float(destination[2]), 2),
            round(float(destination[3]), 2))


def _pages(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: n for n, page in enumerate(pdf.pages)}


def outline(pdf: pikepdf.Pdf) -> list[tuple[int, str, int, float]]:
    """Every bookmark in order: (level, title, page index, top)."""
    found, pages = [], _pages(pdf)

    def walk(items, level: int) -> None:
        for item in items:
            destination = item.destination
            if destination is None and item.action is not None:
                destination = item.action.D
            page, _, top = _target(pages, destination)
            found.append((level, str(item.title), page, top))
            walk(item.children, level + 1)

    with pdf.open_outline() as tree:
        walk(tree.root, 0)
    return found


def destinations(pdf: pikepdf.Pdf) -> dict[str, tuple[int, float, float]]:
    """Every named destination: name -> (page index, left, top)."""
    if "/Names" not in pdf.Root or "/Dests" not in pdf.Root.Names:
        return {}
    pages = _pages(pdf)
    return {str(name): _target(pages, destination)
            for name, destination in pikepdf.NameTree(pdf.Root.Names.Dests).items()}


def info(pdf: pikepdf.Pdf) -> dict[str, str]:
    """The document information dictionary: "/Title" -> its text, and so on."""
    return {str(key): str(value) for key, value in pdf.docinfo.items()}

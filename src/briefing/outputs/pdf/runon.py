"""Chapters that run on: no page at a chapter's end left less than a third full.

print.css starts every chapter (every <h1>) on a new page. A chapter whose last page holds
only a few lines then leaves most of that page blank (review D10: "4.2 and one paragraph,
85 % blank"). So the book is laid out chapter by chapter as before (book.py), and then,
measured: where a chapter's last page is under a third full, the next chapter runs on
after it on that page, with space above its heading (its <section> gets class "run-on",
which print.css exempts from the page break). The two are laid out as one part, which is
measured again, until no chapter end is short or the next chapter must start a page.

A chapter must start a page when its author says so: `# Heading {.new-page}`.

Whether a page is short is measured from the laid-out part: the lowest thing printed on its
last page (text, rule, box or picture; not the running heads and footers, which are
artifacts outside the text block), as a share of the height of print.css's text block.
"""

from __future__ import annotations

import ctypes
import functools
import re
import threading

from briefing import TEMPLATES

SHORT = 1 / 3        # a last page filled less than this lets the next chapter run on
RUN_ON = "run-on"    # the class of a chapter's <section> that continues on the page before
NEW_PAGE = "new-page"  # the author's class for a chapter that always starts a page
MM = 72 / 25.4

SECTION_RE = re.compile(r"<section\b[^>]*>", re.I)
CLASS_RE = re.compile(r"""\bclass=(["'])([^"']*)\1""", re.I)
H1_CLASS_RE = re.compile(r"""<h1\b[^>]*\bclass=(["'])([^"']*)\1""", re.I)

# PDFium is not thread-safe, and the editions' books are laid out in threads of their own.
_PDFIUM = threading.Lock()


def may_run_on(piece: str) -> bool:
    """Whether a chapter (its markup, starting with its <section>) may continue on the
    page where the chapter before it ends: not when its author marked it {.new-page}."""
    section = SECTION_RE.search(piece)
    classes = CLASS_RE.search(section.group()) if section else None
    heading = H1_CLASS_RE.search(piece)
    found = (classes.group(2).split() if classes else []) + (
        heading.group(2).split() if heading else [])
    return NEW_PAGE not in found


def running_on(piece: str) -> str:
    """The chapter's markup with its <section> marked to run on (class "run-on")."""
    section = SECTION_RE.search(piece)
    if section is None:
        return piece
    tag = section.group()
    classes = CLASS_RE.search(tag)
    if classes:
        marked = (tag[:classes.start(2)] + classes.group(2) + f" {RUN_ON}"
                  + tag[classes.end(2):])
    else:
        marked = tag[:-1].rstrip("/ ") + f' class="{RUN_ON}">'
    return piece[:section.start()] + marked + piece[section.end():]


@functools.cache
def text_block() -> tuple[float, float]:
    """The top and bottom margins of print.css's pages, in points."""
    css = (TEMPLATES / "print.css").read_text("utf-8")
    page = re.search(r"@page\s*\{[^{}]*?\bmargin:\s*([^;]+);", css)
    values = [_length(v) for v in page.group(1).split()] if page else []
    if not values or None in values:
        raise ValueError("print.css: no @page margin in mm, cm, in or pt")
    top = values[0]
    bottom = values[2] if len(values) >= 3 else top  # margin: top [sides [bottom [left]]]
    return top, bottom  # type: ignore[return-value]


def _length(text: str) -> float | None:
    match = re.fullmatch(r"([\d.]+)(mm|cm|in|pt)", text.strip())
    if not match:
        return None
    return float(match.group(1)) * {"mm": MM, "cm": 10 * MM, "in": 72.0, "pt": 1.0}[match.group(2)]


def last_page_fill(pdf: bytes, block: tuple[float, float] | None = None) -> float:
    """How full the last page of a laid-out part is: 0 (empty) to 1 (to the foot);
    `block`: the top and bottom margins in points (default: print.css's)."""
    import pypdfium2 as pdfium

    # PDFium is not thread-safe and the editions are laid out side by side: every handle
    # is opened and closed under the lock, none left for a finalizer in another thread.
    with _PDFIUM:
        document = pdfium.PdfDocument(pdf)
        try:
            page = document[len(document) - 1]
            try:
                return page_fill(page, block)
            finally:
                page.close()
        finally:
            document.close()


def page_fill(page, block: tuple[float, float] | None = None) -> float:
    """The share of the text block's height that a PDFium page's content takes, from the
    top of the block to the lowest object printed in it (artifacts left out); `block` as
    in last_page_fill (a project's [style] margins)."""
    top, bottom = block or text_block()
    height = page.get_height()
    block_top, block_bottom = height - top, bottom
    lowest = block_top
    for obj in page.get_objects(max_depth=0):
        if _artifact(obj):
            continue
        left, low, right, high = obj.get_bounds()
        if high <= block_bottom + 0.5 or low >= block_top - 0.5:
            continue  # in the margins: a running head, a footer
        lowest = min(lowest, max(low, block_bottom))
    return (block_top - lowest) / (block_top - block_bottom)


def _artifact(obj) -> bool:
    import pypdfium2 as pdfium

    pdfium_c = pdfium.raw
    for i in range(pdfium_c.FPDFPageObj_CountMarks(obj.raw)):
        mark = pdfium_c.FPDFPageObj_GetMark(obj.raw, i)
        size = ctypes.c_ulong()
        buffer = (ctypes.c_ushort * 32)()  # UTF-16, with its terminating zero
        if pdfium_c.FPDFPageObjMark_GetName(mark, buffer, ctypes.sizeof(buffer),
                                            ctypes.byref(size)):
            name = bytes(buffer)[:max(0, size.value - 2)].decode("utf-16-le", "replace")
            if name == "Artifact":
                return True
    return False

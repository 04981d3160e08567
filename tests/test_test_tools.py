"""The tests' own tools do see what they are there to see: the loopback listener records a
connection (so "no hits" means none came), and pdfread finds text, margins, bookmarks and
destinations in a PDF made here."""

from __future__ import annotations

import io
import socket
import time

import pikepdf

import pdfread
from conftest import listen


def test_the_listener_records_a_connection():
    with listen() as (port, hits):
        assert hits == []
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        deadline = time.monotonic() + 5
        while not hits and time.monotonic() < deadline:
            time.sleep(0.05)
        assert hits == [1]


def _pdf() -> bytes:
    """Two pages: 'Margin' at x=20 and 'Body text' at x=100 on the first, a bookmark and a
    named destination to the second."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    for words in ((b"(Margin) Tj 80 0 Td (Body text) Tj"), b"(Second) Tj"):
        page = pdf.add_blank_page(page_size=(300, 300))
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.obj.Contents = pdf.make_stream(b"BT /F1 12 Tf 20 200 Td " + words + b" ET")
    second = pdf.pages[1].obj
    pdf.Root.Names = pikepdf.Dictionary(Dests=pikepdf.Dictionary(Names=pikepdf.Array([
        pikepdf.String("two"), pikepdf.Array([second, pikepdf.Name.XYZ, 10, 250, 0])])))
    with pdf.open_outline() as tree:
        tree.root.append(pikepdf.OutlineItem("Two", 1, "XYZ", left=10, top=240))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_pdfread_reads_text_margins_bookmarks_and_destinations():
    data = _pdf()
    assert pdfread.page_count(data) == 2
    assert pdfread.texts(data)[0].split() == ["Margin", "Body", "text"]
    assert pdfread.texts_left_of(data, right=80)[0].strip() == "Margin"
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdfread.outline(pdf) == [(0, "Two", 1, 240.0)]
        assert pdfread.destinations(pdf) == {"two": (1, 10.0, 250.0)}

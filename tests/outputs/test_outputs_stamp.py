"""The page-number layer drawn onto the book (stamp.py), on small PDFs made with pikepdf."""

from __future__ import annotations

import pikepdf
from pikepdf import Dictionary, Name

from briefing.outputs.pdf import stamp


def _font(pdf: pikepdf.Pdf, name: str) -> pikepdf.Object:
    return pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name(name)))


def _page(pdf: pikepdf.Pdf, content: bytes, font: str) -> None:
    pdf.add_blank_page(page_size=(200, 300))
    page = pdf.pages[-1].obj
    page.Contents = pdf.make_stream(content)
    page.Resources = Dictionary(Font=Dictionary(F1=_font(pdf, font)),
                                ExtGState=Dictionary({"/a1.0": Dictionary(ca=1)}))


def _drawn(stamp_content: bytes) -> pikepdf.Pdf:
    book, layer = pikepdf.new(), pikepdf.new()
    _page(book, b"1 0 0 -1 0 300 cm BT /F1 12 Tf (text) Tj ET", "/Body")
    _page(layer, stamp_content, "/Numbers")
    stamp.draw(book, layer)
    return book


def _operations(book: pikepdf.Pdf) -> list[tuple[str, list[str]]]:
    return [(str(op), [str(o) for o in operands])
            for operands, op in pikepdf.parse_content_stream(book.pages[0])]


def test_the_stamp_is_drawn_into_the_page_as_an_artifact_under_names_of_its_own():
    book = _drawn(b"q /a1.0 gs BT /F1 10 Tf (Page 1 of 1) Tj ET Q")
    operations = _operations(book)
    # The page's own drawing first, in q/Q (it leaves a cm), then the stamp, marked.
    assert operations[0] == ("q", [])
    assert ("Tf", ["/F1", "12"]) in operations
    at = operations.index(("BMC", ["/Artifact"]))
    assert ("Q", []) in operations[:at]
    assert ("Tf", ["/F1-stamp1", "10"]) in operations[at:]  # /F1 is the page's body font
    assert ("gs", ["/a1.0"]) in operations[at:]  # the same <</ca 1>>: the page's one
    fonts = book.pages[0].obj.Resources.Font
    assert str(fonts.F1.BaseFont) == "/Body"
    assert str(fonts["/F1-stamp1"].BaseFont) == "/Numbers"
    assert "/XObject" not in book.pages[0].obj.Resources


def test_a_stamp_that_cannot_be_rewritten_is_drawn_as_a_form():
    book = _drawn(b"q BT /F1 10 Tf (Page 1 of 1) Tj ET")  # a q left open
    operations = _operations(book)
    at = operations.index(("BMC", ["/Artifact"]))
    assert ("Do", [str(stamp.FORM)]) in operations[at:]
    form = book.pages[0].obj.Resources.XObject[stamp.FORM]
    assert str(form.Resources.Font.F1.BaseFont) == "/Numbers"

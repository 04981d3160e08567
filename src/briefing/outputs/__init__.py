"""Every file a reader gets, from one composed document per edition.

formats() names each format's Output (base.py), in the order they are finished; a new
format is a module with an Output class, named here.
"""

from __future__ import annotations


def formats() -> dict[str, type]:
    """name -> Output class, in finishing order (the EPUB's cover is the PDF's page 1)."""
    from briefing.outputs.docx import DocxOutput
    from briefing.outputs.epub import EpubOutput
    from briefing.outputs.html import HtmlOutput
    from briefing.outputs.pdf.book import PdfOutput

    return {o.name: o for o in (HtmlOutput, PdfOutput, EpubOutput, DocxOutput)}

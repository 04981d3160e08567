"""`make proof` renders every page and a contact sheet that shows them all."""

from __future__ import annotations

from PIL import Image

import pdfread
from briefing.outputs import proof


def test_proof_renders_every_page_and_a_contact_sheet(built_minimal, tmp_path):
    pdf = built_minimal / "build" / "briefing.pdf"
    sheet = proof.proof(pdf, tmp_path / "proof")
    pages = sorted((tmp_path / "proof").glob("page-*.png"))
    assert len(pages) == pdfread.page_count(pdf)
    with Image.open(pages[0]) as first, Image.open(sheet) as contact:
        assert first.width < first.height  # portrait A4
        # Not blank: the cover has dark text on white.
        assert first.convert("L").getextrema()[0] < 100
        assert contact.width > first.width

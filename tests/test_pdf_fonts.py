"""The book joined from parts laid out apart embeds one font program per face, as one
WeasyPrint run over the whole document does, and so is about its size (issue 20: at most
1.1 times). Real WeasyPrint on the minimal fixture's HTML; sizes, not times."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pikepdf

from briefing.model import config
from briefing.outputs.pdf import book as pdfbook
from briefing.outputs.pdf import parts
from briefing.runtime import cache


def programs(data: bytes) -> Counter[str]:
    """Embedded font programs per face: the BaseFont name without its subset tag."""
    found: Counter[str] = Counter()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                face = str(obj.FontName).split("+", 1)[-1]
                found[face] += sum(key in obj for key in ("/FontFile", "/FontFile2",
                                                         "/FontFile3"))
    return found


def test_the_joined_book_embeds_one_font_program_per_face(built_minimal: Path, tmp_path):
    page = (built_minimal / "build" / ".work" / "briefing.html").read_text("utf-8")
    split = parts.split(page)
    assert split is not None and len(split.chapters) >= 2  # faces used in several parts
    bounds = config.load(built_minimal).config.limits
    settings = pdfbook.Settings(built_minimal, 1700000000, tmp_path / "work",
                                bounds.weasyprint_seconds, bounds.weasyprint_memory_mib,
                                ("test",), workers=2)
    settings.workdir.mkdir()
    notes: list[str] = []
    book = pdfbook.book(page, settings, cache.Cache(tmp_path), notes=notes)
    assert not [n for n in notes if "laid out in one run" in n]  # it was joined
    whole = pdfbook.whole(page, settings)
    assert programs(whole) == programs(book)
    assert set(programs(book).values()) == {1}
    assert len(book) <= 1.1 * len(whole), (len(book), len(whole))

"""`make proof`: every PDF page as a PNG under build/proof/, plus one contact sheet.

For looking at what we made: a page that looks wrong is a bug even when tests pass.
Uses pypdfium2 (a PyPI wheel), so no system tools are needed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from briefing.runtime.cache import Cache, digest, engine

COLUMNS = 6


def cover_png(pdf_bytes: bytes, width: int = 1200, store: Cache | None = None) -> bytes:
    """The PDF's first page as a PNG: the EPUB's cover image, the same design as print.
    The PNG is kept by its pixels: an edit elsewhere in the book draws the same cover, and
    compressing it (optimize) is the slow part."""
    import io

    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf_bytes)
    page = document[0]
    image = page.render(scale=width / page.get_width()).to_pil().convert("RGB")

    def encode() -> bytes:
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()

    if store is None:
        return encode()
    return store.through("coverpng", digest("coverpng", engine(), str(image.size),
                                            image.tobytes()), encode)


def proof(pdf: Path, out: Path, scale: float = 60 / 72) -> Path:
    import pypdfium2 as pdfium
    from PIL import Image

    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("page-*.png"):
        old.unlink()
    document = pdfium.PdfDocument(str(pdf))
    pages = []
    for index in range(len(document)):
        image = document[index].render(scale=scale).to_pil()
        image.save(out / f"page-{index + 1:03d}.png")
        pages.append(image)
    width, height = pages[0].size
    rows = (len(pages) + COLUMNS - 1) // COLUMNS
    sheet = Image.new("RGB", (COLUMNS * (width + 10) + 10, rows * (height + 10) + 10), "#777")
    for index, image in enumerate(pages):
        sheet.paste(image, (10 + (index % COLUMNS) * (width + 10),
                            10 + (index // COLUMNS) * (height + 10)))
    target = out / "contact-sheet.png"
    sheet.save(target)
    return target


if __name__ == "__main__":
    pdf = Path(sys.argv[1] if len(sys.argv) > 1 else "build/briefing.pdf")
    print(proof(pdf, pdf.parent / "proof"))

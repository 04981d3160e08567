"""`make proof`: every PDF page as a PNG under build/proof/, plus one contact sheet.

For looking at what we made: a page that looks wrong is a bug even when tests pass.
Uses pypdfium2 (a PyPI wheel), so no system tools are needed. Written like every output:
build/ checked for links and special files first, the images through the one door
(runtime/writing.py), all together.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from briefing.errors import BriefingError
from briefing.runtime import writing
from briefing.runtime.cache import Cache, digest, engine

COLUMNS = 6


def cover_png(pdf_bytes: bytes, width: int = 1200, store: Cache | None = None) -> bytes:
    """The PDF's first page as a PNG: the EPUB's cover image, the same design as print.
    The PNG is kept by its pixels: an edit elsewhere in the book draws the same cover, and
    compressing it (optimize) is the slow part."""
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
    """Every page of `pdf` as out/page-NNN.png and out/contact-sheet.png; `out` is a
    folder in build/ (its parent), which must hold no link and no special file."""
    import pypdfium2 as pdfium
    from PIL import Image

    build = writing.BuildDir(out.parent)
    build.prepare()
    build.check_tree()
    document = pdfium.PdfDocument(str(pdf))
    pages = [document[index].render(scale=scale).to_pil() for index in range(len(document))]
    width, height = pages[0].size
    rows = (len(pages) + COLUMNS - 1) // COLUMNS
    sheet = Image.new("RGB", (COLUMNS * (width + 10) + 10, rows * (height + 10) + 10), "#777")
    for index, image in enumerate(pages):
        sheet.paste(image, (10 + (index % COLUMNS) * (width + 10),
                            10 + (index // COLUMNS) * (height + 10)))
    target = out / "contact-sheet.png"
    images = {out / f"page-{index:03d}.png": _png(image)
              for index, image in enumerate(pages, 1)}
    writing.write_files(out.parent, {**images, target: _png(sheet)})
    for old in sorted(out.glob("page-*.png")):  # pages of a longer PDF before
        if old not in images:
            build.remove(old)
    return target


def _png(image) -> bytes:
    data = io.BytesIO()
    image.save(data, format="PNG")
    return data.getvalue()


if __name__ == "__main__":
    pdf = Path(sys.argv[1] if len(sys.argv) > 1 else "build/briefing.pdf")
    try:
        print(proof(pdf, pdf.parent / "proof"))
    except BriefingError as exc:
        print(exc.format(Path.cwd()), file=sys.stderr)
        sys.exit(1)

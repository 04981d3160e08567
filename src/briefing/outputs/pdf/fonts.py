"""One embedded font per face in the joined book (assemble.py calls share() before saving).

Each part, laid out apart, embeds its own subset of every face it uses: the real briefing's
body face came 14 times, and the book was twice the size of one WeasyPrint run. WeasyPrint
subsets with the original glyph ids kept (HarfBuzz or fontTools, "retain gids"), so the
subsets of one face agree glyph for glyph: they merge into one font program holding the
union of their glyphs (truetype.py), and their font dictionaries into one with the union
of the widths and of the Unicode map, which every page then names. What the parts disagree
on is not shared, so no page changes: the program only if every glyph agrees, the
dictionary only if the widths (which place the glyphs) and the Unicode texts (what a
reader copies) agree. Fonts of another kind (CFF, Type 3, a custom encoding for missing
glyphs) stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from decimal import Decimal

import pikepdf
from pikepdf import Array, Dictionary, Name

from briefing.outputs.pdf import truetype

Numbers = dict[int, int | Decimal]
FIXED_PITCH = 1  # FontDescriptor /Flags bit 1, which WeasyPrint sets when every width is one
BFCHAR_RE = re.compile(rb"\d+ beginbfchar\s(.*?)endbfchar", re.S)
PAIR_RE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")


def share(book: pikepdf.Pdf) -> None:
    tables = list(_font_tables(book))
    faces: dict[str, list[Dictionary]] = {}
    seen: set[tuple[int, int]] = set()
    for table in tables:
        for font in table.values():
            if isinstance(font, Dictionary) and font.is_indirect and font.objgen not in seen:
                seen.add(font.objgen)
                faces.setdefault(str(font.get("/BaseFont", "")), []).append(font)
    for fonts in faces.values():
        if len(fonts) > 1 and all(_simple(font) for font in fonts):
            shared = _share_face(book, fonts)
            if shared is not None:
                _repoint(tables, fonts, shared)


def _font_tables(book: pikepdf.Pdf) -> Iterator[Dictionary]:
    """Every /Font resource table the pages draw with, their forms' and patterns' too."""
    stack = [page.obj.get("/Resources") for page in reversed(book.pages)]
    visited: set[tuple[int, int]] = set()
    while stack:
        resources = stack.pop()
        if not isinstance(resources, Dictionary):
            continue
        if resources.is_indirect:
            if resources.objgen in visited:
                continue
            visited.add(resources.objgen)
        table = resources.get("/Font")
        if isinstance(table, Dictionary):
            yield table
        for kind in ("/XObject", "/Pattern"):
            children = resources.get(kind)
            if isinstance(children, Dictionary):
                stack += [child.get("/Resources") for child in children.values()
                          if isinstance(child, Dictionary | pikepdf.Stream)]


def _simple(font: Dictionary) -> bool:
    """A TrueType font as WeasyPrint embeds one: glyph ids as codes, one program."""
    descendants = font.get("/DescendantFonts")
    if (font.get("/Subtype") != Name.Type0 or font.get("/Encoding") != Name("/Identity-H")
            or not isinstance(descendants, Array) or len(descendants) != 1
            or not isinstance(font.get("/ToUnicode"), pikepdf.Stream)):
        return False
    cid = descendants[0]
    descriptor = cid.get("/FontDescriptor")
    return (cid.get("/Subtype") == Name.CIDFontType2
            and cid.get("/CIDToGIDMap") == Name.Identity
            and isinstance(cid.get("/W"), Array) and isinstance(descriptor, Dictionary)
            and isinstance(descriptor.get("/FontFile2"), pikepdf.Stream)
            and "/CIDSet" not in descriptor)


def _share_face(book: pikepdf.Pdf, fonts: list[Dictionary]) -> Dictionary | None:
    """The first font made the face's only one, or None if only the program is shared
    (or nothing)."""
    descriptors = [font.DescendantFonts[0].FontDescriptor for font in fonts]
    program = truetype.merged([d.FontFile2.read_bytes() for d in descriptors])
    if program is None:
        return None
    stream = book.make_stream(program)
    stream.Length1 = len(program)
    for descriptor in descriptors:
        descriptor.FontFile2 = stream
    widths = _union([_widths(font.DescendantFonts[0].W) for font in fonts])
    texts = _union([_unicode(font.ToUnicode.read_bytes()) for font in fonts])
    first = fonts[0]
    cmap = _cmap(first.ToUnicode.read_bytes(), texts) if texts else None
    if widths is None or cmap is None:
        return None
    cid, descriptor = first.DescendantFonts[0], descriptors[0]
    cid.W = _widths_array(widths)
    first.ToUnicode = book.make_stream(cmap)
    boxes = [[Decimal(str(v)) for v in d.FontBBox] for d in descriptors if "/FontBBox" in d]
    if boxes:  # the union of the parts' boxes: WeasyPrint's is (0, descent, widest, ascent)
        descriptor.FontBBox = Array([min(b[0] for b in boxes), min(b[1] for b in boxes),
                                     max(b[2] for b in boxes), max(b[3] for b in boxes)])
    fixed = len(widths) > 1 and len(set(widths.values())) == 1
    descriptor.Flags = int(descriptor.Flags) & ~FIXED_PITCH | (FIXED_PITCH if fixed else 0)
    return first


def _repoint(tables: list[Dictionary], fonts: list[Dictionary], shared: Dictionary) -> None:
    merged = {font.objgen for font in fonts}
    for table in tables:
        for key in list(table.keys()):
            value = table[key]
            if isinstance(value, Dictionary) and value.is_indirect and value.objgen in merged:
                table[key] = shared


def _union(maps: Sequence[dict | None]) -> dict | None:
    """The union of maps that agree wherever they overlap, else None."""
    union: dict = {}
    for found in maps:
        if found is None:
            return None
        for key, value in found.items():
            if union.setdefault(key, value) != value:
                return None
    return dict(sorted(union.items()))


def _widths(array: pikepdf.Object) -> Numbers | None:
    """A CIDFont's /W: `c [w1 w2 ...]` and `c_first c_last w` runs, as cid -> width."""
    widths: Numbers = {}
    items, i = list(array), 0
    while i < len(items):
        if i + 1 < len(items) and isinstance(items[i + 1], Array):
            for offset, width in enumerate(items[i + 1]):
                widths[int(items[i]) + offset] = _number(width)
            i += 2
        elif i + 2 < len(items):
            for cid in range(int(items[i]), int(items[i + 1]) + 1):
                widths[cid] = _number(items[i + 2])
            i += 3
        else:
            return None
    return widths


def _number(value) -> int | Decimal:
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else number


def _widths_array(widths: Numbers) -> Array:
    """WeasyPrint's shape: one `c [w ...]` run per stretch of consecutive ids."""
    array = Array()
    for cid, width in widths.items():
        if cid - 1 not in widths:
            array.append(cid)
            array.append(Array())
        array[-1].append(width)
    return array


def _unicode(cmap: bytes) -> dict[int, bytes] | None:
    """A ToUnicode CMap of single-code `bfchar` entries (as WeasyPrint writes them), as
    glyph id -> UTF-16BE hex; None for a CMap with ranges, which is not merged."""
    if b"beginbfrange" in cmap:
        return None
    found: dict[int, bytes] = {}
    for block in BFCHAR_RE.findall(cmap):
        for code, text in PAIR_RE.findall(block):
            found[int(code, 16)] = text.lower()
    return found


def _cmap(model: bytes, texts: dict[int, bytes]) -> bytes | None:
    """The model CMap's header and trailer around every entry of `texts`, 100 to a block
    (a CMap's limit)."""
    first = BFCHAR_RE.search(model)
    if first is None:
        return None
    start, end = first.start(), model.rindex(b"endbfchar") + len(b"endbfchar")
    lines = []
    entries = list(texts.items())
    for at in range(0, len(entries), 100):
        batch = entries[at:at + 100]
        lines.append(f"{len(batch)} beginbfchar".encode())
        lines += [b"<%04x> <%s>" % (code, text) for code, text in batch]
        lines.append(b"endbfchar")
    return model[:start] + b"\n".join(lines) + model[end:]

"""Subsets of one TrueType font, made with the original glyph ids kept, merged into one
program with the union of their glyphs (fonts.py shares it between the book's parts).

Glyph by glyph on the raw tables, with struct, not fontTools: a subset keeps the glyph
ids, so a glyph is the same bytes in every subset that has it (a composite glyph names its
parts by id), and its metrics the same hmtx entry. fontTools decompiling every glyph took
1.7 s for the real briefing's five faces, and even reading the tables with it 0.3 s; this
takes a few hundredths. The tables that summarise the glyphs (head's box, hhea's extremes,
maxp's maxima) are recomputed or taken at their largest; the others (name, OS/2, post,
cmap, GDEF) are those of the subset with the most glyph ids. A PDF reader selects a
glyph by its id (CIDToGIDMap /Identity) and takes the text from /ToUnicode, so the
program's own character map is not read (PDF 32000-1, 9.7.4.2).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

Metric = tuple[int, int]  # advance width, left side bearing
TRUETYPE = (0x00010000, 0x74727565)  # sfnt versions of TrueType outlines (1.0, "true")
MAXP_FIELDS = 13  # maxp 1.0's maxima after numGlyphs: maxPoints ... maxComponentDepth


@dataclass
class _Subset:
    tables: dict[bytes, bytes]
    count: int  # glyph ids, most of them kept only as places
    glyphs: dict[int, tuple[bytes, Metric]]  # the glyphs it has: outline bytes, metrics


def merged(programs: list[bytes]) -> bytes | None:
    """One program with every glyph of the given subsets, or None if they are not subsets
    of one font with the same glyph ids (or not TrueType)."""
    if len(set(programs)) == 1:
        return programs[0]
    subsets = [_read(data) for data in programs]
    found = [s for s in subsets if s is not None]
    if len(found) != len(subsets) or len(
            {(s.tables[b"head"][18:20], s.tables[b"name"]) for s in found}) != 1:
        return None  # not one font (units per em and names differ), or not TrueType
    union: dict[int, tuple[bytes, Metric]] = {}
    for subset in found:
        for gid, glyph in subset.glyphs.items():
            if union.setdefault(gid, glyph) != glyph:
                return None  # two subsets disagree about one glyph id
    count = max(s.count for s in found)
    glyphs, metrics = [b""] * count, [(0, 0)] * count
    for gid, (outline, metric) in union.items():
        glyphs[gid], metrics[gid] = outline, metric
    base = next(s for s in found if s.count == count)
    return _written(base.tables, found, glyphs, metrics)


def _read(data: bytes) -> _Subset | None:
    try:
        version, count = struct.unpack_from(">IH", data)
        if version not in TRUETYPE:
            return None
        tables = {}
        for i in range(count):
            tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
            tables[tag] = data[offset:offset + length]
        if not {b"head", b"hhea", b"maxp", b"hmtx", b"loca", b"glyf", b"name"} <= set(tables):
            return None
        glyph_count = struct.unpack_from(">H", tables[b"maxp"], 4)[0]
        scale, kind = (1, "L") if struct.unpack_from(">h", tables[b"head"], 50)[0] else (2, "H")
        offsets = struct.unpack_from(f">{glyph_count + 1}{kind}", tables[b"loca"])
        glyf = tables[b"glyf"]
        glyphs = {gid: (glyf[start * scale:end * scale], metric) for gid, (start, end, metric)
                  in enumerate(zip(offsets[:-1], offsets[1:], _metrics(tables, glyph_count),
                                   strict=True))
                  if start != end or metric != (0, 0)}  # the rest only keep the ids
        return _Subset(tables, glyph_count, glyphs)
    except struct.error:  # cut short: a program we cannot read is left as it is
        return None


def _metrics(tables: dict[bytes, bytes], count: int) -> list[Metric]:
    """hmtx: a (width, bearing) pair for the first numberOfHMetrics glyphs, then bearings
    only, the last width repeating."""
    long = struct.unpack_from(">H", tables[b"hhea"], 34)[0]
    data = tables[b"hmtx"]
    metrics = list(struct.iter_unpack(">Hh", data[:4 * long]))
    bearings = struct.unpack_from(f">{count - long}h", data, 4 * long)
    return metrics + [(metrics[-1][0], bearing) for bearing in bearings]


def _written(base: dict[bytes, bytes], subsets: list[_Subset], glyphs: list[bytes],
             metrics: list[Metric]) -> bytes:
    count = len(glyphs)
    padded = [glyph + b"\0" * (-len(glyph) % 4) for glyph in glyphs]
    offsets = [0]
    for glyph in padded:
        offsets.append(offsets[-1] + len(glyph))
    long_offsets = offsets[-1] > 0x1FFFF  # short offsets count in words, up to 0xFFFF
    widths = count
    while widths > 1 and metrics[widths - 1][0] == metrics[widths - 2][0]:
        widths -= 1  # trailing glyphs of one width keep only their bearings, as usual
    tables = dict(base)
    tables[b"glyf"] = b"".join(padded)
    tables[b"loca"] = (struct.pack(f">{count + 1}L", *offsets) if long_offsets else
                       struct.pack(f">{count + 1}H", *(offset // 2 for offset in offsets)))
    tables[b"hmtx"] = (b"".join(struct.pack(">Hh", *m) for m in metrics[:widths])
                       + struct.pack(f">{count - widths}h", *(m[1] for m in metrics[widths:])))

    boxes = [(struct.unpack_from(">4h", glyph, 2), metric)
             for glyph, metric in zip(glyphs, metrics, strict=True) if glyph]
    head = bytearray(base[b"head"])
    struct.pack_into(">I", head, 8, 0)  # checkSumAdjustment: set when the font is written
    struct.pack_into(">h", head, 50, 1 if long_offsets else 0)
    hhea = bytearray(base[b"hhea"])
    struct.pack_into(">H", hhea, 10, max(m[0] for m in metrics))
    struct.pack_into(">H", hhea, 34, widths)
    if boxes:
        struct.pack_into(">4h", head, 36, min(b[0] for b, _ in boxes),
                         min(b[1] for b, _ in boxes), max(b[2] for b, _ in boxes),
                         max(b[3] for b, _ in boxes))
        struct.pack_into(">3h", hhea, 12, min(m[1] for _, m in boxes),
                         min(m[0] - m[1] - (b[2] - b[0]) for b, m in boxes),
                         max(m[1] + b[2] - b[0] for b, m in boxes))
    maxp = bytearray(base[b"maxp"])
    struct.pack_into(">H", maxp, 4, count)
    if len(maxp) >= 6 + 2 * MAXP_FIELDS:  # version 1.0 (TrueType): the largest of each
        found = [struct.unpack_from(f">{MAXP_FIELDS}H", s.tables[b"maxp"], 6) for s in subsets]
        struct.pack_into(f">{MAXP_FIELDS}H", maxp, 6, *(max(v) for v in zip(*found, strict=True)))
    tables.update({b"head": bytes(head), b"hhea": bytes(hhea), b"maxp": bytes(maxp)})
    return _sfnt(tables)


def _sfnt(tables: dict[bytes, bytes]) -> bytes:
    """The font file: the table directory (sorted by tag), the tables 4-byte aligned, and
    head's checkSumAdjustment so that the whole file sums to 0xB1B0AFBA."""
    tags = sorted(tables)
    power = 1 << (len(tags).bit_length() - 1)
    header = struct.pack(">IHHHH", TRUETYPE[0], len(tags), power * 16, power.bit_length() - 1,
                         (len(tags) - power) * 16)
    offset = len(header) + 16 * len(tags)
    directory, body = [], []
    for tag in tags:
        data = tables[tag]
        directory.append(struct.pack(">4sIII", tag, _checksum(data), offset, len(data)))
        body.append(data + b"\0" * (-len(data) % 4))
        offset += len(body[-1])
    font = bytearray(header + b"".join(directory) + b"".join(body))
    head_at = struct.unpack_from(">I", directory[tags.index(b"head")], 8)[0]
    struct.pack_into(">I", font, head_at + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF

"""One font per face in the joined book (fonts.py), on subsets that fontTools makes of the
engine's own font as WeasyPrint asks for them (glyph ids kept), in small pikepdf books."""

from __future__ import annotations

import functools
import io

import pikepdf
from fontTools import subset
from fontTools.ttLib import TTFont
from pikepdf import Array, Dictionary, Name

from briefing import TEMPLATES
from briefing.outputs.pdf import fonts, truetype

FONT = TEMPLATES / "fonts" / "NotoSerif-Regular.ttf"
FACE = "/ABCDEF+Briefing-Serif"


@functools.cache  # subsetting the whole font takes a while: once per text
def _subset(text: str) -> bytes:
    font = TTFont(FONT)
    options = subset.Options(retain_gids=True, hinting=False, desubroutinize=True)
    options.drop_tables += ["GSUB", "GPOS"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _gids(text: str) -> dict[str, int]:
    return {char: _original_gids()[char] for char in text}


@functools.cache
def _original_gids() -> dict[str, int]:
    font = TTFont(FONT)
    return {chr(code): font.getGlyphID(name) for code, name in font.getBestCmap().items()
            if code < 0x300}


def _outlines(program: bytes, gids: list[int]) -> list:
    font = TTFont(io.BytesIO(program))
    glyf, order = font["glyf"], font.getGlyphOrder()
    return [glyf[order[gid]].getCoordinates(glyf)[0].array.tolist() for gid in gids]


def test_subsets_with_kept_glyph_ids_merge_into_one_program_with_every_glyph():
    gids = _gids("abcé")  # é is a composite glyph: its parts come along
    merged = truetype.merged([_subset("abc"), _subset("cé")])
    assert merged is not None
    assert _outlines(merged, list(gids.values())) == _outlines(FONT.read_bytes(),
                                                               list(gids.values()))
    TTFont(io.BytesIO(merged), checkChecksums=2).ensureDecompiled()  # a well-formed font


def test_subsets_that_disagree_about_a_glyph_are_not_merged():
    other = TTFont(io.BytesIO(_subset("cé")))
    glyph = other["glyf"][other.getBestCmap()[ord("c")]]
    glyph.coordinates[0] = (glyph.coordinates[0][0] + 7, glyph.coordinates[0][1])
    changed = io.BytesIO()
    other.save(changed)
    assert truetype.merged([_subset("abc"), changed.getvalue()]) is None


def _type0(pdf: pikepdf.Pdf, text: str, widths: dict[int, int]) -> Dictionary:
    """A font dictionary as WeasyPrint writes one: Type0, Identity-H, CIDFontType2."""
    gids = _gids(text)
    pairs = "\n".join(f"<{gid:04x}> <{ord(char):04x}>" for char, gid in gids.items())
    cmap = ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            f"{len(gids)} beginbfchar\n{pairs}\nendbfchar\nendcmap\nend\nend").encode()
    program = pdf.make_stream(_subset(text), Length1=0)
    runs = Array()
    for gid in sorted(widths):
        runs.extend([gid, Array([widths[gid]])])
    descriptor = pdf.make_indirect(Dictionary(
        Type=Name.FontDescriptor, FontName=Name(FACE), Flags=6, FontBBox=[0, -200, 600, 900],
        Ascent=900, Descent=-200, CapHeight=900, ItalicAngle=0, StemV=80, FontFile2=program))
    cid = pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=Name(FACE),
        CIDToGIDMap=Name.Identity, W=runs, FontDescriptor=descriptor))
    return pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.Type0, BaseFont=Name(FACE), Encoding=Name("/Identity-H"),
        DescendantFonts=[cid], ToUnicode=pdf.make_stream(cmap)))


def _book(widths_of_c: int) -> pikepdf.Pdf:
    """Two pages as two parts would make them, each with its own subset of one face."""
    pdf = pikepdf.new()
    a, c, e = (_gids("acé")[char] for char in "acé")
    for text, widths in (("abc", {a: 556, c: 444}), ("cé", {c: widths_of_c, e: 500})):
        pdf.add_blank_page(page_size=(200, 300))
        pdf.pages[-1].obj.Resources = Dictionary(Font=Dictionary(ABCDEF=_type0(pdf, text, widths)))
    return pdf


def _fonts_of_pages(pdf: pikepdf.Pdf) -> list[pikepdf.Object]:
    return [page.obj.Resources.Font.ABCDEF for page in pdf.pages]


def test_one_face_in_two_parts_becomes_one_font_with_both_parts_widths_and_texts():
    pdf = _book(widths_of_c=444)
    fonts.share(pdf)
    first, second = _fonts_of_pages(pdf)
    assert first.objgen == second.objgen
    gids = _gids("abcé")
    assert fonts._widths(first.DescendantFonts[0].W) == {
        gids["a"]: 556, gids["c"]: 444, gids["é"]: 500}
    assert fonts._unicode(first.ToUnicode.read_bytes()) == {
        gids[char]: f"{ord(char):04x}".encode() for char in "abcé"}
    program = first.DescendantFonts[0].FontDescriptor.FontFile2
    assert int(program.Length1) == len(program.read_bytes())
    gids = list(_gids("abcé").values())
    assert _outlines(program.read_bytes(), gids) == _outlines(FONT.read_bytes(), gids)


def test_parts_that_place_a_glyph_differently_share_the_program_but_keep_their_widths():
    pdf = _book(widths_of_c=445)  # a width the second part laid its text out with
    fonts.share(pdf)
    first, second = _fonts_of_pages(pdf)
    assert first.objgen != second.objgen
    assert fonts._widths(second.DescendantFonts[0].W)[_gids("c")["c"]] == 445
    programs = {f.DescendantFonts[0].FontDescriptor.FontFile2.objgen for f in (first, second)}
    assert len(programs) == 1

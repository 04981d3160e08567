"""DOCX for policy staff who paste into Word: Pandoc writes it, we give it our look.

Pandoc's sandbox keeps it from reading a --reference-doc's images and its clock, so we
restyle the finished document instead: the briefing's heading colour and fonts go into
the styles and theme, and the dates that the sandbox leaves at 1970 are set properly.
What Pandoc leaves for a word processor to do, we do, so the file reads right when opened:
- an SVG picture gets a PNG next to it (Office's svgBlip extension is shown by Word 2016
  and later only; LibreOffice and older Word show the PNG);
- the table of contents is filled in (Pandoc writes an empty field for Word to update);
- the title block's date is in the edition's form, not ISO;
- the core properties carry the document's version (cp:version; Pandoc writes it only
  among the custom properties);
- the page has the style's size and margins (Pandoc writes none, so Word and LibreOffice
  would each take their own locale's default, Letter or A4);
- no picture carries the path it was read from.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from briefing.compose.markdown import md_unescape
from briefing.model import images
from briefing.outputs import pandoc
from briefing.outputs.base import Output
from briefing.outputs.epub import rewrite_zip
from briefing.outputs.job import Job
from briefing.runtime.cache import Cache, digest, engine

HEADING_COLOUR = (b"0F4761", b"1D2F4A")  # Pandoc's default -> our print headings
LINK_COLOUR = b"4F81BD"  # Pandoc's Hyperlink style
ACCENT_RE = re.compile(rb'(<a:accent1>\s*<a:srgbClr val=")[0-9A-Fa-f]{6}("\s*/>)')
FONTS = {b"Aptos Display": b"Noto Sans", b"Aptos": b"Noto Serif"}
# Pandoc copies all metadata into custom properties, including the absolute paths of
# --bibliography and --csl: drop those, so the file neither leaks nor depends on them.
PATH_PROPS_RE = re.compile(rb'<property [^>]*name="(?:bibliography|csl)"[^>]*>.*?</property>')
DATE_RE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
VERSION_RE = re.compile(rb"<cp:version>[^<]*</cp:version>|<cp:version\s*/>")
# Metadata Pandoc copies with no value (EPUB-only accessibility fields left empty).
EMPTY_PROP_RE = re.compile(rb'<property [^>]*>\s*<vt:lpwstr>\s*</vt:lpwstr>\s*</property>')


SVG_BLIP_RE = re.compile(rb'<a:blip>(<a:extLst>(?:(?!</a:extLst>).)*?<asvg:svgBlip [^>]*'
                         rb'r:embed="([^"]+)"(?:(?!</a:extLst>).)*</a:extLst>)</a:blip>', re.S)
PIC_DESCR_RE = re.compile(rb'(<pic:cNvPr) descr="[^"]*"')
HEADING_RE = re.compile(rb'<w:bookmarkStart w:id="\d+" w:name="([^"]+)" />\s*<w:p><w:pPr>'
                        rb'<w:pStyle w:val="Heading([12])" /></w:pPr>(.*?)</w:p>', re.S)
TEXT_RE = re.compile(rb"<w:t(?: [^>]*)?>([^<]*)</w:t>|<w:tab />")
TOC_FIELD_RE = re.compile(rb'<w:p><w:r><w:fldChar w:fldCharType="begin" w:dirty="true" />'
                          rb'(<w:instrText[^>]*>TOC [^<]*</w:instrText>)<w:fldChar '
                          rb'w:fldCharType="separate" /><w:fldChar w:fldCharType="end" />'
                          rb'</w:r></w:p>')
DATE_PARA_RE = re.compile(rb'(<w:pStyle w:val="Date" />\s*</w:pPr>\s*<w:r><w:t[^>]*>)'
                          rb'([^<]*)(</w:t>)')
TOC_STYLES = b"".join(
    b'<w:style w:type="paragraph" w:styleId="TOC%d"><w:name w:val="toc %d" />'
    b'<w:basedOn w:val="Normal" /><w:next w:val="Normal" /><w:uiPriority w:val="39" />'
    b'<w:unhideWhenUsed /><w:pPr><w:spacing w:after="60" /><w:ind w:left="%d" /></w:pPr>'
    b"</w:style>" % (level, level, indent) for level, indent in ((1, 0), (2, 360)))
SECTION_END_RE = re.compile(rb"</w:sectPr>")
IMAGE_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"


def contents(document: bytes) -> bytes:
    """The table of contents as Word would fill it in (without page numbers, which only
    Word's layout knows; the field stays marked for Word to update them): one linked
    entry per chapter and section heading, in order."""
    entries = []
    for anchor, level, body in HEADING_RE.findall(document):
        text = b"".join(m.group(1) if m.group(1) is not None else b" "
                        for m in TEXT_RE.finditer(body))
        entries.append((int(level), anchor, b" ".join(text.split())))
    match = TOC_FIELD_RE.search(document)
    if match is None or not entries:
        return document
    paragraphs = []
    for i, (level, anchor, text) in enumerate(entries):
        start = (b'<w:r><w:fldChar w:fldCharType="begin" w:dirty="true" /></w:r><w:r>'
                 + match.group(1) + b'</w:r><w:r><w:fldChar w:fldCharType="separate" /></w:r>'
                 ) if i == 0 else b""
        end = b'<w:r><w:fldChar w:fldCharType="end" /></w:r>' if i == len(entries) - 1 else b""
        paragraphs.append(
            b'<w:p><w:pPr><w:pStyle w:val="TOC%d" /></w:pPr>%s<w:hyperlink w:anchor="%s">'
            b'<w:r><w:rPr><w:rStyle w:val="Hyperlink" /></w:rPr><w:t xml:space="preserve">%s'
            b"</w:t></w:r></w:hyperlink>%s</w:p>" % (level, start, anchor, text, end))
    return document[:match.start()] + b"".join(paragraphs) + document[match.end():]


def _rels_target(rels: bytes, rid: bytes) -> bytes | None:
    match = re.search(rb'<Relationship [^>]*Id="' + re.escape(rid) + rb'"[^>]*/>', rels)
    target = re.search(rb'Target="([^"]+)"', match.group(0)) if match else None
    return target.group(1) if target else None


@dataclass(frozen=True)
class Look:
    """The project's style ([style]) as the DOCX takes it: colours as RRGGBB, the fonts'
    family names, or a reference document's styles and theme in place of the engine's."""

    heading: bytes = HEADING_COLOUR[1]
    accent: bytes | None = None
    body_font: bytes | None = None
    heading_font: bytes | None = None
    parts: tuple[tuple[str, bytes], ...] = ()
    page: bytes = b""  # the section's w:pgSz and w:pgMar


def page_setup(style) -> bytes:
    """The page size and margins of `style` ([style] page_size, margins; the engine's A4
    without them) as a section's w:pgSz and w:pgMar, in twentieths of a point."""
    from briefing.outputs import styling

    def twips(mm: float) -> int:
        return round(mm / 25.4 * 1440)

    width, height = styling.page_mm(style)
    top, right, bottom, left = styling.margins_mm(style)
    orient = b' w:orient="landscape"' if width > height else b""
    return (b'<w:pgSz w:w="%d" w:h="%d"%s /><w:pgMar w:top="%d" w:right="%d" w:bottom="%d" '
            b'w:left="%d" w:header="%d" w:footer="%d" w:gutter="0" />'
            % (twips(width), twips(height), orient, twips(top), twips(right), twips(bottom),
               twips(left), twips(top / 2), twips(bottom / 2)))


def look(project) -> Look:
    """The DOCX's look from the project's [style] (the engine's without one)."""
    from briefing.model import style as checked
    from briefing.outputs import styling

    if not styling.styled(project):
        return Look(page=page_setup(project.config.style))
    style, found = project.config.style, checked.resolve(project)

    def rgb(colour: str | None) -> bytes | None:
        if not colour:
            return None
        hexa = colour.lstrip("#")
        return ("".join(c * 2 for c in hexa) if len(hexa) == 3 else hexa).upper().encode()

    family = lambda faces: next((f.family.encode() for f in faces if f.family), None)  # noqa: E731
    return Look(rgb(style.heading) or HEADING_COLOUR[1], rgb(style.accent),
                family(found.body), family(found.heading), tuple(found.docx_parts.items()),
                page_setup(style))


def finish(raw: Path, epoch: int, date_iso: str = "", date_shown: str = "",
           store: Cache | None = None, version: str = "", style: Look | None = None) -> bytes:
    import zipfile

    style = style or Look()
    lent = dict(style.parts)

    def png(svg: bytes) -> bytes:  # the slow step of finishing: kept by the SVG's bytes
        if store is None:
            return images.svg_to_png(svg)
        return store.through("svgpng", digest("svgpng", engine(), svg),
                             lambda: images.svg_to_png(svg))

    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch)).encode()
    with zipfile.ZipFile(raw) as archive:
        names = set(archive.namelist())
        rels = archive.read("word/_rels/document.xml.rels")
        document_xml = archive.read("word/document.xml")
        svgs = {rid: _rels_target(rels, rid) for _, rid in SVG_BLIP_RE.findall(document_xml)}
        # Each SVG picture's PNG, drawn from the same SVG with the briefing's own fonts.
        pngs = {rid: (b"media/briefing-fallback-%d.png" % n,
                      png(archive.read("word/" + target.decode())))
                for n, (rid, target) in enumerate(sorted(svgs.items()), start=1)
                if target and "word/" + target.decode() in names}
    fallback_ids = {rid: b"rIdBriefingPng%d" % n for n, rid in enumerate(sorted(pngs), start=1)}

    def document(data: bytes) -> bytes:
        data = SVG_BLIP_RE.sub(lambda m: (b'<a:blip r:embed="' + fallback_ids[m.group(2)]
                                          + b'">' + m.group(1) + b"</a:blip>")
                               if m.group(2) in fallback_ids else m.group(0), data)
        data = PIC_DESCR_RE.sub(rb"\1", data)  # the path Pandoc read it from, not a text
        if date_iso and date_shown:
            data = DATE_PARA_RE.sub(lambda m: m.group(1) + (
                _xml(date_shown) if m.group(2) == date_iso.encode() else m.group(2))
                + m.group(3), data)
        if style.page and b"<w:pgSz" not in data:  # after footnotePr, as the schema orders
            data = SECTION_END_RE.sub(lambda m: style.page + m.group(0), data)
        return contents(data)

    def relationships(data: bytes) -> bytes:
        added = b"".join(b'<Relationship Type="%s" Id="%s" Target="%s" />'
                         % (IMAGE_REL, fallback_ids[rid], pngs[rid][0]) for rid in sorted(pngs))
        return data.replace(b"</Relationships>", added + b"</Relationships>", 1)

    def content_types(data: bytes) -> bytes:
        if pngs and b'Extension="png"' not in data:
            data = data.replace(b"<Default ", b'<Default Extension="png" ContentType='
                                b'"image/png" /><Default ', 1)
        return data

    def styles(data: bytes) -> bytes:
        if "word/styles.xml" in lent:  # the project's reference document's, as they are
            data = lent["word/styles.xml"]
        else:
            data = data.replace(b'w:val="' + HEADING_COLOUR[0] + b'"',
                                b'w:val="' + style.heading + b'"')
            if style.accent:
                data = data.replace(b'w:val="' + LINK_COLOUR + b'"',
                                    b'w:val="' + style.accent + b'"')
        if b'w:styleId="TOC1"' not in data:
            data = data.replace(b"</w:styles>", TOC_STYLES + b"</w:styles>", 1)
        return data

    def theme(data: bytes) -> bytes:
        if "word/theme/theme1.xml" in lent:
            return lent["word/theme/theme1.xml"]
        fonts = {**FONTS}
        if style.heading_font:
            fonts[b"Aptos Display"] = style.heading_font
        if style.body_font:
            fonts[b"Aptos"] = style.body_font
        for old, new in fonts.items():
            data = data.replace(b'typeface="' + old + b'"', b'typeface="' + _xml_bytes(new)
                                + b'"')
        accent = style.accent
        if accent:  # links and headings name the theme's first accent
            data = ACCENT_RE.sub(lambda m: m.group(1) + accent + m.group(2), data, count=1)
        return data

    def core(data: bytes) -> bytes:
        data = DATE_RE.sub(lambda m: m.group(1) + stamp + m.group(2), data)
        if version:
            data = VERSION_RE.sub(b"", data)
            data = data.replace(b"</cp:coreProperties>", b"<cp:version>" + _xml(version)
                                + b"</cp:version></cp:coreProperties>", 1)
        return data

    def custom(data: bytes) -> bytes:
        data = PATH_PROPS_RE.sub(b"", data)
        return EMPTY_PROP_RE.sub(b"", data)

    return rewrite_zip(raw, epoch, {
        "word/styles.xml": styles, "word/theme/theme1.xml": theme,
        "docProps/core.xml": core, "docProps/custom.xml": custom,
        "word/document.xml": document, "word/_rels/document.xml.rels": relationships,
        "[Content_Types].xml": content_types,
    }, extra={"word/" + name.decode(): png for name, png in pngs.values()})


def _xml_bytes(text: bytes) -> bytes:
    return _xml(text.decode("utf-8"))


def _xml(text: str) -> bytes:
    import html

    return html.escape(text, quote=False).encode("utf-8")


class DocxOutput(Output):
    """Pandoc's DOCX, finished (docx.finish). Its links are checked on the HTML page, which
    Pandoc writes from the same document."""

    name = "docx"
    uses_page = True

    def start(self, job: Job) -> None:
        self.raw = job.pandoc_zip("docx", pandoc.to_docx)

    def finish(self, job: Job) -> bytes:
        meta = job.composed.metadata
        return finish(job.saved("raw.docx", self.raw.result()), job.epoch, meta["date"],
                      md_unescape(meta["date-display"]), job.store,
                      job.project.config.document.version, look(job.project))

"""EPUB 3: Pandoc writes it; we put in our stylesheet and fix the archive's dates.

The package metadata gets what Pandoc has no field for: the document's version
(schema:version; schema: is one of EPUB 3's reserved prefixes, so it needs no declaration)
and the accessibility standard it conforms to. dc:date, Pandoc's, is the publication date.

Under --sandbox Pandoc will not read a --css file, so the e-reader stylesheet is
swapped into the archive afterwards. Rewriting the archive also pins every entry's
timestamp, keeping the bytes identical from build to build.
"""

from __future__ import annotations

import functools
import html
import io
import re
import time
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from briefing.compose.markdown import md_unescape
from briefing.errors import BriefingError
from briefing.outputs import locate, pandoc, sanitise, styling, svglinks
from briefing.outputs.base import Output
from briefing.outputs.job import Job

STYLESHEET = "EPUB/styles/stylesheet1.css"
PACKAGE = "EPUB/content.opf"
COVER = b"EPUB/media/cover.png"
CONFORMS_TO = b"EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
MODIFIED_RE = re.compile(rb'(<meta property="dcterms:modified">)[^<]*(</meta>)')


@dataclass(frozen=True)
class Front:
    """The edition's words and date for the parts of the EPUB Pandoc writes in English or
    in ISO form: landmark labels, the cover page, the title page's date."""
    language: str = "en"
    title: str = ""
    cover: str = "Cover"
    title_page: str = "Title page"
    contents: str = "Contents"
    date_iso: str = ""
    date_shown: str = ""
    version: str = ""  # "Version 1.2": the cover image's text alternative says it too


COVER_PAGE = "EPUB/text/cover.xhtml"
COVER_XHTML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" \
lang="{lang}" xml:lang="{lang}">
<head>
  <meta charset="utf-8" />
  <title>{label}</title>
  <link rel="stylesheet" type="text/css" href="../styles/stylesheet1.css" />
</head>
<body epub:type="cover">
<section epub:type="cover" class="cover-page">
  <img src="../media/cover.png" alt="{alt}" role="doc-cover" />
</section>
</body>
</html>
"""


def finish(raw: Path, css: str, epoch: int, cover: bytes | None = None,
           subtitle: str = "", front: Front | None = None, version: str = "",
           rights: str = "") -> bytes:
    """Return the finished EPUB bytes: our stylesheet, fixed dates, mimetype first, the
    subtitle as a second dc:title (Pandoc writes the main title only), the cover image if
    given (on a cover page of its own, first in reading order), and the front matter in
    the edition's language (landmarks, the title page's date), the version if given."""
    front = front or Front()
    with zipfile.ZipFile(raw) as src:
        names = src.namelist()
    if names[:1] != ["mimetype"] or not any(n.endswith("nav.xhtml") for n in names):
        raise BriefingError.at("pandoc wrote an EPUB without mimetype or navigation", raw, None,
                               "this is a bug in briefing; please report it")
    def package(data: bytes) -> bytes:
        data = _modified(data, epoch)
        if version:
            data = _version(data, version)
        if rights and b"<dc:rights>" not in data:  # the text's licence ([document] licence)
            data = data.replace(b"</metadata>", b"  <dc:rights>" + _text(rights)
                                + b"</dc:rights>\n  </metadata>", 1)
        if subtitle:
            data = _subtitle(data, subtitle)
        if cover is not None:
            data = data.replace(b"</manifest>", b'  <item id="cover-image" href="' + COVER[5:]
                                + b'" media-type="image/png" properties="cover-image" />\n'
                                b'    <item id="cover_xhtml" href="text/cover.xhtml" '
                                b'media-type="application/xhtml+xml" />\n  </manifest>', 1)
            data = re.sub(rb"(<spine[^>]*>\s*)", rb'\1<itemref idref="cover_xhtml" '
                          rb'linear="yes" />\n    ', data, count=1)
            data = data.replace(b"<guide>", b'<guide>\n    <reference type="cover" title="'
                                + _text(front.cover) + b'" href="text/cover.xhtml" />', 1)
        return data

    def navigation(data: bytes) -> bytes:
        data = re.sub(rb'(epub:type="titlepage">)[^<]*', lambda m: m.group(1)
                      + _text(front.title_page), data, count=1)
        data = re.sub(rb'(<a href="#toc" epub:type="toc">)[^<]*', lambda m: m.group(1)
                      + _text(front.contents), data, count=1)
        if cover is not None:
            data = re.sub(rb'(<nav epub:type="landmarks"[^>]*>\s*<ol>)', lambda m: m.group(1)
                          + b'\n    <li>\n      <a href="text/cover.xhtml" epub:type="cover">'
                          + _text(front.cover) + b"</a>\n    </li>", data, count=1)
        return _well_formed("EPUB/nav.xhtml", data)

    def title_page(data: bytes) -> bytes:
        if front.date_iso and front.date_shown:
            data = data.replace(
                b'<p class="date">' + _text(front.date_iso) + b"</p>",
                b'<p class="date"><time datetime="' + _text(front.date_iso) + b'">'
                + _text(front.date_shown) + b"</time></p>", 1)
        # The publisher line, when it only repeats the author line (an organisation's own
        # briefing), is dropped.
        author = re.search(rb'<p class="author">([^<]*)</p>', data)
        if author:
            data = data.replace(b'\n  <p class="publisher">' + author.group(1) + b"</p>", b"", 1)
        return _well_formed("EPUB/text/title_page.xhtml", data)

    extra = {}
    if cover is not None:
        extra[COVER.decode()] = cover
        alt = f"{front.cover}: {front.title}" + (f". {subtitle}" if subtitle else "") + (
            f". {front.version}, {front.date_shown}" if front.version else "")
        extra[COVER_PAGE] = COVER_XHTML.format(
            lang=html.escape(front.language), label=html.escape(front.cover),
            alt=html.escape(alt)).encode("utf-8")
    patches = {STYLESHEET: lambda _: css.encode("utf-8"), PACKAGE: package,
               "EPUB/nav.xhtml": navigation, "EPUB/text/title_page.xhtml": title_page}
    for name in names:
        if name.endswith((".xhtml", ".opf", ".ncx")) or name.endswith("container.xml"):
            patches.setdefault(name, functools.partial(_well_formed, name))
    data = rewrite_zip(raw, epoch, patches, extra)
    _well_formed(PACKAGE, zipfile.ZipFile(io.BytesIO(data)).read(PACKAGE))
    return data


def _text(value: str) -> bytes:
    return html.escape(value, quote=True).encode("utf-8")


def xhtml(epub: bytes) -> list[bytes]:
    """Every XHTML document of a finished EPUB, in archive order."""
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        return [archive.read(name) for name in archive.namelist() if name.endswith(".xhtml")]


def _well_formed(name: str, data: bytes) -> bytes:
    """Reading systems reject an EPUB whose XML is not well-formed, whole: say so here
    rather than ship one (epubcheck would report FATAL)."""
    try:
        ET.fromstring(data)
    except ET.ParseError as exc:
        raise BriefingError.at(f"pandoc wrote {name}, which is not well-formed XML: {exc}",
                               None, None, "look for unusual characters in the text of the "
                               "chapter or setting it comes from; if there are none, this "
                               "is a bug in briefing, please report it") from None
    return data


def rewrite_zip(raw: Path | IO[bytes], epoch: int, patches: dict, extra: dict | None = None,
                drop: frozenset[str] = frozenset()) -> bytes:
    """Copy a zip (EPUB, DOCX) entry by entry, patching some, leaving out `drop` and
    adding `extra` at the end, with every date pinned."""
    stamp = time.gmtime(max(epoch, 315532800))[:6]  # zip dates start in 1980
    out = io.BytesIO()
    try:
        with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w") as dst:
            entries = [(name, src.read(name)) for name in src.namelist() if name not in drop]
            for name, data in entries + list((extra or {}).items()):
                if name in patches:
                    data = patches[name](data)
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else (
                    zipfile.ZIP_DEFLATED)
                info.external_attr = 0o644 << 16
                dst.writestr(info, data)
    except zipfile.BadZipFile as exc:
        raise BriefingError.at(f"pandoc wrote a broken archive: {exc}",
                               raw if isinstance(raw, Path) else None, None,
                               "this is a bug in briefing; please report it") from None
    return out.getvalue()


IMG_SVG_RE = re.compile(rb'<img src="\.\./media/([^"/]+\.svg)"([^>]*?)\s*/>')
ID_RE = re.compile(rb'\sid="([^"]+)"')


def inline_drawings(data: bytes, epoch: int) -> bytes:
    """Each SVG picture whose parts link into the text (the argument map's boxes) put
    inline in its chapter, so the links work (svglinks.py: rebuilt from an allow-list,
    each link to the document that holds its anchor); the chapter is marked as holding
    SVG (properties="svg", as EPUB requires) and the picture file, now unused, dropped."""

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        docs = {n: archive.read(n) for n in names
                if n.startswith("EPUB/text/") and n.endswith(".xhtml")}
        drawings = {n.removeprefix("EPUB/media/"): archive.read(n).decode("utf-8")
                    for n in names if n.startswith("EPUB/media/") and n.endswith(".svg")}
    linked = {name: svg for name, svg in drawings.items() if svglinks.linked(svg)}
    if not linked:
        return data
    where: dict[str, str] = {}  # anchor -> the document that holds it
    for name, doc in docs.items():
        for ident in ID_RE.findall(doc):
            where.setdefault(ident.decode("utf-8"), name.rpartition("/")[2])
    patches: dict = {}
    for name, doc in list(docs.items()):  # each chapter, the map's made inline
        here = name.rpartition("/")[2]

        def href(fragment: str, here: str = here) -> str | None:
            holder = where.get(fragment)
            return None if holder is None else (
                f"#{fragment}" if holder == here else f"{holder}#{fragment}")

        def swap(match: re.Match, href=href) -> bytes:
            svg = linked.get(match.group(1).decode("utf-8"))
            if svg is None:
                return match.group(0)
            attributes = svglinks.from_img(match.group(2).decode("utf-8"))
            return svglinks.rebuild(svg, href, attributes, xhtml=True).encode("utf-8")

        new = IMG_SVG_RE.sub(swap, doc)
        if new != doc:
            docs[name] = _well_formed(name, new)
            patches[name] = lambda _, new=new: new
    if not patches:
        return data
    unused = {n for n in linked if not any(b"media/" + n.encode() in d for d in docs.values())}
    inlined = {n.removeprefix("EPUB/") for n in patches}

    def package(opf: bytes) -> bytes:
        def item(match: re.Match) -> bytes:
            tag = match.group(0)
            target = re.search(rb'href="([^"]+)"', tag)
            href = target.group(1).decode("utf-8") if target else ""
            if href.removeprefix("media/") in unused and href.startswith("media/"):
                return b""
            if href in inlined and b"properties=" not in tag:
                return tag.replace(b" href=", b' properties="svg" href=', 1)
            return tag
        return re.sub(rb"[ \t]*<item [^>]*/>\n?", item, opf)

    patches[PACKAGE] = package
    return rewrite_zip(io.BytesIO(data), epoch, patches,
                       drop=frozenset(f"EPUB/media/{n}" for n in unused))


def _subtitle(opf: bytes, subtitle: str) -> bytes:
    """The main title typed as such, and the subtitle after it (EPUB 3 title-type)."""
    text = html.escape(subtitle, quote=False).encode("utf-8")
    return re.sub(
        rb'(<dc:title id="(epub-title-1)">[^<]*</dc:title>)',
        lambda m: (m.group(1) + b'\n    <meta refines="#' + m.group(2)
                   + b'" property="title-type">main</meta>\n    <dc:title id="epub-title-2">'
                   + text + b'</dc:title>\n    <meta refines="#epub-title-2" '
                   b'property="title-type">subtitle</meta>'), opf, count=1)


def _version(opf: bytes, version: str) -> bytes:
    """The version readers cite, after the modification date: schema.org's
    CreativeWork version, the property EPUB 3's reserved schema: prefix offers for it."""
    meta = b'<meta property="schema:version">' + _text(version) + b"</meta>"
    found = MODIFIED_RE.search(opf)
    if found is None:
        return opf.replace(b"</metadata>", b"  " + meta + b"\n  </metadata>", 1)
    return opf[:found.end()] + b"\n    " + meta + opf[found.end():]


def _modified(opf: bytes, epoch: int) -> bytes:
    """Pandoc's sandbox hides the clock and SOURCE_DATE_EPOCH, so it writes 1970: fix it.
    Also declare the accessibility standard the output is built to (Pandoc has no field)."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch)).encode()
    opf = MODIFIED_RE.sub(lambda m: m.group(1) + stamp + m.group(2), opf, count=1)
    if b"dcterms:conformsTo" not in opf:
        opf = opf.replace(b"</metadata>", b'  <meta property="dcterms:conformsTo">'
                          + CONFORMS_TO + b"</meta>\n  </metadata>", 1)
    return opf


class EpubOutput(Output):
    """Pandoc's EPUB 3, finished: our stylesheet, the printed cover, front matter in the
    edition's language; every XHTML file checked. The registry says it needs the PDF
    (model/formats.py), so the PDF is made whenever it is, written or not: `--format
    epub` gives the same EPUB as a build of every format."""

    name = "epub"

    def start(self, job: Job) -> None:
        self.raw = job.pandoc_zip("epub", pandoc.to_epub)

    def finish(self, job: Job) -> bytes:
        from briefing.outputs import proof

        # Pandoc's sandbox cannot read a --epub-cover-image file, so the cover is added to
        # the finished archive: the PDF's first page.
        cover = proof.cover_png(job.results["pdf"], store=job.store)
        meta, labels = job.composed.metadata, job.lang.words.labels
        front = Front(job.lang.edition.language, md_unescape(meta["title"]), labels["cover"],
                      labels["title_page"], labels["contents"], meta["date"],
                      md_unescape(meta["date-display"]),
                      f"{md_unescape(labels['version'])} {job.project.config.document.version}")
        data = finish(job.saved("raw.epub", self.raw.result()),
                      styling.epub_css(job.project), job.epoch, cover,
                      md_unescape(meta["subtitle"]), front,
                      job.project.config.document.version,
                      job.project.config.document.rights())
        locate.refuse([violation for document in xhtml(data)
                       for violation in sanitise.check_xhtml(document, job.store)],
                      job.project, job.composed)
        # After the allow-list's check of what Pandoc wrote: a drawing that links into the
        # text goes inline, itself rebuilt from the drawing allow-list (svglinks.py).
        return inline_drawings(data, job.epoch)

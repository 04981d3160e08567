"""One self-contained HTML page: the PDF's HTML with a screen stylesheet and every image
inlined as a data: URI, so it opens anywhere (a phone, an e-mail attachment) and makes no
request of its own. The page is rebuilt from nh3's sanitised content, under a
Content-Security-Policy that lets nothing run and nothing load (sanitise.py)."""

from __future__ import annotations

import base64
import html as htmllib
import mimetypes
import os
import re
from pathlib import Path

from briefing import files
from briefing.compose.metadata import how_to_cite
from briefing.errors import BriefingError, ResourceError
from briefing.outputs import sanitise, styling, svglinks
from briefing.outputs.base import Output
from briefing.outputs.job import Job

SRC_RE = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")', re.I)
# A paragraph's number as Pandoc writes it from ast.number_paragraphs' span.
PNUM_RE = re.compile(r'<span id="([^"<>]+)" class="pnum">¶([^<]*)</span>')


def paragraph_citation(citation: str, url: str | None, number: str, ident: str) -> str:
    """The briefing's citation (plain text, ending "<url>." when it has an address) for
    one paragraph: its number as locator, and the address of its anchor."""
    text = citation.removesuffix(f" <{url}>.") if url else citation
    text = f"{text.removesuffix('.')}, ¶{number}."
    return text + (f" <{url.partition('#')[0]}#{ident}>." if url else "")


def cite_paragraphs(page: str, citation: str, url: str | None, label: str) -> str:
    """Each paragraph number made a link to its own anchor, followed by the paragraph's
    citation, hidden until the anchor is the page's target (screen.css): a reader who
    follows or clicks the number sees how to cite it, with no script."""
    def link(match: re.Match) -> str:
        ident, number = htmllib.unescape(match.group(1)), htmllib.unescape(match.group(2))
        quoted, shown = htmllib.escape(ident), htmllib.escape(number)
        cite = htmllib.escape(paragraph_citation(citation, url, number, ident))
        return (f'<a id="{quoted}" class="pnum" href="#{quoted}" title="{htmllib.escape(label)}'
                f'">¶{shown}</a><span class="pcite"><span class="pcite-label">'
                f'{htmllib.escape(label)}:</span> {cite}</span>')

    return PNUM_RE.sub(link, page)


def standalone(html: str, css: str, project_root: Path) -> bytes:
    root = os.path.realpath(project_root)

    def inline(match: re.Match) -> str:
        src = match.group(2)
        if src.startswith("data:"):
            return match.group(0)
        path = Path(root) / src
        if "://" in src or os.path.isabs(src) or not files.within(os.path.realpath(path),
                                                                  root):
            raise ResourceError(f"refused to load {src!r} into the HTML", src,
                                "images must be files inside the project; URLs are not fetched")
        try:
            data = files.read_bytes(path, Path(root))
        except BriefingError:
            raise ResourceError(f"refused to load {src!r} into the HTML", src,
                                "images must be files inside the project") from None
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        encoded = base64.b64encode(data).decode("ascii")
        return f"{match.group(1)}data:{mime};base64,{encoded}{match.group(3)}"

    page = sanitise.standalone(SRC_RE.sub(inline, html), css)
    # A drawing whose parts link into the page (the argument map's boxes) goes inline, so
    # its links work; each link only to an anchor the page has.
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    return svglinks.inline_images(page, lambda f: f"#{f}" if f in ids else None).encode("utf-8")


class HtmlOutput(Output):
    """The self-contained page, from Pandoc's HTML page with the screen stylesheets."""

    name = "html"
    uses_page = True

    def finish(self, job: Job) -> bytes:
        css = styling.screen_css(job.project)  # the engine's, with the project's [style]
        page = cite_paragraphs(job.page(), how_to_cite(job.project, job.lang),
                               job.project.config.document.url,
                               job.lang.words.labels["cite_this_paragraph"])
        return standalone(page, css, job.project.root)

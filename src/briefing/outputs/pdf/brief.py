"""The policy brief: a second PDF of the same document, two to four pages.

The form of the European Parliament's "At a glance", POSTnotes and CRS "In Focus": page one
holds the title, date, version and authors, and the key points; then the comparison and
the questions for policy; how to cite, the colophon and the references at the end; no
cover page, no contents, no page left blank. It is made from the report's HTML page
(the same Pandoc run): its head and cover kept, the sections build.brief names taken
from the report in that order, the references after them, the how-to-cite box last. A
link to a part of the report the brief leaves out keeps its words, not its link.

Laid out in one WeasyPrint run with the report's stylesheet (print.css, or the project's
styled copy of it) and brief.css over it; written as build/<name>.brief.pdf (per edition
build/<name>.<edition>.brief.pdf), the registry's suffix for the format "brief".
"""

from __future__ import annotations

import html as htmllib
import re

from briefing import TEMPLATES
from briefing.errors import BriefingError
from briefing.outputs import styling
from briefing.outputs.base import Output
from briefing.outputs.job import Job
from briefing.outputs.pdf import assemble
from briefing.outputs.pdf import workers as pdf
from briefing.runtime import cache

SECTION_RE = re.compile(r"<(/?)section\b[^>]*>", re.I)
LINK_RE = re.compile(r"""<a\b[^>]*\bhref=["']#([^"']+)["'][^>]*>(.*?)</a>""", re.S | re.I)
ID_RE = re.compile(r"""\bid=["']([^"']+)["']""")


def _element(markup: str, start: int) -> str:
    """The <section> opening at `start`, to its matching end."""
    depth = 0
    for match in SECTION_RE.finditer(markup, start):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return markup[start:match.end()]
    return markup[start:]


def _section(markup: str, pattern: str) -> str | None:
    found = re.search(pattern, markup)
    return _element(markup, found.start()) if found else None


def page(report: str, wanted: list[str]) -> tuple[str, list[str]]:
    """The brief's HTML from the report's page, and the ids of `wanted` it lacks."""
    body_at, main_at = report.find("<body>"), report.find("<main>")
    end_at = report.rfind("</main>")
    if min(body_at, main_at, end_at) < 0:
        raise BriefingError.at("the HTML page has no <main>: the brief cannot be made",
                               None, None, "this is a bug in briefing; please report it")
    head, front = report[:body_at + len("<body>")], report[body_at:main_at]
    main = report[main_at:end_at]
    cover = _section(front, r'<section class="cover"') or ""
    verso = _section(front, r'<section class="verso"') or ""
    pieces, missing = [], []
    for ident in wanted:
        found = _section(main, rf'<section id="{re.escape(ident)}"')
        if found is None:
            missing.append(ident)
        else:
            pieces.append(found)
    references = _section(main, r'<section id="[^"]*" class="[^"]*\breferences\b')
    if references:
        pieces.append(references)
    body = "\n".join(pieces)
    cover = cover.replace('<section class="cover"', '<header class="cover brief-head"', 1)
    cover = cover[:cover.rfind("</section>")] + "</header>"
    verso = verso.replace('<section class="verso"', '<section class="verso brief-end"', 1)
    document = (f'{head}\n{cover}\n<main class="brief">\n{body}\n</main>\n{verso}\n'
                "</body>\n</html>\n")
    return _unlinked(document), missing


def _unlinked(document: str) -> str:
    """A link to an anchor the brief does not hold keeps its words, not its link (a link
    WeasyPrint cannot resolve would be a warning, and a dead link in the PDF)."""
    held = {htmllib.unescape(m) for m in ID_RE.findall(document)}

    def unlink(match: re.Match) -> str:
        return match.group(0) if htmllib.unescape(match.group(1)) in held else match.group(2)

    previous = None
    while previous != document:  # a link inside a link's words (never, but safe)
        previous, document = document, LINK_RE.sub(unlink, document)
    return document


class BriefOutput(Output):
    """The brief (format "brief"): laid out once the report's HTML page is ready."""

    name = "brief"
    uses_page = True

    def start(self, job: Job) -> None:
        self.made = job.pool.submit(self._make, job)

    def _make(self, job: Job) -> bytes:
        project = job.project
        wanted = list(project.config.build.brief)
        brief, missing = page(job.page(), wanted)
        if missing:
            raise BriefingError.at(
                f"build.brief names {', '.join(repr(m) for m in missing)}, which is no "
                "section of the briefing", project.config_path, project.line_of("build",
                                                                                 "brief"),
                "name the ids of chapters or sections (# Heading {#id}), e.g. key-points, "
                "comparison, questions-for-policy")
        workdir = job.workdir / "brief"
        workdir.mkdir(exist_ok=True)
        if styling.styled(project):
            style = project.config.style
            short = job.lang.text(style.short_title) if style.short_title else None
            base = workdir / "style-print.css"
            base.write_text(styling.print_css(project, short), "utf-8")
        else:
            base = TEMPLATES / "print.css"
        css = [base, TEMPLATES / "brief.css"]
        document, bounds = project.config.document, project.config.limits
        key = cache.digest("brief", cache.engine(), cache.tool("weasyprint"),
                           cache.tool("pikepdf"), job.images, str(job.epoch), brief,
                           *(p.read_text("utf-8") for p in css), document.version,
                           document.date.isoformat(), document.rights(),
                           styling.digest(project))

        def render() -> bytes:
            job.step("WeasyPrint: the brief")
            data, warnings = pdf.render(brief, project.root, css, job.epoch, workdir,
                                        bounds.weasyprint_seconds,
                                        bounds.weasyprint_memory_mib)
            job.warnings.extend(f"WeasyPrint (brief PDF): {w}" for w in warnings)
            return assemble.labelled(data, document.version, document.date.isoformat(),
                                     document.rights())

        return job.store.through("brief", key, render)

    def finish(self, job: Job) -> bytes:
        return self.made.result()


"""Checks on what the templates wrote: only Markdown (no raw HTML, no raw blocks), no
reach outside the project, nesting and size bounded, every citation known, every claim
shown; each problem named at the template line that wrote it.

They are run from one list (CHAPTERS, DOCUMENT, at the end), by compose() for each
edition, so that `briefing check` and `briefing build` run the same ones; every problem
of every check is collected before any is raised, so one run names them all:

    per chapter:   output        only Markdown, no reach outside, sizes and nesting bounded
                   heading ids   with several editions, every heading has its own id
    the document:  citations     every @key in the bibliography, every locator label known
                   claims shown  every claim reaches the reader; every link lands on one
                   images        every image a file inside the project, the image it says
                                 (the map's is drawn when rendering, and checked then)

A check is a function of the edition's Subject that adds to a Collector: to add one,
write it here and put it in its list. What the model's loaders check (schema, references
between files, translations: model/load.py) runs before, for check and build alike.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from briefing import files
from briefing.compose import argmap
from briefing.compose.templates import Chapter
from briefing.errors import BriefingError, Collector
from briefing.model import images
from briefing.model.analysis import Analysis
from briefing.model.project import Project
from briefing.model.settings import Limits
from briefing.model.sources import ArgumentBase

CITE_RE = re.compile(r"(?:(?<=[\[\s;(-])|^)-?@([A-Za-z0-9_][\w:.#$%&+?<>~/-]*\w|[A-Za-z0-9_])")


# Locator labels citeproc knows (English terms, short and long forms). Pandoc takes any
# other word after the comma as plain suffix text without a warning, so a typo such as
# "parra. 4" would print as it stands: we catch it here instead.
LOCATOR_LABELS = {
    "p.", "pp.", "page", "pages", "para.", "paras.", "paragraph", "paragraphs",
    "ch.", "chap.", "chaps.", "chapter", "chapters", "sec.", "secs.", "section", "sections",
    "§", "§§", "fig.", "figs.", "figure", "figures", "n.", "nn.", "note", "notes",
    "l.", "ll.", "line", "lines", "vol.", "vols.", "volume", "volumes", "no.", "nos.",
    "number", "numbers", "col.", "cols.", "column", "columns", "pt.", "pts.", "part", "parts",
    "bk.", "bks.", "book", "books", "art.", "arts.", "article", "articles", "v.", "vv.",
    "verse", "verses", "op.", "opp.", "opus", "fol.", "fols.", "folio", "folios", "t.",
    "tit.", "title", "titles", "s.v.", "sub verbo", "app.", "appendix", "appendices",
}


LOCATOR_RE = re.compile(r"@[\w:.#$%&+?<>~/-]*\w\s*,\s*([^\d\s,;\]][^\s,;\]]*)\s+[\divxlcIVXLC]")


HEADING_RE = re.compile(r"^#{1,6}[ \t]+\S.*$", re.M)


def check_heading_ids(chapter: Chapter, problems: Collector) -> None:
    """With several editions every heading needs an explicit id: Pandoc would derive one
    from the words, so each edition would have other anchors and a link or a citation of
    one edition would not work in the other."""
    for match in HEADING_RE.finditer(chapter.markdown):
        if not re.search(r"\{[^}]*#[^\s}]+[^}]*\}\s*$", match.group()):
            problems.add("a heading without an explicit id", *chapter.origin(match.start()),
                         "end it with {#some-id}, the same in every edition, e.g. "
                         "'# Introduction {#introduction}'")
            return


CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


BLANK_RE = re.compile(r"\n[ \t]*\n")


MARKER_RE = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))")


# Raw HTML (a tag or a comment) and raw blocks ({=html}, {=latex}): the Markdown reader
# takes none of them (pandoc.py), so they would print as text; in a template's own text
# that is a mistake worth a message. Text from data may contain '<' and prints as such.
RAW_HTML_RE = re.compile(r"(?<!\\)<(/?[A-Za-z][A-Za-z0-9-]*)(?=[\s/>])|(?<!\\)<!--")


RAW_FORMAT_RE = re.compile(r"\{=([A-Za-z0-9_-]+)\}")


FENCED_CODE_RE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n(.*?)^[ \t]{0,3}\1[ \t]*$",
                            re.M | re.S)


CODE_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)


def _without_code(text: str) -> str:
    """The text with the content of code blocks and code spans blanked out (same offsets):
    '<div>' in code is an example, not markup."""
    def blank(match: re.Match) -> str:
        # The fences' backticks go too (not the info string, which may say {=latex}).
        start, end = match.span(2)
        head = match.group(0)[:start - match.start()].replace("`", " ").replace("~", " ")
        tail = re.sub(r"[^\n]", " ", match.group(0)[end - match.start():])
        return head + re.sub(r"[^\n]", " ", match.group(2)) + tail

    return CODE_SPAN_RE.sub(blank, FENCED_CODE_RE.sub(blank, text))


CSS_URL_RE = re.compile(r"\bstyle\s*=\s*(?:\"[^\"]*|'[^']*)(url\s*\(|@import|image-set)", re.I)


FILE_URL_RE = re.compile(r"(?:\]\(\s*<?|^\s*\[[^\]\n]+\]:\s*<?|\b(?:href|src|data|poster|srcset)"
                         r"\s*=\s*[\"']?)\s*file:", re.I | re.M)


FENCE_RE = re.compile(r"^[ \t]*(:{3,})[ \t]*(\S?)", re.M)


def check_output(chapter: Chapter, bounds: Limits, problems: Collector) -> None:
    """What a template wrote, checked before Pandoc sees it: characters no format can
    carry, and shapes that make Pandoc or WeasyPrint take minutes (one endless paragraph,
    lists or raw HTML nested thousands deep). Each is reported at the template line."""
    text = chapter.markdown
    bad = CONTROL_RE.search(text)
    if bad:
        problems.add(f"control character U+{ord(bad.group()):04X} in the chapter's output",
                     *chapter.origin(bad.start()), "remove it; no output format can carry it")
    prose = _without_code(text)
    raw = next((m for m in RAW_HTML_RE.finditer(prose) if chapter.literal(m.start())), None)
    fmt = next((m for m in RAW_FORMAT_RE.finditer(prose) if chapter.literal(m.start())), None)
    css = CSS_URL_RE.search(text)
    local = FILE_URL_RE.search(text)
    if raw:
        tag = (raw.group(1) or "!--").lower().lstrip("/")
        problems.add(f"raw HTML <{tag}> is not allowed in a chapter",
                     *chapter.origin(raw.start()),
                     "write Markdown (it would print as text); show images with ![alt](path) "
                     "from inside the project")
    elif fmt and fmt.group(1).lower() in ("latex", "tex", "context"):
        problems.add(f"raw LaTeX “{{={fmt.group(1)}}}” would be dropped from every output",
                     *chapter.origin(fmt.start()),
                     "write it in Markdown; briefing renders through HTML, not LaTeX")
    elif fmt:
        problems.add(f"a raw {{={fmt.group(1)}}} block is not allowed in a chapter",
                     *chapter.origin(fmt.start()), "write Markdown; it would print as code")
    elif css:
        problems.add(f"CSS '{css.group(1)}' in a style attribute", *chapter.origin(css.start()),
                     "styling comes from the engine's stylesheets; remove it")
    elif local:
        problems.add("link to a file: URL", *chapter.origin(local.start()),
                     "a reader cannot open a file on your machine; link to a web address or a "
                     "file inside the project")
    start = 0
    for gap in [*BLANK_RE.finditer(text), None]:
        end = gap.start() if gap else len(text)
        if end - start > bounds.paragraph_chars:
            problems.add(f"a paragraph of {end - start:,} characters, more than "
                         f"limits.paragraph_chars ({bounds.paragraph_chars:,})",
                         *chapter.origin((start + end) // 2),
                         "split it into paragraphs; raise the limit only for a real need")
            break
        start = gap.end() if gap else end
    deepest = _nesting(text, bounds.nesting)
    if deepest is not None:
        depth, at = deepest
        problems.add(f"content nested {depth} levels deep (lists, quotes, divs, brackets or "
                     "emphasis), "
                     f"more than limits.nesting ({bounds.nesting})", *chapter.origin(at),
                     "flatten the structure; deep nesting makes Pandoc and WeasyPrint crawl")


def _nesting(text: str, most: int) -> tuple[int, int] | None:
    """(depth, offset) of the first place where nesting passes `most`, else None."""
    offset = 0
    for line in text.split("\n"):
        depth, pos = 0, 0
        while (match := MARKER_RE.match(line, pos)) and match.end() > pos:
            depth, pos = depth + 1, match.end()
        indent = len(line) - len(line.lstrip(" \t"))
        depth = max(depth, indent // 4)
        if depth > most:
            return depth, offset
        offset += len(line) + 1
    fence_depth = 0
    for match in FENCE_RE.finditer(text):
        fence_depth += 1 if match.group(2) else -1
        if fence_depth > most:
            return fence_depth, match.start()
    return _inline_nesting(text, most)


# Inline content opens a level per delimiter: emphasis, strikeout, super- and subscript and
# smart quotes each need at least one character before the text they hold, so a run of
# more than `most` of them just before a word nests that deep (300 levels of `*_` made the
# reader's AST too deep to walk); brackets (spans, links) nest across spaces.
INLINE_OPENERS = "*_~^\"'["


def _inline_nesting(text: str, most: int) -> tuple[int, int] | None:
    openers = re.escape(INLINE_OPENERS)
    run = re.compile(rf"(?<![\\\w])[{openers}]{{{most + 1},}}(?=[^\W_])")
    found = run.search(text)
    if found:
        return len(found.group()), found.start()
    depth = 0
    for match in re.finditer(r"\\.|`+|\n[ \t]*\n|[\[\]]", text):
        token = match.group()
        if token.startswith("`") or token.startswith("\\"):
            continue  # an escaped bracket is text; a bracket in code is rare enough to count
        if token == "[":
            depth += 1
            if depth > most:
                return depth, match.start()
        elif token == "]":
            depth = max(0, depth - 1)
        else:
            depth = 0  # a blank line ends the paragraph, and any bracket left open
    return None


def check_citations(chapters: list[Chapter], bib_keys: dict[str, int],
                    project: Project, also: frozenset[str] | set[str] = frozenset(),
                    into: Collector | None = None) -> set[str]:
    """Every @key must be in the bibliography; name the template line that wrote it.
    Its problems go `into` the collector given, else are raised."""
    problems, cited = into or Collector(), set()
    for chapter in chapters:
        for match in CITE_RE.finditer(chapter.markdown):
            key = match.group(1)
            cited.add(key)
            label = LOCATOR_RE.match(chapter.markdown, match.start() + (
                1 if chapter.markdown[match.start()] == "-" else 0))
            if label and label.group(1).lower() not in LOCATOR_LABELS | also:
                problems.add(f"unknown locator label {label.group(1)!r} in citation of {key!r}",
                             chapter.path, _line_in_template(chapter.path, key, label.group(1)),
                             "use a citeproc label such as para., p., chap., sec. or fig.")
            if key not in bib_keys:
                line = _line_in_template(chapter.path, key)
                near = difflib.get_close_matches(key, list(bib_keys), n=1)
                problems.add(f"citation key {key!r} is not in {project.config.bibliography.file}",
                             chapter.path, line,
                             f"did you mean {near[0]!r}?" if near else
                             f"add an entry @...{{{key}, ...}} to the bibliography")
    if into is None:
        problems.raise_if_any()
    return cited


ANCHOR_RE = re.compile(r"\{[^}\n]*#claim-([a-z0-9-]+)")


LINK_RE = re.compile(r"\]\(#claim-([a-z0-9-]+)\)")


def check_claims_shown(body: str, base: ArgumentBase, found: Analysis,
                       amap: argmap.ArgumentMap, comparison_shown: bool,
                       into: Collector | None = None) -> None:
    """Every claim must reach the reader (a chapter, the comparison or the map), and every
    link to a claim must land on one; a claim may opt out with `orphan: true`. Its
    problems go `into` the collector given, else are raised."""
    anchored = set(ANCHOR_RE.findall(body))
    shown = set(anchored)
    if comparison_shown:
        shown.update(c for d in found.comparison for cell in d.cells.values()
                     for c in cell.claims)
    if amap.path in body:
        shown.update(amap.claims)
    problems = into or Collector()
    for cid, claim in base.claims.items():
        where = base.where[("claim", cid)]
        if cid not in shown and not claim.orphan:
            problems.add(f"claim {cid!r} appears in no chapter, comparison or map", where.path,
                         where.line, "show it in a chapter, or mark it 'orphan: true'")
        elif cid in set(LINK_RE.findall(body)) - anchored:
            problems.add(f"claim {cid!r} is linked to but never shown with its anchor",
                         where.path, where.line, "render it with the claim_block macro")
    if into is None:
        problems.raise_if_any()


def _line_in_template(path: Path, key: str, also: str = "") -> int | None:
    """The template line that wrote @key (and `also`, when given); 1 if the key came
    from data rather than from the template's own text."""
    try:
        lines = files.read_text(path).splitlines()
    except BriefingError:
        return None
    for want in ((f"@{key}", also), (f"@{key}", "")):
        for number, line in enumerate(lines, start=1):
            if all(w in line for w in want):
                return number
    return 1


def check_images(project: Project, composed, into: Collector | None = None,
                 only: set[str] | None = None, skip: frozenset[str] = frozenset()) -> None:
    """Every image the chapters show (`only` those, `skip` those): a file inside the
    project that is the image its name says (model/images.py). Checked before any tool
    opens one; every image's problem goes `into` the collector given, else the first is
    raised."""
    root = os.path.realpath(project.root)
    for src in composed.image_sources():
        if (only is not None and src not in only) or src in skip:
            continue
        path = project.root / src
        reason = None
        if src not in composed.images():
            reason = "images are files inside the project; URLs are not fetched"
        elif os.path.isabs(src):
            reason = "it is outside the project"
        elif not os.path.lexists(path):
            reason = "no such file in the project"
        elif not files.within(os.path.realpath(path), root):
            reason = "it is outside the project"
        try:
            if reason:
                where: tuple[Path | None, int | None] = composed.origin_of(src) or (None, None)
                raise BriefingError.at(f"refused to load {src!r}: {reason}", *where,
                                       "use images inside the project, by relative path")
            images.check(path, project.images, project.config.limits.image_megapixels)
        except BriefingError as exc:
            if into is None:
                raise
            into.extend(exc)


# --- The list both `check` and `build` run (see the module docstring) ---------------


@dataclass
class Subject:
    """One edition as composed, all any check reads."""

    project: Project
    base: ArgumentBase
    analysis: Analysis
    chapters: list[Chapter]
    several: bool  # the briefing has several editions
    bib_keys: dict[str, int]
    locators: set[str]  # the edition's own locator labels
    argument_map: argmap.ArgumentMap
    comparison_shown: bool
    body: str = ""  # the chapters joined, as Pandoc will read them
    composed: object = None  # document.Composed: where each text came from
    cited: set[str] = field(default_factory=set)  # filled by the citations check


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[Subject, Collector], None]


def _output(s: Subject, problems: Collector) -> None:
    for chapter in s.chapters:
        check_output(chapter, s.project.config.limits, problems)


def _heading_ids(s: Subject, problems: Collector) -> None:
    if s.several:
        for chapter in s.chapters:
            check_heading_ids(chapter, problems)


def _citations(s: Subject, problems: Collector) -> None:
    s.cited = check_citations(s.chapters, s.bib_keys, s.project, s.locators, problems)


def _claims_shown(s: Subject, problems: Collector) -> None:
    check_claims_shown(s.body, s.base, s.analysis, s.argument_map, s.comparison_shown,
                              problems)


def _images(s: Subject, problems: Collector) -> None:
    # A line already named (a file: URL the output check found) is not named again.
    found, named = Collector(), {(p.path, p.line) for p in problems.problems}
    check_images(s.project, s.composed, found, skip=frozenset({s.argument_map.path}))
    problems.problems += [p for p in found.problems if (p.path, p.line) not in named]


CHAPTERS = [Check("output", _output), Check("heading ids", _heading_ids)]
DOCUMENT = [Check("citations", _citations), Check("claims shown", _claims_shown),
            Check("images", _images)]


def run_checks(checklist: list[Check], subject: Subject, problems: Collector) -> None:
    """Every check of the list, each adding its problems (none stops another)."""
    for check in checklist:
        check.run(subject, problems)

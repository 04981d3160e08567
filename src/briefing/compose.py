"""Chapters: sandboxed Jinja2 templates + the argument base -> one Pandoc Markdown document.

Templates are project files an author edits, so they run in Jinja2's sandbox with
StrictUndefined: a typo in a variable name stops the build instead of printing
nothing, and no template can reach Python internals or files outside chapters/.
"""

from __future__ import annotations

import difflib
import json
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from . import argmap
from .analysis import Analysis
from .config import Project
from .errors import BriefingError, Collector, read_text
from .sources import Actor, ArgumentBase, Claim, Quote

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
IMAGE_RE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
HTML_IMG_RE = re.compile(r"<img\b[^>]*\bsrc=[\"']([^\"']+)[\"']", re.I)
WORKDIR = "build/.work"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#@~^$|])")


@dataclass
class ClaimView:
    """A claim as templates see it: names resolved, citations ready to print."""

    id: str
    statement: str
    kind: str
    perspective: str | None
    holders: list[Actor]
    reporter: Actor
    cite: str
    quote: Quote | None
    quote_cite: str
    language: str
    note: str
    label: str = ""
    supports: list[str] = field(default_factory=list)
    attacks: list[str] = field(default_factory=list)
    undercuts: list[str] = field(default_factory=list)

    @property
    def holder_names(self) -> str:
        return join_names([a.name for a in self.holders])


@dataclass
class SourceUse:
    """How much one perspective rests on one source: which paragraphs, how many claims."""

    title: str
    key: str
    paras: list[int]
    claims: int

    @property
    def cite(self) -> str:
        return citation([(self.key, p) for p in self.paras])


@dataclass
class PerspectiveView:
    id: str
    title: str
    short: str
    key_point: str
    summary: str
    claims: list[ClaimView]
    sources: list[SourceUse] = field(default_factory=list)
    voices: list[tuple[str, int]] = field(default_factory=list)  # (actor name, claims held)


@dataclass
class Chapter:
    path: Path
    markdown: str


@dataclass
class Composed:
    markdown: str
    chapters: list[Chapter]
    cited_keys: set[str]
    metadata: dict
    argument_map: argmap.ArgumentMap

    def images(self) -> list[str]:
        """Local image paths the document refers to (Markdown images and <img src>)."""
        found = IMAGE_RE.findall(self.markdown) + HTML_IMG_RE.findall(self.markdown)
        return sorted({src for src in found if "://" not in src and not src.startswith("data:")})


def join_names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def md_escape(text: object) -> str:
    """Data text into Markdown: literal, so a stray '@' or '*' in a claim stays text."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def citation(refs: list[tuple[str, int]]) -> str:
    """[(key, para), ...] -> a Pandoc citation with paragraph locators, one cite per key."""
    by_key: dict[str, list[int]] = {}
    for key, para in refs:
        by_key.setdefault(key, [])
        if para not in by_key[key]:
            by_key[key].append(para)
    parts = []
    for key, paras in by_key.items():
        label = "para." if len(paras) == 1 else "paras."
        parts.append(f"@{key}, {label} {', '.join(str(p) for p in sorted(paras))}")
    return "[" + "; ".join(parts) + "]"


def views(project: Project, base: ArgumentBase) -> tuple[dict[str, ClaimView], list]:
    claims: dict[str, ClaimView] = {}
    for claim in base.claims.values():
        claims[claim.id] = _claim_view(base, claim)
    for rel in base.relations:
        getattr(claims[rel.source], rel.type).append(rel.target)
    _label(claims, list(project.config.perspectives.items()))
    perspectives = [
        PerspectiveView(pid, p.title, p.short, p.key_point, p.summary,
                        [c for c in claims.values() if c.perspective == pid])
        for pid, p in project.config.perspectives.items()
    ]
    for view in perspectives:
        _balance(base, view)
    return claims, perspectives


def _balance(base: ArgumentBase, view: PerspectiveView) -> None:
    """Which sources and voices a perspective rests on, for its sources list and the
    appendix's balance table: a reader sees at once how much hangs on one voice."""
    paras: dict[str, set[int]] = {}
    counts: dict[str, int] = {}
    voices: dict[str, int] = {}
    for claim in view.claims:
        for cite in base.citations(base.claims[claim.id]):
            paras.setdefault(cite.source.id, set()).add(cite.para)
        source_id = base.claim_source[claim.id]
        counts[source_id] = counts.get(source_id, 0) + 1
        for actor in claim.holders:
            voices[actor.name] = voices.get(actor.name, 0) + 1
    view.sources = [SourceUse(base.sources[sid].title, base.sources[sid].key,
                              sorted(paras[sid]), counts.get(sid, 0))
                    for sid in base.sources if sid in paras]
    view.voices = sorted(voices.items(), key=lambda item: (-item[1], item[0]))


def _label(claims: dict[str, ClaimView], perspectives: list) -> None:
    """Short reader-facing labels (P1, T2, ...): a unique prefix per perspective, then order."""
    prefixes: dict[str | None, str] = {None: "B"}
    for pid, p in perspectives:
        word = "".join(ch for ch in p.short.upper() if ch.isalnum()) or pid.upper()
        size = 1
        while word[:size] in prefixes.values() and size < len(word):
            size += 1
        prefixes[pid] = word[:size] if word[:size] not in prefixes.values() else pid.upper()
    counts: dict[str | None, int] = {}
    for claim in claims.values():
        counts[claim.perspective] = counts.get(claim.perspective, 0) + 1
        claim.label = f"{prefixes.get(claim.perspective, 'B')}{counts[claim.perspective]}"


def _claim_view(base: ArgumentBase, claim: Claim) -> ClaimView:
    cites = base.citations(claim)
    source = base.source_of(claim)
    return ClaimView(
        id=claim.id, statement=claim.statement, kind=claim.kind, perspective=claim.perspective,
        holders=[base.actors[h] for h in claim.holders], reporter=base.reporter(claim),
        cite=citation([(c.source.key, c.para) for c in cites]),
        quote=claim.quote,
        quote_cite=citation([(source.key, claim.quote.para)]) if claim.quote else "",
        language=source.language,
        note=claim.note,
    )


def environment(project: Project) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(project.chapters_dir, followlinks=False),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # Pandoc writes ids as {#id}; Jinja2's default comments ({# #}) would swallow them.
        comment_start_string="{##",
        comment_end_string="##}",
    )
    env.filters["md"] = md_escape
    env.filters["join_names"] = join_names
    return env


def parse_templates(project: Project, env: SandboxedEnvironment) -> list[jinja2.Template]:
    """Compile every chapter before rendering any, so syntax errors come first, all at once."""
    problems, templates = Collector(), []
    for path in sorted(project.chapters_dir.glob("*.j2")):
        try:
            read_text(path)  # a bad byte is reported with its line, before Jinja2 sees it
        except BriefingError as exc:
            problems.extend(exc)
    problems.raise_if_any()
    for path in project.chapters:
        try:
            templates.append(env.get_template(path.name))
        except jinja2.TemplateSyntaxError as exc:
            problems.add(f"template syntax error: {exc.message}",
                         Path(exc.filename or path), exc.lineno,
                         "check the {% ... %} and {{ ... }} tags on this line")
        except jinja2.TemplateNotFound as exc:
            problems.add(f"template {exc.name!r} not found", path, None,
                         "includes and imports must name a file inside chapters/")
    problems.raise_if_any()
    return templates


class Tracked(list):
    """A list that remembers whether a template read it (was the comparison shown?)."""

    used = False

    def __iter__(self):
        self.used = True
        return super().__iter__()


@dataclass
class CellView:
    perspective: PerspectiveView
    text: str
    cite: str
    labels: list[str]


@dataclass
class RowView:
    id: str
    title: str
    cells: list[CellView]


@dataclass
class ItemView:
    """A question for policy or a glossary term, with the claims it rests on."""

    id: str
    title: str
    text: str
    cite: str
    labels: list[str]
    beyond_sources: bool = False


def _cite_claims(base: ArgumentBase, ids: list[str], keys: tuple[str, ...] = ()) -> str:
    refs = [(c.source.key, c.para) for cid in ids for c in base.citations(base.claims[cid])]
    citation_text = citation(refs) if refs else ""
    extra = "; ".join(f"@{k}" for k in keys)
    if extra:
        citation_text = f"[{citation_text[1:-1]}; {extra}]" if citation_text else f"[{extra}]"
    return citation_text


def analysis_views(base: ArgumentBase, found: Analysis, claims: dict[str, ClaimView],
                   perspectives: list[PerspectiveView]) -> dict:
    rows = Tracked([RowView(d.id, d.title, [
        CellView(p, d.cells[p.id].text, _cite_claims(base, d.cells[p.id].claims),
                 [claims[c].label for c in d.cells[p.id].claims])
        for p in perspectives]) for d in found.comparison])
    questions = [ItemView(q.id, "", q.text, _cite_claims(base, q.claims),
                          [claims[c].label for c in q.claims]) for q in found.questions]
    glossary = [ItemView(t.term.lower().replace(" ", "-"), t.term, t.definition,
                         _cite_claims(base, t.claims, tuple(t.cite)),
                         [claims[c].label for c in t.claims])
                for t in sorted(found.glossary, key=lambda t: t.term.lower())]
    timeline = [ItemView(f"event-{i}", e.when, e.text, _cite_claims(base, e.claims, tuple(e.cite)),
                         [claims[c].label for c in e.claims]) for i, e in enumerate(found.timeline)]
    for view, event in zip(timeline, found.timeline, strict=True):
        view.beyond_sources = event.beyond_sources
    return {"comparison": rows, "questions": questions, "glossary": glossary,
            "timeline": timeline}


def compose(project: Project, base: ArgumentBase, templates: list[jinja2.Template],
            bib_keys: dict[str, int], metadata: dict, found: Analysis | None = None) -> Composed:
    claims, perspectives = views(project, base)
    amap = argmap.plan(claims, perspectives, base.relations, WORKDIR)
    context = {
        "argument_map": amap,
        "document": project.config.document,
        "labels": project.config.labels,
        "perspectives": perspectives,
        "perspective": {p.id: p for p in perspectives},
        "claims": claims,
        "background": [c for c in claims.values() if c.perspective is None],
        "actors": base.actors,
        "sources": base.sources,
        "relations": base.relations,
        **analysis_views(base, found or Analysis(), claims, perspectives),
    }
    chapters = [Chapter(Path(t.filename), _render(t, context)) for t in templates]
    body = "\n\n".join(ch.markdown.strip() + "\n" for ch in chapters)
    if "{#refs}" not in body:
        body += (f"\n\n# {project.config.labels.references} {{.unnumbered .references}}\n\n"
                 "::: {#refs}\n:::\n")
    cited = _check_citations(chapters, bib_keys, project)
    _check_claims_shown(body, base, found or Analysis(), amap, context["comparison"].used)
    header = "---\n" + json.dumps(metadata, ensure_ascii=False, indent=1) + "\n---\n\n"
    return Composed(header + body, chapters, cited, metadata, amap)


def _render(template: jinja2.Template, context: dict) -> str:
    try:
        return template.render(context)
    except jinja2.TemplateError as exc:
        path, line = _template_frame(exc, template)
        hint = {
            "UndefinedError": "check the variable's spelling; see the context in compose.py",
            "SecurityError": "templates may not reach Python internals",
            "TemplateNotFound": "includes and imports must name a file inside chapters/",
        }.get(type(exc).__name__, "fix the template")
        message = getattr(exc, "message", None) or str(exc)
        if isinstance(exc, jinja2.TemplateNotFound):
            message = f"template {exc.name!r} not found"
        raise BriefingError.at(f"template error: {message}", path, line, hint) from None
    except RecursionError:
        path, line = Path(template.filename), None
        raise BriefingError.at("template recursion too deep", path, line,
                               "a macro or include calls itself without end") from None


def _template_frame(exc: BaseException, template: jinja2.Template) -> tuple[Path, int | None]:
    """The innermost template file and line in the traceback (Jinja2 rewrites frames)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2"):
            return Path(frame.filename), frame.lineno
    return Path(template.filename), getattr(exc, "lineno", None)


def _check_citations(chapters: list[Chapter], bib_keys: dict[str, int],
                     project: Project) -> set[str]:
    """Every @key must be in the bibliography; name the template line that wrote it."""
    problems, cited = Collector(), set()
    for chapter in chapters:
        for match in CITE_RE.finditer(chapter.markdown):
            key = match.group(1)
            cited.add(key)
            label = LOCATOR_RE.match(chapter.markdown, match.start() + (
                1 if chapter.markdown[match.start()] == "-" else 0))
            if label and label.group(1).lower() not in LOCATOR_LABELS:
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
    problems.raise_if_any()
    return cited


ANCHOR_RE = re.compile(r"\{[^}\n]*#claim-([a-z0-9-]+)")
LINK_RE = re.compile(r"\]\(#claim-([a-z0-9-]+)\)")


def _check_claims_shown(body: str, base: ArgumentBase, found: Analysis,
                        amap: argmap.ArgumentMap, comparison_shown: bool) -> None:
    """Every claim must reach the reader (a chapter, the comparison or the map), and every
    link to a claim must land on one; a claim may opt out with `orphan: true`."""
    anchored = set(ANCHOR_RE.findall(body))
    shown = set(anchored)
    if comparison_shown:
        shown.update(c for d in found.comparison for cell in d.cells.values()
                     for c in cell.claims)
    if amap.path in body:
        shown.update(amap.claims)
    problems = Collector()
    for cid, claim in base.claims.items():
        where = base.where[("claim", cid)]
        if cid not in shown and not claim.orphan:
            problems.add(f"claim {cid!r} appears in no chapter, comparison or map", where.path,
                         where.line, "show it in a chapter, or mark it 'orphan: true'")
        elif cid in set(LINK_RE.findall(body)) - anchored:
            problems.add(f"claim {cid!r} is linked to but never shown with its anchor",
                         where.path, where.line, "render it with the claim_block macro")
    problems.raise_if_any()


def _line_in_template(path: Path, key: str, also: str = "") -> int | None:
    """The template line that wrote @key (and `also`, when given); 1 if the key came
    from data rather than from the template's own text."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError:
        return None
    for want in ((f"@{key}", also), (f"@{key}", "")):
        for number, line in enumerate(lines, start=1):
            if all(w in line for w in want):
                return number
    return 1

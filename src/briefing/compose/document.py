"""Chapters: sandboxed Jinja2 templates + the argument base -> one Pandoc Markdown document.

Templates are project files an author edits, so they run in Jinja2's sandbox with
StrictUndefined: a typo in a variable name stops the build instead of printing
nothing, and no template can reach Python internals or files outside chapters/.
"""

from __future__ import annotations

import bisect
import difflib
import json
import os
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from briefing import files
from briefing.compose import argmap
from briefing.compose import language as i18n
from briefing.errors import BriefingError, Collector
from briefing.model.analysis import Analysis
from briefing.model.config import Limits, Project
from briefing.model.sources import ArgumentBase, Claim, Quote
from briefing.runtime import limits

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
# A reference definition ("[map]: figures/map.png") whose target is an image file.
IMAGE_REF_RE = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*<?([^\s>]+\.(?:png|jpe?g|gif|webp|svg))\b",
                          re.I | re.M)
WORKDIR = "build/.work"


def workdir(edition: i18n.Edition) -> str:
    """Where a build keeps its intermediate files (composed Markdown, HTML, map): the
    default edition's in build/.work, another's beside it, so each can be inspected."""
    return WORKDIR if edition.default else f"{WORKDIR}-{edition.id}"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#@~^$|])")


@dataclass
class ActorView:
    """An actor in one edition's words."""

    id: str
    name: str
    kind: str
    role: str


@dataclass
class ClaimView:
    """A claim as templates see it, in one edition's language: names resolved, citations
    ready to print."""

    id: str
    statement: str
    kind: str
    perspective: str | None
    holders: list[ActorView]
    reporter: ActorView
    cite: str
    quote: Quote | None
    quote_cite: str
    language: str  # the source's (and so the quote's) language
    note: str
    translation: str = ""  # the quote in the edition's language; "" when it is in it already
    # The actor whose words the quote is, when they are not the holders' (a paraphrase by
    # the reporter); None when the quote is a holder's own words.
    quote_words: ActorView | None = None
    stance: str = "position"
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
    locators: tuple[str, str] = ("para.", "paras.")

    @property
    def cite(self) -> str:
        return citation([(self.key, p) for p in self.paras], self.locators)


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
    # Who supplies the facts and testimony it draws on (claims of stance evidence).
    evidence: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Chapter:
    path: Path
    markdown: str
    # (offset in markdown, template file, template line) for each piece the template wrote,
    # so a check on the output can name the template line that produced it.
    # A piece copied from the template's own text also says on which of its lines.
    origins: list[tuple[int, Path, int | None, bool]] = field(default_factory=list)

    def literal(self, offset: int) -> bool:
        """Was the text at offset copied from a template's own text (not from data)?"""
        index = bisect.bisect_right(self.origins, offset, key=lambda o: o[0]) - 1
        return index >= 0 and self.origins[index][3]

    def origin(self, offset: int) -> tuple[Path, int | None]:
        index = bisect.bisect_right(self.origins, offset, key=lambda o: o[0]) - 1
        if index < 0:
            return self.path, None
        start, path, line, literal = self.origins[index]
        if literal and line is not None:
            line += self.markdown.count("\n", start, offset)
        return path, line


@dataclass
class Composed:
    markdown: str
    chapters: list[Chapter]
    cited_keys: set[str]
    metadata: dict
    argument_map: argmap.ArgumentMap
    starts: list[tuple[int, int]] = field(default_factory=list)  # per chapter: see compose()

    def origin_of_line(self, line: int, near: str = "") -> tuple[Path, int | None] | None:
        """The template line that wrote a line of the composed document (1-based); Pandoc
        reports some positions a little after the text they are about, so `near`, when
        given, is looked for on the lines just before."""
        offset = sum(len(text) + 1 for text in self.markdown.split("\n")[:line - 1])
        if near:
            back = self.markdown.rfind(near, 0, offset + 1)
            if back >= 0 and self.markdown.count("\n", back, offset) <= 4:
                offset = back
        for chapter, (start, dropped) in reversed(list(zip(self.chapters, self.starts,
                                                           strict=False))):
            if offset >= start:
                return chapter.origin(offset - start + dropped)
        return None

    def image_sources(self) -> list[str]:
        """Every image the document refers to, as written (Markdown images)."""
        return sorted(set(IMAGE_RE.findall(self.markdown) + IMAGE_REF_RE.findall(self.markdown)))

    def images(self) -> list[str]:
        """Local image paths the document refers to."""
        return [src for src in self.image_sources() if _local(src)]


def _local(src: str) -> bool:
    return "://" not in src and not src.lower().startswith(("data:", "file:"))


def join_names(names: list[str], conjunction: str = "and") -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {conjunction} " + names[-1]


@jinja2.pass_context
def _join_names_filter(context, names) -> str:
    labels = context.get("labels")
    return join_names(list(names), labels.get("and", "and") if isinstance(labels, dict) else "and")


def md_unescape(text: str) -> str:
    """The plain text of md_escape's result."""
    return _MD_UNESCAPE.sub(r"\1", text)


_MD_UNESCAPE = re.compile(r"\\([\\`*_{}\[\]<>#@~^$|])")


def md_escape(text: object) -> str:
    """Data text into Markdown: literal, so a stray '@' or '*' in a claim stays text."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def citation(refs: list[tuple[str, int]], locators: tuple[str, str] = ("para.", "paras.")
             ) -> str:
    """[(key, para), ...] -> a Pandoc citation with paragraph locators, one cite per key.
    `locators` are the edition's words for one and several paragraphs: citeproc parses
    locator labels in the document's language only ("par." in Dutch, "para." in English)."""
    by_key: dict[str, list[int]] = {}
    for key, para in refs:
        by_key.setdefault(key, [])
        if para not in by_key[key]:
            by_key[key].append(para)
    parts = []
    for key, paras in by_key.items():
        label = locators[0] if len(paras) == 1 else locators[1]
        parts.append(f"@{key}, {label} {', '.join(str(p) for p in sorted(paras))}")
    return "[" + "; ".join(parts) + "]"


def views(project: Project, base: ArgumentBase, lang: i18n.Localised
          ) -> tuple[dict[str, ClaimView], list]:
    tr = lang.text
    actors = actor_views(base, tr)
    claims: dict[str, ClaimView] = {}
    for claim in base.claims.values():
        claims[claim.id] = _claim_view(base, claim, actors, lang)
    for rel in base.relations:
        getattr(claims[rel.source], rel.type).append(rel.target)
    # Labels come from the default edition's short names, so P3 is P3 in every edition.
    default = i18n.Localiser(project.default_edition, project.default_edition.id)
    _label(claims, [(pid, default(p.short)) for pid, p in project.config.perspectives.items()])
    perspectives = [
        PerspectiveView(pid, tr(p.title), tr(p.short), tr(p.key_point), tr(p.summary),
                        [c for c in claims.values() if c.perspective == pid])
        for pid, p in project.config.perspectives.items()
    ]
    for view in perspectives:
        _balance(base, view, lang.words.locators)
    return claims, perspectives


def _balance(base: ArgumentBase, view: PerspectiveView, locators: tuple[str, str]) -> None:
    """Which sources and voices a perspective rests on, for its sources list and the
    appendix's balance table: a reader sees at once how much hangs on one voice."""
    paras: dict[str, set[int]] = {}
    counts: dict[str, int] = {}
    voices: dict[str, int] = {}
    evidence: dict[str, int] = {}
    for claim in view.claims:
        for cite in base.citations(base.claims[claim.id]):
            paras.setdefault(cite.source.id, set()).add(cite.para)
        source_id = base.claim_source[claim.id]
        counts[source_id] = counts.get(source_id, 0) + 1
        tally = voices if claim.stance == "position" else evidence
        for actor in claim.holders:  # ActorViews: names in the edition's language
            tally[actor.name] = tally.get(actor.name, 0) + 1
    view.sources = [SourceUse(base.sources[sid].title, base.sources[sid].key,
                              sorted(paras[sid]), counts.get(sid, 0), locators)
                    for sid in base.sources if sid in paras]
    view.voices = sorted(voices.items(), key=lambda item: (-item[1], item[0]))
    view.evidence = sorted(evidence.items(), key=lambda item: (-item[1], item[0]))


def _label(claims: dict[str, ClaimView], perspectives: list[tuple[str, str]]) -> None:
    """Short reader-facing labels (P1, T2, ...): a unique prefix per perspective, then order."""
    prefixes: dict[str | None, str] = {None: "B"}
    for pid, short in perspectives:
        word = "".join(ch for ch in short.upper() if ch.isalnum()) or pid.upper()
        size = 1
        while word[:size] in prefixes.values() and size < len(word):
            size += 1
        prefixes[pid] = word[:size] if word[:size] not in prefixes.values() else pid.upper()
    counts: dict[str | None, int] = {}
    for claim in claims.values():
        counts[claim.perspective] = counts.get(claim.perspective, 0) + 1
        claim.label = f"{prefixes.get(claim.perspective, 'B')}{counts[claim.perspective]}"


def actor_views(base: ArgumentBase, tr: i18n.Localiser) -> dict[str, ActorView]:
    return {aid: ActorView(aid, tr(a.name), a.kind, tr(a.role)) for aid, a in base.actors.items()}


def _claim_view(base: ArgumentBase, claim: Claim, actors: dict[str, ActorView],
                lang: i18n.Localised) -> ClaimView:
    cites = base.citations(claim)
    source = base.source_of(claim)
    quote = claim.quote
    translation = ""
    if quote is not None and not lang.edition.same_language(source.language):
        translation = lang.text(quote.translation)
    words = quote.words_of if quote is not None else None
    return ClaimView(
        quote_words=actors[words] if words and words not in claim.holders else None,
        stance=claim.stance,
        id=claim.id, statement=lang.text(claim.statement), kind=claim.kind,
        perspective=claim.perspective,
        holders=[actors[h] for h in claim.holders], reporter=actors[base.reporter(claim).id],
        cite=citation([(c.source.key, c.para) for c in cites], lang.words.locators),
        quote=quote,
        quote_cite=citation([(source.key, quote.para)], lang.words.locators) if quote else "",
        language=source.language,
        note=claim.note,
        translation=translation,
    )


class ChaptersLoader(jinja2.BaseLoader):
    """Templates from chapters/ only, as read (and checked) up front by read_templates:
    Jinja2 itself opens no file. A '..' in a name is refused by split_template_path; a link
    to a file outside chapters/ was never read and is refused when included."""

    def __init__(self, folder: Path, sources: dict[str, str]):
        self.folder, self.sources = folder, sources

    def get_source(self, environment, template):
        name = "/".join(split_template_path(template))
        if name in self.sources:
            return self.sources[name], str(self.folder / name), lambda: True
        path = self.folder / name
        if os.path.lexists(path) and not files.within(os.path.realpath(path),
                                                      os.path.realpath(self.folder)):
            raise jinja2.exceptions.SecurityError(
                f"template {template!r} is a link to a file outside chapters/")
        raise jinja2.TemplateNotFound(template)


def read_templates(project: Project) -> dict[str, str]:
    """Every template under chapters/ (name relative to it -> text), each read once and
    checked (UTF-8, no control characters, a regular file). A link to a file outside
    chapters/ is not read at all. Reports every bad file at once."""
    problems, found = Collector(), {}
    top = project.chapters_dir
    inside = os.path.realpath(top)
    for folder, dirs, names in os.walk(top, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if not name.endswith(".j2") or not files.within(os.path.realpath(path), inside):
                continue
            try:
                found[path.relative_to(top).as_posix()] = project.inputs.read_text(path)
            except BriefingError as exc:
                problems.extend(exc)
    problems.raise_if_any()
    return found


class BoundedEnvironment(SandboxedEnvironment):
    """The sandbox, plus bounds on the operators that can allocate without limit:
    `'x' * 10**10` or `10 ** 10 ** 10` would otherwise exhaust memory or hang in C code,
    where no alarm can interrupt them."""

    intercepted_binops = frozenset(["*", "**"])
    max_items = 8 * 1024 * 1024  # set from limits.markdown_mib

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(count, int) and (
                        len(seq) * count > self.max_items):
                    raise jinja2.exceptions.SecurityError(
                        f"'*' would make {len(seq) * count:,} items, more than the "
                        f"{self.max_items:,} the whole document may hold (limits.markdown_mib)")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and (
                abs(left) > 1 and right > 4096):
            raise jinja2.exceptions.SecurityError(f"'{left} ** {right}' is too large to compute")
        return super().call_binop(context, operator, left, right)


def environment(project: Project, sources: dict[str, str]) -> SandboxedEnvironment:
    env = BoundedEnvironment(
        loader=ChaptersLoader(project.chapters_dir, sources),
        # {% trans %} and _(): the words of each edition come from its catalogue; gettext
        # is passed in the render context, per edition.
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # Pandoc writes ids as {#id}; Jinja2's default comments ({# #}) would swallow them.
        comment_start_string="{##",
        comment_end_string="##}",
    )
    # A paragraph in a {% trans %} block is one message, whatever its line breaks.
    env.policies["ext.i18n.trimmed"] = True
    env.newstyle_gettext = True  # gettext formats %(name)s itself, after translating
    env.filters["md"] = md_escape
    env.filters["join_names"] = _join_names_filter
    # lipsum() writes any amount of text on request and has no place in a briefing.
    env.globals.pop("lipsum", None)
    env.max_items = int(project.config.limits.markdown_mib * 1024 * 1024)
    return env


def parse_templates(project: Project, env: SandboxedEnvironment) -> list[jinja2.Template]:
    """Compile every chapter before rendering any, so syntax errors come first, all at once."""
    problems, templates = Collector(), []
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
    links: list[str] = field(default_factory=list)  # "[P3](#claim-...)", as labels
    see: list[str] = field(default_factory=list)  # cross-references to other perspectives


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
    links: list[str] = field(default_factory=list)  # "[P3](#claim-...)", as labels


def _links(claims: dict[str, ClaimView], ids: list[str]) -> list[str]:
    """Markdown links to the claims, by label: every mention of a claim can be followed."""
    return [f"[{claims[c].label}](#claim-{c})" for c in ids]


def _cite_claims(base: ArgumentBase, ids: list[str], keys: tuple[str, ...] = (),
                 locators: tuple[str, str] = ("para.", "paras.")) -> str:
    refs = [(c.source.key, c.para) for cid in ids for c in base.citations(base.claims[cid])]
    citation_text = citation(refs, locators) if refs else ""
    extra = "; ".join(f"@{k}" for k in keys)
    if extra:
        citation_text = f"[{citation_text[1:-1]}; {extra}]" if citation_text else f"[{extra}]"
    return citation_text


def analysis_views(base: ArgumentBase, found: Analysis, claims: dict[str, ClaimView],
                   perspectives: list[PerspectiveView], tr: i18n.Localiser,
                   default: i18n.Localiser, locators: tuple[str, str]) -> dict:
    rows = Tracked([RowView(d.id, tr(d.title), [
        CellView(p, tr(cell.text), _cite_claims(base, cell.claims + cell.see, (), locators),
                 [claims[c].label for c in cell.claims], _links(claims, cell.claims),
                 _links(claims, cell.see))
        for p in perspectives for cell in [d.cells[p.id]]]) for d in found.comparison])
    questions = [ItemView(q.id, "", tr(q.text), _cite_claims(base, q.claims, (), locators),
                          [claims[c].label for c in q.claims], links=_links(claims, q.claims))
                 for q in found.questions]
    key_points = [ItemView(k.id, tr(k.title), tr(k.text),
                           _cite_claims(base, k.claims, tuple(k.cite), locators),
                           [claims[c].label for c in k.claims], links=_links(claims, k.claims))
                  for k in found.key_points]
    # A term's anchor comes from the default edition's term, the same in every edition;
    # the order is the reader's alphabet.
    glossary = [ItemView(default(t.term).lower().replace(" ", "-"), tr(t.term), tr(t.definition),
                         _cite_claims(base, t.claims, tuple(t.cite), locators),
                         [claims[c].label for c in t.claims], links=_links(claims, t.claims))
                for t in sorted(found.glossary, key=lambda t: tr(t.term).lower())]
    timeline = [ItemView(f"event-{i}", tr(e.when), tr(e.text),
                         _cite_claims(base, e.claims, tuple(e.cite), locators),
                         [claims[c].label for c in e.claims], links=_links(claims, e.claims))
                for i, e in enumerate(found.timeline)]
    for view, event in zip(timeline, found.timeline, strict=True):
        view.beyond_sources = event.beyond_sources
    return {"comparison": rows, "questions": questions, "glossary": glossary,
            "timeline": timeline, "key_points": key_points}


def compose(project: Project, base: ArgumentBase, templates: list[jinja2.Template],
            bib_keys: dict[str, int], metadata: dict, found: Analysis | None,
            lang: i18n.Localised) -> Composed:
    claims, perspectives = views(project, base, lang)
    words = lang.words
    amap = argmap.plan(claims, perspectives, base.relations, workdir(lang.edition), words)
    gettext, ngettext = i18n.newstyle(lang.messages.template)
    context = {
        "argument_map": amap,
        "document": project.config.document,
        "edition": lang.edition,
        "labels": words.labels,
        "words": words,
        "gettext": gettext,
        "ngettext": ngettext,
        "perspectives": perspectives,
        "perspective": {p.id: p for p in perspectives},
        "claims": claims,
        "background": [c for c in claims.values() if c.perspective is None],
        "actors": actor_views(base, lang.text),
        "sources": base.sources,
        "relations": base.relations,
        **analysis_views(base, found or Analysis(), claims, perspectives, lang.text,
                         i18n.Localiser(project.default_edition, project.default_edition.id),
                         words.locators),
    }
    bounds = project.config.limits
    budget = [int(bounds.markdown_mib * 1024 * 1024)]
    try:
        with limits.alarm(bounds.template_seconds), \
                limits.address_space(bounds.template_memory_mib):
            chapters = [_render(t, context, budget, bounds) for t in templates]
    except limits.TimeLimit:  # the alarm rang between two templates
        raise _too_slow(project.chapters_dir, None, bounds) from None
    problems = Collector()
    for chapter in chapters:
        check_output(chapter, bounds, problems)
        if lang.edition.several:
            _check_heading_ids(chapter, problems)
    problems.raise_if_any()
    body = "\n\n".join(ch.markdown.strip() + "\n" for ch in chapters)
    if "{#refs}" not in body:
        body += (f"\n\n# {words.labels['references']} {{#references .unnumbered .references}}"
                 "\n\n::: {#refs}\n:::\n")
    cited = _check_citations(chapters, bib_keys, project, set(words.locators))
    _check_claims_shown(body, base, found or Analysis(), amap, context["comparison"].used)
    header = "---\n" + json.dumps(metadata, ensure_ascii=False, indent=1) + "\n---\n\n"
    # Where each chapter's text begins in the document, and how much of its start the
    # strip() above dropped: a position Pandoc reports maps back to a template line.
    starts, at = [], len(header)
    for chapter in chapters:
        starts.append((at, len(chapter.markdown) - len(chapter.markdown.lstrip())))
        at += len(chapter.markdown.strip()) + 3
    return Composed(header + body, chapters, cited, metadata, amap, starts)


HEADING_RE = re.compile(r"^#{1,6}[ \t]+\S.*$", re.M)


def _check_heading_ids(chapter: Chapter, problems: Collector) -> None:
    """With several editions every heading needs an explicit id: Pandoc would derive one
    from the words, so each edition would have other anchors and a link or a citation of
    one edition would not work in the other."""
    for match in HEADING_RE.finditer(chapter.markdown):
        if not re.search(r"\{[^}]*#[^\s}]+[^}]*\}\s*$", match.group()):
            problems.add("a heading without an explicit id", *chapter.origin(match.start()),
                         "end it with {#some-id}, the same in every edition, e.g. "
                         "'# Introduction {#introduction}'")
            return


def _render(template: jinja2.Template, context: dict, budget: list[int],
            bounds: Limits) -> Chapter:
    """Render one chapter piece by piece, recording which template line wrote each piece
    and stopping as soon as the document outgrows limits.markdown_mib."""
    pieces: list[str] = []
    origins: list[tuple[int, Path, int | None, bool]] = []
    sources: dict[Path, str] = {}
    size = 0
    stream = template.generate(context)
    try:
        for piece in stream:
            where, literal = _literal_line(_writing_line(stream, template), piece, sources)
            if literal or not origins or origins[-1][1:3] != where or origins[-1][3]:
                origins.append((size, *where, literal))
            pieces.append(piece)
            size += len(piece)
            budget[0] -= len(piece)
            if budget[0] < 0:
                raise BriefingError.at(
                    f"the chapters make more than {bounds.markdown_mib:g} MiB of Markdown",
                    *where, "look for a loop that writes without end; if the document really "
                    "is this large, raise limits.markdown_mib in briefing.toml")
    except BriefingError:
        raise
    except jinja2.TemplateError as exc:
        path, line = _template_frame(exc, template)
        hint = {
            "UndefinedError": "check the variable's spelling; see the context in compose.py",
            "SecurityError": "templates may not reach Python internals, files outside "
                             "chapters/ or unbounded sizes",
            "TemplateNotFound": "includes and imports must name a file inside chapters/",
        }.get(type(exc).__name__, "fix the template")
        message = getattr(exc, "message", None) or str(exc)
        if isinstance(exc, jinja2.TemplateNotFound):
            message = f"template {exc.name!r} not found"
        raise BriefingError.at(f"template error: {message}", path, line, hint) from None
    except RecursionError as exc:
        path, line = _template_frame(exc, template)
        raise BriefingError.at("template recursion too deep", path, line,
                               "a macro or include calls itself without end") from None
    except limits.TimeLimit as exc:
        raise _too_slow(*_template_frame(exc, template), bounds) from None
    except MemoryError as exc:
        path, line = _template_frame(exc, template)
        raise BriefingError.at(
            f"template used more than limits.template_memory_mib "
            f"({bounds.template_memory_mib:g} MiB)", path, line,
            "look for a value built up without bound (string methods, joins, loops)") from None
    except Exception as exc:  # a template's own runtime error, e.g. {{ 1 / 0 }}
        path, line = _template_frame(exc, template)
        raise BriefingError.at(f"template error: {type(exc).__name__}: {exc}", path, line,
                               "fix the expression on this line") from None
    finally:
        stream.close()
    return Chapter(Path(template.filename), "".join(pieces), origins)


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
        problems.add(f"content nested {depth} levels deep (lists, quotes or divs), "
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
    return None


def _literal_line(where: tuple[Path, int | None], piece: str,
                  sources: dict[Path, str]) -> tuple[tuple[Path, int | None], bool]:
    """Jinja2 records lines only for some nodes, so text copied from the template is found
    in the template itself, at or after the recorded line, for its exact line."""
    path, line = where
    if line is None or not piece.strip():
        return where, False
    source = _source(sources, path)
    start = 0
    for _ in range(line - 1):
        start = source.find("\n", start) + 1
        if start == 0:
            return where, False
    found = source.find(piece, start)
    if found < 0:
        return where, False
    return (path, source.count("\n", 0, found) + 1), True


def _source(cache: dict[Path, str], path: Path) -> str:
    if path not in cache:
        try:
            cache[path] = files.read_text(path)
        except BriefingError:
            cache[path] = ""
    return cache[path]


def _too_slow(path: Path, line: int | None, bounds: Limits) -> BriefingError:
    return BriefingError.at(
        f"templates took longer than limits.template_seconds ({bounds.template_seconds:g} s)",
        path, line, "look for nested loops over large ranges or macros that call each other")


def _writing_line(stream, template: jinja2.Template) -> tuple[Path, int | None]:
    """The template file and line whose output was just yielded: the innermost suspended
    template generator (blocks and includes are nested generators; macro output is
    yielded at the line that calls the macro)."""
    gen, found = stream, None
    while gen is not None:
        frame = getattr(gen, "gi_frame", None)
        owner = frame.f_globals.get("__jinja_template__") if frame is not None else None
        if owner is not None:
            found = (Path(owner.filename), owner.get_corresponding_lineno(frame.f_lineno))
        gen = getattr(gen, "gi_yieldfrom", None)
    return found or (Path(template.filename), None)


def _template_frame(exc: BaseException, template: jinja2.Template) -> tuple[Path, int | None]:
    """The innermost template file and line in the traceback (Jinja2 rewrites frames)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2"):
            return Path(frame.filename), frame.lineno
    return Path(template.filename), getattr(exc, "lineno", None)


def _check_citations(chapters: list[Chapter], bib_keys: dict[str, int],
                     project: Project, also: set[str] = frozenset()) -> set[str]:
    """Every @key must be in the bibliography; name the template line that wrote it."""
    problems, cited = Collector(), set()
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
        lines = files.read_text(path).splitlines()
    except BriefingError:
        return None
    for want in ((f"@{key}", also), (f"@{key}", "")):
        for number, line in enumerate(lines, start=1):
            if all(w in line for w in want):
                return number
    return 1

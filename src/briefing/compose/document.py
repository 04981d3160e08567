"""The model + the chapter templates -> one Pandoc Markdown document per edition.

    prepare: read and parse the templates, read the catalogues (problems gathered)
    compose: metadata, view models -> render every chapter -> check what they wrote
             -> one document with its metadata header, and the map from each of its
             positions back to the template line that wrote it (Composed.origin_of_line)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from briefing.compose import (
    argmap,
    changelog,
    changes,
    language,
    metadata,
    placeholders,
    prose,
    prosefiles,
    snapshot,
)
from briefing.compose.checks import CHAPTERS, DOCUMENT, Subject, run_checks
from briefing.compose.context import TemplateContext
from briefing.compose.templates import (
    Chapter,
    ChaptersLoader,
    environment,
    for_edition,
    parse_templates,
    read_templates,
    render_chapter,
    too_slow,
)
from briefing.compose.views import (
    NO_RELEASE,
    ReleasedLabels,
    actor_views,
    analysis_views,
    released_labels,
    views,
)
from briefing.errors import BriefingError, Collector, Problem
from briefing.model import releases
from briefing.model.analysis import Analysis
from briefing.model.catalogues import Catalogue, load_catalogue
from briefing.model.load import Model
from briefing.model.project import Project
from briefing.model.sources import ArgumentBase
from briefing.model.texts import Coverage, Edition, Localiser
from briefing.runtime import limits

# An image's text may hold brackets, balanced as Pandoc reads them (a draft's "[NOT
# TRANSLATED] " marker, a citation), two levels deep; an escaped bracket is text.
_TEXT = r"(?:[^\[\]\\]|\\.)"
_BRACKETED = rf"(?:{_TEXT}|\[(?:{_TEXT}|\[{_TEXT}*\])*\])*"
IMAGE_RE = re.compile(rf"!\[{_BRACKETED}\]\(\s*<?([^)\s>]+)")
# A reference definition ("[map]: figures/map.png") whose target is an image file.
IMAGE_REF_RE = re.compile(r"^ {0,3}\[[^\]\n]+\]:\s*<?([^\s>]+\.(?:png|jpe?g|gif|webp|svg))\b",
                          re.I | re.M)
WORKDIR = "build/.work"


def workdir(edition: Edition) -> str:
    """Where a build keeps its intermediate files (composed Markdown, HTML, map): the
    default edition's in build/.work, another's beside it, so each can be inspected."""
    return WORKDIR if edition.default else f"{WORKDIR}-{edition.id}"


@dataclass
class Composed:
    markdown: str
    chapters: list[Chapter]
    cited_keys: set[str]
    metadata: dict
    argument_map: argmap.ArgumentMap
    starts: list[tuple[int, int]] = field(default_factory=list)  # per chapter: see compose()
    warnings: list[Problem] = field(default_factory=list)  # e.g. a chapter that renders empty

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

    def origin_of(self, text: str) -> tuple[Path, int | None] | None:
        """The template line that wrote `text` (a URL, a key, an attribute a later tool
        names), by the map recorded while rendering; for a path, its file name will do."""
        for candidate in (text, text.rsplit("/", 1)[-1]):
            if not candidate:
                continue
            for chapter in self.chapters:
                at = chapter.markdown.find(candidate)
                if at >= 0:
                    return chapter.origin(at)
        return None

    def image_sources(self) -> list[str]:
        """Every image the document refers to, as written (Markdown images)."""
        return sorted(set(IMAGE_RE.findall(self.markdown) + IMAGE_REF_RE.findall(self.markdown)))

    def images(self) -> list[str]:
        """Local image paths the document refers to."""
        return [src for src in self.image_sources() if _local(src)]


def _local(src: str) -> bool:
    return "://" not in src and not src.lower().startswith(("data:", "file:"))


def compose(project: Project, base: ArgumentBase, templates: list[jinja2.Template],
            bib_keys: dict[str, int], metadata: dict, found: Analysis | None,
            lang: language.Localised, changes_section: str = "",
            released: ReleasedLabels = NO_RELEASE) -> Composed:
    claims, perspectives = views(project, base, lang, released)
    words = lang.words
    amap = argmap.plan(claims, perspectives, base.relations, workdir(lang.edition), words)
    gettext, ngettext = language.newstyle(lang.messages.template)
    context = TemplateContext(
        argument_map=amap,
        document=project.config.document,
        edition=lang.edition,
        labels=words.labels,
        words=words,
        gettext=gettext,
        ngettext=ngettext,
        perspectives=perspectives,
        perspective={p.id: p for p in perspectives},
        claims=claims,
        background=[c for c in claims.values() if c.perspective is None],
        actors=actor_views(base, lang.text),
        sources=base.sources,
        relations=base.relations,
        **analysis_views(base, found or Analysis(), claims, perspectives, lang.text,
                         Localiser(project.default_edition, project.default_edition.id),
                         words.locators),
        changelog=changes_section,
    ).variables()
    bounds = project.config.limits
    budget = [int(bounds.markdown_mib * 1024 * 1024)]
    try:
        with limits.alarm(bounds.template_seconds), \
                limits.address_space(bounds.template_memory_mib):
            chapters = [render_chapter(t, context, budget, bounds) for t in templates]
    except limits.TimeLimit:  # the alarm rang between two templates
        raise too_slow(project.chapters_dir, None, bounds) from None
    # The checks check and build both run (compose/checks.py), every problem collected.
    problems = Collector()
    subject = Subject(project, base, found or Analysis(), chapters, lang.edition.several,
                      bib_keys, set(words.locators), amap, context["comparison"].used)
    run_checks(CHAPTERS, subject, problems)
    body = "\n\n".join(ch.markdown.strip() + "\n" for ch in chapters)
    if changes_section and changelog.ANCHOR not in body:
        body += "\n\n" + changes_section
    if "{#refs}" not in body:
        body += (f"\n\n# {words.labels['references']} {{#references .unnumbered .references}}"
                 "\n\n::: {#refs}\n:::\n")
    header = "---\n" + json.dumps(metadata, ensure_ascii=False, indent=1) + "\n---\n\n"
    # Where each chapter's text begins in the document, and how much of its start the
    # strip() above dropped: a position Pandoc reports maps back to a template line.
    starts, at = [], len(header)
    for chapter in chapters:
        starts.append((at, len(chapter.markdown) - len(chapter.markdown.lstrip())))
        at += len(chapter.markdown.strip()) + 3
    # A chapter that renders to nothing is most likely a loop over data that is not there.
    empty = [Problem("the chapter renders empty", chapter.path, None,
                     "check the data it loops over, or remove it from build.chapters")
             for chapter in chapters if not chapter.markdown.strip()]
    composed = Composed(header + body, chapters, set(), metadata, amap, starts, empty)
    subject.body, subject.composed = body, composed
    run_checks(DOCUMENT, subject, problems)
    problems.raise_if_any()
    composed.cited_keys = subject.cited
    return composed


@dataclass
class Prepared:
    """The templates, parsed, and each edition's catalogues: what composing needs besides
    the model."""

    templates: list[jinja2.Template]
    catalogues: dict[str, Catalogue]  # edition id -> the project's locale/<id>.po
    engine_catalogues: dict[str, Catalogue]  # edition id -> the engine's, its language
    warnings: list[Problem] = field(default_factory=list)  # template text no edition translates

    def localised(self, project: Project, edition: Edition) -> language.Localised:
        return language.Localised.make(edition, project.default_edition.id,
                                   self.catalogues[edition.id],
                                   self.engine_catalogues[edition.id])


def prepare(project: Project, coverage: Coverage, problems: Collector) -> Prepared:
    """Read and parse the chapter templates and read every catalogue; problems are added
    to `problems`, and the messages each edition lacks to `coverage`."""
    templates, texts = [], {}
    try:
        texts = read_templates(project)
        env = environment(project, texts)
        templates = parse_templates(project, env)
    except BriefingError as exc:
        problems.extend(exc)
        env = environment(project, texts)
    catalogues, engine_catalogues = _catalogues(project, env, texts, coverage, problems)
    if isinstance(env.loader, ChaptersLoader):  # each edition's prose files, as data texts
        prosefiles.check(project, env.loader.prose, coverage)
    warnings = []
    if len(project.editions) > 1:  # with one edition, template text is simply its text
        others = [f"locale/{e.id}.po" for e in project.editions if not e.default]
        warnings = prose.untranslated(env, {project.chapters_dir / name: text
                                            for name, text in texts.items()}, others)
    warnings += placeholders.find(project)  # "Your organisation" and the like
    return Prepared(templates, catalogues, engine_catalogues, warnings)


def compose_edition(model: Model, prepared: Prepared, lang: language.Localised) -> Composed:
    """One edition's document: its metadata, then every chapter in its language."""
    meta = metadata.metadata(model.project, model.epoch, lang)
    meta["typography"] = metadata.typography(model.bib_for(lang.edition), model.base)
    if model.previous is not None:  # on the cover: which version this one updates
        meta["updates"] = changelog.updates(model.previous, lang)
    templates = for_edition(prepared.templates, None if lang.edition.default
                            else lang.edition.id)  # its own prose, where it has it
    return compose(model.project, model.base, templates, model.bib.keys, meta,
                   model.analysis, lang, changes_since(model, prepared, lang),
                   released_labels(model.earlier, model.project.default_edition.id))


def changes_since(model: Model, prepared: Prepared, lang: language.Localised) -> str:
    """The changelog section of this edition: why this version exists, the versions
    before it, and the changes from the previous release's record to what the edition
    shows now ("" when nothing was released before)."""
    previous = model.previous
    if previous is None:
        return ""
    default = model.project.default_edition
    now = {lang.edition.id: snapshot.snapshot(model, lang)}
    if default.id != lang.edition.id:
        now[default.id] = snapshot.snapshot(model, prepared.localised(model.project, default))
    found = changes.compare(previous.record.editions, now, default.id,
                            previous.record.format)[lang.edition.id]
    history = [r for r in model.history if r.key <= previous.key]
    summary = lang.text(model.project.config.document.changes)
    return changelog.section(found, history, summary, lang)


def _catalogues(project: Project, env, texts: dict[str, str],
                coverage: Coverage, problems: Collector
                ) -> tuple[dict[str, Catalogue], dict[str, Catalogue]]:
    """Each edition's message catalogues, and the gaps in them: every message of the
    chapter templates (other than the default edition's own) and every engine word."""
    default = project.default_edition
    ours, engine = {}, {}
    for edition in project.editions:
        ours[edition.id] = load_catalogue(project.locale_dir / f"{edition.id}.po",
                                               problems, project.inputs)
        engine[edition.id] = load_catalogue(
            language.ENGINE_LOCALE / f"{edition.primary}.po", problems)
        if edition.id != default.id:
            language.template_gaps(env, {project.chapters_dir / name: text
                                     for name, text in texts.items()}, edition,
                               ours[edition.id], coverage, project.root)
        messages = language.Messages(edition, ours[edition.id], engine[edition.id],
                                 edition.id == default.id)
        language.engine_gaps(edition, messages, coverage, project.root)
    return ours, engine


def released_drift(model: Model, prepared: Prepared) -> list[Problem]:
    """A warning when briefing.toml names a version already released whose argument base
    has changed since: the outputs would print the old version's number over new content."""
    version = model.project.config.document.version
    record = next((r for r in model.history if r.version == version), None)
    if record is None:
        return []
    fmt = record.record.format  # compared in what that record holds
    for edition in model.project.editions:
        released = record.record.editions.get(edition.id)
        lang = prepared.localised(model.project, edition)
        found = snapshot.snapshot(model, lang)
        now = releases.as_format(releases.Edition(**found), fmt)
        summary = lang.text(model.project.config.document.changes)
        if released is None or any(
                getattr(releases.as_format(released, fmt), part) != getattr(now, part)
                for part in found) or (fmt >= 3 and record.record.summary.get(
                    edition.id, "") != summary):
            return [Problem(f"version {version} was released, but the argument base has "
                            "changed since", model.project.config_path,
                            model.project.line_of("document", "version"),
                            "set the next version (and its date) in [document]; `briefing "
                            f"diff {version}` lists the changes")]
    return []

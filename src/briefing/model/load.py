"""The model: every input read, validated and typed, or every problem found at once.

    briefing.toml -> bibliography (+ CSL styles) -> seeds -> analysis

Renders nothing and knows no template: what it returns is data about the sources and
their arguments, checked (quotes verbatim, citations known, relations between known
claims), with the texts each edition is still missing gathered as gaps.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from briefing.errors import BriefingError, Collector, Problem
from briefing.model import (
    analysis,
    bibliography,
    config,
    provenance,
    records,
    releases,
    schemes,
    sources,
    style,
    texts,
)
from briefing.model.project import ANALYSIS_NAME, CHAPTER_RE, Project


@dataclass
class Model:
    project: Project
    bib: bibliography.Bibliography
    base: sources.ArgumentBase
    analysis: analysis.Analysis
    epoch: int
    coverage: texts.Coverage
    warnings: list[Problem] = field(default_factory=list)  # nothing left out silently
    history: list[releases.Release] = field(default_factory=list)  # releases, oldest first
    edition_bibs: dict[str, bibliography.Bibliography] = field(default_factory=dict)

    def bib_for(self, edition: texts.Edition) -> bibliography.Bibliography:
        """The bibliography an edition cites from: the shared one, with the edition's own
        entries in place (editions.<id>.bibliography)."""
        return self.edition_bibs.get(edition.id, self.bib)

    @property
    def previous(self) -> releases.Release | None:
        """The release this version updates (its changelog's base), if any."""
        return releases.previous(self.history, self.project.config.document.version)

    @property
    def earlier(self) -> list[releases.Release]:
        """The releases before this version, oldest first."""
        current = releases.parse(self.project.config.document.version)
        return [r for r in self.history if current is None or r.key < current]

    @property
    def renumbered(self) -> bool:
        """Whether this version was released with --renumber (its paragraphs numbered by
        place): a build of it numbers them so again."""
        version = self.project.config.document.version
        return any(r.version == version and r.record.renumbered for r in self.history)

    def editions(self, chosen: list[str] | None) -> list[texts.Edition]:
        if not chosen:
            return list(self.project.editions)
        return [self.project.edition(ident) for ident in dict.fromkeys(chosen)]

    def gaps(self, editions: list[texts.Edition]) -> list[texts.Gap]:
        wanted = {e.id for e in editions}
        return [g for g in self.coverage.gaps if g.edition in wanted]

    def stale(self, editions: list[texts.Edition]) -> list[Problem]:
        wanted = {e.id for e in editions}
        return [s.problem for s in self.coverage.stale if s.edition in wanted]


def load(root: Path, problems: Collector) -> Model:
    """Read and validate every input. Problems are added to `problems` (the caller raises
    them with those of the templates, so an author sees every one at once); missing
    translations are gaps, per edition, not errors. The settings come first: without
    them nothing else can be found, so a problem there raises at once."""
    project = config.load(root)
    coverage = texts.Coverage()
    editions = project.editions
    _config_texts(project, coverage, problems)
    bib = None
    try:
        bib = bibliography.load(project.bib_path, project.config.limits.bib_field_chars,
                                project.inputs)
    except BriefingError as exc:
        problems.extend(exc)
    edition_bibs = {}
    for edition in editions:
        own = project.bib_for(edition)
        if own is None:
            continue
        try:
            loaded = bibliography.load(own, project.config.limits.bib_field_chars,
                                       project.inputs)
            if bib is not None:
                edition_bibs[edition.id] = bib.replaced(loaded)
        except BriefingError as exc:
            problems.extend(exc)
    for csl in project.csl_paths:
        bibliography.check_csl(csl, project, problems)
    base = None
    try:
        base = sources.load(project.seeds_dir, list(project.config.perspectives),
                            bib.keys if bib else None, project.bib_path,
                            lambda pid: (project.config_path,
                                         project.line_of("perspectives", pid)),
                            editions, coverage, project.inputs,
                            project.config.limits.misquote_words)
    except BriefingError as exc:
        problems.extend(exc)
    if base is not None:  # the schemes claims name, the engine's and schemes.yaml's
        try:
            base.catalogue = schemes.load(root, editions, coverage, project.inputs)
        except BriefingError as exc:
            problems.extend(exc)
        schemes.check(base, base.catalogue, problems)
    found = None
    rated: list[Problem] = []  # the key points' ratings the data questions (confidence.py)
    if base is not None:
        try:
            found = analysis.load(root, list(project.config.perspectives),
                                  {cid: c.perspective for cid, c in base.claims.items()},
                                  bib.keys if bib else None, editions, coverage,
                                  project.inputs, base, rated)
        except BriefingError as exc:
            problems.extend(exc)
    # Stale translations: found for every edition, reported as the gaps are (per edition).
    records.find_stale(coverage, root, project.locale_dir,
                       [e.id for e in editions if not e.default], project.default_edition.id,
                       project.inputs, problems)
    history: list[releases.Release] = []
    try:
        history = releases.history(root, project.inputs, project.config.limits.record_items)
    except BriefingError as exc:
        problems.extend(exc)
    try:  # the style's files ([style]): checked as every input is (model/style.py)
        style.resolve(project)
    except BriefingError as exc:
        problems.extend(exc)
    warnings = _left_out(project) + rated
    if base is not None:  # a seed whose source file changed since it was copied
        warnings += provenance.stale(base, root)
    # Complete only when no problem was found; the caller raises before using it then.
    return Model(project, bib, base, found, epoch_for(project), coverage, warnings,  # type: ignore[arg-type]
                 history, edition_bibs)


LATEST_EPOCH = 4102444799  # 2099-12-31T23:59:59Z: ZIP archives (EPUB, DOCX) end in 2107


def epoch_for(project: Project) -> int:
    """SOURCE_DATE_EPOCH if set, else the document's date: never the wall clock."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value:
        if not (value.isascii() and value.isdigit()) or int(value) > LATEST_EPOCH:
            raise BriefingError.at(f"SOURCE_DATE_EPOCH={value[:40]!r} is not a whole number of "
                                   "seconds between 1970 and 2099",
                                   hint="set it to seconds since 1970, e.g. the last commit's")
        return int(value)
    day = project.config.document.date
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def _config_texts(project: Project, coverage: texts.Coverage,
                  problems: Collector) -> None:
    """The texts of briefing.toml: title, summary, perspectives; keywords per edition."""
    path = project.config_path
    texts.check_texts(project.config, path, lambda loc: project.line_of(*loc),
                     project.editions, coverage, problems,
                     hint=lambda loc, edition: _toml_hint(project, loc, edition))
    keywords = project.config.document.keywords
    if isinstance(keywords, dict):
        default = project.default_edition.id
        for edition in project.editions:
            coverage.add(edition.id, path, edition.id in keywords, functools.partial(
                texts.Gap, edition.id, path, project.line_of("document", "keywords"),
                "document.keywords", f"add keywords.{edition.id} = [...] to [document]"))
            if not edition.default and edition.id in keywords and default in keywords:
                coverage.translated.append(texts.Translated(
                    edition.id, path, project.line_of("document", "keywords", edition.id),
                    "document.keywords", ", ".join(keywords[default]),
                    ", ".join(keywords[edition.id])))


def _toml_hint(project: Project, loc: tuple, edition: texts.Edition) -> str:
    """How to add an edition's text in TOML: a dotted key in the field's table; a plain
    `title = "…"` is the default edition's text and must become `title.en = "…"` first."""
    table, key = ".".join(str(p) for p in loc[:-1]), loc[-1]
    hint = f'add {key}.{edition.id} = "…" under [{table}] with the {edition.language} text'
    line = project.line_of(*loc)
    lines = project.text.splitlines()
    if line and re.match(rf"\s*{re.escape(str(key))}\s*=", lines[line - 1]):
        default = project.default_edition.id
        hint += f' (and write the plain {key} = "…" as {key}.{default} = "…")'
    return hint


def _left_out(project: Project) -> list[Problem]:
    """What an author may think is in the briefing but is not: no analysis.yaml (the
    comparison, timeline, key points, questions and glossary come out empty), or a chapter
    file that build.chapters does not list."""
    found = []
    path = project.root / ANALYSIS_NAME
    if not os.path.lexists(path):
        found.append(Problem("no analysis.yaml: the comparison, timeline, key points, "
                             "questions and glossary will be empty", path, None,
                             "add analysis.yaml (its format: docs/format.md)"))
    listed = project.config.build.chapters
    if listed is not None:
        names = {n if n.endswith(".md.j2") else f"{n}.md.j2" for n in listed}
        for chapter in sorted(project.chapters_dir.glob("*.md.j2")):
            if CHAPTER_RE.match(chapter.name) and chapter.name not in names:
                found.append(Problem(
                    f"chapters/{chapter.name} is not listed in build.chapters, so it is left "
                    "out", project.config_path, project.line_of("build", "chapters"),
                    f"add '{chapter.name.removesuffix('.md.j2')}' to build.chapters, or "
                    "remove the file"))
    return found

"""`briefing translations update`: each edition's translations brought up to the default
edition's texts, like `pybabel update`, by a command and never by hand. Authoring, not a
build step: it writes the author's files (through the project door, runtime/writing.py).

    templates -> messages as the engine looks them up -> merged into locale/<edition>.po
        (new: an empty msgstr; changed: the old translation kept, marked fuzzy, with
        `#| msgid "old"`; no longer used: an obsolete `#~` entry)
    data texts -> locale/<edition>.texts.json (model/records.py): each translation
        recorded as current, except the stale ones, which stay stale until confirmed

The catalogue keeps its header as written (no creation date churn) and its entries in
the templates' order, so the same inputs always write the same files.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from briefing.compose import document, language
from briefing.compose.templates import environment, read_templates
from briefing.errors import BriefingError, Collector, Problem
from briefing.model import catalogues, records
from briefing.model import load as model_load
from briefing.model.load import Model
from briefing.model.project import Project
from briefing.runtime import writing

WIDTH = 100  # the width the catalogues have been written at


@dataclass
class Plan:
    """What the update will write, once every --confirm is known to name something."""

    writes: dict[Path, str] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)
    confirmed: set[tuple[str, int]] = field(default_factory=set)


# Old x new messages Babel may compare (the flagship's catalogue: 68 x 68, some 4,600).
FUZZY_PAIRS = 200_000


def update(root: Path, ident: str | None, confirm: list[str], confirm_all: bool) -> list[str]:
    """Every input read and checked first (a template that does not parse would lose its
    messages), then each edition's catalogue and records brought up to date; returns the
    report."""
    problems = Collector()
    model = model_load.load(root, problems)
    document.prepare(model.project, model.coverage, problems)  # the templates, parsed
    problems.raise_if_any()
    return _update(model, ident, confirm, confirm_all)


def _update(model: Model, ident: str | None, confirm: list[str], confirm_all: bool
            ) -> list[str]:
    project = model.project
    if ident is not None and project.edition(ident).default:
        raise BriefingError.at(f"{ident!r} is the default edition: its texts are the originals",
                               project.config_path, project.line_of("build", "edition"),
                               "name another edition, or leave out --edition for all")
    editions = [e for e in project.editions if not e.default and ident in (None, e.id)]
    if not editions:
        return ["nothing to update: this briefing has one edition"]
    targets = {_target(project, text) for text in confirm}
    texts = read_templates(project)
    found = language.extract(environment(project, texts),
                         {project.chapters_dir / name: text for name, text in texts.items()})
    plan = Plan()
    for edition in editions:
        _catalogue(project, model, edition, found, targets, confirm_all, plan)
        _records(project, model, edition, targets, confirm_all, plan)
    unknown = sorted(targets - plan.confirmed)
    if unknown:  # nothing is written: the author meant something that is not there
        raise BriefingError([Problem("no stale translation here to confirm",
                                     project.root / path, line,
                                     "--confirm takes a place `briefing check` names as stale")
                             for path, line in unknown])
    # Every catalogue and record together, through the project door: each keeps its
    # permissions, and a link or a planted temporary in locale/ is never written through.
    writing.write_files(project.root, {path: text.encode("utf-8")
                                       for path, text in plan.writes.items()})
    return plan.report


def _target(project: Project, text: str) -> tuple[str, int]:
    path, _, line = text.rpartition(":")
    if not path or not line.isdigit():
        raise BriefingError.at(f"--confirm {text!r}: not FILE:LINE", None, None,
                               "give the place `briefing check` names, e.g. "
                               "--confirm seeds/source.yaml:42")
    full = os.path.normpath(os.path.join(project.root, path))
    return os.path.relpath(full, project.root), int(line)


# --- The catalogue ----------------------------------------------------------------------

def _catalogue(project: Project, model: Model, edition, found, targets, confirm_all: bool,
               plan: Plan) -> None:
    path = project.locale_dir / f"{edition.id}.po"
    rel = f"locale/{edition.id}.po"
    old_text = project.inputs.read_text(path) if os.path.lexists(path) else None
    catalog = _read(old_text, path, project, model, edition)
    before = {m.id: m for m in catalog if m.id}
    obsolete_before = set(catalog.obsolete)
    # msgid -> the line of each stale entry as the file stands (what --confirm names)
    fuzzy_lines = {m.id: m.lineno for m in catalog if m.fuzzy and m.id}
    template = Catalog(fuzzy=False)
    for template_path, line, msgid in found:
        where = (Path(template_path).relative_to(project.root).as_posix(), line)
        if msgid in template:
            template[msgid].locations.append(where)
        else:
            template.add(msgid, locations=[where])
    # The engine's words: a project's own wording of one stays; in a language the engine
    # has no words in, all of them are added for the author to translate.
    engine_has = (edition.primary == "en"
                  or (language.ENGINE_LOCALE / f"{edition.primary}.po").exists())
    for msgid in language.engine_msgids():
        if (msgid in before or not engine_has) and msgid not in template:
            template.add(msgid)
    # Babel carries a translation over to a changed message by comparing every new msgid
    # with every old one (difflib): quadratic, and 12,000 unused entries took 433 s. Past
    # this many comparisons a changed message starts empty instead of marked stale.
    too_many = len(catalog) * len(template) > FUZZY_PAIRS
    catalog.update(template, no_fuzzy_matching=too_many, update_creation_date=False)
    added = stale = confirmed = 0
    for message in catalog:
        if not isinstance(message.id, str) or not message.id:
            continue  # the header (briefing's messages have no plural form)
        old = before.get(message.id)
        if "fuzzy" not in message.flags:  # current: a "#| msgid" left by hand goes
            message.previous_id = []
            added += old is None and not message.string
            continue
        if old is not None and not message.previous_id:  # still stale: keep what it was for
            message.previous_id = old.previous_id
        line = fuzzy_lines.get(message.id)
        if confirm_all or (line is not None and (rel, line) in targets):
            message.flags.discard("fuzzy")
            message.previous_id = []
            confirmed += 1
            if line is not None:
                plan.confirmed.add((rel, line))
        else:
            stale += old is None or "fuzzy" not in old.flags
    obsoleted = len(set(catalog.obsolete) - obsolete_before)
    text = _render(catalog, old_text)
    catalogues.read(text, path)  # what the engine reads: a bug here is ours, not the author's
    if text != old_text:
        plan.writes[path] = text
    plan.report.append(
        f"{rel}: {added} message(s) added (to translate), {stale} marked stale, "
        f"{obsoleted} made obsolete, {confirmed} confirmed"
        + ("" if text != old_text else "; unchanged"))


def _read(old_text: str | None, path: Path, project: Project, model: Model, edition
          ) -> Catalog:
    if old_text is not None:  # the engine's reader: Babel's, with the strict checks
        read = catalogues.read(old_text, path, edition.babel_locale)
        assert read is not None  # without `problems`, a header Babel cannot read is raised
        return read.catalog
    # A new catalogue: dated by the briefing, not the clock, so it is the same every run.
    when = dt.datetime.fromtimestamp(model.epoch, dt.UTC)
    title = project.config.document.title
    name = title.get(edition.id) or next(iter(title.values())) if isinstance(title, dict) \
        else title
    return Catalog(locale=edition.babel_locale, project=name,
                   version=project.config.document.version, creation_date=when,
                   revision_date=when, fuzzy=False,
                   header_comment=f"# Wording of the chapter templates in the {edition.id} "
                                  "edition (msgid: the default edition's text).")


def _render(catalog: Catalog, old_text: str | None) -> str:
    """The catalogue as a .po file, its header exactly as it was."""
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, omit_header=old_text is not None,
             include_previous=True, sort_output=False)
    body = out.getvalue().decode("utf-8")
    return body if old_text is None else _header(old_text) + body


def _header(text: str) -> str:
    """The leading comments and the msgid "" entry, up to the blank line after it."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith('msgid ""')), None)
    if start is None:
        return ""
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return "\n".join(lines[:end]) + "\n\n"


# --- The data texts ---------------------------------------------------------------------

def _records(project: Project, model: Model, edition, targets, confirm_all: bool,
             plan: Plan) -> None:
    root, default = project.root, project.default_edition.id
    path = records.path_for(project.locale_dir, edition.id)
    old = records.read(path, project.inputs)
    items = [t for t in model.coverage.translated if t.edition == edition.id]
    stale, confirmed = set(), 0
    for item in items:
        key = records.address(item, root)
        if records.is_stale(item, old.get(key), default):
            place = (key[:-len(item.key) - 1], item.line or 0)  # "FILE KEY": FILE may hold spaces
            if confirm_all or place in targets:
                plan.confirmed.add(place)
                confirmed += 1
            else:
                stale.add(key)
    new = records.record(items, old, stale, default, root)
    if not new and not os.path.lexists(path):
        return
    text = records.dumps(new)
    fresh = sum(key not in old for key in new)
    changed = sum(key in old and old[key] != new[key] for key in new)
    if not os.path.lexists(path) or text != project.inputs.read_text(path):
        plan.writes[path] = text
    plan.report.append(
        f"locale/{path.name}: {len(new)} data text(s) recorded ({fresh} new, {changed} "
        f"updated, {len(set(old) - set(new))} gone), {len(stale)} still stale, "
        f"{confirmed} confirmed")

"""analysis.yaml: our own reading across the sources (comparison, questions, glossary).

The seeds say what the sources say; this file says what we make of it. Every cell
of the comparison and every question for policy names the claims it rests on, so
each is cited through those claims and the reader can trace it.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Collection, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefing.errors import BriefingError, Collector, Problem
from briefing.model import confidence, texts, validation, yamlfile
from briefing.model.confidence import Rating
from briefing.model.project import ANALYSIS_NAME
from briefing.model.settings import IDENT
from briefing.model.sources import ArgumentBase
from briefing.model.texts import Edition, Name, Text

ID = r"^[a-z0-9][a-z0-9-]*$"
FILE_NAME = ANALYSIS_NAME


class Strict(BaseModel):
    # The docstring under each key is its description in `briefing schema` and docs/format.md,
    # read from this file when they are made (pydantic's use_attribute_docstrings would
    # parse it again for every class on every run).
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Cell(Strict):
    """What one perspective says on one dimension of the comparison."""

    text: Text
    """The cell's text, in our words."""
    claims: list[str] = Field(min_length=1)
    """The claims the cell rests on: claims of the cell's own perspective only."""
    see: list[str] = []
    """Claims of other perspectives the cell mentions: shown as cross-references."""


class Finding(Strict):
    """One key point: a finding a reader can act on, resting on claims."""

    id: str = Field(pattern=ID)
    """The key point's id (its anchor)."""
    title: Text = Field(description="a few words, printed in bold before the text")
    text: Text
    """The finding, in a sentence or two."""
    claims: list[str] = Field(min_length=1)
    """The claims it rests on (claim ids), linked and cited."""
    cite: list[str] = []
    """BibTeX keys of works beyond the sources."""
    confidence: Rating | None = None
    """How sure the finding is: evidence and agreement ratings and the reason for them;
    printed with the confidence they give (every key point needs one: a warning without)."""


class Dimension(Strict):
    """One row of the comparison: a question every perspective answers."""

    id: str = Field(pattern=ID)
    """The row's id (its anchor)."""
    title: Text
    """The dimension compared, in a few words."""
    # Keys are perspective ids: an editor can check their form; `check` checks the ids.
    cells: dict[str, Cell] = Field(json_schema_extra={"propertyNames": {"pattern": IDENT}})
    """One cell per perspective, under its id."""


class Question(Strict):
    """A question for policy that the sources raise."""

    id: str = Field(pattern=ID)
    """The question's id (its anchor)."""
    text: Text
    """The question."""
    claims: list[str] = Field(min_length=1)
    """The claims that raise it (claim ids)."""


class Term(Strict):
    """A glossary entry."""

    term: Name
    """The term: one string for every edition, or a mapping per edition."""
    definition: Text
    """What it means here."""
    claims: list[str] = []
    """Claims the definition rests on (claim ids)."""
    cite: list[str] = []
    """BibTeX keys of works beyond the sources; claims or cite must name something."""


class Event(Strict):
    """A dated event of the timeline."""

    when: Name
    """When it happened, as printed (e.g. "2014" or "May 2018")."""
    text: Text
    """What happened."""
    claims: list[str] = []
    """Claims it rests on (claim ids)."""
    cite: list[str] = []
    """BibTeX keys of works it rests on; claims or cite must name something."""
    beyond_sources: bool = False
    """true: from a work outside the seeds, cited from bib/ (then cite is needed)."""


class Analysis(Strict):
    """analysis.yaml: our own reading across the sources."""

    key_points: list[Finding] = []
    """The findings on the key-points page (3 to 7), each resting on claims."""
    timeline: list[Event] = []
    """Dated events, in order."""
    comparison: list[Dimension] = []
    """The comparison table: one row per dimension, one cell per perspective."""
    questions: list[Question] = []
    """Questions for policy."""
    glossary: list[Term] = []
    """Terms a reader may not know (shown in the reader's alphabetical order)."""


def load(root: Path, perspectives: list[str], claim_perspectives: dict[str, str | None],
         bib_keys: dict[str, int] | None, editions: list[Edition] | None = None,
         coverage: texts.Coverage | None = None, inputs=None,
         base: ArgumentBase | None = None, warnings: list[Problem] | None = None) -> Analysis:
    """analysis.yaml, checked; with the argument `base`, each key point's rating is checked
    against its claims too (model/confidence.py), its warnings added to `warnings`."""
    editions = editions or [texts.ENGLISH]
    path = root / FILE_NAME
    if not os.path.lexists(path):
        return Analysis()
    doc = yamlfile.load(path, inputs)
    if not isinstance(doc.data, dict):
        raise doc.error("analysis.yaml must be a mapping (comparison, questions, glossary)")
    try:
        analysis = Analysis.model_validate(doc.data, context={
            "default_edition": next(e.id for e in editions if e.default)})
    except ValidationError as exc:
        source = validation.Source(path, doc.line, "yaml")
        raise BriefingError(validation.problems(exc.errors(), Analysis, source)) from None
    problems = Collector()
    texts.check_texts(analysis, path, doc.line, editions, coverage or texts.Coverage(), problems)
    claim_ids = set(claim_perspectives)

    def need_claims(ids: list[str], loc: tuple) -> None:
        for i, cid in enumerate(ids):
            if cid not in claim_ids:
                near = difflib.get_close_matches(cid, sorted(claim_ids), n=1)
                problems.add(f"unknown claim {cid!r}", path, doc.line(loc + (i,)),
                             f"did you mean {near[0]!r}?" if near else _claims_hint(claim_ids))

    for d, dim in enumerate(analysis.comparison):
        loc = ("comparison", d, "cells")
        for pid in perspectives:
            if pid not in dim.cells:
                problems.add(f"comparison {dim.id!r} has no cell for perspective {pid!r}",
                             path, doc.line(loc), f"add '{pid}:' with text and claims")
        for pid, cell in dim.cells.items():
            if pid not in perspectives:
                problems.add(f"unknown perspective {pid!r}", path, doc.line(loc + (pid,)),
                             f"perspectives are: {', '.join(perspectives)}")
            need_claims(cell.claims, loc + (pid, "claims"))
            need_claims(cell.see, loc + (pid, "see"))
            for i, cid in enumerate(cell.claims):
                other = claim_perspectives.get(cid, pid)
                if other != pid and pid in perspectives:
                    problems.add(
                        f"comparison {dim.id!r}: the {pid!r} cell rests on claim {cid!r}, which "
                        f"is {'background' if other is None else f'of perspective {other!r}'}",
                        path, doc.line(loc + (pid, "claims", i)),
                        f"a cell speaks for its own perspective: rest it on claims of {pid!r}, "
                        f"or move {cid!r} to 'see:' to show it as a cross-reference")
    if analysis.key_points and not 3 <= len(analysis.key_points) <= 7:
        problems.add(f"{len(analysis.key_points)} key points", path, doc.line(("key_points",)),
                     "give 4 to 6 findings a reader can act on")
    for k, finding in enumerate(analysis.key_points):
        need_claims(finding.claims, ("key_points", k, "claims"))
        for c, key in enumerate(finding.cite):
            if bib_keys is not None and key not in bib_keys:
                problems.add(f"citation key {key!r} is not in the bibliography", path,
                             doc.line(("key_points", k, "cite", c)), _key_hint(key, bib_keys))
    for q, question in enumerate(analysis.questions):
        need_claims(question.claims, ("questions", q, "claims"))
    for e, event in enumerate(analysis.timeline):
        if event.beyond_sources and not event.cite:
            problems.add("an event from beyond the sources must cite the work it comes from",
                         path, doc.line(("timeline", e)), "add cite: [bibkey]")
    cited: tuple[tuple[str, Sequence[Term | Event]], ...] = (
        ("glossary", analysis.glossary), ("timeline", analysis.timeline))
    for section, items in cited:
        for t, item in enumerate(items):
            need_claims(item.claims, (section, t, "claims"))
            if not item.claims and not item.cite:
                problems.add(f"{section} entry {t + 1} cites nothing", path,
                             doc.line((section, t)), "give it claims: or cite: keys")
            for k, key in enumerate(item.cite):
                if bib_keys is not None and key not in bib_keys:
                    problems.add(f"citation key {key!r} is not in the bibliography", path,
                                 doc.line((section, t, "cite", k)), _key_hint(key, bib_keys))
    if base is not None:
        confidence.check(analysis, base, path, doc.line, problems,
                         warnings if warnings is not None else [])
    problems.problems.sort(key=lambda p: p.line or 0)  # one file: read top to bottom
    problems.raise_if_any()
    return analysis


def _key_hint(key: str, bib_keys: Collection[str]) -> str:
    """A citation written as in a template ("[@key, para. 5]") where a bare key belongs."""
    inner = re.findall(r"@([\w:.#$%&+?<>~/-]+)", key)
    if inner and inner[0] in bib_keys:
        return (f"write the key alone, {inner[0]}; a source's paragraphs are cited through "
                "the claims that rest on them (claims: [...])")
    close = difflib.get_close_matches(key, sorted(bib_keys), n=1)
    return f"did you mean {close[0]!r}?" if close else "add the entry to bib/"


def _claims_hint(claim_ids: set[str]) -> str:
    """With no near match, the ids there are (a few), so the author can pick one."""
    ids = sorted(claim_ids)
    listed = ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")
    return f"use a claim id from seeds/: {listed}" if ids else "no seed has claims yet"

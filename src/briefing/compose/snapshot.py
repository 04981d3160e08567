"""What one edition shows a reader, as the typed items of a release record
(model/releases.py): what a release records and what `briefing diff` compares.

Claims (with their quotes and locators), relations, comparison cells, perspectives,
actors, sources, key points, timeline, glossary, questions and references, each with a
digest of its content, in the edition's language.

Each item is derived from its input model field by field (`_fields`): every field reaches
the record, a text in the edition's language, unless LEFT_OUT says why not. So a field
added to a claim reaches `briefing diff` and the changelog without anyone remembering
this file; tests/compose/test_changes.py fails if it reaches neither the record model nor
LEFT_OUT. What only the views know (a claim's label, the reporter shown, a quote's
translation in this edition) comes from the same views the chapter templates print.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from pydantic import BaseModel

from briefing.compose.language import Localised
from briefing.compose.views import ClaimView, released_labels, views
from briefing.model import analysis, confidence, releases, settings, sources
from briefing.model.analysis import Analysis
from briefing.model.bibliography import PRIVATE_FIELDS, Bibliography
from briefing.model.load import Model
from briefing.model.releases import canonical
from briefing.model.texts import Localiser

# The record model each input model's fields go to.
RECORDS: dict[type[BaseModel], type[releases.Item]] = {
    sources.Claim: releases.Claim, sources.Quote: releases.Quote,
    sources.Relation: releases.Relation, sources.SourceMeta: releases.Source,
    sources.Actor: releases.Actor, settings.Perspective: releases.Perspective,
    analysis.Dimension: releases.Cell, analysis.Cell: releases.Cell,
    analysis.Finding: releases.KeyPoint, analysis.Event: releases.Event,
    analysis.Term: releases.Term, analysis.Question: releases.Question,
}
# The fields no reader sees, or that are the item's key: left out, each with its reason.
LEFT_OUT: dict[type[BaseModel], dict[str, str]] = {
    sources.Claim: {"id": "the claim's key in the record",
                    "note": "a note for the editors, never printed",
                    "orphan": "only allows a claim no chapter shows; printed nowhere"},
    sources.Relation: {"note": "a note for the editors, never printed"},
    sources.Quote: {"ascribed": "the words that ascribe the claim to its holders: checked, "
                                "never printed"},
    sources.SourceMeta: {"id": "the source's key in the record",
                         "paragraphs": "the source's own text, never printed: the quotes "
                                       "from it are recorded with their claims",
                         "file": "where its text was copied from, never printed",
                         "sha256": "that file's digest, never printed"},
    sources.Actor: {"id": "the actor's key in the record"},
    analysis.Dimension: {"id": "the first part of its cells' keys",
                         "cells": "each cell is an item of its own"},
    analysis.Finding: {"id": "the key point's key in the record"},
    analysis.Question: {"id": "the question's key in the record"},
    settings.Perspective: {"letter": "shown in its claims' labels, which the record holds",
                           "order": "shown in the order of its claims and their labels"},
}
# Fields recorded under another name.
NAMED: dict[tuple[type[BaseModel], str], str] = {
    (sources.Claim, "reported_by"): "reporter",  # the reporter shown (views.ClaimView)
    (analysis.Dimension, "title"): "dimension",  # in each of its cells
}
# Fields whose value is made from more than the field itself (`made` below).
MADE: dict[tuple[type[BaseModel], str], str] = {
    (sources.Claim, "cites"): "each as '<source id> <paragraph>', resolved",
    (sources.Claim, "reported_by"): "who is shown as reporting it: reported_by, else the "
                                    "source's reporter",
    (sources.Quote, "translation"): "as the edition shows it: '' in the source's language",
    (sources.Claim, "scheme"): "the scheme's name in the edition's words (views.ClaimView)",
    (analysis.Finding, "confidence"): "as the edition prints it: the confidence, the two "
                                      "ratings and the reason, in its words",
}
# Fields of the bibliography's entries never printed: the maintainers' notes, and what
# only steers typesetting or search.
UNPRINTED = frozenset({*PRIVATE_FIELDS, "langid", "keywords", "abstract", "file"})


def _fields(item: BaseModel, tr: Localiser, made: dict[str, Any] | None = None
            ) -> dict[str, Any]:
    """The item's fields as its record holds them: each field not LEFT_OUT, under its
    name in the record, a text in the edition's language; `made` by field name: the
    values made from more than the field."""
    model = type(item)
    out = {}
    for name, info in model.model_fields.items():
        if name in LEFT_OUT.get(model, {}):
            continue
        key = NAMED.get((model, name), info.alias or name)
        out[key] = made[name] if made and name in made else _value(getattr(item, name), tr)
    return out


def _value(value: Any, tr: Localiser) -> Any:
    if isinstance(value, BaseModel):
        return _fields(value, tr)
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        return tr(value)  # a text: its value per edition
    if isinstance(value, list):
        return [_value(v, tr) for v in value]
    return value


def _digested(item: dict[str, Any]) -> dict[str, Any]:
    item["digest"] = hashlib.sha256(canonical(item).encode("utf-8")).hexdigest()[:16]
    return item


def snapshot(model: Model, lang: Localised) -> dict[str, Any]:
    """One edition's items by kind (the fields of releases.Edition but its paragraphs),
    each the model a release record holds, so a record and the working tree compare as
    equals."""
    project, base, tr = model.project, model.base, lang.text
    claims, _ = views(project, base, lang, released_labels(
        model.earlier, project.default_edition.id))
    found = model.analysis or Analysis()
    default = Localiser(project.default_edition, project.default_edition.id)
    out: dict[str, Any] = {
        "claims": {cid: _claim(base, base.claims[cid], view, tr)
                   for cid, view in claims.items()},
        "relations": sorted((releases.Relation.model_validate(_fields(r, tr))
                             for r in base.relations), key=lambda r: (r.source, r.to, r.type)),
        "cells": {f"{dimension.id}/{pid}": _item(releases.Cell, {
            **_fields(dimension, tr), **_fields(dimension.cells[pid], tr),
            "perspective": tr(perspective.title)})
            for dimension in found.comparison
            for pid, perspective in project.config.perspectives.items()},
        "sources": {sid: _item(releases.Source, _fields(meta, tr))
                    for sid, meta in base.sources.items()},
        "perspectives": {pid: _item(releases.Perspective, _fields(p, tr))
                         for pid, p in project.config.perspectives.items()},
        "actors": {aid: _item(releases.Actor, _fields(a, tr)) for aid, a in base.actors.items()},
        "key_points": {k.id: _item(releases.KeyPoint, _fields(k, tr, {
            "confidence": rated(k.confidence, lang)})) for k in found.key_points},
        # Keyed as the reader finds them again in every edition: an event by its date, a
        # term by its anchor (compose/views.py), both from the default edition.
        "timeline": _unique((default(e.when), _item(releases.Event, _fields(e, tr)))
                            for e in found.timeline),
        "glossary": _unique((default(t.term).lower().replace(" ", "-"),
                             _item(releases.Term, _fields(t, tr))) for t in found.glossary),
        "questions": {q.id: _item(releases.Question, _fields(q, tr)) for q in found.questions},
        "references": references(model.bib),
    }
    return out


def rated(rating: confidence.Rating | None, lang: Localised) -> str:
    """A key point's rating as the edition prints it ("" when it has none)."""
    if rating is None:
        return ""
    level, evidence, agreement = confidence.words(rating, lang.messages.word)
    return f"{level} ({evidence}, {agreement}). {lang.text(rating.reason)}"


def _item(record: type[releases.Item], fields: dict[str, Any]) -> Any:
    return record.model_validate(_digested(fields))


def _unique(pairs) -> dict[str, Any]:
    """Items by key; a key given twice (two events of one year) numbered: "2014 (2)"."""
    out: dict[str, Any] = {}
    for key, item in pairs:
        n, unique = 1, key
        while unique in out:
            n += 1
            unique = f"{key} ({n})"
        out[unique] = item
    return out


def _claim(base: sources.ArgumentBase, claim: sources.Claim, view: ClaimView,
           tr: Localiser) -> releases.Claim:
    quote = None
    if claim.quote is not None:
        quote = {**_fields(claim.quote, tr, {"translation": view.translation}),
                 "source": base.claim_source[claim.id]}
    return releases.Claim.model_validate(_digested({
        **_fields(claim, tr, {
            "cites": [f"{c.source.id} {c.para}" for c in base.citations(claim)],
            "reported_by": view.reporter.id, "quote": quote,
            "scheme": view.scheme or None}),
        "label": view.label}))


def references(bib: Bibliography) -> dict[str, releases.Reference]:
    """Every entry of the bibliography as the reference list prints it. Every entry is
    one: the bibliography holds the works cited, and an entry cited nowhere is a warning
    (an error in the strict build `briefing release` makes)."""
    out = {}
    for entry in bib.library.entries:
        fields = {f.key.lower(): _plain(f.value) for f in entry.fields
                  if f.key.lower() not in UNPRINTED}
        out[entry.key] = _item(releases.Reference, {"type": entry.entry_type.lower(),
                                                    "fields": fields})
    return out


def _plain(value: str) -> str:
    """A BibTeX value as read: without the braces that only protect case or names."""
    return re.sub(r"\s+", " ", re.sub(r"(?<!\\)[{}]", "", str(value))).strip()

"""The argument base as one edition shows it, as the typed items of a release record
(model/releases.py): what a release records and what `briefing diff` compares.

Claims, relations, quotes with their locators, comparison cells and sources, each with a
digest of its content, in the edition's language. Built from the same views the chapter
templates print, so a change a reader would see is a change here.
"""

from __future__ import annotations

import hashlib
from typing import Any

from briefing.compose.language import Localised
from briefing.compose.views import analysis_views, released_labels, views
from briefing.model import releases
from briefing.model.analysis import Analysis
from briefing.model.load import Model
from briefing.model.releases import canonical
from briefing.model.texts import Localiser


def _digested(item: dict[str, Any]) -> dict[str, Any]:
    item["digest"] = hashlib.sha256(canonical(item).encode("utf-8")).hexdigest()[:16]
    return item


def snapshot(model: Model, lang: Localised) -> dict[str, Any]:
    """One edition's argument base: {claims, relations, cells, sources}, each item the
    model a release record holds (so a record and the working tree compare as equals)."""
    project, base, tr = model.project, model.base, lang.text
    claims, perspectives = views(project, base, lang, released_labels(
        model.earlier, project.default_edition.id))
    found = model.analysis or Analysis()
    out: dict[str, Any] = {"claims": {}, "relations": [], "cells": {}, "sources": {}}
    for cid, view in claims.items():
        source = base.sources[base.claim_source[cid]]
        quote = None
        if view.quote is not None:
            quote = {"text": view.quote.text, "translation": view.translation,
                     "source": source.id, "para": view.quote.para}
        out["claims"][cid] = releases.Claim.model_validate(_digested({
            "label": view.label, "statement": view.statement, "kind": view.kind,
            "perspective": view.perspective,
            "holders": [a.id for a in view.holders],
            "cites": [f"{c.source.id} {c.para}" for c in base.citations(base.claims[cid])],
            "quote": quote}))
    out["relations"] = [releases.Relation(source=r.source, to=r.target, type=r.type)
                        for r in sorted(base.relations,
                                        key=lambda r: (r.source, r.target, r.type))]
    default = Localiser(project.default_edition, project.default_edition.id)
    rows = analysis_views(base, found, claims, perspectives, tr, default,
                          lang.words.locators)["comparison"]
    for row, dimension in zip(rows, found.comparison, strict=True):
        for cell in row.cells:
            pid = cell.perspective.id
            out["cells"][f"{dimension.id}/{pid}"] = releases.Cell.model_validate(_digested({
                "dimension": row.title, "perspective": cell.perspective.title,
                "text": cell.text, "claims": list(dimension.cells[pid].claims)}))
    for sid, meta in base.sources.items():
        out["sources"][sid] = releases.Source.model_validate(_digested({
            "key": meta.key, "title": meta.title, "language": meta.language}))
    return out

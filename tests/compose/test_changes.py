"""The diff between two argument bases and the changelog section made from it: each kind
of change found once, named once, with the changed words (no Pandoc)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from briefing import recipe
from briefing.compose import changelog, changes
from briefing.model import releases


def _claim(label: str, statement: str, quote: str | None = None, para: int = 1) -> dict:
    return {"label": label, "statement": statement, "kind": "fact", "perspective": "a",
            "holders": ["someone"], "cites": [f"src {para}"],
            "quote": None if quote is None else {"text": quote, "translation": "",
                                                 "source": "src", "para": para}}


def _edition(statements: dict[str, str]) -> dict:
    return {
        "claims": {
            "kept": _claim("A1", statements["kept"]),
            "reworded": _claim("A2", statements["reworded"]),
            "removed": _claim("A3", "A claim that goes."),
            "quoted": _claim("A4", "A quoted claim.", "de oude woorden", 2),
            "located": _claim("A5", "A located claim.", "hier", 3),
            "translated": _claim("A6", statements["translated"]),
        },
        "relations": [{"from": "kept", "to": "reworded", "type": "supports"},
                      {"from": "removed", "to": "kept", "type": "attacks"}],
        "cells": {"aim/a": {"dimension": "Aim", "perspective": "Reading A",
                            "text": "Trust between strangers.", "claims": ["kept"]}},
        "sources": {"src": {"key": "k2016", "title": "The first source", "language": "nl"}},
    }


@pytest.fixture
def versions() -> tuple[dict, dict]:
    en = _edition({"kept": "Kept as it is.", "reworded": "The state wants trust.",
                   "translated": "Same in English."})
    nl = _edition({"kept": "Blijft zo.", "reworded": "De staat wil vertrouwen.",
                   "translated": "Oude vertaling."})
    old = {"en": en, "nl": nl}
    new = copy.deepcopy(old)
    for ed, text in (("en", "The state says it wants trust between strangers."),
                     ("nl", "De staat zegt vertrouwen tussen vreemden te willen.")):
        e = new[ed]
        e["claims"]["reworded"]["statement"] = text
        del e["claims"]["removed"]
        e["claims"]["added"] = _claim("A7", "A new claim." if ed == "en" else "Nieuw.")
        e["claims"]["quoted"]["quote"]["text"] = "de nieuwe woorden"
        e["claims"]["located"]["quote"]["para"] = 4
        e["claims"]["located"]["cites"] = ["src 4"]
        e["relations"] = [{"from": "kept", "to": "reworded", "type": "supports"},
                          {"from": "added", "to": "kept", "type": "supports"}]
        e["cells"]["aim/a"]["text"] = "Trust between strangers and firms."
        e["sources"]["src2"] = {"key": "n2018", "title": "The second source", "language": "nl"}
    new["nl"]["claims"]["translated"]["statement"] = "Nieuwe vertaling."
    return old, new


EXPECTED = {"claim-added": "added", "claim-removed": "removed", "claim-reworded": "reworded",
            "quote-changed": "quoted", "locator-changed": "located",
            "relation-added": "added supports kept", "relation-removed": "removed attacks kept",
            "cell-changed": "aim/a", "source-added": "src2"}


def test_each_kind_of_change_found_once(versions):
    old, new = versions
    found = changes.compare(old, new, "en")
    en = [(c.kind, c.id) for c in found["en"]]
    assert sorted(en) == sorted(EXPECTED.items())
    nl = [(c.kind, c.id) for c in found["nl"]]
    # The Dutch statement changed while the English stayed: a translation, not a rewording.
    assert sorted(nl) == sorted([*EXPECTED.items(), ("translation-changed", "translated")])


def test_reworded_claim_carries_the_changed_words(versions):
    old, new = versions
    reworded = next(c for c in changes.compare(old, new, "en")["en"]
                    if c.kind == "claim-reworded")
    assert reworded.words == [("equal", "The state"), ("insert", "says it"),
                              ("equal", "wants"), ("delete", "trust."),
                              ("insert", "trust between strangers.")]
    assert reworded.link == "claim-reworded" and reworded.label == "A2"


def test_no_change_is_no_change(versions):
    old, _ = versions
    assert changes.compare(old, copy.deepcopy(old), "en") == {"en": [], "nl": []}


def test_terminal_and_json_name_every_change(versions):
    old, new = versions
    found = changes.compare(old, new, "en")
    text = changes.as_text(found, "1.0", "working")
    assert "[en] 9 changes" in text and "[nl] 10 changes" in text
    assert "{+says it+}" in text and "[-trust.-]" in text
    data = json.loads(json.dumps(changes.as_json(found, "1.0", "working")))
    assert data["from"] == "1.0" and data["to"] == "working"
    assert sorted(c["kind"] for c in data["editions"]["en"]) == sorted(EXPECTED)


def _release() -> releases.Release:
    record = releases.Record(format=1, version="1.0", date=dt.date(2026, 11, 23),
                             digest="0" * 64, editions={})
    return releases.Release(record, Path("releases/1.0.json"))


def test_changelog_section_lists_each_change_once(versions, project: Path):
    old, new = versions
    loaded = recipe.load(project)
    lang = loaded.localised(loaded.model.project.default_edition)
    found = changes.compare(old, new, "en")["en"]
    text = changelog.section(found, _release(), lang)
    assert text.startswith("# What changed in this version {#changes .unnumbered .changes}")
    assert "This updates version 1.0 of 23 November 2026." in text
    for kind in EXPECTED:
        assert text.count(f"**{lang.words.labels[changelog.HEADINGS[kind]]}**") == 1, kind
    assert "[A2](#claim-reworded): The state [says it]{.underline} wants ~~trust.~~" in text
    assert "- A3: A claim that goes." in text  # removed: no link to follow
    assert "[A7](#claim-added): A new claim." in text
    assert "*The second source*" in text
    assert "- [A7](#claim-added) supports A1" in text and "- A3 attacks A1" in text
    assert text.count("\n- ") == len(found)


def test_changelog_section_without_changes(project: Path):
    loaded = recipe.load(project)
    lang = loaded.localised(loaded.model.project.default_edition)
    text = changelog.section([], _release(), lang)
    assert lang.words.labels["changes_none"] in text


def test_data_text_is_escaped(versions, project: Path):
    old, new = versions
    new["en"]["claims"]["added"]["statement"] = "A <script>alert(1)</script> [link](http://x) @key"
    loaded = recipe.load(project)
    lang = loaded.localised(loaded.model.project.default_edition)
    text = changelog.section(changes.compare(old, new, "en")["en"], _release(), lang)
    assert "\\<script\\>" in text and "\\[link\\]" in text and "\\@key" in text

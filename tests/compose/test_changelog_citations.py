"""The changelog names a claim's cited paragraphs as a reader's citation does (the work's
author and year, the edition's locator word), never by the source's internal id."""

from __future__ import annotations

import copy

from briefing.compose import changes


def _edition() -> dict:
    claim = {"label": "L6", "statement": "Cameras scan every face.", "kind": "fact",
             "perspective": "a", "holders": ["someone"], "cites": ["osw2026faces 7"],
             "quote": {"text": "every passer-by", "translation": "", "source": "osw2026faces",
                       "para": 7}}
    return {"claims": {"scan": claim},
            "sources": {"osw2026faces": {"key": "osw2026", "title": "Faces in the Crowd",
                                         "language": "en"}},
            "references": {"osw2026": {"type": "online", "fields": {
                "author": "Open Streets Watch",
                                                  "year": "2026",
                                                  "title": "Faces in the Crowd"}}}}


def test_a_changed_citation_is_named_as_readers_cite_it():
    old = {"en": _edition()}
    new = copy.deepcopy(old)
    new["en"]["claims"]["scan"]["cites"] = ["osw2026faces 7", "osw2026faces 1"]
    found = changes.compare(old, new, "en")["en"]
    located = next(c for c in found if c.kind == "locator-changed")
    assert located.old == ("Open Streets Watch 2026, para. 7; quote: Open Streets Watch "
                           "2026, para. 7")
    assert located.new == ("Open Streets Watch 2026, paras. 7, 1; quote: Open Streets Watch "
                           "2026, para. 7")
    assert "osw2026faces" not in changes.as_text({"en": found}, "1.0", "1.1")

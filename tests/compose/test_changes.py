"""The diff between two versions and the changelog section made from it: each kind of
change found once, named once, with the changed words; the snapshot derived from the input
models, so that no field of theirs is left out unnoticed (no Pandoc)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import typing
from pathlib import Path

import pydantic
import pytest
from pydantic import BaseModel

from briefing import recipe
from briefing.compose import changelog, changes, snapshot
from briefing.compose.language import ENGINE_LOCALE, Localised
from briefing.errors import Collector
from briefing.model import releases, sources
from briefing.model.catalogues import Catalogue, load_catalogue
from briefing.model.texts import MARKER, Edition


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


def _release(version: str = "1.0", day: int = 23, summary: str = "") -> releases.Release:
    record = releases.Record(format=releases.FORMAT, version=version,
                             date=dt.date(2026, 11, day), digest="0" * 64, editions={},
                             summary={"en": summary} if summary else {})
    return releases.Release(record, Path(f"releases/{version}.json"))


def test_changelog_section_lists_each_change_once(versions, project: Path):
    old, new = versions
    loaded = recipe.load(project)
    lang = loaded.localised(loaded.model.project.default_edition)
    found = changes.compare(old, new, "en")["en"]
    text = changelog.section(found, [_release()], "", lang)
    assert text.startswith("# What changed in this version {#changes .unnumbered .changes}")
    assert "This updates version 1.0 of 23 November 2026." in text
    for kind in EXPECTED:
        assert text.count(f"**{lang.words.labels[changelog.HEADINGS[kind]]}**") == 1, kind
    assert "[A2](#claim-reworded): The state [says it]{.ins} wants [trust.]{.del}" in text
    assert "- A3: A claim that goes." in text  # removed: no link to follow
    assert "[A7](#claim-added): A new claim." in text
    assert "*The second source*" in text
    # A removed claim is struck through: its label may be another claim's now.
    assert "- [A7](#claim-added) supports A1" in text and "- [A3]{.del} attacks A1" in text
    assert text.count("\n- ") == len(found)
    # The legend says what the marks mean; the paragraphs' Div waits for their numbers.
    assert "**How to read this list:** struck-through words were deleted" in text
    assert "in version 1.0; “R1 → B5”" in text
    assert text.endswith("::: {#changes-paragraphs}\n**Numbered paragraphs**\n\n:::\n")


def test_changelog_section_without_changes(project: Path):
    loaded = recipe.load(project)
    lang = loaded.localised(loaded.model.project.default_edition)
    labels = lang.words.labels
    text = changelog.section([], [_release()], "", lang, paragraphs=[])
    assert text == (
        "# What changed in this version {#changes .unnumbered .changes}\n\n"
        "This updates version 1.0 of 23 November 2026.\n\n"
        f"{labels['changes_none']}\n\n"
        "::: {#changes-paragraphs}\n**Numbered paragraphs**\n\n"
        "No numbered paragraph was added, removed or reworded.\n\n:::\n")
    # Nothing to read, no legend; with the paragraphs still to come, the legend stands.
    assert "How to read" in changelog.section([], [_release()], "", lang)


def test_data_text_is_escaped(versions, project: Path):
    old, new = versions
    new["en"]["claims"]["added"]["statement"] = "A <script>alert(1)</script> [link](http://x) @key"
    loaded = recipe.load(project)
    lang = loaded.localised(loaded.model.project.default_edition)
    text = changelog.section(changes.compare(old, new, "en")["en"], [_release()],
                             "Why: <b>", lang)
    assert "\\<script\\>" in text and "\\[link\\]" in text and "\\@key" in text
    assert "Why: \\<b\\>" in text


# The snapshot derived from the input models -------------------------------------------

def _nested(annotation) -> list[type[BaseModel]]:
    """The models a field's annotation holds (Quote in `Quote | None`, CiteRef in cites)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _nested(arg)]


def test_every_field_of_the_models_reaches_the_record_or_is_left_out_with_a_reason():
    """A field added to a claim (or to any model a record item comes from) must reach the
    record, or be listed in snapshot.LEFT_OUT with the reason no reader sees it."""
    walked, todo = set(), list(snapshot.RECORDS)
    while todo:
        model = todo.pop()
        if model in walked:
            continue
        walked.add(model)
        record = snapshot.RECORDS[model]
        names = {info.alias or name for name, info in record.model_fields.items()}
        names |= set(record.model_fields)
        for name, info in model.model_fields.items():
            left_out = snapshot.LEFT_OUT.get(model, {})
            if name in left_out:
                assert left_out[name].strip(), f"{model.__name__}.{name}: say why"
                continue
            recorded = snapshot.NAMED.get((model, name), info.alias or name)
            assert recorded in names, (
                f"{model.__name__}.{name} reaches neither {record.__name__} nor "
                "snapshot.LEFT_OUT")
            if (model, name) not in snapshot.MADE:  # a nested model is recorded too
                for inner in _nested(info.annotation):
                    assert inner in snapshot.RECORDS, f"{model.__name__}.{name}: {inner}"
                    todo.append(inner)
    assert {sources.Claim, sources.Quote} <= walked


def test_a_field_the_record_model_lacks_fails_the_snapshot(project: Path, monkeypatch):
    """What the walk above guards, seen from the other side: a field of a claim that is
    neither recorded nor left out does not vanish silently, the snapshot refuses it."""
    loaded = recipe.load(project)
    monkeypatch.setitem(snapshot.LEFT_OUT, sources.Claim, {
        k: v for k, v in snapshot.LEFT_OUT[sources.Claim].items() if k != "note"})
    with pytest.raises(pydantic.ValidationError, match="note"):
        snapshot.snapshot(loaded.model, loaded.localised(loaded.model.project.default_edition))


def _snapshot(project: Path) -> tuple[dict, Localised]:
    loaded = recipe.load(project)
    lang = loaded.localised(loaded.model.project.default_edition)
    return snapshot.snapshot(loaded.model, lang), lang


KEY_POINTS = """key_points:
  - id: mixed-up
    title: Two systems
    text: The press mixed up a company's score and the state's.
    claims: [press-confusion]
  - id: dropped
    title: A point dropped later
    text: This one goes.
    claims: [aim-trust]
  - id: kept
    title: Kept
    text: This one stays.
    claims: [aim-trust]
  - id: kept-too
    title: Kept too
    text: This one stays too.
    claims: [press-confusion]
"""


@pytest.fixture
def before_after(project: Path, edit) -> tuple[dict, dict, Localised]:
    """The fixture with key points, then every kind of thing a reader sees changed once,
    each in its input file: two snapshots of the default edition."""
    analysis = project / "analysis.yaml"
    analysis.write_text(KEY_POINTS + analysis.read_text("utf-8"), "utf-8")
    old, _ = _snapshot(project)
    seed = project / "seeds" / "derksen.yaml"
    edit(seed, "    cites: [2]\nrelations:", "    cites: [2]\n    stance: evidence\n"
               "    reported_by: chinese-government\nrelations:")
    edit(seed, '      translation: "which the government is working on"',
         '      translation: "which the government is working on"\n'
         "      words_of: marco-derksen")
    edit(seed, "role: author of the blog post", "role: blogger")
    edit(seed, 'title: "China’s sociaal krediet. Big data, big brother?"',
         'title: "China’s sociaal krediet"')
    edit(analysis, "text: The press mixed up a company's score and the state's.",
         "text: The press mixed up a company's credit score and the state's system.")
    edit(analysis, """  - id: dropped
    title: A point dropped later
    text: This one goes.
    claims: [aim-trust]
""", """  - id: added
    title: A new point
    text: The stated aim is trust.
    claims: [aim-trust]
""")
    edit(analysis, "text: The planned start of the state system.",
         "text: The planned start of the national system.")
    edit(analysis, "timeline:\n", "timeline:\n  - when: \"2014\"\n    text: The plan was "
                                  "published.\n    claims: [aim-trust]\n")
    edit(analysis, "        claims: [aim-trust]\n",
         "        claims: [aim-trust]\n        see: [press-confusion]\n")
    edit(analysis, "text: Which system is meant?", "text: Which of the two systems is meant?")
    edit(analysis, "definition: A company's credit score.",
         "definition: Alibaba's credit score.")
    edit(project / "briefing.toml", 'summary = "Some media took',
         'summary = "Several media took')
    edit(project / "bib" / "briefing.bib", "  langid       = {dutch},",
         "  translator   = {Doe, Jane},\n  langid       = {dutch},")
    edit(project / "bib" / "briefing.bib", "https://koneksa-mondo.nl/2016/10/22/",
         "https://www.koneksa-mondo.nl/2016/10/22/")
    new, lang = _snapshot(project)
    return old, new, lang


EVERY_KIND = {
    ("claim-changed", "aim-trust"), ("claim-changed", "press-confusion"),
    ("key-point-changed", "mixed-up"), ("key-point-removed", "dropped"),
    ("key-point-added", "added"), ("perspective-changed", "press"),
    ("cell-changed", "aim/aim"), ("event-added", "2014"), ("event-changed", "2020"),
    ("question-changed", "which"), ("term-changed", "sesame-credit"),
    ("actor-changed", "marco-derksen"), ("source-changed", "derksen2016"),
    ("reference-changed", "derksen2016sociaalkrediet")}


def test_every_kind_of_change_a_reader_sees_is_found_once(before_after):
    old, new, _ = before_after
    found = changes.compare({"en": old}, {"en": new}, "en")["en"]
    assert sorted((c.kind, c.id) for c in found) == sorted(EVERY_KIND)
    by = {(c.kind, c.id): c for c in found}
    assert by[("claim-changed", "aim-trust")].fields == [
        ("reporter", "Marco Derksen", "Chinese government"), ("stance", "position", "evidence")]
    assert by[("claim-changed", "press-confusion")].fields == [("words_of", "", "Marco Derksen")]
    point = by[("key-point-changed", "mixed-up")]
    assert (point.label, point.what) == ("Two systems", "text")
    assert ("insert", "credit") in point.words and ("insert", "state's system.") in point.words
    removed = by[("key-point-removed", "dropped")]
    assert (removed.label, removed.old) == ("A point dropped later", "This one goes.")
    assert by[("perspective-changed", "press")].words[:2] == [("delete", "Some"),
                                                                ("insert", "Several")]
    assert by[("cell-changed", "aim/aim")].words == [("equal", "→ A1"), ("insert", "(P1)")]
    assert by[("actor-changed", "marco-derksen")].what == "role"
    assert by[("reference-changed", "derksen2016sociaalkrediet")].fields == [
        ("url", "https://koneksa-mondo.nl/2016/10/22/chinas-sociaal-krediet-big-data-big-"
                "brother/", "https://www.koneksa-mondo.nl/2016/10/22/chinas-sociaal-krediet-"
                "big-data-big-brother/"), ("translator", "", "Doe, Jane")]
    assert by[("reference-changed", "derksen2016sociaalkrediet")].label == "Derksen 2016"


def test_a_stance_change_alone_is_a_change(project: Path, edit):
    """The architecture review's case: `stance: evidence` on a claim gave no diff at all."""
    old, _ = _snapshot(project)
    edit(project / "seeds" / "derksen.yaml", "    cites: [2]\nrelations:",
         "    cites: [2]\n    stance: evidence\nrelations:")
    new, _ = _snapshot(project)
    found = changes.compare({"en": old}, {"en": new}, "en")["en"]
    assert [(c.kind, c.label, c.fields) for c in found] == [
        ("claim-changed", "A1", [("stance", "position", "evidence")])]


def test_an_older_record_is_compared_only_in_what_it_holds(before_after):
    """A format-1 or -2 record has no stance, key points or references: compared with
    today's, none of those is 'changed' or 'added', the rest is still compared."""
    old, new, _ = before_after
    found = changes.compare({"en": old}, {"en": new}, "en", recorded=2)["en"]
    assert [(c.kind, c.id, c.fields) for c in found] == [
        ("source-changed", "derksen2016", [])]  # its title, which format 1 recorded
    assert changes.compare({"en": releases.Edition()}, {"en": new}, "en", recorded=1)["en"] \
        == changes.compare({"en": releases.Edition()}, {"en": releases.as_format(
            releases.Edition(**new), 1)}, "en")["en"]


def test_changelog_names_each_group_in_the_readers_words(before_after):
    old, new, lang = before_after
    found = changes.compare({"en": old}, {"en": new}, "en")["en"]
    text = changelog.section(found, [_release()], "", lang)
    labels = lang.words.labels
    for kind in {k for k, _ in EVERY_KIND}:
        assert text.count(f"**{labels[changelog.HEADINGS[kind]]}**") == 1, kind
    assert "- [A1](#claim-aim-trust): reported by: [Marco Derksen]{.del} [Chinese " \
           "government]{.ins}; stance: [position]{.del} [evidence]{.ins}" in text
    assert "- [P1](#claim-press-confusion): words of: [Marco Derksen]{.ins}" in text
    assert "- Two systems (text): The press mixed up a company's [credit]{.ins} score and " \
           "the [state's.]{.del} [state's system.]{.ins}" in text
    assert "- *The aim it sees × The stated aim*: → A1 [(P1)]{.ins}" in text
    assert "- 2014: The plan was published." in text
    assert "- Which [system]{.del} [of the two systems]{.ins} is meant?" in text
    assert "- Derksen 2016: web address: [https://koneksa-mondo.nl/" in text
    assert "; translator: [Doe, Jane]{.ins}" in text


def test_changelog_in_dutch(before_after, project: Path):
    """Every engine word of the section has its Dutch text: headings, fields, values."""
    old, new, _ = before_after
    edition = Edition("nl", "nl-NL", "urn:x", False, True)
    problems = Collector()
    engine = load_catalogue(ENGINE_LOCALE / "nl.po", problems)
    assert not problems.problems
    lang = Localised.make(edition, "en", Catalogue(), engine)
    found = changes.compare({"en": old, "nl": old}, {"en": new, "nl": new}, "en")["nl"]
    text = changelog.section(found, [_release()], "Waarom deze versie.", lang,
                             paragraphs=[])
    assert "# Wat er in deze versie is veranderd" in text
    assert "Deze versie vervangt versie 1.0 van 23 november 2026.\n\nWaarom deze versie." in text
    assert "**Zo leest u deze lijst:** doorgehaalde woorden" in text
    for heading in ("Gewijzigde kernpunten", "Toegevoegde kernpunten", "Verwijderde kernpunten",
                    "Gewijzigde perspectieven", "Gewijzigde literatuurverwijzingen",
                    "Gewijzigde begrippen", "Gewijzigde vragen voor beleid",
                    "Toegevoegde gebeurtenissen in de tijdlijn", "Gewijzigde bronnen",
                    "Gewijzigde personen en organisaties"):
        assert f"**{heading}**" in text, heading
    assert "positie: [standpunt]{.del} [bewijs]{.ins}" in text
    assert "weergegeven door: [Marco Derksen]{.del}" in text
    assert "vertaler: [Doe, Jane]{.ins}" in text
    assert "Geen genummerde alinea is toegevoegd, verwijderd of anders verwoord." in text
    assert MARKER.strip() not in text  # no engine word left untranslated


def test_relabelled_claims_and_relations_use_the_labels_readers_see(versions, project: Path):
    old, new = versions
    new["en"]["claims"]["kept"]["label"] = "B5"
    new["en"]["claims"]["located"]["label"] = "A1"  # the label "kept" had in 1.0
    new["en"]["cells"]["aim/a"]["text"] = "Trust between strangers."  # as it was
    new["en"]["cells"]["aim/a"]["claims"] = ["kept", "located"]
    found = changes.compare(old, new, "en")["en"]
    relabelled = [c for c in found if c.kind == "claim-relabelled"]
    assert [(c.old, c.new, c.link) for c in relabelled] == [
        ("A1", "B5", "claim-kept"), ("A5", "A1", "claim-located")]
    loaded = recipe.load(project)
    lang = loaded.localised(loaded.model.project.default_edition)
    text = changelog.section(found, [_release()], "", lang)
    assert "**Claims with a new label**\n\n- A1 → [B5](#claim-kept)\n- A5 → " in text
    # Both sides of a cell name its claims as the reader sees them now: "kept" is B5
    # there too, not A1, which is another claim's label now.
    assert "- *Aim × Reading A*: → [B5]{.del} [B5, A1]{.ins}" in text
    # A relation names the claims by their labels now; a removed claim by its last one.
    assert "- [A7](#claim-added) supports B5" in text and "- [A3]{.del} attacks B5" in text


def test_summary_and_versions_released(project: Path):
    loaded = recipe.load(project)
    lang = loaded.localised(loaded.model.project.default_edition)
    history = [_release("1.0", 2, "The first version."), _release("1.1", 9),
               _release("1.2", 16, "Adds the 2025 rules.")]
    text = changelog.section([], history, "Corrects who said what.", lang)
    assert ("This updates version 1.2 of 16 November 2026.\n\nCorrects who said what.\n\n"
            "**Versions released**\n\n- Version 1.2 of 16 November 2026: Adds the 2025 "
            "rules.\n- Version 1.1 of 9 November 2026\n- Version 1.0 of 2 November 2026: The "
            "first version.\n\n") in text
    # No release kept a summary: the line naming the version updated says it all.
    assert "Versions released" not in changelog.section([], [_release("1.0")], "", lang)


# Numbered paragraphs ----------------------------------------------------------------

def _para(ident: str, text: str, label: str | None = None, was: str | None = None
          ) -> releases.Paragraph:
    return releases.Paragraph(id=ident, label=label or ident[1:], text=text, was=was)


def test_paragraphs_added_removed_and_reworded_in_reading_order():
    old = [_para("p1.1", "The first paragraph stays as it is."),
           _para("p1.2", "The second one goes."),
           _para("p1.3", "The state wants trust in society.")]
    new = [_para("p1.1", "The first paragraph stays as it is."),
           _para("p1.3", "The state wanted trust in society.", "1.3"),
           _para("p1.3a", "A new paragraph after it, with many words in it.")]
    found = changes.paragraph_changes(old, new)
    assert [(c.kind, c.label) for c in found] == [
        ("paragraph-removed", "1.2"), ("paragraph-reworded", "1.3"), ("paragraph-added", "1.3a")]
    assert found[1].words == [("equal", "The state"), ("delete", "wants"),
                              ("insert", "wanted"), ("equal", "trust in society.")]
    assert found[1].link == "p1.3" and found[0].link == ""


def test_paragraphs_follow_was_and_an_older_record_s_words():
    """Renumbered paragraphs continue the one `was` names; a format-1 record holds only
    lower-cased words, so case and punctuation are no rewording, and the diff is of words."""
    old = [_para("p2.1", "the state wants trust"), _para("p2.2", "a paragraph renumbered")]
    new = [_para("p2.1", "A paragraph, renumbered!", was="p2.2"),
           _para("p2.2", "The state wanted trust.", was="p2.1")]
    found = changes.paragraph_changes(old, new)
    # A renumbering's map: the number before -> the number now.
    assert [(c.id, c.old, c.new) for c in found if c.kind == "paragraph-renumbered"] == [
        ("p2.1", "2.2", "2.1"), ("p2.2", "2.1", "2.2")]
    reworded = [c for c in found if c.kind == "paragraph-reworded"]
    assert [(c.id, c.what) for c in reworded] == [("p2.2", "2.1")]
    assert reworded[0].words == [("equal", "the state"), ("delete", "wants"),
                                 ("insert", "wanted"), ("equal", "trust")]
    assert changes.paragraph_changes(old, old) == []
    # From format 2 on, a paragraph without `was` is new, whatever its identifier.
    renumbered = [_para("p2.1", "the state wants trust", was=None),
                  _para("p2.2", "a paragraph renumbered", was="p2.2")]
    assert [(c.kind, c.id) for c in changes.paragraph_changes(old, renumbered)] == [
        ("paragraph-added", "p2.1"), ("paragraph-removed", "p2.1")]
    assert changes.paragraph_changes(old, renumbered, continued=False) == []


def test_paragraph_entries_mark_words_and_shorten_long_runs(project: Path):
    loaded = recipe.load(project)
    lang = loaded.localised(loaded.model.project.default_edition)
    long = " ".join(f"w{i}" for i in range(40))
    old = [_para("p1.1", f"{long} old end."), _para("p1.2", "Gone for good.")]
    new = [_para("p1.1", f"{long} new end."), _para("p1.1a", long)]
    text = changelog.paragraph_entries(changes.paragraph_changes(old, new), lang)
    assert text == (
        "*Paragraphs added*\n\n- [¶1.1a](#p1.1a): w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 "
        "w13 w14 w15 w16 w17 w18 w19 …\n\n"
        "*Paragraphs removed*\n\n- ¶1.2: Gone for good.\n\n"
        "*Paragraphs reworded*\n\n- [¶1.1](#p1.1): w0 w1 w2 w3 w4 w5 w6 w7 … w32 w33 w34 w35 "
        "w36 w37 w38 w39 [old]{.del} [new]{.ins} end.")


def test_a_text_changed_in_one_edition_only_is_a_changed_translation(before_after):
    """The Dutch key point reworded while the English stayed: a translation changed, in
    the Dutch edition only; the English rewording is a change in both."""
    _, new, _ = before_after
    point = new["key_points"]["kept"]
    nl_new = {**new, "key_points": {**new["key_points"], "kept": point.model_copy(
        update={"text": "Deze blijft, anders gezegd."})}}
    found = changes.compare({"en": new, "nl": new}, {"en": new, "nl": nl_new}, "en")
    assert found["en"] == []
    assert [(c.kind, c.item, c.label, c.what) for c in found["nl"]] == [
        ("translation-changed", "key-point", "Kept", "text")]

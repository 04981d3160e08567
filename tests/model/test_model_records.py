"""Which version of its original each data translation was written for: stale when the
original changed and the translation did not; a quote needs a rendering in an edition of
another language; briefing.toml's hints are TOML."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.errors import BriefingError, Collector
from briefing.model import load, records
from briefing.model.texts import Translated

from .test_model_texts import two_editions

STATEMENT = "statement: The government says the system should improve mutual trust in society."
DUTCH = "De overheid zegt dat het systeem het vertrouwen moet verbeteren."


def item(original: str, text: str) -> Translated:
    return Translated("nl", Path("/p/seeds/x.yaml"), 7, "claims[a].statement", original, text)


def test_a_digest_is_short_and_blind_to_reflowed_lines():
    assert len(records.digest("Trust.")) == 12
    reflowed = records.digest("Mutual  trust\n in society.")
    assert reflowed == records.digest("Mutual trust in society.")
    assert records.digest("Mutual trust.") != records.digest("Mutual distrust.")


@pytest.mark.parametrize(("original", "text", "stale"), [
    ("Old English.", "Oud Nederlands.", False),  # nothing changed
    ("New English.", "Oud Nederlands.", True),  # the original changed, the translation not
    ("New English.", "Nieuw Nederlands.", False),  # the translator followed
    ("Old English.", "Nieuw Nederlands.", False),  # only the translation was improved
], ids=["unchanged", "original-changed", "both-changed", "translation-changed"])
def test_a_translation_is_stale_when_only_its_original_changed(original, text, stale):
    recorded = {"en": records.digest("Old English."), "nl": records.digest("Oud Nederlands.")}
    assert records.is_stale(item(original, text), recorded, "en") is stale
    assert records.is_stale(item(original, text), None, "en") is False  # not recorded yet


def test_records_are_sorted_and_stale_ones_are_kept_as_they_were():
    root = Path("/p")
    old = {"seeds/x.yaml claims[a].statement": {"en": "old", "nl": "old", "en text": "Was."}}
    items = [item("Now.", "Nu."), Translated("nl", Path("/p/analysis.yaml"), 3,
                                             "questions[q].text", "Why?", "Waarom?")]
    kept = records.record(items, old, {"seeds/x.yaml claims[a].statement"}, "en", root)
    assert kept["seeds/x.yaml claims[a].statement"] == old["seeds/x.yaml claims[a].statement"]
    assert kept["analysis.yaml questions[q].text"] == {
        "en": records.digest("Why?"), "nl": records.digest("Waarom?"), "en text": "Why?"}
    text = records.dumps(kept)
    assert text.index("analysis.yaml") < text.index("seeds/x.yaml") and text.endswith("}\n")
    assert records.dumps(kept) == text


def test_the_difference_shows_each_change_whole_with_a_word_of_context():
    assert records.difference("This chapter looks ahead over {{ n }} years.",
                              "This chapter looks ahead over %(n)s years.") == (
        '"over {{ n }} years." → "over %(n)s years."')
    assert records.difference("Timeline", "Timeline of events") == (
        '"Timeline" → "Timeline of events"')
    assert records.difference("a  b", "a b") == "only spacing differs"


def test_a_changed_default_text_makes_its_translation_stale_at_its_line(project: Path, edit):
    two_editions(project, edit)
    seed = project / "seeds" / "derksen.yaml"
    edit(seed, STATEMENT, f"statement:\n      en: Mutual trust.\n      nl: {DUTCH}")
    model = load.load(project, Collector())
    (translated,) = [t for t in model.coverage.translated if t.path == seed]
    assert (translated.key, translated.line, translated.original) == (
        "claims[aim-trust].statement", 41, "Mutual trust.")
    path = records.path_for(project / "locale", "nl")
    (project / "locale").mkdir()
    path.write_text(records.dumps(records.record(model.coverage.translated, {}, set(), "en",
                                                 project)), "utf-8")
    assert load.load(project, Collector()).coverage.stale == []
    edit(seed, "en: Mutual trust.", "en: Mutual distrust.")
    model = load.load(project, Collector())
    (stale,) = model.stale(model.project.editions)
    assert (stale.path, stale.line) == (seed, 41)
    assert stale.message == ("the nl text of claims[aim-trust].statement is stale: its en text "
                             "changed")
    assert stale.hint == (
        'the en text changed since this nl text was written ("Mutual trust." → "Mutual '
        'distrust."); update it, or run `briefing translations update --confirm '
        'seeds/derksen.yaml:41` if it still holds')


def test_a_records_file_that_is_not_json_is_an_error_with_advice(project: Path, edit):
    two_editions(project, edit)
    (project / "locale").mkdir()
    (project / "locale" / "nl.texts.json").write_text("{\n oops", "utf-8")
    problems = Collector()
    load.load(project, problems)
    (problem,) = problems.problems
    assert problem.message.startswith("not valid JSON") and problem.line == 2
    assert "delete it and run the command again" in (problem.hint or "")


def test_a_quote_in_another_language_without_translation_is_a_gap(project: Path, edit):
    # One edition (English): the Dutch quote needs its English rendering.
    seed = project / "seeds" / "derksen.yaml"
    edit(seed, '      translation: "which the government is working on"\n', "")
    model = load.load(project, Collector())
    (gap,) = model.gaps(model.project.editions)
    assert (gap.key, gap.path, gap.line) == ("claims[press-confusion].quote.translation", seed, 32)
    assert gap.hint == ("the quote is in another language than the en edition: add "
                        "'translation: {en: …}' to it with the en-GB text")


def test_a_missing_text_in_briefing_toml_is_advised_in_toml(project: Path, edit):
    two_editions(project, edit)
    model = load.load(project, Collector())
    gaps = {g.key: g for g in model.gaps(model.project.editions)}
    assert gaps["document.title"].hint == (
        'add title.nl = "…" under [document] with the nl-NL text (and write the plain '
        'title = "…" as title.en = "…")')
    assert gaps["perspectives.press.summary"].hint.startswith(
        'add summary.nl = "…" under [perspectives.press]')


def test_a_records_file_of_another_shape_is_refused(project: Path):
    (project / "locale").mkdir()
    path = project / "locale" / "nl.texts.json"
    path.write_text("[]", "utf-8")
    with pytest.raises(BriefingError) as caught:
        records.read(path, load.config.load(project).inputs)
    assert caught.value.problems[0].message == (
        "not a records file: a mapping of addresses to digests")


def test_translations_not_recorded_as_they_are_are_counted_for_check(tmp_path):
    from briefing.model.texts import Coverage

    class Inputs:
        def read_text(self, path):
            return path.read_text("utf-8")

    root = tmp_path
    (root / "locale").mkdir()
    recorded, edited, new = (item("Old English.", "Oud Nederlands."),
                             item("Old English.", "Beter Nederlands."),
                             Translated("nl", root / "analysis.yaml", 3, "questions[q].text",
                                        "Why?", "Waarom?"))
    recorded.path = edited.path = root / "seeds" / "x.yaml"
    (root / "locale" / "nl.texts.json").write_text(records.dumps(
        records.record([recorded], {}, set(), "en", root)), "utf-8")
    for items, expected in (([recorded], 0), ([recorded, new], 1), ([edited, new], 2)):
        coverage = Coverage(translated=items)
        records.find_stale(coverage, root, root / "locale", ["nl"], "en", Inputs(), Collector())
        assert coverage.unrecorded["nl"] == expected
        assert coverage.stale == []
        summary = coverage.summary("nl", root)
        assert (summary[-1].startswith(f"{expected} translated text(s) not recorded yet")
                if expected else summary == [])

"""Texts per edition: a missing translation is a gap with its file, line and key (not an
error), a typo in an edition key is an error, and a draft marks what stands in."""

from __future__ import annotations

from pathlib import Path

from briefing.errors import Collector
from briefing.model import load
from briefing.model.texts import ENGLISH, MARKER, Edition, Localiser
from conftest import EDITIONS


def two_editions(project: Path, edit) -> None:
    """English (the default: every plain string is its text) and Dutch."""
    edit(project / "briefing.toml",
         'language = "en-GB"\nidentifier = "urn:uuid:00000000-0000-4000-8000-000000000001"\n', "")
    with (project / "briefing.toml").open("a", encoding="utf-8") as handle:
        handle.write(EDITIONS)


def test_a_missing_translation_is_a_gap_at_its_line(project: Path, edit):
    two_editions(project, edit)
    edit(project / "seeds" / "derksen.yaml",
         "statement: The government says the system should improve mutual trust in society.",
         "statement:\n      en: The government says the system should improve mutual trust.\n"
         "      nl: De overheid zegt dat het systeem het vertrouwen moet verbeteren.")
    problems = Collector()
    model = load.load(project, problems)
    assert problems.problems == []
    seed = project / "seeds" / "derksen.yaml"
    gaps = {(g.key, g.edition): g for g in model.gaps(model.project.editions)}
    press = gaps[("claims[press-confusion].statement", "nl")]
    assert (press.path, press.line) == (seed, 29)
    assert press.problem().message == "no 'nl' text for claims[press-confusion].statement"
    assert ("claims[aim-trust].statement", "nl") not in gaps  # translated above
    assert not [g for g in gaps.values() if g.edition == "en"]  # plain strings are English
    # The quote is Dutch already: the Dutch edition needs no rendering of it.
    assert ("claims[press-confusion].quote.translation", "nl") not in gaps
    title = gaps[("document.title", "nl")]
    assert (title.path, title.line) == (project / "briefing.toml", 3)
    # Only the Dutch edition's gaps when only that edition is asked for.
    assert {g.edition for g in model.gaps([model.project.edition("nl")])} == {"nl"}


def test_a_text_for_an_unknown_edition_is_an_error_at_its_line(project: Path, edit):
    edit(project / "seeds" / "derksen.yaml", "role: author of the blog post",
         "role:\n      en: author of the blog post\n      nk: auteur")
    problems = Collector()
    load.load(project, problems)
    (problem,) = problems.problems
    assert problem.message == "actors[marco-derksen].role: unknown edition 'nk'"
    assert (problem.path, problem.line) == (project / "seeds" / "derksen.yaml", 23)


def test_a_draft_shows_the_default_text_behind_a_marker():
    dutch = Edition("nl", "nl-NL", "urn:x", False, True)
    value = {"en": "Trust", "nl": "Vertrouwen"}
    assert Localiser(dutch, "en")(value) == "Vertrouwen"
    assert Localiser(dutch, "en")({"en": "Trust"}) == MARKER + "Trust"
    assert Localiser(ENGLISH, "en")("a name for every edition") == "a name for every edition"
    assert Localiser(dutch, "en").words({"en": ["trust"], "nl": ["vertrouwen"]}) == [
        "vertrouwen"]

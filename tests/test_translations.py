"""Editions that cannot drift: a translation written for an older default text is *stale*
(data: locale/<edition>.texts.json records what each was written for; templates: the
catalogue entry `briefing translations update` marks fuzzy), an error at its line until
it is updated or confirmed, a warning with --allow-stale. Run through the real command
line on a copy of the real briefing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from briefing.model import catalogues
from briefing.model.texts import MARKER
from conftest import ROOT, copy_project, run_cli

SEED = "seeds/nos-2018-big-brother.yaml"


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(ROOT, tmp_path / "project")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")


def _line(path: Path, text: str, start: int = 0) -> int:
    """The 1-based line of the first line at or after `start` that contains `text`."""
    lines = path.read_text("utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if i > start and text in line)


def test_the_flagship_is_recorded_and_its_catalogue_already_as_the_update_writes_it(project):
    before = {p.name: p.read_bytes() for p in (project / "locale").iterdir()}
    result = run_cli(project, "translations", "update")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "locale/nl.po: 0 message(s) added (to translate), 0 marked stale, 0 made obsolete, "
        "0 confirmed; unchanged",
        f"locale/nl.texts.json: {len(json.loads(before['nl.texts.json']))} data text(s) "
        "recorded (0 new, 0 updated, 0 gone), 0 still stale, 0 confirmed"]
    assert {p.name: p.read_bytes() for p in (project / "locale").iterdir()} == before


def test_a_changed_english_statement_makes_its_dutch_text_stale_until_updated(project):
    seed = project / SEED
    claim = _line(seed, "- id: privacy-travel-ban")
    _replace(seed, "buying a ticket for a year.", "buying a ticket for two years.")
    dutch = _line(seed, "nl:", claim)
    checked = run_cli(project, "check")
    assert checked.code == 1
    assert (f"{SEED}:{dutch}: error: the nl text of claims[privacy-travel-ban].statement is "
            "stale: its en text changed") in checked.err, checked.err
    assert ('hint: the en text changed since this nl text was written ("for a year." → '
            '"for two years."); update it, or run `briefing translations update --confirm '
            f'{SEED}:{dutch}` if it still holds') in checked.err
    assert "`briefing build --edition en` builds the complete editions" in checked.err
    assert checked.err.count("error:") == 2 and "Traceback" not in checked.err
    # A draft: a warning, the old Dutch text printed as it was.
    draft = run_cli(project, "check", "--allow-stale")
    assert draft.code == 0, draft.err
    assert f"{SEED}:{dutch}: warning: the nl text of claims[privacy-travel-ban]" in draft.err
    # The update keeps it stale: nobody said the Dutch still holds.
    kept = run_cli(project, "translations", "update")
    assert kept.code == 0 and "1 still stale" in kept.out, kept.out
    assert run_cli(project, "check").code == 1
    # The translator updates the Dutch text: fresh at once; the update records it.
    _replace(seed, "dan een jaar lang geen ticket", "dan twee jaar lang geen ticket")
    clean = run_cli(project, "check")
    assert clean.code == 0, clean.err
    recorded = run_cli(project, "translations", "update")
    assert "0 still stale" in recorded.out and "1 updated" in recorded.out, recorded.out
    entry = json.loads((project / "locale" / "nl.texts.json").read_text("utf-8"))[
        f"{SEED} claims[privacy-travel-ban].statement"]
    assert entry["en text"].endswith("for two years.")


def test_confirming_a_stale_text_marks_it_current(project):
    toml = project / "briefing.toml"
    _replace(toml, 'title.en = "Scoring Citizens"', 'title.en = "Scoring the Citizens"')
    line = _line(toml, "title.nl")
    checked = run_cli(project, "check")
    assert f"briefing.toml:{line}: error: the nl text of document.title is stale" in checked.err
    wrong = run_cli(project, "translations", "update", "--confirm", "briefing.toml:1")
    assert wrong.code == 1
    assert "briefing.toml:1: error: no stale translation here to confirm" in wrong.err
    confirmed = run_cli(project, "translations", "update", "--confirm", f"briefing.toml:{line}")
    assert confirmed.code == 0 and "1 confirmed" in confirmed.out, confirmed.out
    assert run_cli(project, "check").code == 0


def test_a_changed_template_sentence_keeps_its_translation_marked_stale(project):
    chapter = project / "chapters" / "06-comparison.md.j2"
    _replace(chapter, "The table sets the three perspectives side by side.",
             "The table sets the three perspectives next to each other.")
    old = "The table sets the three perspectives side by side."
    # Before the update: the gap's hint points at the entry that held the old text.
    checked = run_cli(project, "check")
    assert checked.code == 1
    old_line = _line(project / "locale" / "nl.po", old) - 1  # its msgid "" line
    assert (f"hint: locale/nl.po:{old_line} has an entry no template uses, probably its old "
            'text: "perspectives side by side. Each" → "perspectives next to each other. Each"'
            in checked.err), checked.err
    updated = run_cli(project, "translations", "update")
    assert updated.code == 0
    assert updated.out.startswith("locale/nl.po: 0 message(s) added (to translate), 1 marked "
                                  "stale, 0 made obsolete, 0 confirmed\n"), updated.out
    po = project / "locale" / "nl.po"
    text = po.read_text("utf-8")
    entry = re.search(r'#, fuzzy\n#\| msgid "" "The table sets the three perspectives side by '
                      r'side.*?\nmsgid ""\n"The table sets the three perspectives next', text, re.S)
    assert entry, text
    msgid_line = text[:entry.end()].count("\n")
    stale = run_cli(project, "check")
    assert stale.code == 1
    assert (f"locale/nl.po:{msgid_line}: error: the nl translation of the message 'The table "
            "sets the three perspectives next to eac…' is stale (marked fuzzy)") in stale.err
    assert ('("perspectives side by side. Each" → "perspectives next to each other. Each")'
            in stale.err), stale.err
    assert f"--confirm locale/nl.po:{msgid_line}` if it still holds" in stale.err
    assert run_cli(project, "check", "--allow-stale").code == 0
    # The translator keeps the Dutch (it still holds) and removes the fuzzy flag.
    po.write_text(text.replace(entry.group(), entry.group().replace("#, fuzzy\n", "")), "utf-8")
    assert run_cli(project, "check").code == 0
    again = run_cli(project, "translations", "update")
    assert "#| msgid" not in po.read_text("utf-8"), again.out


def test_the_update_adds_new_messages_as_placeholders_and_obsoletes_unused_ones(project):
    chapter = project / "chapters" / "09-glossary.md.j2"
    chapter.write_text(chapter.read_text("utf-8") + "\n{% trans n=3 %}There are {{ n }} "
                       "more terms.{% endtrans %}\n", "utf-8")
    before = run_cli(project, "check")
    assert "(a placeholder {{ n }} is written %(n)s)" in before.err, before.err
    comparison = project / "chapters" / "06-comparison.md.j2"
    _replace(comparison, '# {{ _("Comparison") }}', "# Vergelijking / Comparison")
    updated = run_cli(project, "translations", "update")
    assert updated.out.startswith("locale/nl.po: 1 message(s) added (to translate), 0 marked "
                                  "stale, 1 made obsolete"), updated.out
    po = project / "locale" / "nl.po"
    text = po.read_text("utf-8")
    assert '#, python-format\nmsgid "There are %(n)s more terms."\nmsgstr ""\n' in text
    assert "{{ n }}" not in text
    assert '#~ msgid "Comparison"\n#~ msgstr "Vergelijking"\n' in text
    assert catalogues.read(text, po)  # the engine's strict reader takes it
    line = _line(po, 'msgid "There are %(n)s more terms."')
    checked = run_cli(project, "check")
    assert f"hint: write its msgstr at locale/nl.po:{line}: the nl-NL text" in checked.err
    assert "used by no template" not in checked.err  # the obsolete entry is no entry
    _replace(po, 'msgid "There are %(n)s more terms."\nmsgstr ""',
             'msgid "There are %(n)s more terms."\nmsgstr "Er zijn nog %(n)s termen."')
    assert run_cli(project, "check").code == 0


def test_a_quote_in_another_language_needs_its_translation(project):
    seed = project / "seeds" / "derksen-2016-sociaal-krediet.yaml"
    line = _line(seed, 'translation: "the gamification of Chinese society"')
    _replace(seed, '      translation: "the gamification of Chinese society"\n', "")
    checked = run_cli(project, "check")
    assert checked.code == 1
    quote = line - 3 + next(i for i, text in enumerate(
        seed.read_text("utf-8").split("\n")[line - 4:line], 0) if "quote:" in text)
    assert re.search(rf"derksen-2016-sociaal-krediet\.yaml:{quote}: error: no 'en' text for "
                     r"claims\[[a-z0-9-]+\]\.quote\.translation", checked.err), checked.err
    assert ("hint: the quote is in another language than the en edition: add 'translation: "
            "{en: …}' to it with the en-GB text") in checked.err
    draft = run_cli(project, "build", "--edition", "en", "--format", "html", "--allow-missing")
    assert draft.code == 0, draft.err
    html = (project / "build" / "briefing.en.html").read_text("utf-8")
    assert f"{MARKER.strip()}”" in html


def test_a_missing_text_in_briefing_toml_gets_toml_advice(project):
    toml = project / "briefing.toml"
    text = toml.read_text("utf-8")
    text = re.sub(r'\nsubtitle\.nl = "[^"]*"', "", text)
    toml.write_text(text.replace('title.en = "Scoring Citizens"\ntitle.nl = "Burgers op punten"',
                                 'title = "Scoring Citizens"'), "utf-8")
    checked = run_cli(project, "check")
    assert ('hint: add subtitle.nl = "…" under [document] with the nl-NL text'
            in checked.err), checked.err
    assert ('hint: add title.nl = "…" under [document] with the nl-NL text (and write the plain '
            'title = "…" as title.en = "…")') in checked.err
    assert "under 'title'" not in checked.err

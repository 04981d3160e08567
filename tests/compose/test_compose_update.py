"""`briefing translations update` on the catalogue: messages extracted as the engine looks
them up, merged like `pybabel update` (new ones empty, changed ones fuzzy with their old
msgid, unused ones obsolete), written the same way every time and read back by the
engine's strict reader, which reports a fuzzy entry a template uses as stale."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing import recipe
from briefing.authoring import translations
from briefing.compose.language import engine_msgids
from briefing.errors import BriefingError, Collector
from briefing.model.catalogues import Catalogue, load_catalogue
from conftest import EDITIONS

CHAPTER = """{% trans n=2 %}The {{ n }} readings side by side.{% endtrans %}

# {{ _("Overview") }} {#overview}
"""


@pytest.fixture
def bilingual(project: Path, edit) -> Path:
    """The minimal project in English (the default) and Dutch, with two messages."""
    edit(project / "briefing.toml",
         'language = "en-GB"\nidentifier = "urn:uuid:00000000-0000-4000-8000-000000000001"\n', "")
    with (project / "briefing.toml").open("a", encoding="utf-8") as handle:
        handle.write(EDITIONS)
    chapter = project / "chapters" / "01-overview.md.j2"
    chapter.write_text(CHAPTER + chapter.read_text("utf-8"), "utf-8")
    return project


def update(project: Path, *confirm: str, confirm_all: bool = False) -> list[str]:
    return translations.update(project, None, list(confirm), confirm_all)


def catalogue(project: Path) -> Catalogue:
    problems = Collector()
    found = load_catalogue(project / "locale" / "nl.po", problems)
    assert problems.problems == []
    return found


def test_a_new_catalogue_has_every_message_empty_with_its_placeholders(bilingual: Path):
    report = update(bilingual)
    assert report[0] == ("locale/nl.po: 2 message(s) added (to translate), 0 marked stale, "
                         "0 made obsolete, 0 confirmed")
    text = (bilingual / "locale" / "nl.po").read_text("utf-8")
    assert ('#: chapters/01-overview.md.j2:1\n#, python-format\n'
            'msgid "The %(n)s readings side by side."\nmsgstr ""\n') in text
    assert '#: chapters/01-overview.md.j2:3\nmsgid "Overview"\nmsgstr ""\n' in text
    assert '"POT-Creation-Date: 2025-01-15 00:00+0000\\n"' in text  # the briefing's date
    assert "#, fuzzy" not in text  # not even the header
    assert update(bilingual)[0].endswith("; unchanged")
    assert (bilingual / "locale" / "nl.po").read_text("utf-8") == text


def test_a_changed_msgid_keeps_its_translation_marked_stale(bilingual: Path, edit):
    update(bilingual)
    po = bilingual / "locale" / "nl.po"
    edit(po, 'msgid "Overview"\nmsgstr ""', 'msgid "Overview"\nmsgstr "Overzicht"')
    edit(bilingual / "chapters" / "01-overview.md.j2", '_("Overview")', '_("An overview")')
    assert update(bilingual)[0] == ("locale/nl.po: 0 message(s) added (to translate), "
                                    "1 marked stale, 0 made obsolete, 0 confirmed")
    assert ('#, fuzzy\n#| msgid "Overview"\nmsgid "An overview"\nmsgstr "Overzicht"\n'
            in po.read_text("utf-8"))
    found = catalogue(bilingual)
    fuzzy = found.stale["An overview"]
    assert (fuzzy.previous, fuzzy.string) == ("Overview", "Overzicht")
    assert "An overview" not in found.messages
    loaded = recipe.load(bilingual)
    (stale,) = loaded.model.stale(loaded.project.editions)
    assert (stale.path, stale.line) == (po, fuzzy.line)
    assert '("Overview" → "An overview")' in (stale.hint or "")
    # A draft prints the stale translation (like msgfmt --use-fuzzy).
    lang = loaded.localised(loaded.project.edition("nl"))
    assert lang.messages.template("An overview") == "Overzicht"
    # Still stale after another update, with its old msgid; until confirmed.
    assert "0 marked stale" in update(bilingual)[0]
    assert '#| msgid "Overview"' in po.read_text("utf-8")
    assert "1 confirmed" in update(bilingual, f"locale/nl.po:{fuzzy.line}")[0]
    assert catalogue(bilingual).messages["An overview"] == "Overzicht"
    assert "#|" not in po.read_text("utf-8")


def test_an_unused_entry_becomes_obsolete_and_the_engine_ignores_it(bilingual: Path, edit):
    update(bilingual)
    po = bilingual / "locale" / "nl.po"
    edit(po, 'msgid "Overview"\nmsgstr ""', 'msgid "Overview"\nmsgstr "Overzicht"')
    edit(bilingual / "chapters" / "01-overview.md.j2", '# {{ _("Overview") }} {#overview}\n',
         "")
    assert "1 made obsolete" in update(bilingual)[0]
    assert '#~ msgid "Overview"\n#~ msgstr "Overzicht"\n' in po.read_text("utf-8")
    assert "Overview" not in catalogue(bilingual).messages


def test_a_confirmation_of_nothing_stale_writes_nothing(bilingual: Path):
    update(bilingual)
    before = (bilingual / "locale" / "nl.po").read_bytes()
    with pytest.raises(BriefingError) as caught:
        update(bilingual, "locale/nl.po:3")
    (problem,) = caught.value.problems
    assert problem.message == "no stale translation here to confirm"
    assert (problem.path, problem.line) == (bilingual / "locale" / "nl.po", 3)
    assert (bilingual / "locale" / "nl.po").read_bytes() == before


def test_an_entry_written_with_template_placeholders_is_shown_in_full(bilingual: Path):
    """Review point 7: the {{ n }} copied from the template, shown as the difference."""
    (bilingual / "locale").mkdir()
    (bilingual / "locale" / "nl.po").write_text(
        'msgid "The {{ n }} readings side by side."\nmsgstr "De {{ n }} lezingen naast elkaar."\n'
        '\nmsgid "Overview"\nmsgstr "Overzicht"\n', "utf-8")
    loaded = recipe.load(bilingual)
    gaps = [g for g in loaded.model.gaps(loaded.project.editions) if "readings" in g.key]
    (gap,) = gaps
    assert gap.hint == (
        'locale/nl.po:1 has an entry no template uses, probably its old text: "The {{ n }} '
        'readings" → "The %(n)s readings"; run `briefing translations update` (it keeps that '
        "translation, marked stale) or correct the msgid (a placeholder {{ n }} is written "
        "%(n)s)")


def test_a_language_the_engine_has_no_words_in_gets_them_to_translate(bilingual: Path, edit):
    edit(bilingual / "briefing.toml", 'language = "nl-NL"', 'language = "fr-FR"')
    edit(bilingual / "briefing.toml", "[editions.nl]", "[editions.fr]")
    report = update(bilingual)
    engine = engine_msgids()
    assert report[0] == (f"locale/fr.po: {2 + len(set(engine))} message(s) added (to "
                         "translate), 0 marked stale, 0 made obsolete, 0 confirmed")
    text = (bilingual / "locale" / "fr.po").read_text("utf-8")
    assert 'msgid "Contents"\nmsgstr ""' in text
    assert not (bilingual / "locale" / "nl.po").exists()

"""An edition's own bibliography entries (editions.<id>.bibliography): each entry of its
reference list in one language (issue 32, D24), checked like the shared file."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import run_cli


def _references(page: str) -> str:
    return re.sub(r"<[^>]+>", "", page[page.index('id="refs"'):])


def _one_edition_with(project: Path, bibliography: str) -> None:
    """The minimal project's one edition declared in [editions], with its own entries."""
    config = project / "briefing.toml"
    text = re.sub(r'(?m)^(language|identifier) = .*\n', "", config.read_text("utf-8"), count=2)
    config.write_text(text + '\n[editions.en]\nlanguage = "en-GB"\n'
                      'identifier = "urn:uuid:00000000-0000-4000-8000-0000000000e1"\n'
                      f'bibliography = "{bibliography}"\n', "utf-8")


def test_the_dutch_list_names_the_dutch_letter_and_the_english_one_the_english(
        built_real: Path):
    english = _references((built_real / "build" / "briefing.en.html").read_text("utf-8"))
    dutch = _references((built_real / "build" / "briefing.nl.html").read_text("utf-8"))
    assert "The Receptor Approach: A Question of Weight and Measure" in english
    assert "Advisory Letter No. 21" in english and "receptorbenadering" not in english
    assert ("Adviesraad Internationale Vraagstukken (AIV). 2012. De receptorbenadering: een "
            "kwestie van maatvoering. Briefadvies Nr. 21.") in dutch
    assert "Advisory" not in dutch and "Weight and Measure" not in dutch
    assert "Black Mirror, seizoen 3, aflevering 1. Netflix." in dutch
    assert "Black Mirror, series 3, episode 1. Netflix." in english


def test_an_edition_entry_for_a_work_the_shared_file_lacks_is_refused(project: Path):
    own = project / "bib" / "own.bib"
    own.write_text("% the edition's own entries\n\n@misc{nowhere2020,\n  title = {Elsewhere},\n"
                   "  date = {2020},\n}\n", "utf-8")
    _one_edition_with(project, "bib/own.bib")
    result = run_cli(project, "check")
    assert result.code == 1 and "Traceback" not in result.err, result.err
    assert ("bib/own.bib:3: error: citation key 'nowhere2020' is not in briefing.bib"
            in result.err), result.err
    assert "hint: an edition's bibliography only replaces entries of briefing.bib" in result.err


def test_an_edition_bibliography_outside_the_project_is_refused(project: Path):
    _one_edition_with(project, "../elsewhere.bib")
    result = run_cli(project, "check")
    assert result.code == 1 and "Traceback" not in result.err, result.err
    assert "editions.en.bibliography '../elsewhere.bib' is outside the project" in result.err

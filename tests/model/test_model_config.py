"""briefing.toml: a good one loads into a Project; a bad one is refused at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.errors import BriefingError
from briefing.model import config


def refused(root: Path) -> list:
    with pytest.raises(BriefingError) as caught:
        config.load(root)
    return caught.value.problems


def test_the_minimal_settings_load_with_their_paths(project: Path):
    loaded = config.load(project)
    assert loaded.config.document.title == {"en": "Fixture Briefing"}
    assert loaded.config.document.date.isoformat() == "2025-01-15"
    assert [p.name for p in loaded.chapters] == ["01-overview.md.j2"]
    assert list(loaded.config.perspectives) == ["press", "aim"]
    (edition,) = loaded.editions
    assert (edition.id, edition.language, edition.default, edition.several) == (
        "en", "en-GB", True, False)
    assert loaded.output("pdf", edition) == project / "build" / "briefing.pdf"
    inputs = loaded.input_paths()
    assert project / "briefing.toml" in inputs
    assert project / "seeds" / "derksen.yaml" in inputs
    assert project / "bib" / "style.csl" in inputs


def test_an_unknown_key_is_named_at_its_line_with_a_suggestion(project: Path, edit):
    edit(project / "briefing.toml", 'version = "1.0"\n', 'version = "1.0"\ntitel = "x"\n')
    (problem,) = refused(project)
    assert problem.message == "unknown key 'document.titel'"
    assert (Path(problem.path).name, problem.line) == ("briefing.toml", 7)
    assert problem.hint == "did you mean 'document.title'?"


def test_an_edition_id_that_is_no_plain_name_is_refused_at_its_table(project: Path, edit):
    toml = project / "briefing.toml"
    edit(toml, 'language = "en-GB"\nidentifier = "urn:uuid:00000000-0000-4000-8000-000000000001"\n',
         "")
    with toml.open("a", encoding="utf-8") as handle:
        handle.write('\n[editions.EN]\nlanguage = "en-GB"\nidentifier = "urn:uuid:1"\n')
    header = toml.read_text("utf-8").splitlines().index("[editions.EN]") + 1
    (problem,) = refused(project)
    assert problem.message == "edition id 'EN' is not a plain name"
    assert (Path(problem.path).name, problem.line) == ("briefing.toml", header)


def test_a_date_a_zip_archive_cannot_carry_is_refused_at_its_line(project: Path, edit):
    edit(project / "briefing.toml", "date = 2025-01-15", "date = 1970-01-01")
    (problem,) = refused(project)
    assert problem.message.startswith("document.date: must lie between 1980-01-01 and 2099-12-31")
    assert (Path(problem.path).name, problem.line) == ("briefing.toml", 7)


def test_an_infinite_limit_is_not_taken_for_no_limit(project: Path):
    toml = project / "briefing.toml"
    with toml.open("a", encoding="utf-8") as handle:
        handle.write("\n[limits]\ninput_mib = inf\n")
    line = len(toml.read_text("utf-8").splitlines())
    (problem,) = refused(project)
    assert problem.message.startswith("limits.input_mib:")
    assert "finite" in problem.message
    assert problem.line == line


def test_a_misspelt_chapter_is_refused_with_the_nearest_name(project: Path):
    toml = project / "briefing.toml"
    with toml.open("a", encoding="utf-8") as handle:
        handle.write('\n[build]\nchapters = ["01-overveiw"]\n')
    (problem,) = refused(project)
    assert problem.message.startswith("chapter '01-overveiw' does not exist")
    assert problem.line == len(toml.read_text("utf-8").splitlines())
    assert problem.hint == "did you mean '01-overview'?"


def test_a_bibliography_outside_the_project_is_refused(project: Path, edit):
    edit(project / "briefing.toml", 'file = "bib/briefing.bib"', 'file = "../briefing.bib"')
    (problem,) = refused(project)
    assert problem.message == "bibliography.file '../briefing.bib' is outside the project"
    assert problem.line == 12

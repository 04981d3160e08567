"""The briefing's own citation, in each format a reference manager reads."""

from __future__ import annotations

import io
import json
from pathlib import Path

import bibtexparser
import pytest
import rispy

from briefing.compose import language
from briefing.model import config
from briefing.outputs import cite

URN = "urn:uuid:00000000-0000-4000-8000-000000000001"
TITLE = "Fixture Briefing: A two-perspective test document"


def render(root: Path, fmt: str) -> str:
    project = config.load(root)
    return cite.render(project, fmt, language.localised(project, "en"))


def test_bibtex_parses_back_to_the_briefing(project: Path):
    (entry,) = bibtexparser.parse_string(render(project, "bibtex")).entries
    fields = {f.key: f.value for f in entry.fields}
    assert (entry.entry_type, entry.key) == ("techreport", "testunit2025fixture")
    assert (fields["title"], fields["year"], fields["version"]) == (TITLE, "2025", "1.0")
    assert (fields["author"], fields["eprint"], fields["langid"]) == (
        "{Test Unit}", URN, "british")


def test_ris_and_csl_json_parse_back_to_the_briefing(project: Path):
    (record,) = rispy.load(io.StringIO(render(project, "ris")))
    assert (record["type_of_reference"], record["title"], record["year"]) == (
        "RPRT", TITLE, "2025")
    assert (record["authors"], record["edition"], record["language"]) == (
        ["Test Unit,"], "1.0", "en-GB")
    (item,) = json.loads(render(project, "csl-json"))
    assert (item["type"], item["title"], item["issued"], item["number"]) == (
        "report", TITLE, {"date-parts": [[2025, 1, 15]]}, URN)


def test_the_plain_text_and_citation_cff_have_the_title_and_year(project: Path):
    assert render(project, "text") == (
        f"Test Unit. 2025. {TITLE}. Version 1.0, 15 January 2025. {URN}.\n")
    cff = render(project, "cff")
    assert f'title: "{TITLE}"' in cff and "  year: 2025" in cff
    assert f'    value: "{URN}"' in cff
    with pytest.raises(ValueError):
        render(project, "docx")


def test_a_brace_in_a_title_cannot_add_a_bibtex_field(project: Path, edit):
    edit(project / "briefing.toml", 'title = "Fixture Briefing"',
         'title = "Fixture}, note = {injected"')
    (entry,) = bibtexparser.parse_string(render(project, "bibtex")).entries
    fields = {f.key: f.value for f in entry.fields}
    assert "note" not in fields
    assert fields["title"].startswith(r"Fixture\}, note = \{injected")

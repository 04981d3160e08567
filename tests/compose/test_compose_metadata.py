"""The document's metadata and its citation, as the how-to-cite box gives it."""

from __future__ import annotations

from pathlib import Path

from briefing.compose import language, metadata
from briefing.model import config
from briefing.model.project import Project


def english(root: Path) -> tuple[Project, language.Localised]:
    project = config.load(root)
    return project, language.localised(project, "en")


def test_how_to_cite_names_title_version_date_and_identifier(project: Path):
    loaded, lang = english(project)
    assert metadata.how_to_cite(loaded, lang) == (
        "Test Unit. 2025. Fixture Briefing: A two-perspective test document. Version 1.0, "
        "15 January 2025. urn:uuid:00000000-0000-4000-8000-000000000001.")
    assert metadata.how_to_cite(loaded, lang, markdown=True) == (
        "Test Unit. 2025. *Fixture Briefing: A two-perspective test document*. Version 1.0, "
        "15 January 2025. urn:uuid:00000000-0000-4000-8000-000000000001.")


def test_authors_a_publisher_and_an_address_are_cited_and_markup_stays_text(project: Path,
                                                                              edit):
    toml = project / "briefing.toml"
    edit(toml, 'title = "Fixture Briefing"', 'title = "Risks *and* [links](x) @key"')
    edit(toml, 'version = "1.0"', 'version = "1.0"\nauthors = ["Ann Smith", "Bo Jones"]\n'
         'url = "https://example.org/briefing"')
    loaded, lang = english(project)
    assert metadata.how_to_cite(loaded, lang) == (
        "Ann Smith; Bo Jones. 2025. Risks *and* [links](x) @key: A two-perspective test "
        "document. Version 1.0, 15 January 2025. Test Unit. "
        "urn:uuid:00000000-0000-4000-8000-000000000001. <https://example.org/briefing>.")
    meta = metadata.metadata(loaded, 0, lang)
    assert meta["title"] == r"Risks \*and\* \[links\](x) \@key"
    assert meta["author"] == ["Ann Smith", "Bo Jones"]
    assert meta["how-to-cite"].startswith(
        r"Ann Smith; Bo Jones. 2025. *Risks \*and\* \[links\](x) \@key: A two-perspective")
    assert meta["identifier"] == [{"scheme": "URN",
                                   "text": "urn:uuid:00000000-0000-4000-8000-000000000001"}]
    assert (meta["created"], meta["lang"]) == ("1970-01-01T00:00:00Z", "en-GB")

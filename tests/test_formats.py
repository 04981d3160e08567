"""The format registry (model/formats.py) is the one list of formats: the settings, the
command line, the file names, the outputs and the docs all read it; a format the EPUB
needs is made for it whatever subset is built; the plain text format it proves itself
with builds and reads as a reader expects."""

from __future__ import annotations

import dataclasses
import json
import zipfile

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from briefing import cli
from briefing.compose import formatdoc
from briefing.model import formats, settings
from briefing.model.project import Project
from briefing.model.texts import Edition
from briefing.outputs import cite
from briefing.outputs import formats as outputs
from briefing.outputs.base import Output
from conftest import FIXTURES, copy_project, digests, run_cli


class TypstOutput(Output):
    """A second route to a PDF, as a module of its own would declare it."""

    name = "typst-pdf"


TYPST = formats.Format("typst-pdf", "typst.pdf", f"{__name__}:TypstOutput",
                       "a second route to a PDF", default=False)


@pytest.fixture
def typst(monkeypatch):
    """A format added to the registry in this process, as its one line would add it."""
    monkeypatch.setattr(formats, "REGISTRY", [*formats.REGISTRY, TYPST])
    return TYPST


def _project(tmp_path, *editions: Edition) -> Project:
    config = settings.Config.model_validate({"document": {
        "title": "T", "organisation": "O", "version": "1", "date": "2025-01-15"}})
    return Project(tmp_path, config, [], list(editions))


ARGUMENTS = ["arguments", "aif", "xaif", "argdown", "graphml", "jsonld", "annotations"]


def test_the_registry_is_one_list_without_clashes():
    formats.check()
    names = [f.name for f in formats.REGISTRY]
    assert names[:6] == ["html", "pdf", "brief", "epub", "docx", "txt"]
    # the argument exports (issue 35) only when asked for, like txt
    assert formats.documents() == ["html", "pdf", "brief", "epub", "docx", "txt", *ARGUMENTS]
    assert formats.defaults() == ["html", "pdf", "epub", "docx"]  # txt only when asked for
    assert formats.citations() == ["bibtex", "ris", "csl-json", "text", "cff"]
    # A suffix named twice is refused: a second PDF route cannot take briefing.pdf.
    clash = dataclasses.replace(TYPST, suffix="pdf")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(formats, "REGISTRY", [*formats.REGISTRY, clash])
        with pytest.raises(AssertionError, match="file name ending twice"):
            formats.check()


def test_every_format_with_an_output_is_that_output_class():
    found = outputs()
    assert list(found) == ["html", "pdf", "brief", "epub", "docx", "txt", *ARGUMENTS,
                           "bibtex", "ris", "csl-json"]
    for name, cls in found.items():
        assert cls.name == name


def test_what_a_subset_makes_and_writes():
    citations = ["bibtex", "ris", "csl-json"]
    assert formats.written(["epub"]) == ["epub", *citations]
    assert formats.made(["epub"]) == ["pdf", "epub", *citations]  # the cover's PDF
    assert formats.made(["docx", "html"]) == ["html", "docx", *citations]
    assert formats.made([]) == citations


def test_the_command_line_settings_file_names_and_docs_follow_the_registry():
    build = {p.name: p for p in cli.build.params}["formats"]
    assert list(build.type.choices) == formats.documents()
    assert list({p.name: p for p in cli.cite.params}["fmt"].type.choices) == formats.citations()
    assert cli.CITE_FORMATS == list(cite.FORMATS) == formats.citations()
    assert settings.Build().formats == formats.defaults()
    schema = settings.Build.model_json_schema()["properties"]["formats"]
    assert schema["items"]["enum"] == formats.documents()
    doc = formatdoc.markdown()
    for fmt in formats.REGISTRY:
        assert f"| `{fmt.name}` |" in doc


def test_an_unknown_format_is_refused_with_the_registrys_choices():
    with pytest.raises(ValidationError) as refused:
        settings.Build(formats=["pdf", "odt"])
    assert "Input should be 'html', 'pdf', 'brief', 'epub', 'docx', 'txt', 'arguments', " in str(
        refused.value)


def test_a_format_added_to_the_registry_is_valid_everywhere(typst, tmp_path):
    # the settings, and their schema
    assert settings.Build(formats=["pdf", "typst-pdf"]).formats == ["pdf", "typst-pdf"]
    schema = settings.Build.model_json_schema()["properties"]["formats"]
    assert "typst-pdf" in schema["items"]["enum"]
    # the command line: a choice of `build --format`, shown in its help
    assert "typst-pdf" in {p.name: p for p in cli.build.params}["formats"].type.choices
    shown = CliRunner().invoke(cli.main, ["build", "--help"])
    assert "typst-pdf" in shown.output
    # its own file name, beside the PDF's, for one edition and for several
    project = _project(tmp_path)
    assert project.output("typst-pdf").name == "briefing.typst.pdf"
    assert project.output("pdf").name == "briefing.pdf"
    nl = Edition("nl", "nl-NL", "urn:uuid:x", False, True)
    assert project.output("typst-pdf", nl).name == "briefing.nl.typst.pdf"
    # the outputs and the docs
    assert outputs()["typst-pdf"] is TypstOutput
    assert "| `typst-pdf` | `build/<name>.typst.pdf` |" in formatdoc.markdown()


def test_the_skeletons_formats_line_is_the_registrys(tmp_path):
    result = run_cli(tmp_path, "new", str(tmp_path / "fresh"))
    assert result.code == 0, result.err
    text = (tmp_path / "fresh" / "briefing.toml").read_text("utf-8")
    listed = ", ".join(json.dumps(n) for n in formats.defaults())
    assert f"formats = [{listed}]  # built by default; of: {', '.join(formats.documents())}" in (
        text)


def test_the_epub_alone_is_the_full_builds_epub(built_minimal, tmp_path):
    """The EPUB's cover is the PDF's first page: built alone, the EPUB still has it
    (the PDF is made for it, and not written)."""
    project = copy_project(FIXTURES / "minimal", tmp_path / "alone")
    result = run_cli(project, "build", "--format", "epub")
    assert result.code == 0, result.err
    built = {name: d for name, d in digests(project / "build").items()
             if not name.startswith(".")}
    assert sorted(built) == ["briefing.bib", "briefing.epub", "briefing.json", "briefing.ris"]
    assert built["briefing.epub"] == digests(built_minimal / "build")["briefing.epub"]
    with zipfile.ZipFile(project / "build" / "briefing.epub") as epub:
        assert "EPUB/media/cover.png" in epub.namelist()


def test_plain_text_builds_and_reads_as_the_briefing(minimal):
    result = run_cli(minimal, "build", "--format", "txt")
    assert result.code == 0, result.err
    assert "wrote build/briefing.txt" in result.err
    text = (minimal / "build" / "briefing.txt").read_text("utf-8")
    lines = text.splitlines()
    # The title block: title, organisation, the date as the edition says it.
    assert lines[:3] == ["Fixture Briefing", "Test Unit", "15 January 2025"]
    # The contents, the chapters as headings, numbered paragraphs, resolved citations.
    assert "- 1 The press reading" in lines and "- 2 The stated aim" in lines
    assert "THE PRESS READING" in lines and "REFERENCES" in lines
    assert "¶1.1 Some media took a company’s credit score for the state’s system." in text
    assert "(Derksen 2016, para. 1)" in text
    assert "Derksen, Marco. 2016." in text
    # Nothing but text: no markup, no escapes, no line longer than a reader's screen.
    assert not any(mark in text for mark in ("<", ">", "{", "}", "\\", "\x1b", "[@"))
    assert max(len(line) for line in lines if "://" not in line) <= 72
    # The other outputs of the earlier build are as they were; the citations beside it.
    assert (minimal / "build" / "briefing.pdf").exists()
    assert (minimal / "build" / "briefing.ris").read_text("utf-8").startswith("TY  - RPRT")

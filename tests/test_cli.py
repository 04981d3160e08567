"""The command line as users meet it: check, cite, help, and exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import bibtexparser
import jsonschema_rs
from ruamel.yaml import YAML

from conftest import ROOT, run_cli


def test_check_passes_on_a_good_project_without_writing(minimal):
    (minimal / "build").rename(minimal / "old-build")
    result = run_cli(minimal, "check")
    assert result.code == 0, result.err
    assert "check passed" in result.err
    assert not (minimal / "build").exists()


def test_check_warns_on_uncited_entry_and_strict_fails(minimal):
    bib = minimal / "bib" / "briefing.bib"
    bib.write_text(bib.read_text() + "\n@online{spare,\n  author = {Doe, J.},\n  title = {Spare},"
                   "\n  date = {2020}\n}\n", "utf-8")
    relaxed = run_cli(minimal, "check")
    assert relaxed.code == 0
    assert "bib/briefing.bib:11: warning: bibliography entry 'spare' is not cited" in relaxed.err
    strict = run_cli(minimal, "check", "--strict")
    assert strict.code == 1
    assert "bib/briefing.bib:11: error: bibliography entry 'spare' is not cited" in strict.err


def test_cite_bibtex_round_trips_through_bibtexparser(minimal):
    result = run_cli(minimal, "cite", "--format", "bibtex")
    assert result.code == 0, result.err
    library = bibtexparser.parse_string(result.out)
    assert not library.failed_blocks
    (entry,) = library.entries
    assert entry.entry_type == "techreport"
    assert entry["title"] == "Fixture Briefing: A two-perspective test document"
    assert entry["version"] == "1.0" and entry["year"] == "2025"


def test_cite_csl_json_and_ris_and_text(minimal):
    item = json.loads(run_cli(minimal, "cite", "--format", "csl-json").out)[0]
    assert item["issued"] == {"date-parts": [[2025, 1, 15]]}
    assert item["author"] == [{"literal": "Test Unit"}]
    ris = run_cli(minimal, "cite", "--format", "ris").out.splitlines()
    tags = dict(line.split("  - ", 1) for line in ris if "  - " in line)
    assert tags["TY"] == "RPRT" and tags["PY"] == "2025" and tags["ET"] == "1.0"
    assert ris[-1].startswith("ER  -")
    text = run_cli(minimal, "cite").out
    assert text.startswith("Test Unit. 2025. Fixture Briefing: A two-perspective test document.")


def test_missing_config_is_a_clean_error(tmp_path):
    result = run_cli(tmp_path, "build")
    assert result.code == 1
    assert "briefing.toml: error: no briefing.toml here" in result.err
    assert "Traceback" not in result.err


def test_help_lists_the_four_commands(tmp_path):
    result = run_cli(tmp_path, "--help")
    assert result.code == 0
    for command in ("build", "check", "watch", "cite"):
        assert command in result.out


def test_cite_ris_round_trips_through_rispy(minimal):
    import rispy

    (entry,) = rispy.loads(run_cli(minimal, "cite", "--format", "ris").out)
    assert entry["type_of_reference"] == "RPRT"
    assert entry["title"] == "Fixture Briefing: A two-perspective test document"
    # A corporate author keeps a trailing comma, the RIS/EndNote mark of one whole name.
    assert entry["authors"] == ["Test Unit,"] and entry["year"] == "2025"


def cff_errors(text: str) -> list[str]:
    """What the Citation File Format 1.2.0 schema finds wrong with a CITATION.cff, read as
    `cffconvert --validate` reads it: YAML with dates as text, Draft 7, formats checked."""
    yaml = YAML(typ="safe")
    yaml.constructor.yaml_constructors["tag:yaml.org,2002:timestamp"] = (
        yaml.constructor.yaml_constructors["tag:yaml.org,2002:str"])
    schema = json.loads((Path(__file__).parent / "schemas" /
                         "citation-file-format-1.2.0.json").read_text("utf-8"))
    validator = jsonschema_rs.validator_for(schema, validate_formats=True)
    return [f"{list(e.instance_path)}: {e.message}" for e in validator.iter_errors(
        yaml.load(text))]


def test_cite_cff_is_valid_citation_file_format(minimal):
    cff = run_cli(minimal, "cite", "--format", "cff").out
    assert cff_errors(cff) == []
    # The schema does find what is wrong: a file without authors, a date that is no date.
    assert cff_errors(cff.replace("authors:", "writers:")) != []
    assert cff_errors(re.sub(r"date-released: \S+", "date-released: 2025-13-45", cff)) != []


def test_committed_citation_cff_is_current_and_valid():
    generated = run_cli(ROOT, "cite", "--format", "cff").out
    assert (ROOT / "CITATION.cff").read_text("utf-8") == generated, "run `make` to refresh it"
    assert cff_errors(generated) == []


def test_build_writes_the_citation_exports(built_minimal):
    build = built_minimal / "build"
    library = bibtexparser.parse_string((build / "briefing.bib").read_text("utf-8"))
    assert library.entries[0]["title"].startswith("Fixture Briefing")
    assert json.loads((build / "briefing.json").read_text("utf-8"))[0]["type"] == "report"
    assert (build / "briefing.ris").read_text("utf-8").startswith("TY  - RPRT")


def test_cli_offers_every_citation_format():
    from briefing import cli
    from briefing.outputs import cite

    assert tuple(cli.CITE_FORMATS) == cite.FORMATS


def test_build_quiet_prints_nothing_on_success(minimal):
    for args in (("build", "-q"), ("-q", "build")):
        result = run_cli(minimal, *args)
        assert result.code == 0, result.err
        assert result.err == "" and result.out == ""

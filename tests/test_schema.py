"""`briefing schema`, as a user runs it: the JSON Schemas of the three files an author
writes, printed or written to a folder, and the format reference docs/format.md."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import ROOT, run_cli

NAMES = {"settings": "briefing.schema.json", "seed": "seed.schema.json",
         "analysis": "analysis.schema.json"}


def committed(file_name: str) -> str:
    return (ROOT / "docs" / "schema" / file_name).read_text("utf-8")


def test_schema_prints_all_three_as_one_object(tmp_path: Path):
    result = run_cli(tmp_path, "schema")
    assert result.code == 0, result.err
    printed = json.loads(result.out)
    assert sorted(printed) == ["analysis", "seed", "settings"]
    for name, file_name in NAMES.items():
        assert printed[name] == json.loads(committed(file_name))
        assert printed[name]["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_schema_name_prints_that_schema_as_committed(tmp_path: Path):
    for name, file_name in NAMES.items():
        result = run_cli(tmp_path, "schema", name)
        assert (result.code, result.out) == (0, committed(file_name)), result.err


def test_schema_write_writes_the_three_files_the_same_each_time(tmp_path: Path):
    target = tmp_path / "out" / "schemas"
    first = run_cli(tmp_path, "schema", "--write", str(target))
    assert first.code == 0, first.err
    written = {p.name: p.read_bytes() for p in target.iterdir()}
    assert sorted(written) == sorted(NAMES.values())
    for file_name, data in written.items():
        assert data == committed(file_name).encode("utf-8")
        assert data.endswith(b"}\n")
    again = run_cli(tmp_path, "schema", "--write", str(target))
    assert again.code == 0
    assert {p.name: p.read_bytes() for p in target.iterdir()} == written


def test_schema_markdown_is_docs_format_md(tmp_path: Path):
    result = run_cli(tmp_path, "schema", "--markdown")
    assert result.code == 0, result.err
    assert result.out == (ROOT / "docs" / "format.md").read_text("utf-8")


def test_schema_write_into_a_file_is_one_readable_error(tmp_path: Path):
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder", "utf-8")
    result = run_cli(tmp_path, "schema", "--write", str(blocker / "schemas"))
    assert result.code == 1
    assert result.err.startswith("taken/schemas: error: cannot write the folder for the "
                                 f"schemas: {blocker} is not a folder")
    assert "hint: give a folder you can write to" in result.err
    assert "Traceback" not in result.err


def test_an_unknown_schema_name_is_refused(tmp_path: Path):
    result = run_cli(tmp_path, "schema", "chapters")
    assert result.code == 2
    assert "'chapters' is not one of 'settings', 'seed', 'analysis'" in result.err

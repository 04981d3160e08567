"""The bibliography and the CSL style: checked entry by entry, handed to Pandoc clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.errors import BriefingError, Collector
from briefing.model import bibliography, config, load


def refused(path: Path) -> list:
    with pytest.raises(BriefingError) as caught:
        bibliography.load(path)
    return caught.value.problems


def test_the_entry_is_handed_to_pandoc_without_private_fields(project: Path):
    bib = bibliography.load(project / "bib" / "briefing.bib")
    assert bib.keys == {"derksen2016sociaalkrediet": 1}
    written = bib.for_pandoc()
    assert "note" not in written  # a maintainer's note is never printed
    assert "title = {China's sociaal krediet. {Big} data, big brother?}," in written
    assert "url = {https://koneksa-mondo.nl/" in written
    problems = Collector()
    bibliography.check_csl(project / "bib" / "style.csl", config.load(project), problems)
    assert problems.problems == []  # the fixture's style is a complete CSL style


def test_unbalanced_braces_are_refused(tmp_path: Path):
    path = tmp_path / "refs.bib"
    path.write_text("@misc{first,\n  title = {One},\n  year = {2020}\n}\n\n"
                    "@misc{second,\n  title = {Two \\{ three},\n  year = {2020}\n}\n", "utf-8")
    (problem,) = refused(path)
    assert problem.message == "field 'title' of 'second' has unbalanced braces"
    assert (problem.path, problem.line) == (path, 6)


def test_a_duplicate_key_names_both_entries(tmp_path: Path):
    path = tmp_path / "refs.bib"
    entry = "@misc{same,\n  title = {x},\n  year = {2020}\n}\n\n"
    path.write_text(entry + entry, "utf-8")
    (problem,) = refused(path)
    assert problem.message == "duplicate citation key 'same' (first entry on line 1)"
    assert problem.line == 6


def test_a_seed_citing_a_key_the_bibliography_lacks_is_refused(project: Path, edit):
    seed = project / "seeds" / "derksen.yaml"
    edit(seed, "key: derksen2016sociaalkrediet", "key: derksen2016sociaalkrediat")
    problems = Collector()
    load.load(project, problems)
    (problem,) = problems.problems
    assert problem.message == "citation key 'derksen2016sociaalkrediat' is not in briefing.bib"
    assert (problem.path, problem.line) == (seed, 4)
    assert problem.hint == "did you mean 'derksen2016sociaalkrediet'?"


@pytest.mark.parametrize(("content", "message"), [
    (b"<html><body>not a style</body></html>",
     "file is not a CSL style (no <style> in the CSL namespace)"),
    (b'<?xml version="1.0"?>\n<!DOCTYPE style [<!ENTITY x "y">]>\n<style/>',
     "CSL style with a DTD or entities"),
], ids=["not-csl", "dtd"])
def test_a_style_pandoc_cannot_use_is_refused(project: Path, content: bytes, message: str):
    style = project / "bib" / "style.csl"
    style.write_bytes(content)
    problems = Collector()
    bibliography.check_csl(style, config.load(project), problems)
    (problem,) = problems.problems
    assert problem.message.startswith(message)
    assert problem.path == style

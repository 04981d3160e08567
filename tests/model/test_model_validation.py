"""One wording for a file that does not fit its model (model/validation.py): an unknown
key is "unknown key '<path>'" with "did you mean" in briefing.toml, a seed, analysis.yaml
and a release record alike; keys missing from one table are one message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing.errors import BriefingError, Collector
from briefing.model import load, releases


def refused(root: Path) -> list:
    with pytest.raises(BriefingError) as caught:
        problems = Collector()
        load.load(root, problems)
        problems.raise_if_any()
    return caught.value.problems


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                if text in line)


@pytest.mark.parametrize(("file", "old", "new", "key", "meant"), [
    ("briefing.toml", 'version = "1.0"\n', 'version = "1.0"\ntitel = "x"\n',
     "document.titel", "document.title"),
    ("seeds/derksen.yaml", "  reporter: marco-derksen\n",
     "  reporter: marco-derksen\n  titel: x\n", "source.titel", "source.title"),
    # Through a list: the claim's keys are suggested, not the file's; the claim by its id.
    ("seeds/derksen.yaml", "    kind: interpretation\n",
     "    kind: interpretation\n    statment: x\n", "claims[aim-trust].statment",
     "claims[aim-trust].statement"),
    ("analysis.yaml", "questions:", "qestions:", "qestions", "questions"),
], ids=["settings", "seed", "seed_claim", "analysis"])
def test_an_unknown_key_is_worded_alike_in_every_file(project: Path, edit, file, old, new,
                                                      key, meant):
    edit(project / file, old, new)
    (problem,) = refused(project)
    assert problem.message == f"unknown key {key!r}"
    assert problem.hint == f"did you mean {meant!r}?"
    assert (Path(problem.path).name, problem.line) == (
        Path(file).name, line_of(project / file, new.strip().split("\n")[-1].strip()))


def test_an_unknown_key_far_from_any_lists_the_keys_valid_there(project: Path, edit):
    edit(project / "analysis.yaml", "questions:", "zzzzzz: 1\nquestions:")
    (problem,) = refused(project)
    assert problem.message == "unknown key 'zzzzzz'"
    assert problem.hint.startswith("valid keys here: ") and "glossary" in problem.hint


def test_the_keys_missing_from_one_table_are_one_message_at_its_line(project: Path, edit):
    edit(project / "briefing.toml", 'version = "1.0"\n', "")
    edit(project / "briefing.toml", 'organisation = "', 'x = "')
    problems = refused(project)
    missing = [p for p in problems if p.message.startswith("missing")]
    assert [p.message for p in missing] == [
        "missing required keys 'organisation', 'version' in 'document'"]
    assert missing[0].line == line_of(project / "briefing.toml", "[document]")
    assert missing[0].hint == "add organisation = ..., version = ... to the [document] table"


def test_a_release_record_with_an_unknown_key_says_so_with_how_to_restore(tmp_path: Path):
    folder = tmp_path / "releases"
    folder.mkdir()
    (folder / "1.0.json").write_text(json.dumps(
        {"format": 3, "version": "1.0", "date": "2025-01-15", "digest": "x",
         "editoins": {}}, indent=1), "utf-8")
    with pytest.raises(BriefingError) as caught:
        releases.history(tmp_path, _inputs(tmp_path), 20_000)
    said = {p.message: p for p in caught.value.problems}
    problem = said["unknown key 'editoins'"]
    assert problem.hint.startswith("did you mean 'editions'?; ")
    assert "briefing release" in problem.hint
    assert problem.line == 6


def _inputs(root: Path):
    from briefing import files

    return files.Inputs(root, 4 * files.MIB)

"""`briefing import argdown|aif FILE` (issue 35): another tool's map as a draft seed that
builds, and what a seed cannot hold refused with its line, nothing written."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from briefing import recipe
from briefing.authoring import importing
from briefing.errors import BriefingError
from briefing.outputs.arguments import base, derived
from conftest import FIXTURES, copy_project, run_cli

MAP = """\
===
title: A small map
===

# Press

[Ban]: The city should ban cars from the centre.

[Air]: Car exhaust makes the air unhealthy.
  +> [Ban]

[Clean]: New cars are clean. // a comment
  -> [Air]

<Air argument>

(1) [Air]
----
(2) [Ban]

# The stated aim

[Shops]: Shops lose customers without cars.
  -> [Ban]

[Trams]: Trams bring the customers back.
  _> <Air argument>
"""


def _files(project: Path) -> dict[str, bytes]:
    return {str(p.relative_to(project)): p.read_bytes() for p in sorted(project.rglob("*"))
            if p.is_file() and "build" not in p.parts}


def test_an_argdown_map_becomes_a_seed_that_builds(tmp_path):
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    source = tmp_path / "map.argdown"
    source.write_text(MAP, "utf-8")
    done = run_cli(project, "import", "argdown", str(source))
    assert done.code == 0, done.err
    assert "wrote seeds/map.yaml: 5 claims, 4 relations" in done.err
    seed = YAML(typ="safe").load((project / "seeds/map.yaml").read_text("utf-8"))
    relations = {(r["from"], r["to"], r["type"]) for r in seed["relations"]}
    assert relations == {("map-air", "map-ban", "supports"), ("map-clean", "map-air", "attacks"),
                         ("map-shops", "map-ban", "attacks"),
                         ("map-trams", "map-air", "undercuts")}
    # headings naming the briefing's perspectives (by id or title) are those perspectives
    assert {c["id"]: c.get("perspective") for c in seed["claims"]} == {
        "map-ban": "press", "map-air": "press", "map-clean": "press", "map-shops": "aim",
        "map-trams": "aim"}
    assert "@misc{map," in (project / "bib/briefing.bib").read_text("utf-8")
    built = run_cli(project, "build", "--format", "html", "--format", "arguments")
    assert built.code == 0, built.err
    exported = (project / "build/briefing.arguments.json").read_text("utf-8")
    assert '"id": "map-trams--undercuts--map-air"' in exported


def test_new_headings_become_perspectives_appended_to_briefing_toml(tmp_path):
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    source = tmp_path / "health.argdown"
    source.write_text("# Health\n\n[A]: Air is bad.\n  +> [B]\n\n[B]: Ban cars.\n", "utf-8")
    done = importing.run(project, "argdown", source, None, None)
    assert done.perspectives == ["health"] and (done.claims, done.relations) == (2, 1)
    toml = (project / "briefing.toml").read_text("utf-8")
    assert '[perspectives.health]\ntitle = "Health"' in toml


@pytest.mark.parametrize(("text", "line", "message"), [
    ("[A]: a\n  >< [B]: b\n", 2, "a contradiction (><) has no place in a seed"),
    ("[A]: a\n  _> <Arg>\n", 2, "the undercut argument <Arg> has no premises and conclusion"),
    ("[A]: a\n  +> <Arg>\n", 2, "supports onto <Arg> cannot be mapped"),
    ("[A]: a\n\nThis is prose.\n", 3, "cannot map this Argdown line: 'This is prose.'"),
    ("[A]: a\n  +> [B]\n", 2, "statement [B] is used but never given a text"),
    ("[A]: a\n\n[A]: b\n", 3, "statement [A] is defined twice with different texts"),
    ("<X>\n\n(1) [A]: a\n----\n(2) [B]: b\n----\n(3) [C]: c\n", 6,
     "argument <X> has more than one inference step"),
])
def test_what_a_seed_cannot_hold_is_refused_with_its_line(tmp_path, text, line, message):
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    source = tmp_path / "bad.argdown"
    source.write_text(text, "utf-8")
    before = _files(project)
    with pytest.raises(BriefingError) as refused:
        importing.run(project, "argdown", source, None, None)
    problem = refused.value.problems[0]
    assert (problem.message, problem.path, problem.line) == (message, source, line)
    assert problem.hint
    assert _files(project) == before


def test_the_cli_names_the_file_and_line_of_a_refusal(tmp_path):
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    source = tmp_path / "bad.argdown"
    source.write_text("[A]: a\n  >< [B]: b\n", "utf-8")
    before = _files(project)
    done = run_cli(project, "import", "argdown", str(source))
    assert done.code == 1 and "Traceback" not in done.err
    assert f"{source}:2: error: a contradiction (><) has no place in a seed" in done.err
    assert "  hint: " in done.err
    assert _files(project) == before


def test_our_own_aif_imports_with_its_claims_and_relations(tmp_path):
    loaded = recipe.load(FIXTURES / "minimal")
    arguments = base.make(loaded.model, loaded.localised(loaded.project.editions[0]))
    path = tmp_path / "map.aif.json"
    path.write_bytes(derived.aif(arguments))
    found = importing.aif(path, path.read_text("utf-8"))
    assert sorted(found.statements) == sorted(f"I:{c.id}" for c in arguments.claims)
    # the fixture's undercut has no support to undercut: the AIF has it as an attack
    assert Counter(r[2] for r in found.relations) == Counter({"attacks": 1})
    broken = tmp_path / "broken.json"
    broken.write_text('{"nodes": [\n  {"nodeID": "1", "type": "MA", "text": "x"}],\n'
                      ' "edges": []}', "utf-8")
    with pytest.raises(BriefingError) as refused:
        importing.aif(broken, broken.read_text("utf-8"))
    assert refused.value.problems[0].line == 2
    assert "an MA-node (1) has no place in a seed" in refused.value.problems[0].message

"""`briefing edition add` and `briefing edition remove`: the cuts in-process on small
texts, the commands once each through the real CLI on a new project."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from briefing.authoring.editions import cut_toml, cut_yaml
from briefing.compose.placeholders import MARKERS
from conftest import run_cli

IDS = {"en", "nl", "de"}

SEED = """\
# A comment that stays.
claims:
  - id: a  # so does this one
    statement:
      en: "An English statement."
      nl: "Een Nederlandse
        bewering over twee regels."  # and this goes with its line
      de: "Eine Aussage."
    quote:
      text: "words"
      translation:
        nl: "woorden"
  - id: b
    statement:
      en: 'Only English.'
terms: {en: "x", nl: "y"}
"""


def test_cut_yaml_removes_the_edition_lines_and_keeps_everything_else():
    cut = cut_yaml(SEED, "nl", IDS, Path("seeds/s.yaml"))
    assert cut.removed == 2
    assert [(p.line, p.message) for p in cut.problems] == [
        (16, "cannot cut the 'nl' text out of this line")]  # the one-line mapping
    assert cut.text == SEED.replace(
        '      nl: "Een Nederlandse\n        bewering over twee regels."  # and this goes '
        'with its line\n', "").replace('      translation:\n        nl: "woorden"\n', "")


def test_cut_toml_removes_the_table_and_every_dotted_text():
    text = """\
[document]
title.en = "T"
title.nl = "T nl"  # gone
keywords.nl = [
  "a",
  "b",
]
version = "1.0"

[editions.en]
language = "en-GB"

[editions.nl]
language = "nl-NL"
identifier = "urn:uuid:x"

# The perspectives.
[perspectives.p]
title.en = "P"
title.nl = "P nl"
"""
    cut = cut_toml(text, "nl", IDS, Path("briefing.toml"))
    assert cut.problems == []
    assert cut.removed == 3
    assert cut.text == """\
[document]
title.en = "T"
version = "1.0"

[editions.en]
language = "en-GB"

# The perspectives.
[perspectives.p]
title.en = "P"
"""


def _files(project: Path) -> dict[str, str]:
    return {p.relative_to(project).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(project.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def two(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("editions")
    made = run_cli(base, "new", str(base / "two"), "--edition", "en,nl")
    assert made.code == 0, made.err
    return base / "two"


def test_refusals_name_the_problem_and_change_nothing(two):
    before = _files(two)
    default = run_cli(two, "edition", "remove", "en")
    assert default.code == 1
    assert default.err.startswith("briefing.toml:")
    assert "error: 'en' is the default edition: the other editions translate its texts\n" \
           "  hint: a briefing keeps at least its default edition" in default.err
    unknown = run_cli(two, "edition", "remove", "fr")
    assert unknown.code == 1
    assert "error: no edition 'fr'\n  hint: its editions: en, nl\n" in unknown.err
    language = run_cli(two, "edition", "add", "qq")
    assert language.code == 1
    assert language.err == ("briefing: error: edition add 'qq': 'qq' is an unknown language\n"
                            "  hint: write ID:LANGUAGE, e.g. en:en-GB, or a language such as "
                            "en, nl, de or fr\n")
    assert "Traceback" not in default.err + unknown.err
    assert _files(two) == before


def test_remove_then_add_through_the_cli(two, tmp_path):
    import shutil

    project = tmp_path / "p"
    shutil.copytree(two, project)
    removed = run_cli(project, "edition", "remove", "nl")
    assert removed.code == 0, removed.err
    assert "locale/nl.po: deleted" in removed.out
    toml = (project / "briefing.toml").read_text("utf-8")
    assert "[editions.nl]" not in toml
    assert not [line for line in toml.splitlines() if ".nl = " in line and "#" not in line]
    assert "# Who publishes the briefing" in toml  # comments stay
    assert not (project / "locale" / "nl.po").exists()
    assert "\n      nl: " not in (project / "seeds" / "example.yaml").read_text("utf-8")
    for path in [project / "briefing.toml", *sorted((project / "chapters").iterdir())]:
        text = path.read_text("utf-8")  # the scaffold's replace-me words, replaced
        for marker in MARKERS:
            text = text.replace(marker, "Our own words")
        path.write_text(text, "utf-8")
    checked = run_cli(project, "check", "--strict")
    assert checked.code == 0, checked.err
    assert "warning" not in checked.err

    added = run_cli(project, "edition", "add", "de")
    assert added.code == 0, added.err
    assert "briefing.toml: [editions.de] added (de-DE)" in added.out
    assert "to translate in de (" in added.out and "  seeds/example.yaml: " in added.out
    assert (project / "locale" / "de.po").exists()
    again = run_cli(project, "edition", "add", "de")
    assert again.code == 1 and "error: edition 'de' is there already" in again.err
    gaps = run_cli(project, "check")
    assert gaps.code == 1
    assert "error: no 'de' text for" in gaps.err

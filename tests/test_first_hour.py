"""The first hour of a new author (issue 30), with the real CLI as a new author types it:
`new` with hyphenated perspective ids and three languages, `source add` of a .txt, a .md
and an .html, a draft build, `edition remove`, a clean `check --strict`, a prose-only
edit, and the warning for scaffold text left in place."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from briefing.authoring.words import PROSE, T
from briefing.compose.placeholders import MARKERS
from conftest import own_words, run_cli

PERSPECTIVES = ["civil-liberties:Civil liberties groups",
                "public-safety:The police and public safety",
                "regulatory:A regulatory middle ground"]

SOURCES = {
    "faces.md": "# Faces in the crowd\n\nLive facial recognition makes every passer-by a "
                "suspect.\n\nThe cameras scanned 40,000 faces in one afternoon.\n",
    "police.txt": "The police say the system found nine wanted people.\n\nOfficers check "
                  "every match before they act.\n",
    "act.html": '<html lang="en"><head><title>The AI Act explained</title></head><body>'
                "<p>The AI Act allows real-time identification only for serious crimes.</p>"
                "<p>A judge must authorise each use.</p></body></html>",
}


@pytest.fixture(scope="module")
def trial(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("first-hour")
    made = run_cli(base, "new", str(base / "faces"), "--edition", "en,nl,de",
                   *(arg for p in PERSPECTIVES for arg in ("--perspective", p)))
    assert made.code == 0, made.err
    project = base / "faces"
    for name, text in SOURCES.items():
        (base / name).write_text(text, "utf-8")
    added = [run_cli(project, "source", "add", str(base / "faces.md"), "--key",
                     "osw2026faces", "--language", "en"),
             run_cli(project, "source", "add", str(base / "police.txt"), "--key",
                     "police2026", "--language", "en", "--title", "Nine arrests"),
             run_cli(project, "source", "add", str(base / "act.html"), "--key",
                     "bpd2026aiact")]
    assert [a.code for a in added] == [0, 0, 0], [a.err for a in added]
    for key in ("osw2026faces", "police2026", "bpd2026aiact"):  # what the author adds
        seed = project / "seeds" / f"{key}.yaml"
        seed.write_text(seed.read_text("utf-8").replace(
            "actors: []", f"actors:\n  - id: {key}-author\n    name: \"{key}\"\n"
            "    kind: organisation"), "utf-8")
    bib = project / "bib" / "briefing.bib"
    bib.write_text(re.sub(r"(@\w+\{(osw2026faces|police2026|bpd2026aiact),\n)",
                          r"\1  author = {{Open Streets Watch}},\n  year = {2026},\n"
                          r"  url = {https://example.org/\2},\n  urldate = {2026-12-01},\n",
                          bib.read_text("utf-8")), "utf-8")
    return project


def test_the_scaffold_markers_are_the_scaffolds_words():
    """compose/placeholders.py looks for the beginnings of what `new` writes."""
    written = [t for key in ("subtitle", "organisation", "custom.key_point",
                             "custom.summary") for t in T[key].values()]
    written += [t for texts in PROSE.values() for t in texts.values()]
    assert all(any(m in t for t in written) for m in MARKERS), [
        m for m in MARKERS if not any(m in t for t in written)]


def test_scaffold_text_left_in_place_is_a_warning_and_an_error_when_strict(trial):
    checked = run_cli(trial, "check", "--edition", "en")
    assert checked.code == 0, checked.err
    assert "briefing.toml:" in checked.err
    assert ": warning: scaffold text left in place: “Your organisation”\n  hint: replace it " \
           "with your own words (briefing new wrote it as an example); `briefing check " \
           "--strict` and `briefing release` refuse it" in checked.err
    assert "chapters/introduction.md:1: warning: scaffold text left in place: “This is an " \
           "example briefing, made by briefing new.”" in checked.err
    strict = run_cli(trial, "check", "--edition", "en", "--strict")
    assert strict.code == 1
    assert ": error: scaffold text left in place: “Your organisation”" in strict.err
    assert "Traceback" not in checked.err + strict.err


def test_the_three_language_draft_builds_and_lists_the_german_prose(trial):
    checked = run_cli(trial, "check")
    assert "chapters/introduction.md:1: error: no 'de' text for the prose of " \
           "chapters/introduction.md\n  hint: write it in chapters/introduction.de.md" in (
               checked.err)
    draft = run_cli(trial, "build", "--allow-missing", "--format", "html")
    assert draft.code == 0, draft.err
    assert (trial / "build" / "briefing.de.html").exists()


def test_one_language_after_edition_remove_is_clean(trial, tmp_path):
    project = tmp_path / "faces"
    shutil.copytree(trial, project, ignore=shutil.ignore_patterns("build"))
    for ident in ("nl", "de"):
        removed = run_cli(project, "edition", "remove", ident)
        assert removed.code == 0, removed.err
    assert not list((project / "chapters").glob("*.nl.md"))
    assert not (project / "locale" / "nl.po").exists()
    own_words(project)
    checked = run_cli(project, "check", "--strict")
    assert checked.code == 0, checked.err
    assert "warning" not in checked.err


def test_a_prose_only_edit_is_an_edit_of_a_markdown_file(tmp_path):
    """One edition (the default), a changed paragraph of prose, built: no Jinja2, no
    gettext, no catalogue. Prints the time from `new` to the built briefing."""
    start = time.perf_counter()
    made = run_cli(tmp_path, "new", str(tmp_path / "brief"))
    assert made.code == 0, made.err
    project = tmp_path / "brief"
    assert not (project / "locale").exists()
    intro = project / "chapters" / "introduction.md"
    intro.write_text("Police forces in three countries now scan faces in public "
                     "streets.\n", "utf-8")
    built = run_cli(project, "build")
    assert built.code == 0, built.err
    took = time.perf_counter() - start
    html = (project / "build" / "briefing.html").read_text("utf-8")
    assert "Police forces in three countries now scan faces in public streets." in html
    assert "This is an example briefing" not in html
    print(f"new -> built one-language briefing with a changed prose paragraph: {took:.1f} s")

"""Citations are resolved once for the whole document, apart from its text, while Pandoc
reads each chapter alone (outputs/ast.py): two works by one author and year cited in
different chapters are told apart (2016a, 2016b), a work cited only in the last chapter
is in the bibliography, an edit that changes no citation runs no citeproc, and the
resolved document and every output equal those of the document read whole and put
through citeproc whole. Real Pandoc."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing import recipe
from briefing.outputs import ast, pages
from conftest import FIXTURES, copy_project, digests

ENTRIES = """
@article{smith2016first,
  author  = {Smith, Anna},
  title   = {The First Study},
  journal = {Journal of Tests},
  date    = {2016},
}

@article{smith2016second,
  author  = {Smith, Anna},
  title   = {The Second Study},
  journal = {Journal of Tests},
  date    = {2016},
}

@book{jones2020late,
  author    = {Jones, Bea},
  title     = {A Late Book},
  publisher = {Test Press},
  date      = {2020},
}
"""

CHAPTERS = {
    # The note moves the count citeproc places citations by (citationNoteNum) for every
    # later chapter, as read whole.
    "02-middle.md.j2": "# Middle\n\nA second finding [@smith2016second].[^m]\n\n"
                       "[^m]: Smith wrote it.\n",
    "03-last.md.j2": "# Last\n\nOnly here [@jones2020late], and again [@smith2016second].\n",
}


def _project(target: Path, chapters: dict[str, str] = CHAPTERS) -> Path:
    project = copy_project(FIXTURES / "minimal", target)
    with (project / "bib" / "briefing.bib").open("a", encoding="utf-8") as bib:
        bib.write(ENTRIES)
    first = project / "chapters" / "01-overview.md.j2"
    # After the template's loop: in its last chapter, "The stated aim".
    first.write_text(first.read_text("utf-8") + "\nA first finding [@smith2016first].\n",
                     "utf-8")
    for name, text in chapters.items():
        (project / "chapters" / name).write_text(text, "utf-8")
    return project


def _chapter(page: str, ident: str) -> str:
    """The HTML of the chapter whose section has the id `ident`, up to the next chapter."""
    marker = f'<section id="{ident}" class="level1"'
    start = page.index(marker)
    end = page.find('class="level1"', start + len(marker))
    return page[start:end if end > 0 else None]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    project = _project(tmp_path_factory.mktemp("citations") / "project")
    recipe.build(project, ["html", "epub", "docx"])
    return project


def test_each_chapter_is_read_alone(built: Path) -> None:
    read = sorted(p.name for p in (built / "build" / ".work" / "read").glob("*.md"))
    assert read == ["000.md", "001.md", "002.md", "003.md"]  # the header, three chapters
    # ... and kept: the last read is the header's, not the whole document's.
    header = (built / "build" / ".work" / "read" / "000.md").read_text("utf-8")
    assert header.startswith("---") and "# Middle" not in header


def test_same_author_and_year_in_different_chapters_are_told_apart(built: Path) -> None:
    page = (built / "build" / ".work" / "briefing.html").read_text("utf-8")
    first, middle, last = (_chapter(page, i) for i in ("the-stated-aim", "middle", "last"))
    # The bibliography orders the two by title, so "The First Study" is 2016a; each
    # chapter that cites one of them names its letter, though it never sees the other.
    assert "2016a" in first and "2016b" not in first
    assert "2016b" in middle and "2016a" not in middle
    assert "2016b" in last
    assert 'href="#ref-jones2020late"' in last and "Jones" in last


def test_the_bibliography_lists_every_work_once(built: Path) -> None:
    page = (built / "build" / ".work" / "briefing.html").read_text("utf-8")
    refs = page[page.index('id="refs"'):]
    for key in ("smith2016first", "smith2016second", "jones2020late",
                "derksen2016sociaalkrediet"):
        assert refs.count(f'id="ref-{key}"') == 1, key
    assert "2016a" in refs and "2016b" in refs and "A Late Book" in refs


def _classic(project: Path, monkeypatch) -> None:
    """Build as Pandoc alone would: the document read whole, citeproc over all of it,
    the HTML page written whole."""
    with monkeypatch.context() as patch:
        patch.setattr(ast, "splittable", lambda chapters: False)
        patch.setattr(ast, "apart", lambda markdown, csl: False)
        patch.setattr(pages, "chapters", lambda blocks: None)
        recipe.build(project, ["html", "epub", "docx"])
    assert not (project / "build" / ".work" / "read" / "001.md").exists()


def _resolved(project: Path) -> dict:
    data = json.loads((project / "build" / ".work" / "briefing.json").read_text("utf-8"))
    for key in ("bibliography", "csl"):  # paths of the copy built
        data["meta"].pop(key)
    return data


def test_outputs_equal_those_of_the_document_read_whole(built: Path, tmp_path: Path,
                                                         monkeypatch) -> None:
    whole = _project(tmp_path / "whole")
    _classic(whole, monkeypatch)
    assert _resolved(whole) == _resolved(built)
    assert digests(whole / "build") == digests(built / "build")


def test_an_edit_without_a_citation_runs_no_citeproc(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    recipe.build(project, ["html"])
    runs = sorted((project / "build" / ".cache" / "resolved").rglob("*"))
    last = project / "chapters" / "03-last.md.j2"
    last.write_text(last.read_text("utf-8") + "\nA sentence without a citation.\n", "utf-8")
    recipe.build(project, ["html"])
    assert sorted((project / "build" / ".cache" / "resolved").rglob("*")) == runs
    page = (project / "build" / ".work" / "briefing.html").read_text("utf-8")
    assert "A sentence without a citation." in page and "2016b" in page


def test_a_citation_in_a_note_goes_through_citeproc_with_the_text(tmp_path: Path,
                                                                  monkeypatch) -> None:
    """Typography marks a note's text twice when its paragraph is marked (the note is a
    paragraph inside one): a citation there is resolved with the whole document."""
    chapters = {**CHAPTERS, "02-middle.md.j2": "# Middle\n\nA finding.[^m]\n\n"
                                               "[^m]: Smith wrote it [@smith2016second].\n"}
    apart, whole = _project(tmp_path / "apart", chapters), _project(tmp_path / "whole", chapters)
    recipe.build(apart, ["html", "epub", "docx"])
    assert (apart / "build" / ".work" / "read" / "001.md").exists()
    _classic(whole, monkeypatch)
    assert _resolved(whole) == _resolved(apart)
    assert digests(whole / "build") == digests(apart / "build")

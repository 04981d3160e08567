"""Citations are resolved once for the whole document while Pandoc reads each chapter
alone (outputs/ast.py): two works by one author and year cited in different chapters are
told apart (2016a, 2016b), a work cited only in the last chapter is in the bibliography,
and every output equals the one made from the document read whole. Real Pandoc."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing import recipe
from briefing.outputs import ast
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
    "02-middle.md.j2": "# Middle\n\nA second finding [@smith2016second].\n",
    "03-last.md.j2": "# Last\n\nOnly here [@jones2020late], and again [@smith2016second].\n",
}


def _project(target: Path) -> Path:
    project = copy_project(FIXTURES / "minimal", target)
    with (project / "bib" / "briefing.bib").open("a", encoding="utf-8") as bib:
        bib.write(ENTRIES)
    first = project / "chapters" / "01-overview.md.j2"
    # After the template's loop: in its last chapter, "The stated aim".
    first.write_text(first.read_text("utf-8") + "\nA first finding [@smith2016first].\n",
                     "utf-8")
    for name, text in CHAPTERS.items():
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


def test_outputs_equal_those_of_the_document_read_whole(built: Path, tmp_path: Path,
                                                         monkeypatch) -> None:
    whole = _project(tmp_path / "whole")
    monkeypatch.setattr(ast, "splittable", lambda chapters: False)
    recipe.build(whole, ["html", "epub", "docx"])
    assert not (whole / "build" / ".work" / "read" / "001.md").exists()
    assert digests(whole / "build") == digests(built / "build")

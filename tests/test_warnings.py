"""Warnings reach the author: Pandoc's non-fatal warnings are shown after a build, at the
chapter line behind them; --strict makes them errors and writes nothing; a PDF laid out in
one run instead of chapter by chapter says why."""

from __future__ import annotations

from pathlib import Path

from briefing.outputs.pdf import book as pdfbook
from briefing.runtime import cache
from conftest import copy_project, digests, run_cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DUPLICATE_NOTE = "\n\nA sentence with a note[^dup].\n\n[^dup]: one\n\n[^dup]: two\n"


def _with_duplicate_note(tmp_path: Path) -> tuple[Path, int]:
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    chapter = project / "chapters" / "01-overview.md.j2"
    text = chapter.read_text("utf-8")
    chapter.write_text(text + DUPLICATE_NOTE, "utf-8")
    line = len((text + DUPLICATE_NOTE).splitlines())  # the second definition's line
    return project, line


def test_a_pandoc_warning_is_shown_with_its_chapter_line(tmp_path: Path) -> None:
    project, line = _with_duplicate_note(tmp_path)
    result = run_cli(project, "build", "--format", "html")
    assert result.code == 0, result.err
    shown = [text for text in result.err.splitlines() if "Duplicate note reference" in text]
    assert shown == [f"chapters/01-overview.md.j2:{line}: warning: pandoc (HTML): "
                     "Duplicate note reference 'dup'"], result.err


def test_strict_makes_a_warning_an_error_and_writes_nothing(tmp_path: Path) -> None:
    project, _ = _with_duplicate_note(tmp_path)
    result = run_cli(project, "build", "--format", "html", "--strict")
    assert result.code == 1, result.err
    assert "Duplicate note reference 'dup'" in result.err
    assert not (project / "build" / "briefing.html").exists()
    assert "Traceback" not in result.err


def test_a_pdf_laid_out_in_one_run_says_why(tmp_path: Path, built_minimal: Path) -> None:
    page = (built_minimal / "build" / ".work" / "briefing.html").read_text("utf-8")
    # A page without the chapter sections the book is split at.
    flat = page.replace('<section id="', '<div data-id="').replace("</section>", "</div>")
    settings = pdfbook.Settings(built_minimal, 1700000000, tmp_path, 120, 2048, ("test",))
    notes: list[str] = []
    data = pdfbook.book(flat, settings, cache.Cache(tmp_path / "cache"), notes=notes)
    assert data.startswith(b"%PDF-")
    assert notes == ["WeasyPrint (PDF): laid out in one run, not chapter by chapter (slower): "
                     "the HTML page has no chapters to lay out apart"]
    assert digests(built_minimal / "build")  # the fixture's build is untouched and present

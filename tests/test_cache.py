"""The build cache is correct, not just fast: after any kind of edit, an incremental build
gives exactly the bytes a cold build of the same inputs gives; a corrupt cache entry is
detected and rebuilt; an unchanged project is a no-op. Real Pandoc and WeasyPrint."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from briefing.runtime import trust
from conftest import FIXTURES, copy_project, digests, run_cli


def change(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        path = project / rel
        text = path.read_text("utf-8")
        assert old in text, f"fixture changed: {old!r}"
        path.write_text(text.replace(old, new, 1), "utf-8")
    return apply


EDITS = {
    "claim": change("seeds/derksen.yaml", "Reports on company credit scores",
                    "Reports on companies' credit scores"),
    "quote": change("seeds/derksen.yaml", 'text: "waar de overheid aan werkt"',
                    'text: "de overheid aan werkt"'),
    "template": change("chapters/01-overview.md.j2", "# {{ p.title }}",
                       "# {{ p.title }} (edited)"),
    "template_sentence": change("chapters/01-overview.md.j2", "{{ p.summary }} See",
                                "{{ p.summary }} A sentence added. See"),
    "bib_entry": change("bib/briefing.bib", "{China's sociaal krediet. {Big} data, big brother?}",
                        "{China's sociaal krediet: {Big} data, big brother?}"),
    "csl": change("bib/style.csl", '<layout delimiter="; " prefix="(" suffix=")">',
                  '<layout delimiter="; " prefix="[" suffix="]">'),
    "config": change("briefing.toml", 'subtitle = "A two-perspective test document"',
                     'subtitle = "A two-perspective test document, edited"'),
}


@pytest.fixture
def warm(built_minimal: Path) -> Path:
    """The minimal project built once (its cache warm)."""
    return built_minimal


def _copy_with_cache(source: Path, target: Path) -> Path:
    import shutil

    copy_project(source, target)
    shutil.copytree(source / "build", target / "build", ignore=shutil.ignore_patterns(".work"))
    return target


@pytest.mark.parametrize("kind", list(EDITS))
def test_an_edit_rebuilds_exactly_what_a_cold_build_makes(tmp_path: Path, warm: Path, kind):
    incremental = _copy_with_cache(warm, tmp_path / "incremental")
    before = digests(incremental / "build")
    EDITS[kind](incremental)
    result = run_cli(incremental, "build")
    assert result.code == 0, result.err
    assert "Up to date" not in result.err
    after = digests(incremental / "build")
    assert after != before, "the edit changed no output"

    cold = copy_project(incremental, tmp_path / "cold")  # same inputs, no build/, no cache
    assert not (cold / "build").exists()
    result = run_cli(cold, "build")
    assert result.code == 0, result.err
    assert digests(cold / "build") == after


def test_an_unchanged_project_is_a_no_op(tmp_path: Path, warm: Path):
    project = _copy_with_cache(warm, tmp_path / "p")
    before = digests(project / "build")
    result = run_cli(project, "build")
    assert result.code == 0, result.err
    assert "Up to date" in result.err
    assert digests(project / "build") == before


def test_a_changed_output_is_rebuilt_even_when_inputs_are_unchanged(tmp_path: Path, warm: Path):
    project = _copy_with_cache(warm, tmp_path / "p")
    before = digests(project / "build")
    (project / "build" / "briefing.pdf").write_bytes(b"%PDF-1.7 truncated")
    result = run_cli(project, "build")
    assert result.code == 0, result.err
    assert "Up to date" not in result.err
    assert digests(project / "build") == before


def test_a_corrupt_cache_entry_is_detected_and_rebuilt(tmp_path: Path, warm: Path):
    project = _copy_with_cache(warm, tmp_path / "p")
    before = digests(project / "build")
    entries = [p for p in (project / "build" / ".cache").glob("*/*/*") if p.is_file()]
    assert {p.parent.parent.name for p in entries} >= {"read", "resolved", "html", "pdf",
                                                        "epub", "docx"}
    for entry in entries:  # flip one byte in the middle of every entry
        data = bytearray(entry.read_bytes())
        data[len(data) // 2] ^= 0xFF
        entry.write_bytes(bytes(data))
    (project / "build" / ".cache" / "manifest.json").unlink()  # force the stages to run
    result = run_cli(project, "build")
    assert result.code == 0, result.err
    assert digests(project / "build") == before
    for entry in (project / "build" / ".cache").glob("*/*/*"):
        data = entry.read_bytes()  # signed by this user's key, as the child build signs
        assert trust.verify(data[:32], "cache", entry.parent.parent.name, entry.name,
                            data[32:]), f"{entry} still corrupt"


def test_deleting_the_cache_is_always_safe(tmp_path: Path, warm: Path):
    import shutil

    project = _copy_with_cache(warm, tmp_path / "p")
    before = digests(project / "build")
    shutil.rmtree(project / "build" / ".cache")
    result = run_cli(project, "build")
    assert result.code == 0, result.err
    assert digests(project / "build") == before


CHAPTERS = {"02-middle.md.j2": "# Middle\n\nA middle chapter [@derksen2016sociaalkrediet].\n",
            "03-last.md.j2": "# Last\n\nThe last chapter.\n"}


@pytest.mark.parametrize("edit", ["middle", "first"])
def test_a_chapter_edit_reads_only_that_chapter_again(tmp_path: Path, edit: str):
    """Pandoc reads each chapter alone and keeps it (outputs/ast.py): an edit to one
    chapter template reads that chapter again and no other, and the outputs are still a
    cold build's bytes."""
    project = copy_project(FIXTURES / "minimal", tmp_path / "incremental")
    for name, text in CHAPTERS.items():
        (project / "chapters" / name).write_text(text, "utf-8")
    assert run_cli(project, "build").code == 0
    reads = project / "build" / ".cache" / "read"
    before = {p.name for p in reads.glob("*/*")}
    assert len(before) == 4  # the metadata header and three chapters
    if edit == "middle":
        change("chapters/02-middle.md.j2", "A middle chapter", "An edited chapter")(project)
    else:
        EDITS["template_sentence"](project)
    result = run_cli(project, "build")
    assert result.code == 0, result.err
    assert len({p.name for p in reads.glob("*/*")} - before) == 1

    cold = copy_project(project, tmp_path / "cold")
    assert run_cli(cold, "build").code == 0
    assert digests(cold / "build") == digests(project / "build")

"""The no-op rebuild: up to date only while every input and output is as recorded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefing.runtime.manifest import Manifest

CONTEXT = {"formats": ["pdf"], "editions": None}


@pytest.fixture
def built(project: Path) -> Path:
    """The minimal project with a recorded build: its inputs, and one output."""
    build = project / "build"
    build.mkdir()
    (build / "briefing.pdf").write_bytes(b"%PDF fixture")
    inputs = [project / "briefing.toml", project / "seeds" / "derksen.yaml",
              project / "chapters" / "01-overview.md.j2"]
    Manifest(project, CONTEXT).record(inputs, {"briefing.pdf": build / "briefing.pdf"})
    return project


def test_nothing_changed_means_up_to_date(built: Path):
    manifest = Manifest(built, CONTEXT)
    assert manifest.up_to_date()
    assert manifest.outputs() == {"briefing.pdf": built / "build" / "briefing.pdf"}
    assert not list((built / "build" / ".cache").glob("*.tmp"))
    # A file saved again unchanged (a new time, the same bytes) changes nothing.
    seed = built / "seeds" / "derksen.yaml"
    os.utime(seed, ns=(seed.stat().st_atime_ns, seed.stat().st_mtime_ns + 5_000_000_000))
    assert Manifest(built, CONTEXT).up_to_date()


def test_an_input_changed_in_content_means_a_build(built: Path):
    seed = built / "seeds" / "derksen.yaml"
    stat = seed.stat()
    text = seed.read_text("utf-8")
    seed.write_text(text.replace("Test relation.", "Test relation!"), "utf-8")  # same size
    assert seed.stat().st_size == stat.st_size
    assert not Manifest(built, CONTEXT).up_to_date()


def test_another_request_a_changed_output_or_a_linked_input_means_a_build(built: Path,
                                                                        tmp_path: Path):
    assert not Manifest(built, {**CONTEXT, "formats": ["epub"]}).up_to_date()
    output = built / "build" / "briefing.pdf"
    output.write_bytes(b"%PDF edited by hand")
    assert not Manifest(built, CONTEXT).up_to_date()
    output.write_bytes(b"%PDF fixture")
    assert Manifest(built, CONTEXT).up_to_date()
    chapter = built / "chapters" / "01-overview.md.j2"
    outside = tmp_path / "outside.md.j2"
    outside.write_bytes(chapter.read_bytes())
    chapter.unlink()
    chapter.symlink_to(outside)  # same bytes, but no longer a file of the project
    assert not Manifest(built, CONTEXT).up_to_date()

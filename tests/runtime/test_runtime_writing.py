"""Writing into build/: all outputs or none, no temporary left, nothing through a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefing.errors import BriefingError
from briefing.runtime import writing


@pytest.fixture
def build(tmp_path: Path) -> Path:
    path = tmp_path / "project" / "build"
    path.mkdir(parents=True)
    return path


def leftovers(build: Path) -> list[str]:
    return sorted(p.name for p in build.iterdir() if p.name.endswith(".tmp"))


def test_every_output_is_written_and_no_temporary_is_left(build: Path):
    (build / "briefing.pdf").write_bytes(b"old pdf")
    written = writing.write_outputs(build, {build / "briefing.pdf": b"%PDF new",
                                            build / "briefing.epub": b"PK epub"})
    assert written == {"briefing.pdf": build / "briefing.pdf",
                       "briefing.epub": build / "briefing.epub"}
    assert (build / "briefing.pdf").read_bytes() == b"%PDF new"
    assert (build / "briefing.epub").read_bytes() == b"PK epub"
    assert (build / "briefing.epub").stat().st_mode & 0o777 == 0o644
    assert leftovers(build) == []


def test_one_output_that_cannot_be_written_stops_them_all(build: Path, tmp_path: Path):
    (build / "briefing.pdf").write_bytes(b"old pdf")
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"not briefing's")
    (build / "briefing.epub").symlink_to(victim)
    with pytest.raises(BriefingError, match="briefing.epub exists and is not a regular file"):
        writing.write_outputs(build, {build / "briefing.pdf": b"%PDF new",
                                      build / "briefing.epub": b"PK epub"})
    assert (build / "briefing.pdf").read_bytes() == b"old pdf"  # the previous build's
    assert victim.read_bytes() == b"not briefing's"
    assert leftovers(build) == []


def test_a_target_outside_build_is_refused(build: Path, tmp_path: Path):
    with pytest.raises(BriefingError, match="refused to write outside build/"):
        writing.write_outputs(build, {tmp_path / "escaped.pdf": b"x"})
    assert not (tmp_path / "escaped.pdf").exists()
    assert leftovers(build) == []


def test_a_link_or_a_pipe_anywhere_in_build_stops_the_build(build: Path, tmp_path: Path):
    nested = build / ".work" / "deep"
    nested.mkdir(parents=True)
    (nested / "page.html").write_text("fine", "utf-8")
    writing.BuildDir(build).check_tree()  # only regular files and folders: accepted
    (nested / "escape").symlink_to(tmp_path)
    with pytest.raises(BriefingError) as caught:
        writing.BuildDir(build).check_tree()
    (problem,) = caught.value.problems
    assert (problem.message, problem.path) == ("a symbolic link inside build/",
                                               nested / "escape")
    (nested / "escape").unlink()
    os.mkfifo(build / "pipe")
    with pytest.raises(BriefingError, match=r"a named pipe \(FIFO\) inside build/"):
        writing.BuildDir(build).check_tree()


def test_a_scratch_folder_is_emptied_but_never_through_a_link(build: Path, tmp_path: Path):
    scratch = build / ".work"
    (scratch / "old").mkdir(parents=True)
    (scratch / "old" / "page.html").write_text("stale", "utf-8")
    writing.BuildDir(build).fresh(scratch)
    assert scratch.is_dir() and list(scratch.iterdir()) == []
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("keep", "utf-8")
    scratch.rmdir()
    scratch.symlink_to(outside)
    with pytest.raises(BriefingError, match="refused to write outside build/"):
        writing.BuildDir(build).fresh(scratch)
    assert (outside / "keep.txt").read_text("utf-8") == "keep"

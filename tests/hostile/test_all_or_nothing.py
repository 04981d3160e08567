"""The outputs of a build land together or not at all (class 7 of the hostile inputs).

A rename that fails half-way through puts back the files already renamed, and leaves no
temporary file; a target that is a link or a folder stops the build before any rename.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefing.errors import BriefingError
from briefing.model import config
from briefing.model.project import Project
from briefing.runtime import writing

from .test_hostile_inputs import tree_digests


@pytest.fixture
def project(tmp_path: Path) -> Project:
    from conftest import FIXTURES, copy_project

    root = copy_project(FIXTURES / "minimal", tmp_path / "project")
    (root / "build").mkdir()
    for name in ("briefing.pdf", "briefing.epub", "briefing.html"):
        (root / "build" / name).write_bytes(f"old {name}".encode())
    return config.load(root)


def test_a_rename_failing_half_way_puts_every_output_back(project, monkeypatch) -> None:
    before = tree_digests(project.build_dir)
    rendered = {project.build_dir / name: f"new {name}".encode()
                for name in ("briefing.pdf", "briefing.epub", "briefing.html", "briefing.bib")}
    real_replace, calls = os.replace, []

    def failing(src, dst):
        calls.append(dst)
        if len(calls) == 3:  # the third output: two are in place already
            raise OSError(28, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(BriefingError) as caught:
        writing.write_outputs(project.build_dir, rendered)
    monkeypatch.setattr(os, "replace", real_replace)
    assert "cannot write outputs: No space left on device" in caught.value.format()
    assert tree_digests(project.build_dir) == before
    assert sorted(p.name for p in project.build_dir.iterdir()) == [
        "briefing.epub", "briefing.html", "briefing.pdf"], "a temporary file was left"


def test_a_target_that_is_a_link_stops_before_any_rename(project, tmp_path) -> None:
    elsewhere = tmp_path / "elsewhere.epub"
    elsewhere.write_bytes(b"not ours")
    (project.build_dir / "briefing.epub").unlink()
    (project.build_dir / "briefing.epub").symlink_to(elsewhere)
    before = tree_digests(project.build_dir)
    rendered = {project.build_dir / name: b"new" for name in ("briefing.pdf", "briefing.epub")}
    with pytest.raises(BriefingError, match="exists and is not a regular file"):
        writing.write_outputs(project.build_dir, rendered)
    assert tree_digests(project.build_dir) == before
    assert elsewhere.read_bytes() == b"not ours"


@pytest.mark.parametrize("manifest", ["[]", "{", '{"context": 1, "inputs": "x"}',
                                      '{"inputs": {"../../etc/passwd": [1, 2, "x"]}}'])
def test_a_malformed_manifest_means_a_full_build(minimal: Path, manifest: str) -> None:
    from conftest import run_cli

    (minimal / "build" / ".cache").mkdir(exist_ok=True)
    (minimal / "build" / ".cache" / "manifest.json").write_text(manifest)
    result = run_cli(minimal, "build")
    assert result.code == 0, result.err
    assert "Up to date" not in result.err and "Loading and checking inputs" in result.err

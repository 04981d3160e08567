"""`briefing watch` takes build's --edition, --format, --allow-missing and --allow-stale
(issue 30): an edit to the English need not wait for the Dutch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from test_any_id import CORNERS, with_ids
from test_watch import _reader, _wait_for


def _watch(project: Path, *flags: str) -> list[str]:
    """The stderr of `briefing watch FLAGS` up to its first "watching for changes" (or
    60 s), then the watcher stopped."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing.cli", "--project", str(project), "watch",
         "--debounce", "100", *flags], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
        text=True)
    lines: list[str] = []
    try:
        _wait_for(_reader(proc), lines, "watching for changes", 60)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return lines


def test_watch_builds_one_edition_one_format_or_a_draft(tmp_path: Path):
    """Two editions, the second untranslated: watching all of them reports the missing
    translations; --edition the first with --format html builds its HTML alone; with
    --allow-missing both editions' HTML are built, as a draft."""
    ids = dict(CORNERS, **{"edition 1": "en", "edition 2": "nl"})
    project = with_ids(tmp_path / "project", ids)
    build = project / "build"

    lines = _watch(project, "--format", "html")
    assert any("build failed" in line for line in lines), lines
    assert any("translations missing" in line for line in lines), lines
    assert not build.exists() or not list(build.glob("briefing*")), lines

    lines = _watch(project, "--edition", "en", "--format", "html")
    assert any(line.startswith("built in") for line in lines), lines
    assert sorted(p.name for p in build.glob("briefing*.html")) == ["briefing.en.html",
                                                                    "briefing.html"]
    assert not list(build.glob("*.pdf")), lines

    lines = _watch(project, "--allow-missing", "--format", "html")
    assert any("built in" in line and "a draft" in line for line in lines), lines
    assert "[NOT TRANSLATED]" in (build / "briefing.nl.html").read_text("utf-8")
    assert not list(build.glob("*.pdf")), lines

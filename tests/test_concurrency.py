"""Two builds of one project never mix: the second waits; stale temporaries are removed."""

from __future__ import annotations

import subprocess
import sys

from conftest import digests


def test_two_builds_at_once_both_succeed_with_whole_outputs(minimal):
    command = [sys.executable, "-m", "briefing.cli", "--project", str(minimal),
               "--progress", "plain", "build"]
    first = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    errors = [p.communicate(timeout=300)[1] for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, errors
    assert any("Waiting for another build" in e for e in errors) or all(
        "done in" in e for e in errors), errors
    after = digests(minimal / "build")
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0
    assert digests(minimal / "build") == after  # whole, identical outputs


def test_stale_temporary_outputs_are_removed_by_the_next_build(minimal):
    stale = minimal / "build" / ".briefing.pdf.abc123.tmp"
    stale.write_bytes(b"half a PDF")
    result = subprocess.run([sys.executable, "-m", "briefing.cli", "--project", str(minimal),
                             "build", "--format", "epub"], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert not stale.exists()

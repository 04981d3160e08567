"""Every edition's slow work is started before the first is finished (recipe.py), so one
edition's Pandoc runs beside another's WeasyPrint layout. These tests hold that to what a
build of one edition at a time gives: the same bytes, the same error for a broken input
on every run, and nothing left running after a failure or Ctrl-C."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, copy_project, digests, interruptible, run_cli

ERROR_LINE = re.compile(r"^\S.*: error: |^  hint: ")


def _errors(err: str) -> list[str]:
    """The error report: each problem's line and hint, without progress lines."""
    return [line for line in err.splitlines() if ERROR_LINE.search(line)]


def _running_in(project: Path) -> list[str]:
    """Processes still running whose command line names the project (Pandoc, WeasyPrint
    workers, Graphviz: each is given paths inside build/)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8",
                                                                                  "replace")
        except OSError:
            continue
        if str(project) in command:
            found.append(command)
    return found


def _break_dutch_heading(project: Path) -> None:
    """A Dutch heading with raw LaTeX: English composes and renders; the Dutch edition
    fails in Pandoc, while the English one is being laid out."""
    catalogue = project / "locale" / "nl.po"
    text = catalogue.read_text("utf-8")
    assert text.count('\nmsgstr "Inleiding"\n') == 1
    catalogue.write_text(text.replace('\nmsgstr "Inleiding"\n',
                                      '\nmsgstr "Inleiding \\\\newpage{}"\n'), "utf-8")


def test_both_editions_at_once_make_the_bytes_of_each_edition_alone(built_real, tmp_path):
    together = digests(built_real / "build")
    for edition in ("en", "nl"):
        alone = copy_project(built_real, tmp_path / edition)
        result = run_cli(alone, "build", "--edition", edition)
        assert result.code == 0, result.err
        built = digests(alone / "build")
        assert any(f".{edition}." in name for name in built), built
        assert built == {name: together[name] for name in built}, edition


def test_a_broken_dutch_input_gives_the_same_error_every_run(built_real, tmp_path):
    project = copy_project(built_real, tmp_path / "project", with_build=True)
    before = digests(project / "build")
    _break_dutch_heading(project)
    alone = run_cli(project, "build", "--edition", "nl")
    assert alone.code == 1
    expected = _errors(alone.err)
    assert expected and "raw LaTeX" in expected[0], alone.err
    shutil.rmtree(project / "build" / ".cache")  # the first run of both: nothing cached
    for _ in range(3):
        result = run_cli(project, "build")
        assert result.code == 1, result.err
        assert _errors(result.err) == expected, result.err
        assert "Traceback" not in result.err
        assert digests(project / "build") == before  # nothing written
        assert not _running_in(project)


def test_ctrl_c_while_both_editions_render_leaves_nothing_running(tmp_path):
    project = copy_project(ROOT, tmp_path / "project")
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing.cli", "--project", str(project), "--progress",
         "plain", "build"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        preexec_fn=interruptible)
    seen = []
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            seen.append(line)
            if "[nl] Pandoc" in line:  # the Dutch edition started, the English one runs
                break
        else:
            raise AssertionError("".join(seen))
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()
    assert code == 130, "".join(seen)
    deadline = time.monotonic() + 5
    while _running_in(project) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running_in(project)
    assert not list((project / "build").glob("briefing*"))  # nothing written

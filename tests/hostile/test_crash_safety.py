"""Crash safety: a build killed at any moment leaves either the previous outputs or the new
complete ones, never a truncated file; the next build needs no manual cleanup. Ctrl-C and
SIGTERM stop cleanly. Real builds, killed for real, of a small project made for this suite
(tests/fixtures/crash: every stage of a build, Graphviz to the last rename, in a few
seconds), not of the whole flagship: what is tested is the stages, not the content."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import FIXTURES, copy_project, interruptible

from .test_hostile_inputs import tree_digests

STAGES = ["Loading and checking inputs", "Composing chapters", "Graphviz: argument map",
          "Pandoc: Markdown -> HTML", "WeasyPrint: HTML -> PDF", "Pandoc: Markdown -> EPUB",
          "Pandoc: Markdown -> DOCX", "Writing outputs"]
# 20 moments: two in each stage, and four more in the last one, where files are renamed.
MOMENTS = [(stage, delay) for stage in STAGES[:-1] for delay in (0.0, 0.25)] + [
    (STAGES[-1], delay) for delay in (0.0, 0.001, 0.002, 0.004, 0.008, 0.015)]


class Build:
    """`briefing build` in its own session (as from a terminal), its progress lines read
    as they come."""

    def __init__(self, project: Path):
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "briefing.cli", "--project", str(project), "--progress",
             "plain", "build"],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
            preexec_fn=interruptible,
            start_new_session=True)
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        with self.proc.stderr:  # closed at the child's end, before the test lets go of it
            for line in self.proc.stderr:
                self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 120) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(text in line for line in self.lines):
                return True
            if self.proc.poll() is not None:
                self.reader.join(timeout=5)
                return any(text in line for line in self.lines)
            time.sleep(0.0005)
        return False

    def stage(self) -> str:
        shown = [line[2:] for line in self.lines if line.startswith("· ")]
        return shown[-1] if shown else "starting"

    def finish(self, timeout: float = 120) -> int:
        code = self.proc.wait(timeout=timeout)
        self.reader.join(timeout=5)
        return code


def workers_of(project: Path) -> list[str]:
    """Pandoc or WeasyPrint processes still working on this project."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        # Pandoc's arguments and the PDF worker's (`python -m briefing.pdf WORKDIR`) name
        # the project.
        if str(project) in cmdline:
            found.append(cmdline)
    return found


def no_workers_left(project: Path, within: float = 5.0) -> bool:
    end = time.monotonic() + within
    while time.monotonic() < end:
        if not workers_of(project):
            return True
        time.sleep(0.05)
    return False


EDIT = ("Reports on company credit scores and on the state system appeared at the same time.",
        "Reports on company scores and on the state system appeared in the same weeks.")


@pytest.fixture(scope="module")
def built_small(tmp_path_factory) -> Path:
    """The crash suite's project, built once (its outputs are the "previous" ones)."""
    project = copy_project(FIXTURES / "crash", tmp_path_factory.mktemp("crash-built"))
    build = Build(project)
    assert build.finish() == 0, "\n".join(build.lines)
    return project


def _edit(project: Path) -> None:
    seed = project / "seeds" / "derksen.yaml"
    text = seed.read_text("utf-8")
    assert EDIT[0] in text
    seed.write_text(text.replace(*EDIT, 1), "utf-8")


@pytest.fixture(scope="module")
def new_outputs(tmp_path_factory, built_small: Path) -> dict[str, str]:
    """The complete outputs of the edited inputs, built once in another directory."""
    reference = copy_project(built_small, tmp_path_factory.mktemp("reference"))
    _edit(reference)
    build = Build(reference)
    assert build.finish() == 0, "\n".join(build.lines)
    return tree_digests(reference / "build")


@pytest.fixture
def edited(tmp_path: Path, built_small: Path, new_outputs):
    """A built project whose input has just changed, with the digests of its old outputs
    and of the new complete ones."""
    project = copy_project(built_small, tmp_path / "project", with_build=True)
    old = tree_digests(project / "build")
    _edit(project)
    assert set(new_outputs) == set(old)
    assert all(new_outputs[k] != old[k] for k in ("briefing.pdf", "briefing.epub"))
    return project, old, new_outputs


def test_sigkill_at_twenty_moments_never_leaves_a_broken_output(edited):
    project, old, new = edited
    landed = []
    for stage, delay in MOMENTS:
        # Each run does the full work: without this, a run after one that completed
        # would be a no-op, and stages served from the cache would pass in a blink.
        shutil.rmtree(project / "build" / ".cache", ignore_errors=True)
        build = Build(project)
        assert build.wait_for(stage), f"never reached {stage!r}: {build.lines}"
        time.sleep(delay)
        build.proc.kill()  # SIGKILL to briefing alone, as the OOM killer would
        build.finish()
        landed.append(build.stage())
        outputs = tree_digests(project / "build")
        assert set(outputs) == set(old), f"unexpected files after a kill in {stage}"
        for name, digest in outputs.items():
            assert digest in (old[name], new[name]), f"{name} is truncated or mixed " \
                f"after a kill at {stage} + {delay} s"
        assert no_workers_left(project), f"Pandoc or WeasyPrint outlived briefing: " \
            f"{workers_of(project)}"
    assert len(landed) == 20
    assert len(set(landed)) >= 7, f"kills did not spread over the stages: {landed}"

    build = Build(project)  # the next build: no manual cleanup
    assert build.finish() == 0, "\n".join(build.lines)
    assert tree_digests(project / "build") == new
    assert not list((project / "build").glob(".*.tmp")), "stale temporary files were kept"


@pytest.mark.parametrize(("stage", "delay"), [("Loading and checking inputs", 0.0),
                                              ("WeasyPrint: HTML -> PDF", 1.0),
                                              ("Pandoc: Markdown -> EPUB", 0.05)])
def test_ctrl_c_stops_cleanly(edited, stage, delay):
    project, old, _ = edited
    build = Build(project)
    assert build.wait_for(stage)
    time.sleep(delay)
    os.killpg(build.proc.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C
    code = build.finish()
    err = "\n".join(build.lines)
    assert code == 130, err
    assert "Traceback" not in err
    assert "interrupted" in build.lines[-1]
    assert tree_digests(project / "build") == old
    assert not list((project / "build").glob(".*.tmp"))
    assert no_workers_left(project)


def test_sigterm_stops_cleanly(edited):
    project, old, _ = edited
    build = Build(project)
    assert build.wait_for("WeasyPrint: HTML -> PDF")
    time.sleep(0.5)
    build.proc.terminate()
    code = build.finish()
    err = "\n".join(build.lines)
    assert code == 143, err
    assert "Traceback" not in err and "terminated" in build.lines[-1]
    assert tree_digests(project / "build") == old
    assert no_workers_left(project)

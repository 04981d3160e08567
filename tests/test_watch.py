"""`briefing watch`: rebuilds on a saved change, reports a broken edit and keeps watching."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import copy_project, digests, interruptible, run_cli


def _reader(proc) -> queue.Queue:
    """Read the child's stderr in a thread, so every wait below has a real deadline."""
    lines: queue.Queue = queue.Queue()

    def pump():
        with proc.stderr:  # closed at the child's end, before the test lets go of it
            for line in proc.stderr:
                lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _watch(project: Path) -> tuple[subprocess.Popen, list[str], queue.Queue]:
    """`briefing watch` on the project, with its stderr read line by line."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing.cli", "--project", str(project), "watch",
         "--debounce", "100"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, preexec_fn=interruptible)
    return proc, [], _reader(proc)


def _wait_for(stream: queue.Queue, seen: list[str], text: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = stream.get(timeout=left)
        except queue.Empty:
            return False
        seen.append(line)
        if text in line:
            return True
    return False


def test_watch_rebuilds_and_survives_a_broken_edit(minimal):
    proc, lines, stream = _watch(minimal)
    try:
        assert _wait_for(stream, lines, "watching for changes", 60), lines
        pdf = minimal / "build" / "briefing.pdf"
        first = pdf.read_bytes()
        chapter = minimal / "chapters" / "01-overview.md.j2"
        chapter.write_text(chapter.read_text("utf-8") + "\nA paragraph added while watching.\n")
        assert _wait_for(stream, lines, "watching for changes", 60), lines
        assert pdf.read_bytes() != first
        good = pdf.read_bytes()
        chapter.write_text(chapter.read_text("utf-8") + "\n{{ broken\n")
        assert _wait_for(stream, lines, "previous outputs kept", 60), lines
        assert any("chapters/01-overview.md.j2:" in line for line in lines), lines
        assert pdf.read_bytes() == good
        assert proc.poll() is None, "watch stopped after a broken edit"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_watch_open_opens_the_pdf_once(minimal, tmp_path):
    """--open hands the PDF to the desktop's opener (xdg-open on Linux) after the first
    good build; a stand-in opener on PATH records what it was asked to open."""
    opener = tmp_path / "bin" / "xdg-open"
    opener.parent.mkdir()
    record = tmp_path / "opened.txt"
    opener.write_text(f'#!/bin/sh\necho "$@" >> {record}\n')
    opener.chmod(0o755)
    env = dict(os.environ, PATH=f"{opener.parent}:{os.environ['PATH']}")
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing.cli", "--project", str(minimal), "watch",
         "--debounce", "100", "--open"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env,
        preexec_fn=interruptible)
    lines: list[str] = []
    stream = _reader(proc)
    try:
        assert _wait_for(stream, lines, "watching for changes", 60), lines
        chapter = minimal / "chapters" / "01-overview.md.j2"
        chapter.write_text(chapter.read_text("utf-8") + "\nAnother paragraph.\n")
        assert _wait_for(stream, lines, "watching for changes", 60), lines
        deadline = time.monotonic() + 10
        while not record.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        opened = record.read_text().split()
        assert opened == [str(minimal / "build" / "briefing.pdf")], opened
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_watch_survives_a_link_to_outside_the_project(minimal, tmp_path):
    """A link that leads out of the project (or loops) appearing while watching: the build
    it sets off reports it in one message and watch goes on, without a traceback."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret\n")
    proc, lines, stream = _watch(minimal)
    try:
        assert _wait_for(stream, lines, "watching for changes", 60), lines
        (minimal / "seeds" / "leak.yaml").symlink_to(outside / "secret.txt")
        (minimal / "loop.txt").symlink_to(minimal / "loop.txt")
        (minimal / "elsewhere").symlink_to(outside)
        assert _wait_for(stream, lines, "previous outputs kept", 60), lines
        assert any("seeds/leak.yaml: error: a link to a file outside the project" in line
                   for line in lines), lines
        assert proc.poll() is None, "watch stopped"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert not any("Traceback" in line for line in lines), lines


def _workers_of(pid: int) -> set[int]:
    """The WeasyPrint worker processes among a process's children."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = int(re.search(r"^PPid:\s+(\d+)", status, re.M).group(1))
        if parent == pid and b"briefing.outputs.pdf.worker" in command:
            found.add(int(entry.name))
    return found


def test_watch_keeps_its_workers_warm_and_stops_them_on_sigterm(minimal, tmp_path):
    """The WeasyPrint workers serve every rebuild (a killed one is replaced), the outputs
    are byte for byte a cold build's, and SIGTERM stops watch and its workers."""
    proc, lines, stream = _watch(minimal)
    chapter = minimal / "chapters" / "01-overview.md.j2"
    kept: set[int] = set()
    try:
        assert _wait_for(stream, lines, "watching for changes", 60), lines
        first = _workers_of(proc.pid)
        assert first, "no worker kept after the first build"
        chapter.write_text(chapter.read_text("utf-8") + "\nA paragraph added while watching.\n")
        assert _wait_for(stream, lines, "watching for changes", 60), lines
        assert _workers_of(proc.pid) == first  # the same processes served the rebuild
        cold = copy_project(minimal, tmp_path / "cold")
        assert run_cli(cold, "build").code == 0
        assert digests(minimal / "build") == digests(cold / "build")

        killed = min(first)
        os.kill(killed, signal.SIGKILL)
        chapter.write_text(chapter.read_text("utf-8") + "\nAnother paragraph.\n")
        assert _wait_for(stream, lines, "watching for changes", 60), lines
        assert not any("build failed" in line for line in lines), lines
        kept = _workers_of(proc.pid)
        assert kept and killed not in kept and kept & first == first - {killed}
    finally:
        proc.terminate()
        code = proc.wait(timeout=20)
    assert code == 143, lines
    assert not any(Path(f"/proc/{pid}").exists() for pid in kept), "a worker outlived watch"
    assert not any("Traceback" in line for line in lines), lines


def test_ctrl_c_stops_watch_and_its_workers(minimal):
    proc, lines, stream = _watch(minimal)
    kept: set[int] = set()
    try:
        assert _wait_for(stream, lines, "watching for changes", 60), lines
        kept = _workers_of(proc.pid)
        assert kept
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=20)
    assert code == 130, lines
    assert not any(Path(f"/proc/{pid}").exists() for pid in kept), "a worker outlived watch"


def test_a_kept_worker_is_replaced_when_the_engine_changes(tmp_path, monkeypatch):
    """Under kept_warm a worker serves the next layout, until a file of the engine changes
    (the worker runs the code and fonts it loaded at its start): then a new one does."""
    from briefing.outputs.pdf import workers

    engine = tmp_path / "engine"
    engine.mkdir()
    (engine / "print.css").write_text("p { margin: 0 }\n")
    monkeypatch.setattr(workers, "ENGINE_DIR", engine)
    page = "<html lang='en'><head><title>T</title></head><body><p>Hello</p></body></html>"

    def lay_out() -> set[int]:
        with workers.Workers(tmp_path, 0, tmp_path, 1) as pool:
            laid = pool.run([workers.Job(page, tmp_path / "page.html", [])])
            assert laid[0].pdf.startswith(b"%PDF")
            return {child.pid for child in pool.children}

    with workers.kept_warm():
        first = lay_out()
        assert lay_out() == first
        (engine / "print.css").write_text("p { margin: 1em }\n")
        replaced = lay_out()
        assert replaced and not replaced & first
        assert not any(Path(f"/proc/{pid}").exists() for pid in first)
    assert not any(Path(f"/proc/{pid}").exists() for pid in replaced)

"""`briefing watch`: rebuilds on a saved change, reports a broken edit and keeps watching."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time


def _reader(proc) -> queue.Queue:
    """Read the child's stderr in a thread, so every wait below has a real deadline."""
    lines: queue.Queue = queue.Queue()

    def pump():
        for line in proc.stderr:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


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
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing.cli", "--project", str(minimal), "watch",
         "--debounce", "100"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    stream = _reader(proc)
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
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
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
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing.cli", "--project", str(minimal), "watch",
         "--debounce", "100"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    stream = _reader(proc)
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

"""Shared fixtures: real projects copied to temporary directories, built with the real tools."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The flagship's version and date as briefing.toml says them now: tests that read them in
# the outputs follow each release instead of naming one.
FLAGSHIP = tomllib.loads((ROOT / "briefing.toml").read_text("utf-8"))["document"]
FLAGSHIP_VERSION: str = FLAGSHIP["version"]


def flagship_date(edition: str = "en") -> str:
    """The flagship's date as the edition prints it: "6 December 2026" (Babel's CLDR)."""
    from babel.dates import format_date

    return format_date(FLAGSHIP["date"], "d MMMM y", locale=edition)
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROJECT_FILES = ("briefing.toml", "analysis.yaml", "chapters", "seeds", "bib", "locale",
                 "releases", "style")
# Two editions, English (the default) and Dutch, for a project's briefing.toml.
EDITIONS = """
[editions.en]
language = "en-GB"
identifier = "urn:uuid:00000000-0000-4000-8000-0000000000e1"

[editions.nl]
language = "nl-NL"
identifier = "urn:uuid:00000000-0000-4000-8000-0000000000e2"
"""


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(project: Path, *args: str, env: dict | None = None) -> Result:
    """Run the real `briefing` command in a child process, as a user would."""
    full_env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "briefing.cli", "--project", str(project), "--progress", "plain",
         *args],
        capture_output=True, text=True, env=full_env, timeout=600,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


# A second source by the minimal fixture's author (two sources, one voice), with the
# relations given (YAML list items, or "[]").
SECOND_SEED = """\
source:
  id: second
  key: derksen2016sociaalkrediet
  title: A second post
  language: nl
  reporter: marco-derksen
  paragraphs:
    1: Een tweede bericht over het systeem.
claims:
  - id: second-post
    perspective: press
    kind: fact
    statement: A second post on the system.
    holders: [marco-derksen]
    cites: [1]
relations: RELATIONS
"""


def second_seed(relations: str) -> str:
    """seeds/second.yaml for the minimal fixture, with these relations."""
    return SECOND_SEED.replace("RELATIONS", relations)


def own_words(project: Path) -> None:
    """The scaffold's replace-me texts replaced, as an author does before publishing
    (left in place they are warnings: compose/placeholders.py)."""
    from briefing.compose.placeholders import MARKERS

    for path in [project / "briefing.toml", *sorted((project / "chapters").iterdir())]:
        text = path.read_text("utf-8")
        for marker in MARKERS:
            text = text.replace(marker, "Our own words")
        path.write_text(text, "utf-8")


def copy_project(source: Path, target: Path, with_build: bool = False) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        path = source / name
        if path.is_dir():
            shutil.copytree(path, target / name)
        elif path.is_file():
            shutil.copy2(path, target / name)
    if with_build and (source / "build").is_dir():
        shutil.copytree(source / "build", target / "build",
                        ignore=shutil.ignore_patterns(".work", ".work-*", ".cache"))
    return target


def digests(build_dir: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(build_dir.glob("*")) if p.is_file()}


def built_once(tmp_path_factory, name: str, source: Path) -> Path:
    """A copy of `source` built with the real CLI once for the whole run: with xdist, the
    first worker to ask builds it in the run's shared folder while the others wait for it,
    instead of each building its own (the flagship costs a minute of both cores). The
    tests only read it; those that change a project work on a copy."""
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, above each worker's own
    project, done = base / name, base / f"{name}.built"
    with FileLock(str(base / f"{name}.lock")):
        if not done.exists():
            shutil.rmtree(project, ignore_errors=True)  # a failed attempt's
            copy_project(source, project)
            result = run_cli(project, "build")
            assert result.code == 0, result.err
            done.touch()
    return project


@pytest.fixture(scope="session")
def built_minimal(tmp_path_factory) -> Path:
    """The minimal fixture project, built once with the real pandoc and WeasyPrint."""
    return built_once(tmp_path_factory, "minimal-built", FIXTURES / "minimal")


@pytest.fixture
def minimal(tmp_path, built_minimal) -> Path:
    """A fresh copy of the minimal project, with its good outputs already in build/."""
    return copy_project(built_minimal, tmp_path / "project", with_build=True)


@pytest.fixture(scope="session")
def built_styled(tmp_path_factory) -> Path:
    """The second-style fixture (tests/fixtures/styled: its own logo, colours, fonts, US
    Letter, continuous chapters, a report and a brief), built once for the whole run."""
    return built_once(tmp_path_factory, "styled-built", FIXTURES / "styled")


@pytest.fixture(scope="session")
def built_real(tmp_path_factory) -> Path:
    """The real briefing of this repository, built once into a temporary copy."""
    return built_once(tmp_path_factory, "real", ROOT)


def interruptible() -> None:
    """A child's Ctrl-C as a terminal gives it (preexec_fn): SIGINT handled by default and
    not blocked, whatever this test process inherited or a library in it changed (an
    ignored or blocked signal passes through exec; Python then keeps ignoring it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})


@contextmanager
def listen() -> Iterator[tuple[int, list[int]]]:
    """A TCP listener on loopback that records every connection: (port, hits)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    hits: list[int] = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                hits.append(1)
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], hits
    finally:
        stop.set()
        thread.join(timeout=2)
        server.close()


@pytest.fixture
def listener():
    """listen() for one test: (port, hits)."""
    with listen() as found:
        yield found


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, one per test process (Playwright's sync API allows one
    at a time), for every test that opens an output as a reader would."""
    from playwright.sync_api import sync_playwright

    from checkers.tools import chromium

    path = chromium()
    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield launched
        launched.close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The fast tier's project: a fresh copy of the minimal fixture (never changed itself).
    tests/hostile has its own: a copy of the real briefing."""
    return copy_project(FIXTURES / "minimal", tmp_path / "project")


@pytest.fixture
def edit():
    """Replace text that must stand exactly once in the file (so an edit never silently
    misses and leaves the test checking the unchanged project)."""

    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text("utf-8")
        assert text.count(old) == 1, f"{old!r} is not in {path.name} exactly once"
        path.write_text(text.replace(old, new), "utf-8")

    return replace

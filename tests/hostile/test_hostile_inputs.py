"""Hostile inputs: whatever an author (or a file from elsewhere) feeds briefing, it answers
with one clear message and loses nothing.

Every case runs the real `briefing build` (real Pandoc, real WeasyPrint; in this process
unless the case arranges the process itself) on a mutated copy
of the real briefing whose good outputs are already in build/ (with the good build's stage
cache, but for the cases that set limits, an environment or a setup or plant something in
the cache), and asserts: exit code 1;
exactly one message, `file:line: error: ...` plus a hint; no traceback; build/ byte for
byte as before; the secret outside the project in no file under build/ (zip members and
PDF streams included); no marker file from injected code; no connection to the listener.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import traceback
import zipfile
from pathlib import Path

import pikepdf
import pytest

from .cases import CASES, ROUND_TWO, Case
from .conftest import SECRET

LINE_RE_SUFFIX = ": error: "


def tree_digests(build: Path) -> dict[str, str]:
    """Every output in build/ (not the scratch directory), by name; a directory or a
    link is recorded as such, so replacing one is noticed too."""
    found = {}
    for path in sorted(build.iterdir()):
        if path.name.startswith("."):
            continue
        if path.is_symlink():
            found[path.name] = "link:" + os.readlink(path)
        elif path.is_dir():
            found[path.name] = "dir:" + ",".join(sorted(p.name for p in path.iterdir()))
        else:
            found[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@functools.cache
def clean_files(good_build: Path) -> frozenset[str]:
    """The digests of every file the good build wrote (outputs, cache, scratch), each shown
    once, decompressed, to hold no secret: a file byte-identical to one of them holds none
    either, so each case reads only what its build wrote anew (most of build/ is the good
    build's, copied in; decompressing every cached PDF part again took 2.4 s a case)."""
    assert SECRET.encode() not in everything_written(good_build)
    return frozenset(hashlib.sha256(path.read_bytes()).hexdigest()
                     for path in good_build.rglob("*") if path.is_file() and not path.is_symlink())


def everything_written(build: Path, clean: frozenset[str] = frozenset()) -> bytes:
    """All bytes under build/ (scratch files too), with zip members and PDF streams
    decompressed, so a secret cannot hide behind compression; files in `clean` (by their
    digest: clean_files) are left out."""
    chunks = []
    for path in build.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        if clean and hashlib.sha256(data).hexdigest() in clean:
            continue
        chunks.append(data)
        if data[:2] == b"PK":
            with contextlib.suppress(zipfile.BadZipFile), zipfile.ZipFile(path) as archive:
                chunks.extend(archive.read(name) for name in archive.namelist())
        if data[:5] == b"%PDF-":
            with contextlib.suppress(pikepdf.PdfError), pikepdf.open(path) as pdf:
                for obj in pdf.objects:
                    if isinstance(obj, pikepdf.Stream):
                        with contextlib.suppress(pikepdf.PdfError):
                            chunks.append(obj.read_bytes())
    return b"".join(chunks)


def expected_line(project: Path, case: Case) -> int | None:
    if case.at is None or isinstance(case.at, int):
        return case.at
    data = (project / case.file).read_bytes()
    index = data.find(case.at.encode("utf-8"))
    assert index >= 0, f"{case.at!r} not in {case.file}"
    return data.count(b"\n", 0, index) + 1


@contextlib.contextmanager
def environment(project: Path, setup: str):
    """Arrange a hostile environment; yields a preexec function for the child, if any."""
    build = project / "build"
    if setup == "disk-full":
        # A file-size limit makes every write past 64 KiB fail with EFBIG, as a full disk
        # fails with ENOSPC; Python ignores SIGXFSZ, so the write raises instead of killing.
        def small_files() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))
        yield small_files
    elif setup == "read-only-build":
        if os.geteuid() != 0:
            build.chmod(0o555)
            try:
                yield None
            finally:
                build.chmod(0o755)
        else:  # root writes through permissions: make build/ a read-only bind mount
            mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(build), str(build)],
                                     capture_output=True).returncode == 0
            if not mounted:
                pytest.skip("running as root without permission to mount: cannot make "
                            "build/ unwritable here")
            try:
                yield None
            finally:
                subprocess.run(["umount", str(build)], check=False)
    else:
        yield None


def run_build(project: Path, preexec=None, extra_env: dict | None = None
              ) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(extra_env or {})
    return subprocess.run([sys.executable, "-m", "briefing.cli", "--project", str(project),
                           "--quiet", "build"], capture_output=True, text=True, env=env,
                          timeout=600, preexec_fn=preexec)


def build_here(project: Path) -> subprocess.CompletedProcess:
    """The same `briefing build --quiet`, run in this process by click's runner: the case's
    CPU time was mostly the child's start and imports. The engine, its checks and its own
    children (Pandoc, the WeasyPrint workers, each bounded) are the same; an exception that
    escapes the CLI's handling is printed with its traceback, as the child would print it."""
    from click.testing import CliRunner

    from briefing import cli

    sigterm = signal.getsignal(signal.SIGTERM)  # the CLI sets its own
    try:
        result = CliRunner().invoke(cli.main, ["--project", str(project), "--quiet", "build"],
                                    env={"SOURCE_DATE_EPOCH": None})
    finally:
        signal.signal(signal.SIGTERM, sigterm)
    err = result.stderr
    if result.exc_info and not isinstance(result.exception, SystemExit):
        err += "".join(traceback.format_exception(*result.exc_info))
    return subprocess.CompletedProcess(["briefing", "build"], result.exit_code, result.stdout,
                                       err)


def untouchable(project: Path, outside: Path) -> dict[str, tuple]:
    """Every file outside the project's build/ that a build may not change: the project's
    inputs and the planted tree next to it. Links are recorded, not followed; named pipes
    are never opened; a huge (sparse) file by size and modification time."""
    found: dict[str, tuple] = {}
    for top in (project, outside):
        for folder, dirs, names in os.walk(top, followlinks=False):
            here = Path(folder)
            if here == project:
                dirs[:] = [d for d in dirs if d != "build"]
            for name in [*names, *(d for d in dirs if (here / d).is_symlink())]:
                path = here / name
                info = path.lstat()
                if path.is_symlink():
                    entry = ("link", os.readlink(path))
                elif not path.is_file():
                    entry = ("special", info.st_mode)
                elif info.st_size > 64 << 20:
                    entry = ("big", info.st_size, info.st_mtime_ns)
                else:
                    entry = (hashlib.sha256(path.read_bytes()).hexdigest(), info.st_mtime_ns)
                found[str(path)] = entry
    return found


def set_limits(project: Path, limits: dict) -> None:
    if limits:
        with (project / "briefing.toml").open("a", encoding="utf-8") as config:
            config.write("\n[limits]\n" + "".join(f"{k} = {v}\n" for k, v in limits.items()))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(project: Path, world, case: Case, built_real: Path) -> None:
    if not (case.setup or case.limits or case.env or case.file.startswith("build/.cache")):
        # The stage cache of the good build (signed with this user's key, so trusted), as
        # an author who edits a built project has it: what the mutation leaves alone is
        # reused, and the build meets the mutation in seconds, not after a cold build of
        # the whole flagship. Not the manifest, which would call the build up to date; not
        # for a case that plants its own thing in the cache.
        shutil.copytree(built_real / "build" / ".cache", project / "build" / ".cache",
                        ignore=shutil.ignore_patterns("manifest.json"), dirs_exist_ok=True)
    if case.setup == "manifest":  # the last build's record: the build is up to date
        (project / "build" / ".cache").mkdir(exist_ok=True)
        shutil.copy2(built_real / "build" / ".cache" / "manifest.json",
                     project / "build" / ".cache" / "manifest.json")
    case.mutate(project, world)
    set_limits(project, case.limits)
    before = tree_digests(project / "build")
    kept = untouchable(project, world.outside)

    with environment(project, case.setup) as preexec:
        # A case that arranges the process itself (a setup, an environment, limits) runs
        # the command as a child; every other runs it here.
        result = (run_build(project, preexec, case.env)
                  if case.setup or case.env or case.limits else build_here(project))
        after = tree_digests(project / "build")

    err = result.stderr
    assert "Traceback" not in err + result.stdout
    assert result.returncode == 1, f"exit {result.returncode}\n{err}"
    lines = err.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("  hint: "), \
        f"expected one message and one hint, got:\n{err}"
    line = expected_line(project, case)
    where = f"{case.file}:{line}" if line else case.file
    assert lines[0].startswith(where + LINE_RE_SUFFIX), f"expected {where}, got:\n{err}"
    assert case.message in lines[0], err
    assert case.hint in lines[1], err
    assert after == before, "build/ outputs changed after a failed build"
    assert untouchable(project, world.outside) == kept, "a file outside build/ changed"
    assert SECRET.encode() not in everything_written(project / "build",
                                                     clean_files(built_real / "build"))
    assert not world.marker.exists(), "injected code ran"
    assert world.hits == [], "briefing connected to the network"


def test_the_suite_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len(ROUND_TWO) >= 50
    assert len({c.id for c in CASES}) == len(CASES)

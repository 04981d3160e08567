"""Bounds on time and memory, so that no input can make a build hang or eat the machine.

Three mechanisms, one per kind of work:
- external programs (Pandoc, the WeasyPrint worker) run as children with a wall-clock
  timeout, an address-space limit where the program tolerates one, and a parent-death
  signal, so a killed build never leaves them running;
- template rendering runs in this process under SIGALRM (a Jinja2 loop is pure Python,
  so the alarm can interrupt it) and a temporary address-space cap;
- file sizes are checked before anything is parsed (see build.load).
A limit that is hit becomes a BriefingError naming the stage, the input and the setting.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

from briefing.errors import BriefingError

MIB = 1024 * 1024
LAUNCHER = "briefing.runtime.limited"  # sets a child's bounds, then execs it


class TimeLimit(Exception):  # noqa: N818 - raised by the alarm, turned into a BriefingError
    """The alarm went off inside a bounded block."""


def _vm_size() -> int:
    """This process's current address-space size in bytes (Linux /proc; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


@contextlib.contextmanager
def address_space(extra_mib: float) -> Iterator[None]:
    """Cap this process's address space at its current size plus extra_mib inside the block:
    a template that builds a gigantic string gets a MemoryError, not the OOM killer."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    current = _vm_size()
    if not current:
        yield
        return
    limit = current + int(extra_mib * MIB)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft != resource.RLIM_INFINITY:
        limit = min(limit, soft)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextlib.contextmanager
def alarm(seconds: float) -> Iterator[None]:
    """Raise TimeLimit in the main thread after `seconds`. Elsewhere (a thread has no
    SIGALRM) the block runs unbounded; briefing's own entry points run in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def ring(signum, frame):
        raise TimeLimit()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _start(cmd: Sequence[str], memory_mib: float | None, cpu_seconds: float,
           **popen) -> subprocess.Popen:
    """Popen(cmd, **popen) in its own process group, with a parent-death signal, an
    address-space limit (without memory_mib: the hard limit) and a CPU-time limit.
    A preexec function could set these between fork and exec, but it may deadlock a parent
    with threads, so the launcher (runtime/limited.py) sets them and then execs cmd.
    Raises OSError, as Popen does, if cmd cannot be run; returns once cmd runs."""
    cmd = list(cmd)
    memory = int(memory_mib * MIB) if memory_mib else resource.RLIM_INFINITY
    cpu = int(cpu_seconds) + 5  # CPU time as a second line of defence behind the timeout
    read_end, write_end = os.pipe()
    with open(read_end, "rb") as report:
        try:
            # -I: the installed briefing, whatever PYTHONPATH or the working directory hold
            child = subprocess.Popen(
                [sys.executable, "-I", "-m", LAUNCHER, f"--parent={os.getpid()}",
                 f"--memory={memory}", f"--cpu={cpu}", f"--report={write_end}", "--", *cmd],
                process_group=0, pass_fds=(write_end,), **popen)
        finally:
            os.close(write_end)
        try:
            failed = report.read()  # nothing, at EOF: the launcher has become cmd
        except BaseException:
            child.kill()
            child.wait()
            raise
    if failed:
        child.wait()
        for stream in (child.stdin, child.stdout, child.stderr):
            if stream:
                stream.close()
        errno, _, message = failed.decode("utf-8", "replace").partition(":")
        if int(errno):
            raise OSError(int(errno), os.strerror(int(errno)), cmd[0])
        raise subprocess.SubprocessError(f"cannot bound {cmd[0]}: {message}")
    child.args = cmd  # what the caller ran, not the launcher
    return child


_RUNNING: set[subprocess.Popen] = set()
_RUNNING_LOCK = threading.Lock()


def stop_all() -> None:
    """Kill every child still running (Ctrl-C, or another stage failed first)."""
    with _RUNNING_LOCK:
        children = list(_RUNNING)
    for child in children:
        with contextlib.suppress(OSError):
            child.kill()


def run(cmd: Sequence[str], *, stage: str, subject: Path | None, seconds: float,
        setting: str, memory_mib: float | None = None, stdin: bytes | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run an external step with a timeout (and an address-space limit if given).

    The child gets its own process group, so Ctrl-C reaches only briefing, which then
    stops every child (stop_all) and exits cleanly. Safe to call from several threads.
    """
    try:
        child = _start(cmd, memory_mib, seconds,
                       stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    except OSError as exc:
        raise BriefingError.at(f"cannot run {stage}: {exc.strerror or exc}", subject, None,
                               "reinstall with 'make'") from None
    with _RUNNING_LOCK:
        _RUNNING.add(child)
    try:
        out, err = child.communicate(stdin, timeout=seconds)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise BriefingError.at(
            f"{stage} did not finish within {seconds:g} s", subject, None,
            f"look for runaway content (deeply nested lists, huge tables or paragraphs); "
            f"if the document really is this large, raise limits.{setting} in briefing.toml",
        ) from None
    except BaseException:
        child.kill()
        child.wait()
        raise
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(child)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def spawn(cmd: Sequence[str], *, stage: str, subject: Path | None, seconds: float,
          memory_mib: float | None, stderr, env: dict[str, str] | None = None
          ) -> subprocess.Popen:
    """Start a long-lived child that talks over pipes (the WeasyPrint workers), with the
    same bounds as run(): its own process group, a parent-death signal, an address-space
    and a CPU-time limit. The caller enforces the wall-clock limit and calls reap()."""
    try:
        child = _start(cmd, memory_mib, seconds, stdin=subprocess.PIPE,
                       stdout=subprocess.PIPE, stderr=stderr, env=env)
    except OSError as exc:
        raise BriefingError.at(f"cannot run {stage}: {exc.strerror or exc}", subject, None,
                               "reinstall with 'make'") from None
    with _RUNNING_LOCK:
        _RUNNING.add(child)
    return child


def reap(child: subprocess.Popen) -> None:
    """Stop a child from spawn() (if it still runs) and forget it."""
    with contextlib.suppress(OSError):
        if child.stdin:
            child.stdin.close()
    try:
        child.wait(timeout=5)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    # Its answers are read by now; a pipe left open is a file descriptor leaked per worker.
    for pipe in (child.stdout, child.stderr):
        if pipe:
            with contextlib.suppress(OSError):
                pipe.close()
    with _RUNNING_LOCK:
        _RUNNING.discard(child)


def signal_name(returncode: int) -> str | None:
    """SIGKILL, SIGXFSZ, ... for a child killed by a signal, else None."""
    if returncode >= 0:
        return None
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def memory_error(stage: str, subject: Path | None, limit_mib: float,
                 setting: str) -> BriefingError:
    return BriefingError.at(
        f"{stage} ran out of memory (limit {limit_mib:g} MiB)", subject, None,
        f"look for content that grows without bound; if the document really needs more, "
        f"raise limits.{setting} in briefing.toml")

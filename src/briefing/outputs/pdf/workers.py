"""WeasyPrint worker processes, the parent's side: start them, send them documents, read
their answers, enforce the time limit, turn a failure into one clear error.

WeasyPrint runs in children (worker.py): a time and an address-space limit can then be
enforced (a 10,000-deep list keeps it busy for minutes), a crash or MemoryError in it
cannot take briefing down with a traceback, and parts of a book are laid out on every
core. A file the document asks for that lies outside the project is refused in the
worker and raised here as a ResourceError naming it; the outputs stage says which
chapter line asked for it (outputs/locate.py).

Under `briefing watch` (kept_warm) the workers outlive the build that started them: the
next build takes them with WeasyPrint imported and the fonts loaded, instead of paying
that again per edition and per rebuild.
"""


from __future__ import annotations

import contextlib
import importlib.util
import itertools
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from briefing import ENGINE_DIR
from briefing.errors import BriefingError, ResourceError
from briefing.outputs.pdf import tags
from briefing.outputs.pdf.worker import MARK, PROJECT_URL, WORKER
from briefing.runtime import limits


@dataclass
class Job:
    """One document for WeasyPrint: the whole book, a part of it, or its page-number layer."""

    html: str
    subject: Path            # where the HTML was written: named in error messages
    css: list[Path]          # stylesheets, in cascade order
    tagged: bool = True      # PDF/UA structure; the page-number layer is an artifact instead


@dataclass
class Laid:
    pdf: bytes
    page_names: list[str]    # each page's named page ('' for none), for the stamp layer
    warnings: list[str]


class Workers:
    """WeasyPrint worker processes that each lay out many documents, in parallel.

    WeasyPrint runs in children: a time and an address-space limit can then be enforced
    (a 10,000-deep list keeps it busy for minutes), a crash or MemoryError in it cannot take
    briefing down with a traceback, and parts of a book are laid out on every core. A worker
    lives as long as this object, so the WeasyPrint import (0.65 s) is paid once per worker.
    The time limit covers everything the workers do; the memory limit is per worker.
    """

    def __init__(self, project_root: Path, epoch: int, workdir: Path, count: int,
                 seconds: float = 600, memory_mib: float = 4096):
        tags.check()  # the tagger's WeasyPrint, before any worker starts
        self.root, self.epoch, self.workdir = project_root, epoch, workdir
        self.count, self.seconds, self.memory_mib = max(1, count), seconds, memory_mib
        self.children: list[subprocess.Popen] = []
        self.logs: dict[subprocess.Popen, Path] = {}  # each worker's stderr
        self.spent: set[subprocess.Popen] = set()  # gave no good answer: never kept warm
        self.expired = threading.Event()
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True
        self.timer.start()
        self.serial = 0
        self.lease = next(_LEASES)  # a warm worker's CPU-time budget starts again per lease
        self.warm = _WARM
        # What a warm worker must share with this build to serve it: its bounds and
        # SOURCE_DATE_EPOCH are set at its start, its code and fonts loaded then.
        self.identity = (str(project_root), epoch, seconds, memory_mib,
                         _engine_stamp()) if self.warm else ()

    def _expire(self) -> None:
        self.expired.set()
        for child in self.children:
            with contextlib.suppress(OSError):
                child.kill()

    def close(self, keep: bool = False) -> None:
        """Stop the workers. Every answer has been read by now, so they are killed rather
        than waited for (one started early may still be importing WeasyPrint). With `keep`
        (the work went well) and under kept_warm, the healthy ones wait for the next build
        instead; after a failure or Ctrl-C none is kept, whatever state it is in."""
        self.timer.cancel()
        for child in self.children:
            if keep and self.warm and not self.expired.is_set() and child not in self.spent:
                self.warm.give(self.identity, child, self.logs[child], self.memory_mib)
                continue
            with contextlib.suppress(OSError):
                child.kill()
            limits.reap(child)
        self.children.clear()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind, *exc) -> None:
        self.close(keep=kind is None)

    def _spawn(self, subject: Path) -> subprocess.Popen:
        if self.warm:
            found = self.warm.take(self.identity)
            if found is not None:
                child, self.logs[child] = found
                self.children.append(child)
                return child
            log_path = self.warm.log_path()
        else:  # the build's work directory, emptied by the next build
            log_path = self.workdir / f"weasyprint-{len(self.children)}.log"
        log = log_path.open("wb")
        env = dict(os.environ, SOURCE_DATE_EPOCH=str(self.epoch))  # fontTools dates fonts
        # The work directory on the command line only names the job (in ps, or for a test).
        child = limits.spawn([sys.executable, "-m", WORKER, str(self.workdir)],
                             stage="WeasyPrint (PDF)", subject=subject, seconds=self.seconds,
                             memory_mib=self.memory_mib, stderr=log, env=env)
        log.close()
        self.logs[child] = log_path
        self.children.append(child)
        return child

    def start(self) -> None:
        """Start the workers now, while this process is small (each start forks it); they
        import WeasyPrint with their first document."""
        while len(self.children) < self.count:
            self._spawn(self.workdir / "briefing.html")

    def run(self, jobs: list[Job], done=lambda finished, total: None) -> list[Laid]:
        """Lay out every job; the answers come back in the jobs' order. The largest jobs go
        first, so the workers finish close together. If several jobs fail, the error of the
        first one in order is raised, so a broken input always gives the same message."""
        if not jobs:
            return []
        if self.expired.is_set():  # the time limit covers the workers' whole life
            raise self._timeout(jobs[0].subject)
        order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].html))
        pending: queue.SimpleQueue = queue.SimpleQueue()
        for i in order:
            pending.put(i)
        results: dict[int, Laid | BriefingError] = {}
        idle = [c for c in self.children if c.poll() is None]
        wanted = min(self.count, len(jobs))
        while len(idle) < wanted:
            idle.append(self._spawn(jobs[order[0]].subject))

        def serve(child: subprocess.Popen) -> None:
            while True:
                try:
                    index = pending.get_nowait()
                except queue.Empty:
                    return
                try:
                    results[index] = self._ask(child, jobs[index])
                    done(len(results), len(jobs))
                except BriefingError as exc:
                    results[index] = exc
                    while True:  # no point laying out the rest: this build fails
                        try:
                            pending.get_nowait()
                        except queue.Empty:
                            return

        threads = [threading.Thread(target=serve, args=(child,), daemon=True) for child in idle]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        failed = [r for _, r in sorted(results.items()) if isinstance(r, BriefingError)]
        if failed:
            raise failed[0]
        return [r for i in range(len(jobs)) if isinstance(r := results[i], Laid)]  # all, here

    def _ask(self, child: subprocess.Popen, job: Job) -> Laid:
        self.serial += 1
        output = self.workdir / f"weasyprint-{id(child)}-{self.serial}.pdf"
        request = {"html": job.html, "root": str(self.root), "css": [str(p) for p in job.css],
                   "output": str(output), "tagged": job.tagged, "lease": self.lease}
        answer = None
        assert child.stdin is not None and child.stdout is not None  # limits.spawn: pipes
        try:
            child.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
            child.stdin.flush()
            for line in child.stdout:
                if line.startswith(MARK):
                    answer = json.loads(line[len(MARK):].decode("utf-8"))
                    break
        except (OSError, ValueError):
            answer = None
        if answer is None:
            if self.expired.is_set():
                raise self._timeout(job.subject)
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=5)
            answer = {"error": "crash", "detail": _describe_exit(child, self.logs[child])}
        if "refused" in answer or "error" in answer:
            self.spent.add(child)
        self._raise_for(answer, job.subject, output)
        data = output.read_bytes()
        output.unlink()
        return Laid(data, answer.get("page_names", []), answer.get("warnings", []))

    def _timeout(self, subject: Path) -> BriefingError:
        return BriefingError.at(
            f"WeasyPrint (PDF) did not finish within {self.seconds:g} s", subject, None,
            "look for runaway content (deeply nested lists, huge tables or paragraphs); if "
            "the document really is this large, raise limits.weasyprint_seconds in "
            "briefing.toml")

    def _raise_for(self, answer: dict, subject: Path, output: Path) -> None:
        memory_mib = self.memory_mib
        if "refused" in answer:  # the outputs stage names the chapter line (locate.py)
            raise ResourceError(
                f"refused to load {_shown(answer['refused'])!r}: {answer['reason']}",
                answer["refused"], "use images and files inside the project, by relative path")
        if answer.get("error") == "memory":
            raise limits.memory_error("WeasyPrint (PDF)", subject, memory_mib,
                                      "weasyprint_memory_mib")
        if answer.get("error") == "write":
            raise BriefingError.at(f"cannot write: {answer.get('detail')}", output, None,
                                   "check free disk space and that build/ is a writable "
                                   "directory")
        if answer.get("error") == "recursion":
            raise BriefingError.at("WeasyPrint (PDF): the HTML is nested too deeply to lay "
                                   "out", subject, None, "look for deeply nested lists, quotes "
                                   "or raw HTML in the chapters")
        if answer.get("error"):
            raise BriefingError.at(f"WeasyPrint (PDF) failed: {answer.get('detail')}", subject,
                                   None, f"if this repeats, raise limits.weasyprint_memory_mib "
                                   f"({memory_mib:g} MiB) or rerun with --debug and report it")


def render(html: str, project_root: Path, css: list[Path], epoch: int, workdir: Path,
           seconds: float = 600, memory_mib: float = 4096,
) -> tuple[bytes, list[str]]:
    """The whole document in one WeasyPrint run; returns PDF bytes and warnings."""
    subject = workdir / "briefing.html"
    with Workers(project_root, epoch, workdir, 1, seconds, memory_mib) as workers:
        laid = workers.run([Job(html, subject, css)])[0]
    return laid.pdf, laid.warnings


class Warm:
    """Idle workers kept between builds, each with the identity of the build that started
    it; one is taken only by a build of the same identity, and only if it still runs."""

    MOST = 4  # idle workers kept; more would only hold memory

    def __init__(self) -> None:
        self.idle: list[tuple[tuple, subprocess.Popen, Path]] = []
        self.lock = threading.Lock()
        # The workers' logs outlive a build's work directory, as the workers do.
        self.logs = Path(tempfile.mkdtemp(prefix="briefing-weasyprint-"))
        self.count = itertools.count()

    def log_path(self) -> Path:
        return self.logs / f"weasyprint-{next(self.count)}.log"

    def take(self, identity: tuple) -> tuple[subprocess.Popen, Path] | None:
        """An idle worker of this identity, or None; the dead and the outdated are stopped."""
        with self.lock:
            stale = [e for e in self.idle if e[0] != identity or e[1].poll() is not None]
            fitting = [e for e in self.idle if e not in stale]
            found = fitting.pop(0) if fitting else None
            self.idle = fitting
        for _, child, _ in stale:  # dead, or made for other code, fonts, bounds or dates
            _stop(child)
        return (found[1], found[2]) if found else None

    def give(self, identity: tuple, child: subprocess.Popen, log: Path,
             memory_mib: float) -> None:
        # One grown near its address-space limit would fail a later build: replaced.
        if child.poll() is None and _vm_mib(child.pid) < 0.75 * memory_mib:
            with self.lock:
                if len(self.idle) < self.MOST:
                    self.idle.append((identity, child, log))
                    return
        _stop(child)

    def close(self) -> None:
        """Stop every idle worker: closing its input ends it (it ignores Ctrl-C)."""
        with self.lock:
            kept, self.idle = self.idle, []
        for _, child, _ in kept:
            limits.reap(child)
        shutil.rmtree(self.logs, ignore_errors=True)


_WARM: Warm | None = None
_LEASES = itertools.count(1)


@contextlib.contextmanager
def kept_warm() -> Iterator[None]:
    """Inside this block (`briefing watch`), workers that finished their build well serve
    the next one; on leaving it (also by Ctrl-C or SIGTERM) they are stopped."""
    global _WARM
    previous, _WARM = _WARM, Warm()
    try:
        yield
    finally:
        warm, _WARM = _WARM, previous
        warm.close()


def _engine_stamp() -> tuple:
    """The engine's files (code, stylesheets, fonts) and WeasyPrint's, by name, size and
    time: a worker started before one of them changed runs the old one, so is replaced."""
    found = []
    spec = importlib.util.find_spec("weasyprint")
    roots = [ENGINE_DIR] + ([Path(spec.origin).parent] if spec and spec.origin else [])
    for root in roots:
        for path in sorted(root.rglob("*")):
            if "__pycache__" in path.parts:
                continue
            with contextlib.suppress(OSError):
                stat = path.stat()
                found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


def _vm_mib(pid: int) -> float:
    """A process's address-space size in MiB (Linux /proc; 0 elsewhere)."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") / limits.MIB


def _stop(child: subprocess.Popen) -> None:
    with contextlib.suppress(OSError):
        child.kill()
    limits.reap(child)


def _describe_exit(child: subprocess.Popen, log: Path) -> str:
    if child.returncode is None:
        return "the worker stopped answering"
    name = limits.signal_name(child.returncode)
    if name == "SIGXCPU":
        return "CPU time limit reached (limits.weasyprint_seconds)"
    if name == "SIGXFSZ":
        return "cannot write the PDF: file too large (is the disk full?)"
    if name:
        return f"the worker was killed by {name}, possibly at the memory limit"
    try:
        lines = log.read_text("utf-8", "replace").strip().splitlines()
    except OSError:
        lines = []
    return lines[-1] if lines else f"the worker exited with status {child.returncode}"


def _shown(url: str) -> str:
    """The URL as the author wrote it, without our virtual host."""
    return "/" + url[len(PROJECT_URL):] if url.startswith(PROJECT_URL) else url

"""WeasyPrint worker processes, the parent's side: start them, send them documents, read
their answers, enforce the time limit, turn a failure into one clear error.

WeasyPrint runs in children (worker.py): a time and an address-space limit can then be
enforced (a 10,000-deep list keeps it busy for minutes), a crash or MemoryError in it
cannot take briefing down with a traceback, and parts of a book are laid out on every
core. A file the document asks for that lies outside the project is refused in the
worker and raised here as a ResourceError naming it; the outputs stage says which
chapter line asked for it (outputs/locate.py).
"""


from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import BriefingError, ResourceError
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
        self.root, self.epoch, self.workdir = project_root, epoch, workdir
        self.count, self.seconds, self.memory_mib = max(1, count), seconds, memory_mib
        self.children: list[subprocess.Popen] = []
        self.logs: dict[subprocess.Popen, Path] = {}  # each worker's stderr
        self.expired = threading.Event()
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True
        self.timer.start()
        self.serial = 0

    def _expire(self) -> None:
        self.expired.set()
        for child in self.children:
            with contextlib.suppress(OSError):
                child.kill()

    def close(self) -> None:
        """Stop the workers. Every answer has been read by now, so they are killed rather
        than waited for (one started early may still be importing WeasyPrint)."""
        self.timer.cancel()
        for child in self.children:
            with contextlib.suppress(OSError):
                child.kill()
            limits.reap(child)
        self.children.clear()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _spawn(self, subject: Path) -> subprocess.Popen:
        index = len(self.children)
        log = (self.workdir / f"weasyprint-{index}.log").open("wb")
        env = dict(os.environ, SOURCE_DATE_EPOCH=str(self.epoch))  # fontTools dates fonts
        # The work directory on the command line only names the job (in ps, or for a test).
        child = limits.spawn([sys.executable, "-m", WORKER, str(self.workdir)],
                             stage="WeasyPrint (PDF)", subject=subject, seconds=self.seconds,
                             memory_mib=self.memory_mib, stderr=log, env=env)
        log.close()
        self.logs[child] = self.workdir / f"weasyprint-{index}.log"
        self.children.append(child)
        return child

    def start(self) -> None:
        """Start the workers now, so that they import WeasyPrint while Pandoc runs."""
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
                   "output": str(output), "tagged": job.tagged}
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

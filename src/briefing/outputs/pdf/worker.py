"""HTML -> PDF with WeasyPrint, fetching only files inside the project.

WeasyPrint's default fetcher reads any local file and makes HTTP requests. Ours
serves two virtual hosts, the project tree and the engine's own templates, under
fixed .invalid URLs: nothing else is reachable, and the URLs (which WeasyPrint
uses to name images in the PDF) are the same wherever the project lives, so the
bytes are too.
"""

from __future__ import annotations

import contextlib
import json
import logging
import mimetypes
import os
import queue
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from briefing import TEMPLATES
from briefing.errors import BriefingError
from briefing.runtime import limits

PROJECT_URL = "https://project.briefing.invalid/"
ENGINE_URL = "https://engine.briefing.invalid/"
ENGINE_DIR = TEMPLATES
WORKER = "briefing.outputs.pdf.worker"  # this module, run in each worker process
MARK = b"\x1ebriefing-answer "  # starts the worker's answer lines; anything else is noise


def _fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class Refused(FatalURLFetchingError):
        def __init__(self, url: str, reason: str):
            super().__init__(url)
            self.url, self.reason = url, reason

    class ProjectFetcher(URLFetcher):
        """Serves files under the project root and the engine's templates; refuses the rest."""

        def __init__(self, roots: dict[str, Path]):
            super().__init__(allowed_protocols=["https", "data"])
            self.roots = {base: root.resolve() for base, root in roots.items()}

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            for base, root in self.roots.items():
                if url.startswith(base):
                    relative = unquote(url[len(base):].split("#")[0].split("?")[0])
                    path = (root / relative).resolve()  # resolves symlinks too
                    if not path.is_relative_to(root):
                        raise Refused(url, "it points outside the project")
                    if not path.is_file():
                        raise Refused(url, "no such file in the project")
                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
            raise Refused(url, "only files inside the project may be used")

    return ProjectFetcher, Refused


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


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
                 seconds: float = 600, memory_mib: float = 4096,
                 chapter_of=lambda url: None):
        self.root, self.epoch, self.workdir = project_root, epoch, workdir
        self.count, self.seconds, self.memory_mib = max(1, count), seconds, memory_mib
        self.chapter_of = chapter_of
        self.children: list[subprocess.Popen] = []
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
        child.log_path = self.workdir / f"weasyprint-{index}.log"
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
        failed = [results[i] for i in sorted(results) if isinstance(results[i], BriefingError)]
        if failed:
            raise failed[0]
        return [results[i] for i in range(len(jobs))]

    def _ask(self, child: subprocess.Popen, job: Job) -> Laid:
        self.serial += 1
        output = self.workdir / f"weasyprint-{id(child)}-{self.serial}.pdf"
        request = {"html": job.html, "root": str(self.root), "css": [str(p) for p in job.css],
                   "output": str(output), "tagged": job.tagged}
        answer = None
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
            answer = {"error": "crash", "detail": _describe_exit(child)}
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
        if "refused" in answer:
            where = self.chapter_of(answer["refused"])
            raise BriefingError.at(
                f"refused to load {_shown(answer['refused'])!r}: {answer['reason']}",
                where[0] if where else None, where[1] if where else None,
                "use images and files inside the project, by relative path")
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
           chapter_of=lambda url: None) -> tuple[bytes, list[str]]:
    """The whole document in one WeasyPrint run; returns PDF bytes and warnings."""
    subject = workdir / "briefing.html"
    with Workers(project_root, epoch, workdir, 1, seconds, memory_mib, chapter_of) as workers:
        laid = workers.run([Job(html, subject, css)])[0]
    return laid.pdf, laid.warnings


def _describe_exit(child: subprocess.Popen) -> str:
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
        lines = child.log_path.read_text("utf-8", "replace").strip().splitlines()
    except (AttributeError, OSError):
        lines = []
    return lines[-1] if lines else f"the worker exited with status {child.returncode}"


_STYLES: dict = {}  # the worker's parsed stylesheets and their fonts, by (path, text)


def _styles(paths: list[str], fetcher):
    """Stylesheets parsed once per worker, with one FontConfiguration for them: loading the
    @font-face fonts for every part cost about 13% of a part's layout. The PDF bytes are
    the same as with fresh ones (WeasyPrint subsets fonts per document)."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    texts = (str(fetcher.roots),) + tuple((p, Path(p).read_text("utf-8")) for p in paths)
    if texts not in _STYLES:
        fonts = FontConfiguration()  # needed for the stylesheets' @font-face rules
        sheets = [weasyprint.CSS(string=text, base_url=ENGINE_URL, url_fetcher=fetcher,
                                 font_config=fonts) for _, text in texts[1:]]
        _STYLES[texts] = (fonts, sheets)
    return _STYLES[texts]


def _render_here(request: dict) -> dict:
    """The worker's side: render one document, answer with a JSON-able dict."""
    import weasyprint

    from briefing.outputs.pdf import tags as pdftags

    pdftags.install()  # our structure tree instead of WeasyPrint's (see pdftags)
    fetcher_class, refused = _fetcher_class()
    fetcher = fetcher_class({PROJECT_URL: Path(request["root"]), ENGINE_URL: ENGINE_DIR})
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    logger.propagate = False
    try:
        html = weasyprint.HTML(string=request["html"], base_url=PROJECT_URL,
                               url_fetcher=fetcher)
        fonts, sheets = _styles(request["css"], fetcher)
        variant = "pdf/ua-1" if request.get("tagged", True) else None
        document = html.render(stylesheets=sheets, font_config=fonts, pdf_variant=variant)
        # Named pages (print.css's cover, front) tell the page-number layer which margin
        # rules apply to each page. WeasyPrint has no public accessor for them.
        names = [getattr(getattr(page, "_page_box", None), "page_type", None)
                 for page in document.pages]
        names = [getattr(t, "name", "") or "" for t in names]
        if variant:
            pdftags.prepare(document)  # running heads, leaders, repeated headers: artifacts
        document.write_pdf(request["output"], pdf_identifier=b"briefing", pdf_variant=variant)
    except refused as exc:
        return {"refused": exc.url, "reason": exc.reason}
    except MemoryError:
        return {"error": "memory"}
    except OSError as exc:  # writing the PDF: disk full, file too large, permissions
        return {"error": "write", "detail": exc.strerror or str(exc)}
    except RecursionError:
        return {"error": "recursion"}
    except Exception as exc:  # reported by the parent as a failed stage, never a traceback
        return {"error": "crash", "detail": f"{type(exc).__name__}: {exc}"}
    finally:
        logger.removeHandler(collect)
    return {"warnings": collect.messages, "page_names": names}


def _serve() -> None:
    """One JSON request per line on stdin, one answer line (after MARK) each on stdout,
    until stdin closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    import weasyprint  # noqa: F401 - now, while the parent is still busy with Pandoc

    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        answer = _render_here(json.loads(line.decode("utf-8")))
        out.write(b"\n" + MARK + json.dumps(answer).encode("utf-8") + b"\n")
        out.flush()


def _shown(url: str) -> str:
    """The URL as the author wrote it, without our virtual host."""
    return "/" + url[len(PROJECT_URL):] if url.startswith(PROJECT_URL) else url


if __name__ == "__main__":
    _serve()

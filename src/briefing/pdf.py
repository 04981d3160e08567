"""HTML -> PDF with WeasyPrint, fetching only files inside the project.

WeasyPrint's default fetcher reads any local file and makes HTTP requests. Ours
serves two virtual hosts, the project tree and the engine's own templates, under
fixed .invalid URLs: nothing else is reachable, and the URLs (which WeasyPrint
uses to name images in the PDF) are the same wherever the project lives, so the
bytes are too.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import os
import signal
import sys
from pathlib import Path
from urllib.parse import unquote

from . import limits
from .errors import BriefingError

PROJECT_URL = "https://project.briefing.invalid/"
ENGINE_URL = "https://engine.briefing.invalid/"
ENGINE_DIR = Path(__file__).parent / "templates"


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


def render(html: str, project_root: Path, css: list[Path], epoch: int, workdir: Path,
           seconds: float = 600, memory_mib: float = 4096,
           chapter_of=lambda url: None) -> tuple[bytes, list[str]]:
    """Render HTML to PDF bytes in a bounded worker process; returns bytes and warnings.

    WeasyPrint runs in a child: a time and an address-space limit can then be enforced
    (a 10,000-deep list keeps it busy for minutes), and a crash or MemoryError in it
    cannot take briefing down with a traceback.
    """
    output = workdir / "weasyprint.pdf"
    output.unlink(missing_ok=True)
    subject = workdir / "briefing.html"
    request = {"html": html, "root": str(project_root), "css": [str(p) for p in css],
               "epoch": epoch, "output": str(output)}
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch))  # fontTools stamps font dates from it
    # The work directory on the command line only names the job (in ps, or for a test).
    done = limits.run([sys.executable, "-m", "briefing.pdf", str(workdir)],
                      stage="WeasyPrint (PDF)",
                      subject=subject, seconds=seconds, setting="weasyprint_seconds",
                      memory_mib=memory_mib, stdin=json.dumps(request).encode("utf-8"), env=env)
    try:
        answer = json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])
    except (ValueError, IndexError):
        answer = {"error": "crash", "detail": _describe_exit(done)}
    if "refused" in answer:
        where = chapter_of(answer["refused"])
        raise BriefingError.at(
            f"refused to load {_shown(answer['refused'])!r}: {answer['reason']}",
            where[0] if where else None, where[1] if where else None,
            "use images and files inside the project, by relative path")
    if answer.get("error") == "memory":
        raise limits.memory_error("WeasyPrint (PDF)", subject, memory_mib, "weasyprint_memory_mib")
    if answer.get("error") == "write":
        raise BriefingError.at(f"cannot write: {answer.get('detail')}", output, None,
                               "check free disk space and that build/ is a writable directory")
    if answer.get("error") == "recursion":
        raise BriefingError.at("WeasyPrint (PDF): the HTML is nested too deeply to lay out",
                               subject, None, "look for deeply nested lists, quotes or raw HTML "
                               "in the chapters")
    if answer.get("error"):
        raise BriefingError.at(f"WeasyPrint (PDF) failed: {answer.get('detail')}", subject, None,
                               f"if this repeats, raise limits.weasyprint_memory_mib "
                               f"({memory_mib:g} MiB) or rerun with --debug and report it")
    return output.read_bytes(), answer.get("warnings", [])


def _describe_exit(done) -> str:
    name = limits.signal_name(done.returncode)
    if name == "SIGXCPU":
        return "CPU time limit reached (limits.weasyprint_seconds)"
    if name == "SIGXFSZ":
        return "cannot write the PDF: file too large (is the disk full?)"
    if name:
        return f"the worker was killed by {name}, possibly at the memory limit"
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else f"the worker exited with status {done.returncode}"


def _render_here(request: dict) -> dict:
    """The worker's side: render one document, answer with a JSON-able dict."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fetcher_class, refused = _fetcher_class()
    fetcher = fetcher_class({PROJECT_URL: Path(request["root"]), ENGINE_URL: ENGINE_DIR})
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    logger.propagate = False
    try:
        document = weasyprint.HTML(string=request["html"], base_url=PROJECT_URL,
                                   url_fetcher=fetcher)
        fonts = FontConfiguration()  # needed for the stylesheet's @font-face rules
        sheets = [weasyprint.CSS(string=Path(p).read_text("utf-8"), base_url=ENGINE_URL,
                                 url_fetcher=fetcher, font_config=fonts) for p in request["css"]]
        document.write_pdf(request["output"], stylesheets=sheets, font_config=fonts,
                           pdf_variant="pdf/ua-1", pdf_identifier=b"briefing")
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
    return {"warnings": collect.messages}


def _serve() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    answer = _render_here(request)
    sys.stdout.write("\n" + json.dumps(answer) + "\n")
    sys.stdout.flush()


def _shown(url: str) -> str:
    """The URL as the author wrote it, without our virtual host."""
    return "/" + url[len(PROJECT_URL):] if url.startswith(PROJECT_URL) else url


if __name__ == "__main__":
    _serve()

"""A WeasyPrint worker process (`python -m briefing.outputs.pdf.worker`): one JSON request
per line on stdin, one answer per request on stdout, until stdin closes.

Files are fetched only from the project and the engine's templates, under fixed
.invalid URLs: WeasyPrint's default fetcher would read any local file and make HTTP
requests. The URLs (which WeasyPrint uses to name images in the PDF) are the same
wherever the project lives, so the bytes are too. The structure tree is ours (tags.py).
The parent's side is workers.py.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import resource
import signal
import sys
from pathlib import Path
from urllib.parse import unquote

from briefing import TEMPLATES

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


_STYLES: dict = {}  # the worker's parsed stylesheets and their fonts, by (path, text)


def _styles(paths: list[str], fetcher):
    """Stylesheets parsed once per worker, with one FontConfiguration for them: loading the
    @font-face fonts for every part cost about 13% of a part's layout. The PDF bytes are
    the same as with fresh ones (WeasyPrint subsets fonts per document)."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    styles = tuple((p, Path(p).read_text("utf-8")) for p in paths)
    texts = (str(fetcher.roots),) + styles
    if texts not in _STYLES:
        fonts = FontConfiguration()  # needed for the stylesheets' @font-face rules
        sheets = [weasyprint.CSS(string=text, base_url=ENGINE_URL, url_fetcher=fetcher,
                                 font_config=fonts) for _, text in styles]
        _STYLES[texts] = (fonts, sheets)
    return _STYLES[texts]


def _render_here(request: dict) -> dict:
    """The worker's side: render one document, answer with a JSON-able dict."""
    import weasyprint

    from briefing.outputs.pdf import linebreak
    from briefing.outputs.pdf import tags as pdftags

    pdftags.install()  # our structure tree instead of WeasyPrint's (see pdftags)
    linebreak.install()  # no first word alone on a line before a link (see linebreak)
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
    # WeasyPrint is imported with the first request, not now: a worker started beside
    # Pandoc's runs then holds about 13 MiB instead of 55 while they run, the part of a
    # long document's build that takes the most memory.

    out = sys.stdout.buffer
    budget, lease = resource.getrlimit(resource.RLIMIT_CPU)[0], None
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        request = json.loads(line.decode("utf-8"))
        if request.get("lease") != lease:
            if lease is not None:  # kept warm for another build (watch)
                _renew_cpu(budget)
            lease = request.get("lease")
        answer = _render_here(request)
        out.write(b"\n" + MARK + json.dumps(answer).encode("utf-8") + b"\n")
        out.flush()


def _renew_cpu(budget: int) -> None:
    """The CPU-time limit the launcher set holds per build, not per life: a worker kept
    warm for many builds gets the same budget for each as a new one."""
    if budget == resource.RLIM_INFINITY:
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    limit = int(used.ru_utime + used.ru_stime) + budget
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))


if __name__ == "__main__":
    _serve()

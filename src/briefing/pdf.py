"""HTML -> PDF with WeasyPrint, fetching only files inside the project.

WeasyPrint's default fetcher reads any local file and makes HTTP requests. Ours
serves two virtual hosts, the project tree and the engine's own templates, under
fixed .invalid URLs: nothing else is reachable, and the URLs (which WeasyPrint
uses to name images in the PDF) are the same wherever the project lives, so the
bytes are too.
"""

from __future__ import annotations

import logging
import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote

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


def render(html: str, project_root: Path, css: list[Path], epoch: int,
           chapter_of=lambda url: None) -> tuple[bytes, list[str]]:
    """Render HTML to PDF bytes; returns the bytes and WeasyPrint's warnings."""
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)  # fontTools stamps font dates from it
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fetcher_class, refused = _fetcher_class()
    fetcher = fetcher_class({PROJECT_URL: project_root, ENGINE_URL: ENGINE_DIR})
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    logger.propagate = False
    try:
        document = weasyprint.HTML(string=html, base_url=PROJECT_URL,
                                   url_fetcher=fetcher)
        fonts = FontConfiguration()  # needed for the stylesheet's @font-face rules
        sheets = [weasyprint.CSS(string=p.read_text("utf-8"), base_url=ENGINE_URL,
                                 url_fetcher=fetcher, font_config=fonts) for p in css]
        data = document.write_pdf(stylesheets=sheets, font_config=fonts,
                                  pdf_variant="pdf/ua-1", pdf_identifier=b"briefing")
    except refused as exc:
        where = chapter_of(exc.url)
        raise BriefingError.at(
            f"refused to load {_shown(exc.url)!r}: {exc.reason}",
            where[0] if where else None, where[1] if where else None,
            "use images and files inside the project, by relative path") from None
    finally:
        logger.removeHandler(collect)
    return data, collect.messages


def _shown(url: str) -> str:
    """The URL as the author wrote it, without our virtual host."""
    return "/" + url[len(PROJECT_URL):] if url.startswith(PROJECT_URL) else url

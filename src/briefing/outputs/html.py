"""One self-contained HTML page: the PDF's HTML with a screen stylesheet and every image
inlined as a data: URI, so it opens anywhere (a phone, an e-mail attachment) and makes no
request of its own. The page is rebuilt from nh3's sanitised content, under a
Content-Security-Policy that lets nothing run and nothing load (sanitise.py)."""

from __future__ import annotations

import base64
import mimetypes
import os
import re
from pathlib import Path

from briefing import TEMPLATES, files
from briefing.errors import BriefingError, ResourceError
from briefing.outputs import sanitise
from briefing.outputs.base import Job, Output

SRC_RE = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")', re.I)


def standalone(html: str, css: str, project_root: Path) -> bytes:
    root = os.path.realpath(project_root)

    def inline(match: re.Match) -> str:
        src = match.group(2)
        if src.startswith("data:"):
            return match.group(0)
        path = Path(root) / src
        if "://" in src or os.path.isabs(src) or not files.within(os.path.realpath(path),
                                                                  root):
            raise ResourceError(f"refused to load {src!r} into the HTML", src,
                                "images must be files inside the project; URLs are not fetched")
        try:
            data = files.read_bytes(path, Path(root))
        except BriefingError:
            raise ResourceError(f"refused to load {src!r} into the HTML", src,
                                "images must be files inside the project") from None
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        encoded = base64.b64encode(data).decode("ascii")
        return f"{match.group(1)}data:{mime};base64,{encoded}{match.group(3)}"

    return sanitise.standalone(SRC_RE.sub(inline, html), css).encode("utf-8")


class HtmlOutput(Output):
    """The self-contained page, from Pandoc's HTML page with the screen stylesheets."""

    name = "html"
    uses_page = True

    def finish(self, job: Job) -> bytes:
        css = (TEMPLATES / "epub.css").read_text("utf-8") + (TEMPLATES / "screen.css").read_text(
            "utf-8")
        return standalone(job.page(), css, job.project.root)

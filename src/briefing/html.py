"""One self-contained HTML page: the PDF's HTML with a screen stylesheet and every image
inlined as a data: URI, so it opens anywhere (a phone, an e-mail attachment) and makes no
request of its own."""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path

from .errors import ResourceError

SRC_RE = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")', re.I)
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def standalone(html: str, css: str, project_root: Path) -> bytes:
    root = project_root.resolve()

    def inline(match: re.Match) -> str:
        src = match.group(2)
        if src.startswith("data:"):
            return match.group(0)
        path = (root / src).resolve()
        if "://" in src or src.startswith("/") or not path.is_relative_to(root) or (
                not path.is_file()):
            raise ResourceError(f"refused to load {src!r} into the HTML", src,
                                "images must be files inside the project; URLs are not fetched")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"{match.group(1)}data:{mime};base64,{data}{match.group(3)}"

    page = SRC_RE.sub(inline, html)
    head = f"{VIEWPORT}\n<style>\n{css}</style>\n</head>"
    return page.replace("</head>", head, 1).encode("utf-8")

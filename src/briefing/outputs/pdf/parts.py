"""Split the print HTML into parts that WeasyPrint can lay out one by one.

The book is the front matter (everything in <body> before <main>: cover, verso, contents)
followed by one part per top-level section that opens with an <h1>. The stylesheet starts
every <h1> on a new page, so laying the parts out separately gives the same pages as laying
out the whole; workers.py lays them out in parallel, book.py keeps the unchanged ones, and
assemble.py joins them into one book. A chapter that runs on after a short chapter end
(runon.py) is laid out in one part with the chapter before it (Split.grouped), and the
page laid out in one run gets the same mark (Split.marked).

Each part is a complete HTML document with the original <head>. A link to an id that lives
in another part gets an empty stand-in anchor, so WeasyPrint keeps the link (it drops
links to missing anchors); the assembled book resolves it to the real destination.
When the page does not have the expected shape, split() returns None and the caller
renders the whole document at once.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from briefing.outputs.pdf import runon

TAG_RE = re.compile(r"<(/?)section\b[^>]*>", re.I)
ID_RE = re.compile(r"""\bid=["']([^"']+)["']""")
H1_RE = re.compile(r"\s*<h1\b", re.I)
HREF_RE = re.compile(r"""\bhref=["']#([^"']+)["']""")
TOC_LINK_RE = re.compile(r"""(<a\b[^>]*\bhref=["']#([^"']+)["'])""")


@dataclass(frozen=True)
class Part:
    html: str             # a complete HTML document
    ids: frozenset[str]   # the anchors this part owns
    name: str             # its first id (the section's), to name its file in build/.work
    piece: str = ""       # its markup as it stands in the page's <main>


@dataclass(frozen=True)
class Split:
    head: str             # "<!DOCTYPE html> ... <body>"
    front: str            # the front matter's markup (before <main>)
    front_ids: frozenset[str]
    chapters: list[Part]

    def owners(self) -> dict[str, int]:
        """Anchor -> index of the part that owns it (0 is the front matter)."""
        owned = {name: 0 for name in self.front_ids}
        for index, part in enumerate(self.chapters, start=1):
            for name in part.ids:
                owned.setdefault(name, index)
        return owned

    def front_html(self, pages: dict[str, int]) -> str:
        """The front matter as a document, its contents links carrying literal page
        numbers (data-page), since the pages they point to are laid out elsewhere."""
        def number(match: re.Match) -> str:
            page = pages.get(html.unescape(match.group(2)))
            return match.group(1) + (f' data-page="{page}"' if page is not None else "")

        body = TOC_LINK_RE.sub(number, self.front)
        return _document(self.head, body, self.front_ids)

    def toc_targets(self) -> list[str]:
        return [html.unescape(m.group(2)) for m in TOC_LINK_RE.finditer(self.front)]

    def grouped(self, groups: list[list[int]]) -> Split:
        """The chapters of each group (consecutive indexes into `chapters`) as one part,
        each after the first running on after the one before (runon.py)."""
        chapters = []
        for group in groups:
            if len(group) == 1:
                chapters.append(self.chapters[group[0]])
                continue
            first = self.chapters[group[0]]
            piece = first.piece + "".join(runon.running_on(self.chapters[i].piece)
                                          for i in group[1:])
            owned = frozenset().union(*(self.chapters[i].ids for i in group))
            chapters.append(Part(_document(self.head, f"<main>\n{piece}\n</main>", owned),
                                 owned, first.name, piece))
        return Split(self.head, self.front, self.front_ids, chapters)

    def marked(self, page: str, groups: list[list[int]]) -> str:
        """The page itself with the same chapters running on as in grouped(groups)."""
        for group in groups:
            for i in group[1:]:
                piece = self.chapters[i].piece
                page = page.replace(piece, runon.running_on(piece), 1)
        return page


def _ids(markup: str) -> frozenset[str]:
    return frozenset(html.unescape(m) for m in ID_RE.findall(markup))


def _document(head: str, body: str, owned: frozenset[str]) -> str:
    wanted = sorted({html.unescape(m) for m in HREF_RE.findall(body)} - owned)
    standins = "".join(f'<span id="{html.escape(name)}"></span>' for name in wanted)
    if standins:
        # Out of the flow and empty, it lays out nothing. WeasyPrint still tags it (as /Art,
        # a tag nothing else at this level gets), and assemble.py drops that empty element.
        body += (f'\n<article class="briefing-standins" aria-hidden="true">{standins}'
                 "</article>")
    return f"{head}\n{body}\n</body>\n</html>\n"


def split(page: str) -> Split | None:
    """The parts of a page made from briefing.html, or None if it has another shape."""
    body_at = page.find("<body>")
    main_at = page.find("\n<main>\n")
    end_at = page.rfind("\n</main>\n")
    if min(body_at, main_at, end_at) < 0 or page.count("<main>") != 1 or not (
            body_at < main_at < end_at):
        return None
    if re.fullmatch(r"\s*</main>\s*</body>\s*</html>\s*", page[end_at:]) is None:
        return None  # something after the main text: not a page we know how to split
    head = page[:body_at + len("<body>")]
    front = page[body_at + len("<body>"):main_at]
    inner = page[main_at + len("\n<main>\n"):end_at]

    pieces: list[str] = []   # markup of each part, in order
    depth, start, cursor = 0, 0, 0
    for match in TAG_RE.finditer(inner):
        if match.group(1):  # </section>
            depth -= 1
            if depth < 0:
                return None
            continue
        if depth == 0:
            opens_chapter = H1_RE.match(inner, match.end()) is not None
            if opens_chapter and inner[start:match.start()].strip():
                pieces.append(inner[start:match.start()])
                start = match.start()
        depth += 1
        cursor = match.end()
    if depth != 0 or cursor == 0:
        return None
    pieces.append(inner[start:])
    if not pieces or not any(p.strip() for p in pieces):
        return None

    chapters = []
    for piece in pieces:
        owned = _ids(piece)
        first = ID_RE.search(piece)
        name = re.sub(r"[^A-Za-z0-9_-]+", "-", html.unescape(first.group(1)))[:60] if first else ""
        chapters.append(Part(_document(head, f"<main>\n{piece}\n</main>", owned), owned,
                             name or "part", piece))
    return Split(head, front, _ids(front), chapters)

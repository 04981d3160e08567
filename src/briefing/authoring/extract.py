"""A source text -> its numbered paragraphs, as `briefing source add` copies them.

One normalisation for every format: within a paragraph, every run of whitespace (line
breaks and no-break spaces included) becomes one space, and the ends are trimmed;
nothing else changes, so a quote copied from the paragraph is found in it word for word.

    .txt             paragraphs are separated by blank lines
    .md .markdown    the same; heading lines and a leading `---` front-matter block are
                     left out (and listed in the seed, so nothing goes unmentioned)
    .html .htm       the text of each <p>, <li> and <blockquote> (the innermost one), read
                     with the standard html.parser, entities decoded; headings <h1>-<h6>
                     are left out and listed; <script>, <style>, <template>, <noscript>
                     and <nav> are skipped. The title is <title>, the language <html lang>.
                     A tag or comment still open at the end of the text is dropped with
                     the rest of it, as a browser does. Reading is linear in the text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from briefing import files
from briefing.errors import BriefingError

FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
           ".html": "html", ".htm": "html", ".xhtml": "html"}
ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(\s|$)")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)\s*$")
RULE = re.compile(r"^ {0,3}([-*_])(\s*\1){2,}\s*$")


@dataclass
class Extracted:
    paragraphs: list[str]
    left_out: list[str] = field(default_factory=list)  # headings and the like, as found
    title: str | None = None
    language: str | None = None


def extract(path: Path, data: bytes) -> Extracted:
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise BriefingError.at(f"cannot read a {path.suffix or 'extensionless'} file as a "
                               "source", path, None,
                               "give the text as .txt, .md or .html (save a PDF or a word "
                               "processor file as plain text first)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BriefingError.at(f"invalid UTF-8 byte 0x{data[exc.start]:02x}", path,
                               data.count(b"\n", 0, exc.start) + 1,
                               "save the file as UTF-8") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    found = _html(text, path) if kind == "html" else {"text": _text, "markdown": _markdown}[
        kind](text)
    found.paragraphs = [p for p in (_one_line(p) for p in found.paragraphs) if p]
    found.left_out = [p for p in (_one_line(p) for p in found.left_out) if p]
    if found.title is not None:
        found.title = _one_line(found.title) or None
    for number, paragraph in enumerate(found.paragraphs, 1):
        bad = files.forbidden(paragraph)
        if bad:
            raise BriefingError.at(f"{files.describe(bad.group())} in paragraph {number}",
                                   path, None, "remove it from the source file; no output "
                                   "format can carry it")
    if not found.paragraphs:
        raise BriefingError.at("no paragraphs found", path, None,
                               "a paragraph is text between blank lines (in HTML: a <p>, "
                               "<li> or <blockquote>)")
    return found


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _blocks(text: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _text(text: str) -> Extracted:
    return Extracted(["\n".join(b) for b in _blocks(text)])


def _markdown(text: str) -> Extracted:
    found = Extracted([])
    lines = text.split("\n")
    if lines and lines[0].strip() == "---" and "---" in (s.strip() for s in lines[1:]):
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        found.left_out.append("front matter: " + " ".join(lines[1:end]))
        lines = lines[end + 1:]
    for block in _blocks("\n".join(lines)):
        kept: list[str] = []
        i = 0
        while i < len(block):
            line, underlined = block[i], i + 1 < len(block) and bool(
                SETEXT_UNDERLINE.match(block[i + 1]))
            if ATX_HEADING.match(line) or (underlined and not kept):
                heading = line.strip().strip("#").strip()
                found.left_out.append(heading)
                found.title = found.title or heading
                i += 2 if underlined and not ATX_HEADING.match(line) else 1
            elif RULE.match(line) and not kept:
                found.left_out.append("a horizontal rule")
                i += 1
            else:
                kept.append(line)
                i += 1
        if kept:
            found.paragraphs.append("\n".join(kept))
    return found


class _Paragraphs(HTMLParser):
    BLOCKS = {"p", "li", "blockquote"}
    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
    SKIPPED = {"script", "style", "template", "noscript", "nav"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = Extracted([])
        self.open: list[tuple[str, list[str]]] = []  # blocks and headings being read
        self.opened: Counter[str] = Counter()  # their names: an end tag is looked up at once
        self.skipping: list[str] = []
        self.title: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html" and self.found.language is None:
            self.found.language = dict(attrs).get("lang") or None
        if self.skipping or tag in self.SKIPPED:
            if tag in self.SKIPPED:
                self.skipping.append(tag)
            return
        if tag == "title" and self.found.title is None:
            self.title = []
        elif tag in self.BLOCKS | self.HEADINGS:
            self._flush()  # a block inside a block ends the outer one's current text
            self.open.append((tag, []))
            self.opened[tag] += 1
        elif tag == "br":
            self.handle_data(" ")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag == "title" and self.title is not None:
            self.found.title = "".join(self.title)
            self.title = None
        elif self.opened[tag]:
            while self.open:
                self._flush()
                name, _ = self.open.pop()
                self.opened[name] -= 1
                if name == tag:
                    break

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.title is not None:
            self.title.append(data)
        elif self.open:
            self.open[-1][1].append(data)

    def _flush(self) -> None:
        if not self.open:
            return
        name, parts = self.open[-1]
        text = "".join(parts)
        parts.clear()
        if text.strip():
            (self.found.left_out if name in self.HEADINGS else self.found.paragraphs).append(text)

    def close(self) -> None:
        # What feed() left is a construct still open at the end of the text (a tag, a
        # comment, a declaration: `<a`, `<!--x>` ...), or text. html.parser without the
        # fix for CVE-2025-6069 (Python 3.11.7 here) reads such a construct as text, then
        # looks for the end of each one after it again, to the end of the text: quadratic,
        # 200 kB of `<a` took 30 s, 400 kB 105 s. As the HTML standard (and the fixed
        # parser) do, the open construct takes the rest of the text, and is dropped.
        if len(self.rawdata) > 1 and self.rawdata[0] == "<":
            self.rawdata = ""
        super().close()
        while self.open:
            self._flush()
            self.open.pop()


def _html(text: str, path: Path) -> Extracted:
    """Linear in the text (tests/hostile/test_bounds.py feeds it the shapes that were not)."""
    parser = _Paragraphs()
    try:
        parser.feed(text)
        parser.close()
    except AssertionError as exc:  # how html.parser's declarations say they cannot go on
        raise BriefingError.at(f"cannot read the HTML: {exc}", path, parser.getpos()[0],
                               "remove the construct, or save the page again from a "
                               "browser") from None
    return parser.found

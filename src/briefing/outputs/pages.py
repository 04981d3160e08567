"""Pandoc's HTML page written chapter by chapter, each chapter cached by its own content.

Pandoc's HTML writer over the whole resolved document took about a second for 40
chapters, on every edit. The page is the template around the body, and the body is one
<section class="level1"> per chapter, each written from that chapter's blocks alone,
except for what the writer counts through the whole document:

- section numbers: a chapter is written with --number-offset, the count of numbered
  chapters before it;
- the contents: from the "shell", the document with every chapter cut down to its
  headings (and the blocks that hold one), which is also where the template is filled;
- footnotes (collected at the end, numbered through the document) and code blocks
  (numbered cb1, cb2...): a document with either is written whole.

So: the shell's page, with each chapter's section replaced by the chapter written alone.
Pandoc 3.9's HTML writer keeps no other state across sections (Writers/HTML.hs,
WriterState): the rest (math, quotes, highlighting, CSL flags) only fills template
variables our template does not use. The tests compare the spliced page with the whole
writer's, byte for byte, on the real briefing and on the bench corpus.
"""

from __future__ import annotations

import re

from briefing.outputs.ast import has

SECTION_RE = re.compile(r"<(/?)section\b[^>]*>")
LEVEL1_RE = re.compile(r'\bclass="level1[ "]')
WHOLE_ONLY = {"Note", "CodeBlock"}


def _is_chapter(block: dict) -> bool:
    return block.get("t") == "Header" and block["c"][0] == 1


def chapters(blocks: list[dict]) -> list[list[dict]] | None:
    """The document's blocks, chapter by chapter (each from one top-level heading of level
    1 to the next); None when the page must be written whole."""
    if not blocks or not _is_chapter(blocks[0]) or has(blocks, WHOLE_ONLY):
        return None
    starts = [i for i, block in enumerate(blocks) if _is_chapter(block)]
    return [blocks[a:b] for a, b in zip(starts, [*starts[1:], len(blocks)], strict=True)]


def offsets(parts: list[list[dict]]) -> list[int]:
    """Each chapter's --number-offset: the numbered chapters before it."""
    found, count = [], 0
    for part in parts:
        found.append(count)
        count += "unnumbered" not in part[0]["c"][1][1]
    return found


def shell(parts: list[list[dict]]) -> list[dict]:
    """The headings of every chapter, and the blocks that hold one: what the contents and
    the section numbers are made from."""
    return [block for part in parts for block in part
            if block.get("t") == "Header" or has(block.get("c"), {"Header"})]


def sections(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Where each top-level <section> of `text` (from `start`) begins and ends: Pandoc's
    writer balances its tags and escapes every text, so counting them is exact."""
    found: list[tuple[int, int]] = []
    depth, begin = 0, -1
    for match in SECTION_RE.finditer(text, start):
        if not match.group(1):
            if depth == 0:
                begin = match.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                found.append((begin, match.end()))
    return found


def _chapter_sections(page: str) -> list[tuple[int, int]]:
    """The top-level <section class="level1">s of the page's <main>: one per chapter."""
    main = page.find("<main>")
    return [] if main < 0 else [(a, b) for a, b in sections(page, main)
                                if LEVEL1_RE.search(page, a, page.index(">", a))]


def splice(page: str, fragments: list[str], ids: list[str]) -> str | None:
    """The shell's page with each chapter's section replaced by its fragment (the chapter
    written alone); None when the sections do not pair with the fragments."""
    found = _chapter_sections(page)
    if len(found) != len(fragments):
        return None
    out, last = [], 0
    for (start, end), fragment, ident in zip(found, fragments, ids, strict=True):
        fragment = fragment.rstrip("\n")
        opening = f'<section id="{ident}" '
        if not (page.startswith(opening, start) and fragment.startswith(opening)
                and fragment.endswith("</section>")):
            return None
        out += [page[last:start], fragment]
        last = end
    out.append(page[last:])
    return "".join(out)

"""The composed document as Pandoc's AST, read chapter by chapter, citations resolved once.

Reading Markdown and running our Lua filters over a Markdown run cost most of each Pandoc
run (40-chapter corpus: about 1 s to read, 3.4 s for typography.lua on a Markdown run
against 0.3 s on the same document given as JSON; citeproc about 1 s), and every edit
paid them three times, once per format. So:

    read:    each chapter's Markdown -> Pandoc JSON, cached by the chapter's own text;
    join:    the chapters' blocks after the metadata, one document;
    resolve: one run over the joined JSON: paragraph numbers, citeproc (every citation of
             the document at once, so disambiguation, "ibid" and the bibliography are those
             of the whole document) and typography; cached by the joined JSON;
    write:   HTML, EPUB and DOCX from the resolved JSON (pandoc.py), no Markdown, no citeproc.

Reading chapters alone gives the same blocks as reading the whole document only where
nothing crosses a chapter's edge: a heading id, note or link label used in two chapters,
a fence left open, a chapter not starting with a heading. Then the document is read whole
(`splittable`), which is what it always was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

FENCE_RE = re.compile(r"^(`{3,}|~{3,})", re.M)
DIV_OPEN_RE = re.compile(r"^:{3,}[ \t]*[^:\s]", re.M)
DIV_CLOSE_RE = re.compile(r"^:{3,}[ \t]*$", re.M)
NOTE_RE = re.compile(r"\[\^([^\]\s]+)\]")
DEFINITION_RE = re.compile(r"^ {0,3}\[([^\]\n]+)\]:", re.M)
HEADING_RE = re.compile(r"^#{1,6}[ \t]+(.+?)(?:[ \t]+\{[^}]*\})?[ \t]*#*[ \t]*$", re.M)


def segments(markdown: str, starts: list[int]) -> list[str]:
    """The metadata header, then each chapter's text up to the next chapter's (the blank
    lines between them included, so the segments join back into the document)."""
    bounds = [0, *starts, len(markdown)]
    return [markdown[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def splittable(chapters: list[str]) -> bool:
    """True when no chapter's text reaches into another's, so that each can be read alone:
    every chapter starts with a heading (a list or quote cannot run on from the one
    before), closes its fences and divs, and uses note and link labels of its own; no
    chapter names another's heading as an implicit link, and one at most has example lists."""
    notes: set[str] = set()
    # A heading's text and a link definition's label can be linked to from anywhere.
    targets = [{h.strip().lower() for h in HEADING_RE.findall(text)}
               | {d.strip().lower() for d in DEFINITION_RE.findall(text)} for text in chapters]
    if sum("(@" in text for text in chapters) > 1:
        return False  # example lists are numbered through the whole document
    for i, text in enumerate(chapters):
        body = text.strip()
        if body and not body.startswith("#"):
            return False
        fences = FENCE_RE.findall(body)
        if len(fences) % 2 or len(DIV_OPEN_RE.findall(body)) != len(DIV_CLOSE_RE.findall(body)):
            return False
        own = set(NOTE_RE.findall(body))
        if own & notes:
            return False
        notes |= own
        others = set().union(*(t for j, t in enumerate(targets) if j != i))
        if any(f"[{t}]" in body.lower() for t in others):
            return False
    return True


def identifiers(node: object) -> Iterator[str]:
    """Every identifier an element of the JSON AST carries (headings, divs, spans...)."""
    if isinstance(node, dict):
        content = node.get("c")
        if isinstance(content, list) and content and _is_attr(content[0]) and content[0][0]:
            yield content[0][0]
        if node.get("t") == "Header" and isinstance(content, list) and len(content) > 1 \
                and _is_attr(content[1]) and content[1][0]:
            yield content[1][0]
        for value in node.values():
            yield from identifiers(value)
    elif isinstance(node, list):
        for value in node:
            yield from identifiers(value)


def _is_attr(value: object) -> bool:
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], list) and isinstance(value[2], list))


def distinct(chapters: list[dict]) -> bool:
    """No identifier is used in two chapters: read whole, Pandoc would have renamed or
    reported it."""
    seen: set[str] = set()
    for chapter in chapters:
        own = set(identifiers(chapter["blocks"]))
        if own & seen:
            return False
        seen |= own
    return True


def join(header: dict, chapters: list[dict]) -> bytes:
    """One document: the header's metadata, every chapter's blocks in order."""
    document = {"pandoc-api-version": header["pandoc-api-version"], "meta": header["meta"],
                "blocks": [block for chapter in [header, *chapters]
                           for block in chapter["blocks"]]}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def read_all(texts: list[str], read: Callable[[int, str], T]) -> list[T]:
    """Each text read (read(index, text)), two at a time: a chapter read is mostly Pandoc's
    start-up, and the machine's other core is the other worker. On the first failure (a
    refused chapter, Ctrl-C) the reads not yet started are dropped, so no Pandoc starts
    after the build was told to stop."""
    pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pandoc-read")
    try:
        futures = [pool.submit(read, i, text) for i, text in enumerate(texts)]
        return [future.result() for future in futures]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

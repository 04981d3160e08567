"""The composed document as Pandoc's AST, read chapter by chapter, citations resolved once.

Reading Markdown and running our Lua filters over a Markdown run cost most of each Pandoc
run, and citeproc needs every citation of the document; every edit paid for all of it
three times, once per format. So:

    read:     each chapter's Markdown -> Pandoc JSON, typography marked (typography.lua,
              citations left for later), cached by the chapter's own text;
    join:     the chapters' blocks after the metadata, one document, with the numbers a
              whole-document read would have given (citationNoteNum); paragraphs numbered;
    cite:     one Pandoc run over the citations alone (every Cite of the document in order,
              and the empty bibliography Div), citeproc then typography.lua: the
              disambiguation, positions and bibliography are those of the whole document,
              and the run is cached by the citations, so a change elsewhere skips it;
    put back: each resolved Cite, and the bibliography, where it came from;
    write:    HTML, EPUB and DOCX from the resolved JSON (pandoc.py), no Markdown, no
              citeproc.

Reading chapters alone gives the same blocks as reading the whole document only where
nothing crosses a chapter's edge: a heading id, note or link label used in two chapters,
a fence left open, a chapter not starting with a heading. Then the document is read whole
(`splittable`). Citations resolved apart give the same document as citeproc over the
whole one only for an in-text style whose citations citeproc leaves where they stand
(`apart`, `put_back`); otherwise the whole document goes through citeproc, as it always
did.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

S = TypeVar("S")
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


def join(header: dict, chapters: list[dict]) -> dict:
    """One document: the header's metadata, every chapter's blocks in order, numbered as
    one read of the whole document would number them."""
    renumber_notes([header, *chapters])
    return {"pandoc-api-version": header["pandoc-api-version"], "meta": header["meta"],
            "blocks": [block for chapter in [header, *chapters] for block in chapter["blocks"]]}


def read_all(texts: list[S], read: Callable[[int, S], T]) -> list[T]:
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


# --- citationNoteNum: what a whole-document read numbers ------------------------------------


def _count_notes(node: object, inside: bool = False) -> int:
    """What Pandoc's Markdown reader counts while reading: each note, and each citation
    outside a note (a citation in a note takes the note's number)."""
    if isinstance(node, list):
        return sum(_count_notes(value, inside) for value in node)
    if not isinstance(node, dict):
        return 0
    kind = node.get("t")
    if kind == "Note":
        return 1 + _count_notes(node.get("c"), True)
    if kind == "Cite":
        return 0 if inside else 1
    return _count_notes(node.get("c"), inside)


def _shift_notes(node: object, offset: int) -> None:
    if isinstance(node, list):
        for value in node:
            _shift_notes(value, offset)
    elif isinstance(node, dict):
        if node.get("t") == "Cite":
            for citation in node["c"][0]:
                citation["citationNoteNum"] += offset
        else:
            _shift_notes(node.get("c"), offset)


def renumber_notes(chapters: list[dict]) -> None:
    """Each chapter read alone counts notes and citations from 1; read whole, the count
    runs on through the document. citeproc decides a citation's position ("ibid",
    "subsequent", near-note) by these numbers."""
    offset = 0
    for chapter in chapters:
        if offset:
            _shift_notes(chapter["blocks"], offset)
        offset += _count_notes(chapter["blocks"])


# --- Paragraph numbers ------------------------------------------------------------------------


def numbered(blocks: list[dict]) -> list[tuple[str, dict]]:
    """The body paragraphs of every numbered chapter, each with its number: "2.3" is the
    third paragraph of chapter 2. Numbers come from the document's structure, not from
    build order, so a paragraph keeps its number when a later chapter changes. Top-level
    paragraphs are numbered, and a claim block (a Div with class "claim") counts as one
    paragraph (its first); quotes, lists, tables and unnumbered chapters are not."""
    found: list[tuple[str, dict]] = []
    chapter = count = 0
    numbering = False
    for block in blocks:
        kind = block.get("t")
        if kind == "Header" and block["c"][0] == 1:
            numbering = "unnumbered" not in block["c"][1][1]
            if numbering:
                chapter, count = chapter + 1, 0
            continue
        if not numbering:
            continue
        if kind == "Div" and "claim" in block["c"][0][1]:
            block = block["c"][1][0] if block["c"][1] else {}
        if block.get("t") == "Para":
            count += 1
            found.append((f"{chapter}.{count}", block))
    return found


def find_div(blocks: list[dict], ident: str) -> dict | None:
    """The Div with this id, among the blocks or inside their Divs."""
    for block in blocks:
        if block.get("t") == "Div":
            if block["c"][0][0] == ident:
                return block
            found = find_div(block["c"][1], ident)
            if found is not None:
                return found
    return None


def number_paragraphs(blocks: list[dict],
                      identify: Callable[[list[tuple[str, dict]]],
                                         list[tuple[str, str, list[str]]]] | None = None
                      ) -> None:
    """Put each numbered paragraph's number before its text: a visible span, printed
    with a pilcrow, "¶2.3", so that it cannot be taken for section 2.3, whose id readers
    and students link to. `identify` gives each (number by place, paragraph) its printed
    number, its anchor ("p" + that number) and the anchors of the numbers it had in
    earlier releases (paragraphs.py), each an empty span before it; without it, the
    number by place."""
    found = numbered(blocks)
    named = identify(found) if identify else [(label, f"p{label}", []) for label, _ in found]
    for (_, block), (label, ident, others) in zip(found, named, strict=True):
        block["c"][:0] = [
            *({"t": "Span", "c": [[other, ["pnum-alias"], []], []]} for other in others),
            {"t": "Span", "c": [[ident, ["pnum"], []], [{"t": "Str", "c": f"¶{label}"}]]},
            {"t": "Space"}]


# --- Citations resolved apart -----------------------------------------------------------------

# Markers that make citeproc change the document outside its citations: a span it treats as
# its own quotation mark, a section that restarts citation positions; and the placeholder
# typography.lua puts in a citation's place (outputs/pandoc.py).
CITEPROC_MARKERS = ("csl-quoted", "reset-citation-positions", "briefing-citation-placeholder")
TEXT_BLOCKS = {"Para", "Plain", "Header"}
LATER = "briefing-citations-later"  # the metadata that tells typography.lua to skip citations
LEAVES = {"Str", "Code", "Math", "RawInline"}


def in_text(csl: str) -> bool:
    """Whether the CSL style cites in the text (author-date, numeric) rather than in notes."""
    match = re.search(r"<style\b[^>]*\bclass\s*=\s*[\"']([^\"']+)", csl)
    return bool(match and match.group(1) == "in-text")


def apart(markdown: str, csl: str) -> bool:
    """Whether this document's citations may be resolved apart from its text."""
    return in_text(csl) and not any(marker in markdown for marker in CITEPROC_MARKERS)


def _is_refs(node: dict) -> bool:
    ident = node["c"][0][0]
    return ident == "refs" or ident.endswith("__refs")


def citations(blocks: list[dict]) -> list[dict] | None:
    """Every Cite of the document, and every bibliography Div ("refs"), in the order
    citeproc meets them; None when a citation stands where typography.lua, run over the
    whole document, would treat it otherwise than in a paragraph of its own (in a note's
    paragraph inside another paragraph, in a line block or definition term, in a
    reference entry of the author's)."""
    found: list[dict] = []

    def visit(node: object, texts: int, in_ref: bool) -> bool:
        if isinstance(node, list):
            return all(visit(value, texts, in_ref) for value in node)
        if not isinstance(node, dict):
            return True
        kind = node.get("t")
        if kind == "Cite":
            found.append(node)
            return texts == 1 and not in_ref
        if kind == "Div":
            if _is_refs(node):
                found.append(node)
            in_ref = in_ref or node["c"][0][0].startswith("ref-")
        return visit(node.get("c"), texts + (kind in TEXT_BLOCKS), in_ref)

    return found if visit(blocks, 0, False) else None


def citations_document(document: dict, found: list[dict]) -> bytes:
    """The document's metadata and, in order, each citation in a paragraph of its own and
    each bibliography Div emptied: what citeproc and typography.lua need, and no more."""
    blocks = [{"t": "Para", "c": [node]} if node["t"] == "Cite"
              else {"t": "Div", "c": [node["c"][0], []]} for node in found]
    return dump({**document, "blocks": blocks})


def _text(node: object) -> str:
    if isinstance(node, list):
        return "".join(_text(value) for value in node)
    if not isinstance(node, dict):
        return ""
    kind = node.get("t")
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in LEAVES:
        content = node["c"]
        return content if isinstance(content, str) else str(content[-1])
    return _text(node.get("c"))


def has(node: object, kinds: set[str]) -> bool:
    """Whether an element of one of `kinds` is anywhere under `node` (JSON AST)."""
    if isinstance(node, list):
        return any(has(value, kinds) for value in node)
    return isinstance(node, dict) and (node.get("t") in kinds or has(node.get("c"), kinds))


def put_back(found: list[dict], resolved: dict) -> bool:
    """Each resolved citation and bibliography in the place of the one it came from (the
    document's nodes are changed in place). False, with nothing changed, when citeproc
    over the whole document would also have moved text around a citation: one rendered
    as a note or superscript (the space before it goes), or ending in a full stop (a full
    stop after it goes)."""
    out = resolved["blocks"]
    if len(out) != len(found):
        return False
    for node, block in zip(found, out, strict=True):
        if node["t"] == "Cite":
            if block.get("t") != "Para" or len(block["c"]) != 1:
                return False
            content = block["c"][0]["c"][1]
            if has(content, {"Note", "Superscript"}) or _text(content).endswith("."):
                return False
    for node, block in zip(found, out, strict=True):
        if node["t"] == "Cite":
            node["c"] = block["c"][0]["c"]
        else:
            node["c"] = [block["c"][0], node["c"][1] + block["c"][1]]
    return True


# Metadata the resolve run adds from its command line: the absolute paths of the
# bibliography and the style, which no writer prints (docx.py drops them).
PATHS = ("bibliography", "csl")


def for_key(document: dict) -> bytes:
    """The document as a cache key: without the paths, so a moved project keeps its cache."""
    return dump({**document, "meta": {k: v for k, v in document["meta"].items()
                                      if k not in PATHS}})


def dump(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

"""Heading identifiers of chapters read alone, renumbered as a whole read would have them.

Each chapter's Markdown is read alone (ast.py), so Pandoc numbers the automatic heading
identifiers of each chapter from scratch: every chapter's "## Part 1" is `part-1`. Read
whole, the second is `part-1-1`, the third `part-1-2`. `renumber` replays Pandoc's
numbering over the chapters in order, or answers None when it cannot be sure.

Pandoc 3.9, the source this follows:

- Text.Pandoc.Readers.Markdown (atxHeader, setextHeader): every heading, wherever it is
  (top level, block quote, list item, div, note), goes through `registerHeader` with the
  attributes written after it, in the order the parser meets it.
- Text.Pandoc.Parsing.General.registerHeader: with no identifier written and
  auto_identifiers on, the identifier is `uniqueIdent exts inlines used` and is added to
  `used` (stateIdentifiers); a written identifier is kept as it is, added to `used`, and
  reported (DuplicateIdentifier) when already there. Nothing else adds to `used`: the
  identifiers of divs, spans, code and so on neither take a name nor stop one.
- Text.Pandoc.Shared.uniqueIdent: base = inlineListToIdentifier of the heading's inlines
  ("section" when that is empty); the base when not in `used`, else base-N for the
  smallest N >= 1 such that base-N is not in `used` (N up to 60000).
- Text.Pandoc.Shared.inlineListToIdentifier / textToIdentifier (no gfm_auto_identifiers,
  no ascii_identifiers): stringify, lower-case, keep letters, digits, spaces and "_-.",
  words joined by "-", everything before the first letter dropped.

A chapter's AST does not say which identifiers were written and which Pandoc made: the
chapter's text does (the `{#id}` after a heading). Nor does an automatic identifier
always give its base (a second "Part 1" in one chapter is `part-1-1`, the same as a
heading "Part 1-1"); where it may be either, the heading's own text decides, when it is
plain enough to derive the base from with certainty; otherwise None.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import unquote

_FENCE_RE = re.compile(r"^(`{3,}|~{3,})")
_QUOTE_RE = re.compile(r"^>[ ]?")
_LIST_RE = re.compile(r"^(?:[-*+]|\(?(?:\d+|#|@[\w-]*|[a-zA-Z]|[ivxlcdmIVXLCDM]+)[.)])[ \t]+")
_ATX_RE = re.compile(r"^(#+)(?:[ \t]+(.*?))?[ \t]*$")
_SETEXT_UNDERLINE_RE = re.compile(r"^[=-]+[ \t]*$")
_ATTR_RE = re.compile(r"(?<!\\)\{([^{}]*)\}[ \t]*$")
_IDENT_CHARS = r"[\w\-:.]"
_ID_TOKEN_RE = re.compile(rf"#({_IDENT_CHARS}+)")
_OTHER_TOKEN_RE = re.compile(rf"\.[^\W\d_]{_IDENT_CHARS}*|-|[^\W\d_]{_IDENT_CHARS}*="
                             r"(?:\"[^\"\s]*\"|'[^'\s]*'|[^\s\"'}]*)")
# An example list's item marker: (@), (@label), @label. ... (read whole, `@label` becomes
# the item's number, which no base can be derived from).
_EXAMPLE_RE = re.compile(r"(?:^|\s)\(?@[\w-]*[.)]", re.M)
_SUFFIX_RE = re.compile(r"^(.+)-([1-9]\d*)$")
# Inline elements whose text reads the same whatever the rest of the document holds.
_PLAIN_INLINES = {"Str", "Space", "Emph", "Strong", "Strikeout", "Superscript",
                  "Subscript", "SmallCaps", "Underline", "Quoted"}
# Punctuation outside ASCII that smart typography puts in a heading's text (dropped).
_TYPOGRAPHIC = set("\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00a0")
_MAX_SUFFIX = 60000


class _Unsure(Exception):
    """Something this module cannot decide with certainty: the caller reads whole."""


def renumber(chapters: list[dict], texts: list[str]) -> list[dict] | None:
    """The chapters' ASTs (each as read alone from its text, in order) with the heading
    identifiers Pandoc gives them reading the texts joined into one document; None when
    that cannot be known for certain, or when the whole read would report a duplicate
    identifier, or when renaming would change what a link or another identifier means.

    Assumes the reader `markdown-raw_html-raw_attribute` (auto_identifiers on, neither
    gfm_auto_identifiers nor ascii_identifiers) and chapters that are otherwise
    independent (ast.splittable). The chapters are renamed in place (each is a fresh
    read, and a 40-chapter copy costs more than the read), only once the answer is sure."""
    if len(chapters) != len(texts):
        return None
    try:
        return _renumber(chapters, texts)
    except _Unsure:
        return None


def _renumber(chapters: list[dict], texts: list[str]) -> list[dict]:
    headers = [_headers(chapter) for chapter in chapters]
    # Each heading: (written identifier or None, base of the automatic identifier).
    plans = [_plan(found, text) for found, text in zip(headers, texts, strict=True)]

    used: set[str] = set()
    renamed: list[dict[str, str]] = []
    new_ids: list[list[str]] = []
    for found, plan in zip(headers, plans, strict=True):
        own: dict[str, str] = {}
        ids: list[str] = []
        for header, (written, base) in zip(found, plan, strict=True):
            old = header["c"][1][0]
            if written is not None:
                if written in used:
                    raise _Unsure  # DuplicateIdentifier read whole
                new = written
            else:
                assert base is not None
                new = _unique(base, used)
            used.add(new)
            ids.append(new)
            if new != old:
                if own.get(old, new) != new:
                    raise _Unsure
                own[old] = new
        renamed.append(own)
        new_ids.append(ids)

    _check_others(chapters, new_ids, renamed)

    for chapter, ids in zip(chapters, new_ids, strict=True):
        for header, new in zip(_headers(chapter), ids, strict=True):
            header["c"][1][0] = new
    return chapters


def _unique(base: str, used: set[str]) -> str:
    """Text.Pandoc.Shared.uniqueIdent, given the base."""
    if base not in used:
        return base
    for n in range(1, _MAX_SUFFIX + 1):
        if f"{base}-{n}" not in used:
            return f"{base}-{n}"
    raise _Unsure


def _plan(found: list[dict], text: str) -> list[tuple[str | None, str | None]]:
    """For each heading of one chapter: the identifier written in the text (None when
    Pandoc made it), or the base Pandoc made the identifier from."""
    written = _written_ids(text)
    if len(written) != len(found):
        raise _Unsure
    example_refs = bool(_EXAMPLE_RE.search(text))
    used: set[str] = set()
    plan: list[tuple[str | None, str | None]] = []
    for header, (ident, line) in zip(found, written, strict=True):
        current = header["c"][1][0]
        if not _within(_heading_text(header), line):
            raise _Unsure  # the text's headings and the AST's do not pair up
        if ident is not None:
            if ident != current or ident in used:
                raise _Unsure
            used.add(ident)
            plan.append((ident, None))
            continue
        if not current or current in used:
            raise _Unsure
        bases = _bases(current, used)
        derived = None if example_refs else _derived_base(header["c"][2])
        if derived is not None:
            if derived not in bases:
                raise _Unsure
            base = derived
        elif len(bases) == 1:
            base = bases[0]
        else:
            raise _Unsure
        used.add(current)
        plan.append((None, base))
    return plan


def _within(words: str, line: str) -> bool:
    """True when the letters and digits of a heading's words (from the AST) come in
    order among those of a heading's line (its Markdown)."""
    source = iter(c for c in line.lower() if c.isalnum())
    return all(c in source for c in words if c.isalnum())


def _bases(ident: str, used: set[str]) -> list[str]:
    """The bases uniqueIdent could have made `ident` from, given the identifiers used
    before it."""
    bases = [ident]
    match = _SUFFIX_RE.match(ident)
    if match:
        base, n = match.group(1), int(match.group(2))
        if n <= _MAX_SUFFIX and all(
                (f"{base}-{k}" if k else base) in used for k in range(n)):
            bases.append(base)
    return bases


def _derived_base(inlines: list) -> str | None:
    """inlineListToIdentifier's base for a heading made of plain text only (ASCII, Latin-1
    and Latin Extended-A letters, typographic punctuation), where Python's character
    classes and lower-casing are Haskell's; else None."""
    parts: list[str] = []
    if not _plain_text(inlines, parts):
        return None
    text = "".join(parts)
    if any(ord(c) > 127 and c not in _TYPOGRAPHIC and not _latin_letter(c) for c in text):
        return None
    text = text.lower()
    kept = "".join(c for c in text if c.isspace() or (c.isascii() and c.isalnum())
                   or _latin_letter(c) or c in "_-.")
    ident = "-".join(kept.split())
    ident = ident[next((i for i, c in enumerate(ident) if c.isalpha()), len(ident)):]
    return ident or "section"


def _latin_letter(c: str) -> bool:
    """A letter of Latin-1 or Latin Extended-A (not İ): a letter to Haskell and Python alike,
    lower-cased alike (one letter to one letter, ß and the rest unchanged)."""
    return ("\u00c0" <= c <= "\u017f" and c != "\u0130"
            and unicodedata.category(c) in ("Lu", "Ll"))


def _plain_text(inlines: list, out: list[str]) -> bool:
    for inline in inlines:
        if not isinstance(inline, dict) or inline.get("t") not in _PLAIN_INLINES:
            return False
        kind = inline["t"]
        if kind == "Str":
            out.append(inline["c"])
        elif kind == "Space":
            out.append(" ")
        elif kind == "Quoted":
            if not _plain_text(inline["c"][1], out):
                return False
        elif not _plain_text(inline["c"], out):
            return False
    return True


def _written_ids(text: str) -> list[tuple[str | None, str]]:
    """Each heading of a chapter's Markdown, in order: the identifier written in its
    attributes (or None) and its line. Lines inside fenced code are skipped; a heading is looked for
    after block quote and list markers."""
    result: list[tuple[str | None, str]] = []
    fence: str | None = None
    previous: str | None = None
    for raw in text.splitlines():
        line = raw
        while True:
            stripped = _QUOTE_RE.sub("", line, count=1)
            stripped = _LIST_RE.sub("", stripped, count=1)
            if stripped == line:
                break
            line = stripped
        fenced = _FENCE_RE.match(line.lstrip(" "))
        if fence is not None:
            if fenced and fenced.group(1)[0] == fence[0] and len(fenced.group(1)) >= len(fence):
                fence = None
            previous = None
            continue
        if fenced:
            fence = fenced.group(1)
            previous = None
            continue
        atx = _ATX_RE.match(line)
        if atx:
            result.append((_attribute_id(atx.group(2) or ""), atx.group(2) or ""))
            previous = None
            continue
        if (_SETEXT_UNDERLINE_RE.match(line) and previous is not None
                and previous.strip()):
            result.append((_attribute_id(previous), previous))
            previous = None
            continue
        previous = line
    return result


def _attribute_id(heading: str) -> str | None:
    """The identifier in the attributes ending a heading's line, None when there is none;
    _Unsure when the attributes are not plainly `{#id .class key=value -}`."""
    heading = heading.rstrip()
    if "{" not in heading:
        return None
    match = _ATTR_RE.search(heading)
    if not match:
        if "#" in heading.split("{", 1)[1]:
            raise _Unsure
        return None
    ident = None
    for token in match.group(1).split():
        id_match = _ID_TOKEN_RE.fullmatch(token)
        if id_match:
            ident = id_match.group(1)
        elif not _OTHER_TOKEN_RE.fullmatch(token) or token.startswith("id="):
            raise _Unsure
    return ident


def _headers(chapter: dict) -> list[dict]:
    """The chapter's Header elements in document order (the order Pandoc registered
    them); _Unsure for a heading in a note or table, whose place in the AST is not where
    the parser met it, or for a chapter carrying metadata."""
    if chapter.get("meta"):
        raise _Unsure
    found: list[dict] = []
    _walk_headers(chapter.get("blocks"), found, False)
    return found


def _walk_headers(node: object, found: list[dict], enclosed: bool) -> None:
    if isinstance(node, dict):
        kind = node.get("t")
        if kind == "Header":
            if enclosed or not _is_attr(node["c"][1]):
                raise _Unsure
            found.append(node)
            return
        inner = enclosed or kind in ("Note", "Table", "Figure")
        for value in node.values():
            _walk_headers(value, found, inner)
    elif isinstance(node, list):
        for value in node:
            _walk_headers(value, found, enclosed)


def _others(node: object) -> Iterator[str]:
    """Identifiers of everything but headings (divs, spans, code, tables and their parts,
    links, images)."""
    if isinstance(node, dict):
        if node.get("t") == "Header":
            yield from _others(node["c"][2])
            return
        for value in node.values():
            yield from _others(value)
    elif isinstance(node, list):
        if node and _is_attr(node[0]) and node[0][0]:
            yield node[0][0]
        for value in node:
            yield from _others(value)


def _targets(node: object) -> Iterator[str]:
    """The identifiers internal links and images point at (`#id`)."""
    if isinstance(node, dict):
        if node.get("t") in ("Link", "Image"):
            url = node["c"][2][0]
            if isinstance(url, str) and url.startswith("#"):
                yield url[1:]
                yield unquote(url[1:])
        for value in node.values():
            yield from _targets(value)
    elif isinstance(node, list):
        for value in node:
            yield from _targets(value)


def _check_others(chapters: list[dict], new_ids: list[list[str]],
                  renamed: list[dict[str, str]]) -> None:
    """_Unsure when a renamed heading's identifier, old or new, is also another element's
    or a link's target, when a chapter links to its own heading of a text an earlier
    chapter's heading has, when a chapter's text names another's heading in brackets
    (an implicit reference), or when any identifier ends up in two chapters."""
    touched = {name for own in renamed for pair in own.items() for name in pair}
    headings = [{_heading_text(h) for h in _headers(chapter)} - {""} for chapter in chapters]
    for i, chapter in enumerate(chapters):
        # `[Heading]` naming another chapter's heading: plain text read alone, a link
        # read whole (ast.splittable looks for these too, in the Markdown's own lines).
        words = _text(chapter.get("blocks"))
        if any(f"[{text}]" in words for j, own in enumerate(headings) if j != i
               for text in own):
            raise _Unsure
    seen: set[str] = set()
    earlier: set[str] = set()  # the text of every heading of the chapters before
    for chapter, ids in zip(chapters, new_ids, strict=True):
        others = set(_others(chapter.get("blocks")))
        targets = set(_targets(chapter.get("blocks")))
        if others & touched or targets & touched:
            raise _Unsure
        # `[Heading]` links to the first heading of that text in the document: read
        # alone, to this chapter's own; read whole, perhaps to an earlier chapter's.
        texts = {header["c"][1][0]: _heading_text(header) for header in _headers(chapter)}
        if any(texts.get(target) in earlier for target in targets):
            raise _Unsure
        earlier |= set(texts.values())
        own = others | set(ids)
        if own & seen:
            raise _Unsure
        seen |= own


def _heading_text(header: dict) -> str:
    """A heading's words, lower-cased (notes left out)."""
    return _text(header["c"][2], notes=False)


def _text(node: object, notes: bool = True) -> str:
    """The words of an AST's text, lower-cased, one space between."""
    words: list[str] = []
    _words(node, words, notes)
    return " ".join("".join(words).lower().split())


def _words(node: object, out: list[str], notes: bool) -> None:
    if isinstance(node, dict):
        kind = node.get("t")
        if kind == "Str":
            out.append(node["c"])
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Code", "Math"):
            out.append(node["c"][1])
        elif kind != "Note" or notes:
            _words(node.get("c"), out, notes)
            if kind in ("Para", "Plain", "Header"):
                out.append(" ")
    elif isinstance(node, list):
        for value in node:
            _words(value, out, notes)


def _is_attr(value: object) -> bool:
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], list) and isinstance(value[2], list))

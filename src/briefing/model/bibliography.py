"""bib/briefing.bib: parsed with bibtexparser v2, checked, handed to Pandoc clean.

bibtexparser never raises on a bad entry; it keeps it as a failed block with its
line. We turn every failed block into an error, so Pandoc never silently picks one
of two duplicate entries or drops a broken one.
"""

from __future__ import annotations

import logging
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
from bibtexparser.library import Library
from bibtexparser.middlewares.enclosing import REMOVED_ENCLOSING_KEY
from bibtexparser.model import Block, DuplicateBlockKeyBlock, Entry, Field

from briefing import files
from briefing.errors import BriefingError, Collector, line_of_offset
from briefing.model.project import Project

AUTHORISH = ("author", "editor", "organization", "institution", "publisher")
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
# 'n.d.' says, on purpose, that the work carries no verifiable date; never guess one.
DATE_RE = re.compile(r"^(\d{4}(-\d{2}(-\d{2})?)?(/\d{4}(-\d{2}(-\d{2})?)?)?|n\.d\.)$")
URL_RE = re.compile(r"^https?://[^\s{}]+$")
MONTHS = {m: str(i) for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
PRIVATE_FIELDS = ("note",)  # maintainers' notes (where a field was verified): never printed


@dataclass
class Bibliography:
    path: Path
    library: Library

    @property
    def keys(self) -> dict[str, int]:
        """Citation key -> 1-based line of its entry."""
        return {e.key: _line(e) for e in self.library.entries}

    def for_pandoc(self) -> str:
        """The checked entries without private fields, in file order, deterministic.
        Parsed back before it is handed on: it must hold exactly these entries and fields."""
        text = self._written()
        again = bibtexparser.parse_string(text)
        want = [(e.key, [f.key for f in e.fields if f.key.lower() not in PRIVATE_FIELDS])
                for e in self.library.entries]
        got = [(e.key, [f.key for f in e.fields]) for e in again.entries]
        if again.failed_blocks or [(k, [f for f in fs if f.lower() not in ("year", "date")])
                                   for k, fs in want] != [
                (k, [f for f in fs if f.lower() not in ("year", "date")]) for k, fs in got]:
            raise BriefingError.at("the bibliography does not survive being written out for "
                                   "Pandoc unchanged", self.path, None,
                                   "look for unbalanced braces or stray quotes in a field")
        return text

    def replaced(self, own: Bibliography) -> Bibliography:
        """This bibliography with an edition's own entries in place of those with the same
        keys (editions.<id>.bibliography), in this file's order. A key the shared file
        lacks is an error: an edition's file replaces entries, it never adds a work."""
        shared = self.keys
        problems = Collector()
        for entry in own.library.entries:
            if entry.key not in shared:
                problems.add(f"citation key {entry.key!r} is not in {self.path.name}", own.path,
                             _line(entry), f"an edition's bibliography only replaces entries "
                             f"of {self.path.name}: add the work there first, with this key")
        problems.raise_if_any()
        by_key = {entry.key: entry for entry in own.library.entries}
        return Bibliography(self.path, Library([by_key.get(e.key, e)
                                                for e in self.library.entries]))

    def _written(self) -> str:
        lines = []
        for entry in self.library.entries:
            lines.append(f"@{entry.entry_type}{{{entry.key},")
            for f in entry.fields:
                if f.key.lower() in ("year", "date") and f.value.strip().lower() == "n.d.":
                    continue  # undated: citeproc prints its locale's term ("n.d.", "z.d.")
                if f.key.lower() not in PRIVATE_FIELDS:
                    # bibtexparser v2 strips only the outer delimiters: keep inner braces,
                    # which protect corporate authors like {{NOS}} from name parsing.
                    lines.append(f"  {f.key} = {{{f.value}}},")
            lines.append("}\n")
        return "\n".join(lines)


def _unwrap(value: str) -> str:
    value = str(value).strip()
    if len(value) >= 2 and value[0] == "{" and value[-1] == "}":
        return value[1:-1]
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


class _Expander:
    """Expands @string abbreviations and '#' concatenations (bibtexparser leaves them as
    written, and Pandoc would print 'a # b' literally), within a size budget: a chain of
    @strings that doubles at each step would otherwise grow without end."""

    def __init__(self, library: Library, path: Path, most: int):
        self.path, self.most = path, most
        self.raw = {s.key.lower(): (s.value, _enclosing(s), _line(s))
                    for s in library.strings}
        self.done: dict[str, str] = {}

    def field(self, value: str, enclosing: str | None, what: str, line: int) -> str:
        text = value if enclosing not in (None, "no-enclosing") else self._expand(
            value, what, line, ())
        if len(text) > self.most:
            raise BriefingError.at(
                f"{what} is {len(text):,} characters, more than limits.bib_field_chars "
                f"({self.most:,})", self.path, line,
                "shorten it (a bibliography field needs no more); check @string definitions")
        return text

    def _expand(self, value: str, what: str, line: int, chain: tuple[str, ...]) -> str:
        out = []
        for token in _split_concat(value):
            if token[:1] in "{\"" and token[-1:] in "}\"" and len(token) >= 2:
                out.append(token[1:-1])
            elif token.isdigit():
                out.append(token)
            else:
                out.append(self._string(token.lower(), what, line, chain))
            if sum(map(len, out)) > self.most:
                raise BriefingError.at(
                    f"{what} expands to more than limits.bib_field_chars ({self.most:,}) "
                    "characters", self.path, line,
                    "check the @string definitions it uses; they should not grow this much")
        return "".join(out)

    def _string(self, name: str, what: str, line: int, chain: tuple[str, ...]) -> str:
        if name in self.done:
            return self.done[name]
        if name in chain:
            raise BriefingError.at(f"@string {name!r} refers to itself ({' -> '.join(chain)})",
                                   self.path, self.raw[name][2], "break the cycle")
        if name not in self.raw:
            if name in MONTHS:
                return MONTHS[name]
            raise BriefingError.at(f"{what} uses {name!r}, which is not a defined @string",
                                   self.path, line,
                                   "put the value in braces, e.g. {" + name + "}, or define "
                                   "it with @string")
        value, enclosing, where = self.raw[name]
        text = value if enclosing not in (None, "no-enclosing") else self._expand(
            value, f"@string {name!r}", where, (*chain, name))
        self.done[name] = text
        return text


def _line(block: Block) -> int:
    """The 1-based line a parsed block starts on (only a block made in code has none)."""
    assert block.start_line is not None
    return block.start_line + 1


def _enclosing(block) -> str | None:
    meta = getattr(block, "parser_metadata", {}).get(REMOVED_ENCLOSING_KEY)
    return meta if isinstance(meta, str) else None


def _split_concat(value: str) -> list[str]:
    """Split a BibTeX value on '#' outside braces and quotes."""
    parts: list[str] = []
    current: list[str] = []
    depth, quoted = 0, False
    for char in value:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        if char == "#" and depth == 0 and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _expand_fields(library: Library, path: Path, most: int, problems: Collector) -> None:
    expander = _Expander(library, path, most)
    for entry in library.entries:
        enclosing = entry.parser_metadata.get(REMOVED_ENCLOSING_KEY, {})
        line = _line(entry)
        for f in list(entry.fields):
            try:
                text = expander.field(f.value, enclosing.get(f.key), f"field {f.key!r} of "
                                      f"{entry.key!r}", line)
            except BriefingError as exc:
                problems.extend(exc)
                continue
            if text != f.value:
                entry.set_field(Field(f.key, text))


def load(path: Path, max_field_chars: int = 20_000,
         inputs: files.Inputs | None = None) -> Bibliography:
    text = inputs.read_text(path) if inputs else files.read_text(path)
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # we report failed blocks
    library = bibtexparser.parse_string(text)
    problems = Collector()
    for block in library.failed_blocks:
        line = _line(block)
        if isinstance(block, DuplicateBlockKeyBlock):
            first = next((_line(e) for e in library.entries if e.key == block.key), None)
            problems.add(f"duplicate citation key {block.key!r} (first entry on line {first})",
                         path, line, "give each entry its own key, or delete the copy")
        else:
            reason = str(getattr(block, "error", "") or "").strip().splitlines()
            problems.add("BibTeX entry cannot be parsed"
                         + (f": {reason[0]}" if reason else ""), path, line,
                         "check that braces {} and quotes are balanced and fields end with ','")
    if not problems.problems:
        _expand_fields(library, path, max_field_chars, problems)
    problems.raise_if_any()
    for entry in library.entries:
        _check_entry(entry, path, problems)
    problems.raise_if_any()
    if not library.entries:
        raise BriefingError.at("bibliography has no entries", path, 1,
                               "add the works the briefing cites")
    return Bibliography(path, library)


def _balanced(value: str) -> bool:
    """Braces balance whether or not a backslash escapes the brace after it (BibTeX
    counts \\{ as a brace, Pandoc's reader may not): only then can the value be written
    back between braces without ending early and smuggling in fields of its own."""
    for escapes in (False, True):
        depth, skip = 0, False
        for char in value:
            if skip:
                skip = False
            elif escapes and char == "\\":
                skip = True
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth < 0:
                    return False
        if depth != 0 or skip:
            return False
    return True


def _check_entry(entry: Entry, path: Path, problems: Collector) -> None:
    fields = {f.key.lower(): _unwrap(f.value) for f in entry.fields}
    line = _line(entry)
    kind = entry.entry_type.lower()
    for f in entry.fields:
        if not _balanced(f.value):
            problems.add(f"field {f.key!r} of {entry.key!r} has unbalanced braces", path, line,
                         "every { needs its }; write a literal brace as \\{ or \\}, in pairs")

    def missing(what: str, hint: str) -> None:
        problems.add(f"entry {entry.key!r} ({kind}) has no {what}", path, line, hint)

    if not fields.get("title"):
        missing("title", "add title = {...}")
    date = fields.get("date") or fields.get("year")
    if not date:
        missing("year or date", "add the verified year, or year = {n.d.} if the work has none")
    elif not DATE_RE.match(date):
        problems.add(f"entry {entry.key!r}: malformed date {date!r}", path, line,
                     "use YYYY, YYYY-MM-DD, or n.d. for an undated work")
    if kind != "misc" and not any(fields.get(f) for f in AUTHORISH):
        missing("author or organisation", "add author = {Last, First}; for an organisation, "
                "author = {{Its Name}} in double braces, so that citations print its name")
    if kind == "article" and not (fields.get("journaltitle") or fields.get("journal")):
        missing("journal", "add journaltitle = {...}")
    doi = fields.get("doi")
    if doi is not None and not DOI_RE.match(doi):
        problems.add(f"entry {entry.key!r}: malformed DOI {doi!r}", path, line,
                     "write the bare DOI, e.g. 10.1111/1468-2230.12462")
    url = fields.get("url")
    if url is not None and not URL_RE.match(url):
        problems.add(f"entry {entry.key!r}: malformed URL {url!r}", path, line,
                     "use a full http:// or https:// address")


LANGUAGES = {"english": "en", "british": "en-GB", "american": "en-US", "dutch": "nl",
             "german": "de", "french": "fr", "spanish": "es", "italian": "it",
             "chinese": "zh"}


# The titles of the periodicals and series that cited works appeared in ("Human Rights
# Quarterly", "Black Mirror"), and a title set in italics in a free-text field.
TITLE_FIELDS = ("journaltitle", "journal", "series")
EMPH_RE = re.compile(r"\\(?:emph|textit)\{([^{}]+)\}")


def typography(bib: Bibliography) -> dict:
    """What the typography filter needs from the bibliography: every family name of a
    person who wrote a listed work (never hyphenated or split), each work's language (its
    title is hyphenated by that language's rules), and the titles of the periodicals and
    series the works appeared in (in italics wherever the text names them)."""
    names: set[str] = set()
    languages: dict[str, str] = {}
    titles: set[str] = set()
    for entry in bib.library.entries:
        fields = {f.key.lower(): f.value for f in entry.fields}  # braces as written
        found = [_unwrap(fields[k]) for k in TITLE_FIELDS if k in fields]
        found += EMPH_RE.findall(str(fields.get("howpublished", "")))
        titles.update(" ".join(t.replace("{", "").replace("}", "").split()) for t in found)
        for person in (p for k in ("author", "editor", "translator")
                       for p in re.split(r"\s+and\s+", fields.get(k, ""))):
            person = person.strip()
            if not person or person.startswith("{"):
                continue  # a corporate name in braces: set as written
            family = person.split(",")[0] if "," in person else person.split()[-1]
            names.update(w.strip("{}") for w in family.split() if len(w.strip("{}")) > 2)
        langid = _unwrap(fields.get("langid", "")).lower()
        if langid:
            languages[entry.key] = LANGUAGES.get(langid, langid)
    return {"names": sorted(names), "languages": languages,
            "titles": sorted(t for t in titles if t)}


def unused(bib: Bibliography, cited: set[str]) -> list[tuple[str, int]]:
    return [(key, line) for key, line in bib.keys.items() if key not in cited]


CSL_NS = "{http://purl.org/net/xbiblio/csl}style"


def check_csl(path: Path, project: Project, problems: Collector) -> None:
    """A citation style Pandoc can use: a CSL file inside the project, without a DTD or
    entities, with a <citation> element (Pandoc's own errors on a bad one are cryptic)."""
    where = project.config_path
    if not os.path.lexists(path):
        problems.add(f"CSL style {str(path.relative_to(project.root))!r} not found", where, None,
                     "set bibliography.style (or editions.<id>.style) to a .csl file inside "
                     "the project")
        return
    try:
        data = project.inputs.read_bytes(path)  # inside the project, a regular file, bounded
    except BriefingError as exc:
        problems.extend(exc)
        return
    if declaration := re.search(rb"<!(DOCTYPE|ENTITY)", data, re.I):
        problems.add("CSL style with a DTD or entities", path,
                     line_of_offset(data, declaration.start()),
                     "use a style from the CSL styles repository (they have none)")
        return
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        problems.add(f"CSL style is not well-formed XML: {exc}", path, exc.position[0],
                     "use a style from the CSL styles repository")
        return
    if root.tag != CSL_NS:
        problems.add("file is not a CSL style (no <style> in the CSL namespace)", path, 1,
                     "use a style from the CSL styles repository")
    elif root.find(CSL_NS.replace("style", "citation")) is None:
        problems.add("CSL style without a <citation> element", path, 1,
                     "use a complete style from the CSL styles repository")

"""The gettext catalogues, read by Babel behind a thin strict layer.

`locale/<edition>.po` and the engine's own `src/briefing/locale/<lang>.po` are read by
Babel's `read_po`: the one reader of a .po file, for building and for `briefing
translations update` alike. The strict layer does what Babel leaves to chance, each
problem an error at its line:

    before Babel   every line a comment, a keyword with one quoted string, or a quoted
                   continuation, with known escapes, in entries of msgid and msgstr
                   (Babel reads `msgstr "x` as "" and `\\u` as "u", and joins a stray
                   msgstr to the next entry); a message given twice (Babel keeps one);
                   the header fields Babel acts on (check_header)
    after Babel    each translation keeps its msgid's shape (placeholders, paragraphs)
                   and is a valid format string

then the entries as a typed Catalogue: translations, stale (fuzzy) ones, empty ones.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass, field
from email import message_from_string
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po

from briefing import files
from briefing.errors import BriefingError, Collector

PLACEHOLDER_RE = re.compile(r"%\([A-Za-z_]\w*\)s|\[@[^\]]*\]|@[A-Za-z0-9_][\w:.#$%&+?<>~/-]*\w")


@dataclass
class Fuzzy:
    """An entry marked fuzzy (`briefing translations update` kept the translation of a
    changed msgid): a stale translation. `string` is None when it no longer fits its
    msgid (placeholders, paragraphs), so a draft cannot print it."""

    line: int
    previous: str | None  # the msgid it was written for (#| msgid)
    string: str | None


@dataclass
class Catalogue:
    """msgid -> msgstr from one .po file, with each entry's line for messages."""

    path: Path | None = None
    messages: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    stale: dict[str, Fuzzy] = field(default_factory=dict)
    empty: dict[str, int] = field(default_factory=dict)  # msgid -> line: no msgstr yet


@dataclass
class Read:
    """A catalogue as Babel read it, and where each message's msgstr is (by the line of
    its msgid, Babel's lineno), which Babel does not keep."""

    catalog: Catalog
    msgstr_lines: dict[int, int]


def load_catalogue(path: Path, problems: Collector, inputs: files.Inputs | None = None
                   ) -> Catalogue:
    """A project's or the engine's catalogue; a file not there is an empty one. Every
    problem goes to `problems`."""
    catalogue = Catalogue(path)
    if not os.path.lexists(path):
        return catalogue
    try:
        text = inputs.read_text(path) if inputs else files.read_text(path)
        found = read(text, path, problems=problems)
    except BriefingError as exc:
        problems.extend(exc)
        return catalogue
    if found is None:  # a header Babel cannot read: reported
        return catalogue
    for message in found.catalog:
        msgid, string = message.id, message.string
        if not isinstance(msgid, str) or not msgid or message.context is not None:
            continue  # the header; plural and context entries are not used by briefing
        assert isinstance(string, str) and message.lineno is not None
        line, at = message.lineno, found.msgstr_lines[message.lineno]
        if message.fuzzy and string:
            fits = Collector()
            _check_message(msgid, string, path, at, fits)
            previous = message.previous_id[0] if message.previous_id else None
            catalogue.stale[msgid] = Fuzzy(line, previous, None if fits.problems else string)
            continue  # stale: reported where a template uses it, with --allow-stale used
        if not string:
            catalogue.empty[msgid] = line
        if message.fuzzy or not string:
            continue  # not translated yet: a gap, reported where the text is used
        _check_message(msgid, string, path, at, problems)
        catalogue.messages[msgid] = string
        catalogue.lines[msgid] = line
    return catalogue


def read(text: str, path: Path | None, locale: str | None = None,
         problems: Collector | None = None) -> Read | None:
    """A .po file's text as Babel reads it, once the strict layer has checked it; each
    message's previous msgid (`#| msgid`) is its previous_id. A line Babel would misread
    is raised; a message given twice and a header field Babel cannot act on go to
    `problems` (raised, without it). None when the header keeps Babel from reading."""
    lines = text.splitlines()  # Babel's lines and ours, numbered alike
    entries = _scan(lines, path)
    found = Collector()
    seen: dict[tuple[str, str], int] = {}
    for entry in entries:
        key = (entry.text("msgctxt"), entry.text("msgid"))
        if key in seen:
            found.add(f"the message {clip(key[1])!r} is given twice (first on line "
                      f"{seen[key]})", path, entry.line, "keep one entry per msgid")
        seen.setdefault(key, entry.line)
    header = next((e for e in entries if e.text("msgid") == "" and "msgctxt" not in e.lines),
                  None)
    bad_header = Collector()
    if header is not None:
        check_header(header, lines, path, bad_header)
    found.problems += bad_header.problems
    if problems is None:
        found.raise_if_any()
    else:
        problems.problems += found.problems
    if bad_header.problems:
        return None  # Babel acts on the header: nplurals=200000000 would cost gigabytes
    try:
        catalog = read_po(lines, locale=locale, abort_invalid=True)
    except PoFileError as exc:  # what the scan let through (a plural form too many)
        raise _po_error(str(exc).rsplit(" on ", 1)[0], path, exc.lineno + 1) from None
    except Exception as exc:  # noqa: BLE001 - never a traceback
        raise _po_error(str(exc), path, None) from None
    for message in [*catalog, *catalog.obsolete.values()]:
        _previous_id(message)
    return Read(catalog, {e.lines["msgid"]: e.lines.get("msgstr", e.line) for e in entries})


def _check_message(msgid: str, string: str, path: Path, line: int, problems: Collector
                   ) -> None:
    bad = files.forbidden(string)
    if bad:
        problems.add(f"{files.describe(bad.group())} in the msgstr", path, line,
                     "remove it; no output format can carry it")
        return
    for what in ("placeholders", "paragraphs"):
        want, got = _shape(msgid, what), _shape(string, what)
        if want != got:
            problems.add(f"translation of {clip(msgid)!r} changes its {what}: "
                         f"{_describe(want)} in the msgid, {_describe(got)} in the msgstr",
                         path, line, "keep every %(name)s, citation and paragraph break "
                         "of the msgid, so both editions cite and number alike")
            return
    names = {name: "x" for name in re.findall(r"%\(([A-Za-z_]\w*)\)s", msgid)}
    try:  # gettext formats every message with its values: a bare % would fail there
        string % names
    except (ValueError, TypeError, KeyError) as exc:
        problems.add(f"the msgstr is not a valid format string ({exc})", path, line,
                     "write a literal per cent sign as %%; keep only the %(name)s of the "
                     "msgid")


def _shape(text: str, what: str):
    if what == "placeholders":
        return sorted(PLACEHOLDER_RE.findall(text))
    return len([p for p in re.split(r"\n\s*\n", text) if p.strip()])


def _describe(shape) -> str:
    if isinstance(shape, int):
        return f"{shape} paragraph{'s' if shape != 1 else ''}"
    return ", ".join(shape) if shape else "none"


def clip(text: str, size: int = 50) -> str:
    """A message's text on one line, shortened, for a message about it."""
    text = " ".join(text.split())
    return text if len(text) <= size else text[:size - 1] + "…"


# --- The header -------------------------------------------------------------------------

# The most plural forms a language has (Arabic: zero, one, two, few, many, other). Babel
# makes nplurals msgstr[n] for each plural entry it reads: nplurals=200000000 in a header
# made `translations update` take 5 GB and more before it wrote anything (review #8).
MAX_PLURALS = 6


def check_header(entry: _Entry, lines: list[str], path: Path | None, problems: Collector
                 ) -> None:
    """The header fields Babel acts on when it reads the catalogue, checked first, each
    at its line: the charset (the engine reads and writes UTF-8 only), nplurals (see
    MAX_PLURALS), and every field Babel parses (the dates, the language): what it cannot
    read would end the read with a traceback instead of a message."""
    try:
        fields = message_from_string(entry.text("msgstr")).items()
    except Exception:  # noqa: BLE001 - the email parser is lenient; never a traceback
        fields = []
    for name, value in fields:
        problem = _header_problem(name.lower(), str(value))
        if problem is None:
            try:
                Catalog().mime_headers = [(name, value)]
            except Exception as exc:  # noqa: BLE001 - what Babel cannot read, it cannot
                problem = (f"the {name} header cannot be read: {exc}",
                           "correct it, or delete the line")
        if problem is not None:
            problems.add(problem[0], path, _header_line(lines, entry, name), problem[1])


def _header_problem(name: str, value: str) -> tuple[str, str] | None:
    """(message, hint) for a Content-Type or Plural-Forms field briefing cannot work with."""
    if name == "content-type":
        found = re.search(r"charset\s*=\s*\"?([^\";\s]*)", value, re.I)
        if found is None:
            return None
        try:
            utf8 = codecs.lookup(found.group(1)).name == "utf-8"
        except LookupError:
            utf8 = False
        if not utf8:
            return (f"the catalogue says charset={found.group(1)[:40]}: briefing reads and "
                    "writes catalogues as UTF-8 only",
                    "the file is read as UTF-8 whatever it says: write 'Content-Type: "
                    "text/plain; charset=UTF-8'")
    if name == "plural-forms":
        found = re.search(r"(?:^|;)\s*nplurals\s*=\s*([^;]*)", value)
        if found is None:
            return None
        try:
            count = int(found.group(1).strip())
        except ValueError:
            count = None
        if count is None or not 1 <= count <= MAX_PLURALS:
            return (f"nplurals={found.group(1).strip()[:40]}: a language has 1 to "
                    f"{MAX_PLURALS} plural forms",
                    "write the language's own, e.g. 'Plural-Forms: nplurals=2; "
                    "plural=(n != 1);' (the GNU gettext manual lists them)")
    return None


def _header_line(lines: list[str], entry: _Entry, name: str) -> int:
    """The line of a header field: the first of the header's lines that starts it."""
    for number in range(entry.line, len(lines) + 1):
        line = lines[number - 1].strip()
        if not line:
            break
        if line[1:].lower().startswith(name.lower() + ":"):
            return number
    return entry.lines.get("msgstr", entry.line)


# --- The strict layer: syntax and structure, before Babel reads ---------------------------

_STRING = r'"((?:[^"\\]|\\.)*)"'
_KEYWORD_RE = re.compile(r"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) +" + _STRING
                         + r"[ \t]*$")
_CONTINUATION_RE = re.compile(r"^[ \t]*" + _STRING + r"[ \t]*$")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}  # as Babel's unescape


@dataclass
class _Entry:
    """One entry as written: where it starts, each keyword's line and its strings."""

    line: int
    lines: dict[str, int] = field(default_factory=dict)
    strings: dict[str, list[str]] = field(default_factory=dict)

    def text(self, keyword: str) -> str:
        return "".join(self.strings.get(keyword, []))


def _scan(lines: list[str], path: Path | None) -> list[_Entry]:
    """The entries, each line checked as a strict reader would (a lenient one guesses):
    raises the first line that is none of a comment, a keyword with one quoted string
    (one space after the keyword, as Babel splits it) or a quoted continuation; an
    unknown escape; a keyword out of place."""
    entries: list[_Entry] = []
    current: _Entry | None = None
    keyword = None
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if not line.strip():
            current, keyword = None, None
            continue
        if line.startswith("#"):  # a comment; it ends the entry above it
            body = line[2:].strip()
            if line.startswith("#~") and body and not (
                    _KEYWORD_RE.match(body) or _CONTINUATION_RE.match(body)):
                # An obsolete entry, which Babel reads as one.
                raise _po_error("not a keyword with a quoted string, or a quoted "
                                "continuation, after #~", path, number)
            if line.startswith(("#~", "#|")):  # strings: their escapes are read too
                for string in re.findall(_STRING, body):
                    _unescape(string, path, number)
            if current is not None and not line.startswith("#~"):
                current, keyword = None, None
            continue
        found = _KEYWORD_RE.match(line)
        continuation = _CONTINUATION_RE.match(line)
        if found:
            keyword = found.group(1)
            if keyword == "msgctxt" or (keyword == "msgid" and not (
                    current is not None and "msgctxt" in current.lines
                    and "msgid" not in current.lines)):
                current = _Entry(number)
                entries.append(current)
            elif keyword != "msgid" and (current is None or "msgid" not in current.lines):
                raise _po_error(f"{keyword} without a msgid before it", path, number)
            assert current is not None  # opened above, or the msgid of an open msgctxt entry
            if keyword in current.lines:
                raise _po_error(f"{keyword} given twice in one entry", path, number)
            current.lines[keyword] = number
            current.strings[keyword] = [_unescape(found.group(2), path, number)]
        elif continuation and keyword is not None:
            assert current is not None  # keyword is reset with it
            current.strings[keyword].append(_unescape(continuation.group(1), path, number))
        else:
            raise _po_error("not a comment, a keyword with a quoted string, or a quoted "
                            "continuation (an unterminated string?)", path, number)
    for entry in entries:
        if "msgid" not in entry.lines or not any(k.startswith("msgstr") for k in entry.lines):
            raise _po_error("an entry needs a msgid and a msgstr", path, entry.line)
    return entries


def _unescape(body: str, path: Path | None, line: int) -> str:
    def one(match: re.Match) -> str:
        char = match.group(1)
        if char not in _ESCAPES:
            raise _po_error(f"unknown escape \\{char}", path, line)
        return _ESCAPES[char]

    return re.sub(r"\\(.)", one, body)


def _po_error(message: str, path: Path | None, line: int | None) -> BriefingError:
    return BriefingError.at(f"invalid PO file: {message}", path, line,
                            "each line is a # comment, msgid/msgstr \"...\", or a \"...\" "
                            "continuation; write a quote inside a string as \\\"")


def _previous_id(message) -> None:
    """Babel reads a `#| msgid "old"` line as a comment ("| msgid ..."): take it back as
    the previous msgid (what a stale translation was written for), which Babel also
    writes back as `#|` lines."""
    comments = [c for c in message.user_comments if c.startswith("|")]
    if not comments:
        return
    message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    pieces: list[str] = []
    for comment in comments:
        body = comment[1:].strip()
        keyword = re.match(r"^(msgctxt|msgid|msgid_plural)\b\s*(.*)$", body)
        # Babel writes the first line as `#| msgid "" "text..."`: two strings on one line.
        strings = [_unescape(s, None, 0) for s in re.findall(_STRING, keyword.group(2)
                                                             if keyword else body)]
        if keyword:
            pieces[:] = [keyword.group(1), *strings]
        elif pieces:
            pieces.extend(strings)
    if pieces and pieces[0] == "msgid":
        message.previous_id = ["".join(pieces[1:])]

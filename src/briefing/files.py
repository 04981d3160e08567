"""Every file briefing reads from a project (every layer reads through here).

An input must resolve inside the project (a link is followed only when its target is
inside too, and a linked folder is treated like a linked file), must be a regular file,
opened non-blocking so that a named pipe cannot hang the build, and must fit its size
limit. The text must be UTF-8 without characters that no output can carry. Writing into
build/ is runtime/writing.py.
"""

from __future__ import annotations

import errno
import hashlib
import json
import math
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import BriefingError, line_of_offset

MIB = 1024 * 1024
# Characters no output can carry, or that change a line's meaning in an export: C0 and C1
# controls (but tab, LF and CR), line and paragraph separators, and the Unicode
# noncharacters (XML 1.0, and so EPUB, forbids U+FFFE and U+FFFF).
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
FORBIDDEN_RE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029{_NONCHARACTERS}]")
NEWLINE_RE = re.compile(r"[\r\n\t]")


def forbidden(text: str, single_line: bool = False) -> re.Match | None:
    """The first character that no output can carry (or, for a one-line text such as a
    title, a line break or tab), else None."""
    found = FORBIDDEN_RE.search(text)
    if found is None and single_line:
        found = NEWLINE_RE.search(text)
    return found


def describe(char: str) -> str:
    names = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab",
             "\u2028": "a line separator (U+2028)", "\u2029": "a paragraph separator (U+2029)"}
    if char in names:
        return names[char]
    if (ord(char) & 0xFFFE) == 0xFFFE or 0xFDD0 <= ord(char) <= 0xFDEF:
        return f"the noncharacter U+{ord(char):04X}"
    return f"control character U+{ord(char):04X}"


@dataclass(frozen=True)
class Inputs:
    """Where a project's inputs may come from (`root`) and how large one may be."""

    root: Path
    limit: int  # bytes
    setting: str = "limits.input_mib"

    def read_bytes(self, path: Path, limit: int | None = None) -> bytes:
        return read_bytes(path, self.root, limit or self.limit, self.setting)

    def read_text(self, path: Path, limit: int | None = None) -> str:
        return read_text(path, self.root, limit or self.limit, self.setting)

    def digest(self, path: Path) -> str:
        return digest(path, self.root)


def real_path(path: Path, root: Path | None) -> str:
    """The path with every link resolved; refused unless it lies inside `root`."""
    try:
        real = os.path.realpath(path, strict=True)
    except FileNotFoundError:
        raise BriefingError.at("file not found", path) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BriefingError.at("a symbolic link loop", path, None,
                                   "replace the link with the file itself") from None
        raise BriefingError.at(f"cannot read file: {exc.strerror}", path) from None
    if root is not None and not within(real, os.path.realpath(root)):
        raise BriefingError.at(
            "a link to a file outside the project", path, None,
            "copy the file (or folder) into the project: links are followed only when "
            "they point inside it")
    return real


def within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _open_regular(path: Path, root: Path | None) -> tuple[int, os.stat_result]:
    real = real_path(path, root)
    try:
        # Non-blocking: opening a named pipe with no writer would otherwise wait forever.
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise BriefingError.at(f"cannot read file: {exc.strerror}", path) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise BriefingError.at(f"{_kind(info.st_mode)}, not a regular file", path, None,
                               "inputs are plain files; replace it with one")
    return fd, info


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def read_bytes(path: Path, root: Path | None = None, limit: int | None = None,
               setting: str = "limits.input_mib") -> bytes:
    """A regular file's bytes, after the checks above; `limit` in bytes."""
    fd, info = _open_regular(path, root)
    with os.fdopen(fd, "rb") as handle:
        if limit is not None and info.st_size > limit:
            if setting == "limits.image_mib":
                raise BriefingError.at(
                    f"image is {info.st_size / MIB:.1f} MiB and passes {setting} "
                    f"({limit / MIB:g} MiB)", path, None,
                    f"is this the right file? An image for print needs a few MiB; if it "
                    f"does need more, raise {setting} in briefing.toml")
            line = handle.read(limit).count(b"\n") + 1  # where the limit is crossed
            raise BriefingError.at(
                f"file is {info.st_size / MIB:.1f} MiB and passes {setting} "
                f"({limit / MIB:g} MiB) on this line", path, line,
                f"inputs are text; is this the right file? If it is, raise {setting} in "
                "briefing.toml")
        data = handle.read(limit + 1 if limit is not None else -1)
    if limit is not None and len(data) > limit:  # grew while we read it
        raise BriefingError.at(f"file passes {setting} ({limit / MIB:g} MiB)", path, None,
                               f"raise {setting} in briefing.toml")
    return data


def read_text(path: Path, root: Path | None = None, limit: int | None = None,
              setting: str = "limits.input_mib") -> str:
    """A UTF-8 input file; a bad byte or a character no output can carry is an error
    naming its line."""
    data = read_bytes(path, root, limit, setting)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BriefingError.at(
            f"invalid UTF-8 byte 0x{data[exc.start]:02x}", path,
            line_of_offset(data, exc.start), "save the file as UTF-8") from None
    bad = forbidden(text)
    if bad:
        raise BriefingError.at(f"{describe(bad.group())} in file", path,
                               line_of_offset(text, bad.start()),
                               "remove it (a stray byte from a binary file or a bad paste?)")
    return text


def digest(path: Path, root: Path | None = None) -> str:
    """SHA-256 of a regular file, read in blocks (for the cache and the no-op check)."""
    fd, _ = _open_regular(path, root)
    h = hashlib.sha256()
    with os.fdopen(fd, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def regular_file(path: str | Path) -> bool:
    """Is this a regular file (not following a link at the last step)? Never raises."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def check_folder(path: Path, root: Path, what: str) -> None:
    """A project folder (chapters/, seeds/ ...) must not lead outside the project."""
    if not os.path.lexists(path):
        return
    try:
        real = os.path.realpath(path, strict=True)
    except OSError:
        raise BriefingError.at(f"{what} is a broken link or a link loop", path, None,
                               f"make {what} a folder inside the project") from None
    if not within(real, os.path.realpath(root)):
        raise BriefingError.at(f"{what} is a link to a folder outside the project", path, None,
                               f"make {what} a folder inside the project; links are followed "
                               "only when they point inside it")
    if not os.path.isdir(real):
        raise BriefingError.at(f"{what} is not a folder", path, None,
                               f"make {what} a folder")


# --- JSON: one bounded reader for every JSON input (release records, locale/*.texts.json,
# build/.cache/manifest.json) ---------------------------------------------------------------

JSON_DEPTH = 32  # records nest six deep; json.loads recurses once per level
JSON_DIGITS = 40  # an integer in a JSON input is a count, a size or a time in nanoseconds
JSON_SKIP = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'  # a string: its brackets do not nest
# TOML: strings of the four kinds, and comments. YAML: quoted strings, and comments.
TOML_SKIP = (r'"""[\s\S]*?"""|' r"'''[\s\S]*?'''|" + JSON_SKIP + r"|'[^'\n]*'|#[^\n]*")
YAML_SKIP = JSON_SKIP + r"|'[^'\n]*'|#[^\n]*"
_JSON_TOKEN = re.compile(JSON_SKIP + r'|[\[\]{}:,]|[^\s\[\]{}:,"]+')
_JSON_ESCAPE = re.compile(r"\\(?:u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"
                          r"|u([0-9a-fA-F]{4})|.)")


def too_deep(text: str, most: int, skip: str = JSON_SKIP,
             block: Callable[[str], int] | None = None) -> int | None:
    """The line on which values first nest more than `most` deep; None if they never do.
    Brackets ([ and {) count outside what `skip` matches (strings; for TOML and YAML,
    comments too). For YAML, `block` gives each line that starts outside brackets its
    depth by indentation, which the brackets on it add to. One linear pass, run before a
    parser that recurses once per level (json.loads, tomllib) sees the text, or after one
    (ruamel) ran out of stack, to name the line: 200,000 '[' would exhaust Python's stack."""
    if block is None and text.count("[") + text.count("{") <= most:
        return None
    depth, line = 0, 1
    base = block(text.split("\n", 1)[0]) if block else 0
    if base > most:
        return 1
    for match in re.finditer(f"{skip}|[\\[{{]|[\\]}}]|\n", text):
        char = match.group()
        if char == "\n":
            line += 1
            if block is not None and depth == 0:
                end = text.find("\n", match.end())
                base = block(text[match.end():end if end >= 0 else len(text)])
            if base + depth > most:
                return line
            continue
        if char in ("[", "{"):
            depth += 1
        elif char in ("]", "}"):
            depth = max(0, depth - 1)
        else:  # a string or a comment: a TOML string may hold line breaks
            line += char.count("\n")
        if base + depth > most:
            return line
    return None


class _Refused(ValueError):
    """A value json.loads would take but an input may not hold (see parse_json)."""

    def __init__(self, message: str, token: str | None = None):
        super().__init__(message)
        self.message, self.token = message, token


def read_json(path: Path, root: Path | None = None, limit: int | None = None,
              setting: str = "limits.input_mib", hint: str | None = None) -> object:
    """A JSON input, read as read_text reads any input, then parsed by parse_json."""
    return parse_json(read_text(path, root, limit, setting), path, hint)


def parse_json(text: str, path: Path, hint: str | None = None) -> object:
    """The data of a JSON input's text, bounded before it is parsed: its nesting
    (JSON_DEPTH, checked before json.loads recurses), numbers Python holds as written (no
    5,000-digit integer, no 1e999 or NaN), no key twice in an object, and no character
    read_text refuses in a file written as an escape (\\u001b, a lone surrogate). Every
    problem is a BriefingError at its line in `path`, with `hint`."""
    deep = too_deep(text, JSON_DEPTH)
    if deep is not None:
        raise BriefingError.at(f"arrays or objects nested more than {JSON_DEPTH} levels deep",
                               path, deep, hint)
    try:
        data = json.loads(text, object_pairs_hook=_unique, parse_int=_integer,
                          parse_float=_finite, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise BriefingError.at(f"not valid JSON: {exc.msg}", path, exc.lineno, hint) from None
    except _Refused as exc:
        raise BriefingError.at(exc.message, path, _refused_line(text, exc), hint) from None
    except RecursionError:  # not reached after too_deep; never a traceback all the same
        raise BriefingError.at("arrays or objects nested too deep", path, None, hint) from None
    if "\\" in text:
        for match in _JSON_ESCAPE.finditer(text):  # in valid JSON, a backslash is an escape
            high, low, single = match.groups()
            char = (chr(0x10000 + ((int(high, 16) - 0xD800) << 10) + int(low, 16) - 0xDC00)
                    if high else chr(int(single, 16)) if single else "")
            if char and (forbidden(char) or 0xD800 <= ord(char) <= 0xDFFF):
                what = (f"a lone surrogate U+{ord(char):04X}" if 0xD800 <= ord(char) <= 0xDFFF
                        else describe(char))
                raise BriefingError.at(f"{what} in a string (written {match.group()})", path,
                                       text.count("\n", 0, match.start()) + 1, hint)
    return data


def _unique(pairs: list[tuple[str, object]]) -> dict:
    found = dict(pairs)
    if len(found) < len(pairs):
        raise _Refused("a key given twice in one object")
    return found


def _integer(token: str) -> int:
    if len(token.lstrip("-")) > JSON_DIGITS:
        raise _Refused(f"an integer of {len(token.lstrip('-'))} digits", token)
    return int(token)


def _finite(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise _Refused(f"the number {token[:40]} is too large", token)
    return value


def _constant(token: str) -> float:
    raise _Refused(f"{token} is not a JSON number", token)


def _refused_line(text: str, refused: _Refused) -> int | None:
    """The line of the token a hook refused, or of the first key given twice."""
    keys: list[set[str]] = []
    before = None
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token == refused.token:
            return text.count("\n", 0, match.start()) + 1
        if token == "{":
            keys.append(set())
        elif token == "}" and keys:
            keys.pop()
        elif token == ":" and keys and before is not None and before.group()[:1] == '"':
            key = _key(before.group())
            if key is not None and key in keys[-1]:
                return text.count("\n", 0, before.start()) + 1
            if key is not None:
                keys[-1].add(key)
        before = match
    return None


def json_line(text: str, loc: tuple) -> int | None:
    """The line of the value at `loc` (object keys and array indices) in a JSON text, or
    of the deepest enclosing value found: where a message about that value points."""
    tokens = _JSON_TOKEN.finditer(text)
    value = next(tokens, None)
    line = 1 if value is not None else None
    for part in loc:
        if value is None or value.group() not in ("{", "["):
            break
        value = _member(tokens, value.group(), part)
        if value is not None:
            line = text.count("\n", 0, value.start()) + 1
    return line


def _member(tokens, opener: str, wanted: object) -> re.Match | None:
    """The first token of member `wanted` of the object or array just opened; None if it
    has none."""
    depth, index, key, before = 0, 0, None, opener
    for match in tokens:
        token = match.group()
        if depth == 0:
            if token in ("}", "]"):
                return None
            if opener == "[" and before in ("[", ",") and index == wanted:
                return match
            if opener == "{" and before == ":" and key == wanted:
                return match
            if opener == "{" and before in ("{", ","):
                key = _key(token)
            index += token == ","
        if token in ("{", "["):
            depth += 1
        elif token in ("}", "]"):
            depth -= 1
        if depth == 0:
            before = token
    return None


def _key(token: str) -> str | None:
    try:
        found = json.loads(token)
    except ValueError:
        return None
    return found if isinstance(found, str) else None

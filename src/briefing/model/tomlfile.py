"""TOML as briefing reads it: bounded, and the line of each key found again.

briefing.toml is parsed by tomllib, bounded first (tables nested past MAX_DEPTH,
integers too long to convert, characters no output can carry, each an error at its
line); the line of a key is found again in the text, since tomllib keeps no positions.
The TOML twin of yamlfile.py and files.parse_json.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from briefing import files
from briefing.errors import BriefingError

MAX_DEPTH = 16  # briefing.toml's tables nest three deep


def parse(text: str, path: Path) -> dict:
    """TOML into plain data, refusing what no setting needs: tables nested past MAX_DEPTH,
    integers too long to convert, characters no output can carry."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = re.sub(r"\s*\(at line.*\)$", "", str(exc))
        raise BriefingError.at(
            f"invalid TOML: {message}",
            path,
            int(match.group(1)) if match else None,
            "check quotes, brackets and '=' on this line",
        ) from None
    except ValueError as exc:  # an integer of thousands of digits
        found = re.search(r"\d{100,}", text)
        raise BriefingError.at(f"invalid TOML: {str(exc).split(';')[0]}", path,
                               text.count("\n", 0, found.start()) + 1 if found else None,
                               "write a number of a sensible size") from None
    except RecursionError:
        raise BriefingError.at(f"arrays or tables nested more than {MAX_DEPTH} levels deep",
                               path, _deep_line(text), "flatten the structure") from None
    _check_values(raw, path, text)
    return raw


def _check_values(raw: dict, path: Path, text: str) -> None:
    """Walk the parsed settings without recursion: depth, and characters no output can
    carry (an escape such as "\\u0007" is not seen in the file's text)."""
    stack: list[tuple[Any, tuple]] = [(raw, ())]
    while stack:
        value, loc = stack.pop()
        if len(loc) > MAX_DEPTH:
            # A dotted key (a.a.a = 1) inside a table: its line holds the tail of loc.
            tail = ".".join(map(str, loc[-MAX_DEPTH // 2:]))
            line = next((n for n, line in enumerate(text.splitlines(), 1) if tail in line),
                        None)
            raise BriefingError.at(f"arrays or tables nested more than {MAX_DEPTH} levels deep",
                                   path, line or _deep_line(text), "flatten the structure")
        if isinstance(value, dict):
            stack.extend((v, loc + (str(k),)) for k, v in value.items())
            stack.extend((k, loc) for k in value if isinstance(k, str))
        elif isinstance(value, list):
            stack.extend((v, loc + (i,)) for i, v in enumerate(value))
        elif isinstance(value, str) and (bad := files.forbidden(value)):
            raise BriefingError.at(f"{files.describe(bad.group())} in {'.'.join(map(str, loc))}",
                                   path, line_of_key(text, loc),
                                   "remove it; no output format can carry it")


def _deep_line(text: str) -> int | None:
    """The first line where brackets outside strings and comments nest past MAX_DEPTH."""
    return files.too_deep(text, MAX_DEPTH, files.TOML_SKIP)


def line_of_key(text: str, loc: tuple) -> int | None:
    """Best line for a dotted key path in TOML text (tomllib keeps no positions)."""
    table: tuple[str, ...] = ()
    best = None
    names = tuple(str(p) for p in loc if not isinstance(p, int))
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?", line)
        if header:
            table = tuple(part.strip().strip('"') for part in header.group(1).split("."))
            if names[: len(table)] == table and best is None and len(table) == len(names):
                best = number
            continue
        key = re.match(r'^"?([A-Za-z0-9_-]+)"?(?:\s*\.\s*"?([A-Za-z0-9_-]+)"?)?\s*=', line)
        if key and table + (key.group(1),) == names[:len(table) + 1] and (
                len(names) == len(table) + 1 or names[len(table) + 1] == key.group(2)):
            return number
    if best is None and names:
        # The table itself may be what is wrong or missing: point at its header.
        return line_of_key(text, loc[:-1]) if len(loc) > 1 else None
    return best


def line_of_value(text: str, value: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if f'"{value}"' in line or f"'{value}'" in line:
            return number
    return None

"""Pydantic's validation errors as problems at their lines, in one wording for every file
a model reads (briefing.toml, seeds, analysis.yaml, release records, texts records):

    unknown key 'document.titel'       hint: did you mean 'document.title'? (or the keys
                                             valid there)
    missing required key 'source.key'  hint: how to add it (several keys missing from one
                                             table or mapping: one message naming them all)
    'limits.nesting: Input should be less than or equal to 200'
                                       hint: what the file holds there

One module, so that a seed, analysis.yaml and briefing.toml cannot word the same mistake
three ways; each file says only where a key path is (its `line`) and how a key is written.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from briefing.errors import Problem
from briefing.model.texts import is_union_member


@dataclass
class Source:
    """What a message needs to know of the file a model was validated from."""

    path: Path
    line: Callable[[tuple], int | None]  # the line of a key path (keys and list indices)
    syntax: Literal["toml", "yaml", "json"]
    hint: str | None = None  # the file's own hint (a record: how to restore it), on each
    prefix: str = ""  # before every message (a records file: "not a records file: ")
    data: Any = None  # what the file holds: a list item is named by its id (YAML)

    def __post_init__(self) -> None:
        # A YAML file's loader gives its YamlDoc's line(): the doc's data names list items
        # as an author knows them, claims[press-confusion] (or timeline[2], from 1), as
        # the texts' messages do; not claims.0.
        if self.data is None and self.syntax == "yaml":
            self.data = getattr(getattr(self.line, "__self__", None), "data", None)


_MISSING = object()  # the place of a table's missing keys: no key path is this

# A mistake the file's loader words itself (briefing.toml's names that become file names):
# given the error and its location without union members, a Problem or None.
Special = Callable[[ErrorDetails, tuple], Problem | None]


def problems(errors: list[ErrorDetails], model: Any, source: Source, most: int | None = None,
             special: Special | None = None) -> list[Problem]:
    """One problem per place (the first error there), keys missing from one table
    together; with `most`, the problems of the first `most` places only (a crafted file
    may hold thousands)."""
    found: dict[tuple, Problem | list[str]] = {}  # place -> its problem, or its missing keys
    meant: set[tuple] = set()  # (table, key) an unknown key's "did you mean" names
    for err in errors:
        loc, valid = _walk(model, tuple(err["loc"]))
        said = special(err, loc) if special else None
        if err["type"] == "missing" and said is None:
            place: tuple = (_MISSING, loc[:-1])
            if place not in found and (most is None or len(found) < most):
                found[place] = []
            missing = found.get(place)
            if isinstance(missing, list):
                missing.append(str(loc[-1]))
            continue
        if loc in found or (most is not None and len(found) >= most):
            continue
        found[loc] = said or _problem(err, loc, valid, source)
        if err["type"] == "extra_forbidden" and said is None and valid:
            near = difflib.get_close_matches(str(loc[-1]), valid, n=1)
            if near:
                meant.add((loc[:-1], near[0]))
    # A key misspelt is one mistake: its "did you mean" says what is missing, so the key
    # it meant is not also reported missing ('txet': not also "missing 'text'").
    for place, keys in found.items():
        if isinstance(keys, list):
            keys[:] = [k for k in keys if (place[1], k) not in meant]
    return [_missing(place[1], keys, source) if isinstance(keys, list) else keys
            for place, keys in found.items() if keys]


def _problem(err: ErrorDetails, loc: tuple, valid: list[str] | None, source: Source) -> Problem:
    dotted = _dotted(loc, source.data)
    if err["type"] == "extra_forbidden":
        near = difflib.get_close_matches(str(loc[-1]), valid or [], n=1)
        spelling = (f"did you mean {_dotted(loc[:-1] + (near[0],), source.data)!r}?" if near else
                    f"valid keys here: {', '.join(valid)}" if valid else None)
        return Problem(f"{source.prefix}unknown key {dotted!r}", source.path,
                       source.line(loc), "; ".join(filter(None, [spelling, source.hint]))
                       or None)
    message = err["msg"].removeprefix("Value error, ")
    if loc[-1:] == ("[key]",):  # a mapping's key: pydantic says what is wrong with it
        loc = loc[:-1]
        message = f"the key {str(loc[-1])!r}: {message}" if loc else message
        dotted = _dotted(loc[:-1], source.data)
    shown = repr(err.get("input"))
    hint = source.hint or (f"got {shown[:200]}" if "input" in err else None)
    value = err.get("input")
    if (err["type"] == "string_type" and source.syntax == "yaml" and not source.hint
            and isinstance(value, int | float)):  # an id such as 9, 1e3 or true: not text
        what = "true or false" if isinstance(value, bool) else "a number"
        hint = f"YAML reads it as {what} (got {shown}): put it in quotes as you wrote it" + (
            f', "{value}"' if type(value) is int else "")
    return Problem(f"{source.prefix}{dotted or source.path.name}: {message}", source.path,
                   source.line(loc), hint)


def _missing(table: tuple, keys: list[str], source: Source) -> Problem:
    """The keys missing from one table, at the table's line."""
    names = [_dotted(table + (key,), source.data) for key in keys]
    message = (f"missing required key {names[0]!r}" if len(keys) == 1 else
               f"missing required keys {', '.join(map(repr, keys))} in "
               f"{_dotted(table, source.data) or source.path.name!r}")
    if source.hint or source.syntax == "json":
        hint = source.hint
    elif source.syntax == "yaml":
        hint = f"add {', '.join(repr(k + ':') for k in keys)}"
    elif table:
        hint = f"add {', '.join(k + ' = ...' for k in keys)} to the [{_dotted(table)}] table"
    else:
        hint = f"add {', '.join(f'a [{k}] table' for k in keys)}"
    return Problem(f"{source.prefix}{message}", source.path, source.line(table), hint)


def _dotted(loc: tuple, data: Any = None) -> str:
    """A key path as written: document.title; with the file's data, a list item by its
    id or its place from 1 (claims[press-confusion].quote.text, timeline[2].when)."""
    if data is None:
        return ".".join(str(part) for part in loc)
    out, node = "", data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list):
            node = node[part] if 0 <= part < len(node) else None
            ident = node.get("id") if isinstance(node, dict) else None
            out += f"[{ident}]" if isinstance(ident, str) and ident else f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


# --- Where a location leads in the model ------------------------------------------------

def _walk(model: Any, loc: tuple) -> tuple[tuple, list[str] | None]:
    """The location without the names pydantic adds for the member of a union it tried
    (not keys of the file), and the keys valid in the table the location's last part is
    in (None where that is not known: a key's spelling is then not checked)."""
    kept: list = []
    kinds: list = _forms(model)
    valid: list[str] | None = _keys(kinds)
    for part in loc:
        members = {_name(kind) for kind in kinds}
        if len(kinds) > 1 and isinstance(part, str) and part in members or (
                is_union_member(part) and part not in (_keys(kinds) or [])):
            kinds = [k for k in kinds if _name(k) == part] or kinds
            continue
        kept.append(part)
        valid = _keys(kinds)
        kinds = [form for kind in kinds for form in _forms(_inner(kind, part))]
    return tuple(kept), valid


def _forms(kind: Any) -> list:
    """The forms a value of this annotation may take: a union's members, each unwrapped."""
    while typing.get_origin(kind) is typing.Annotated:
        kind = typing.get_args(kind)[0]
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        return [form for member in typing.get_args(kind) for form in _forms(member)]
    return [] if kind is None or kind is type(None) else [kind]


def _inner(kind: Any, part: object) -> Any:
    """The annotation of a value's member `part`: a model's field, a list's item or a
    mapping's value (None when the part leads nowhere the model says)."""
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        for name, field in kind.model_fields.items():
            if part in (name, field.alias):
                return field.annotation
        return None
    args = typing.get_args(kind)
    origin = typing.get_origin(kind)
    if origin is list and isinstance(part, int) and args:
        return args[0]
    if origin is dict and part != "[key]" and len(args) == 2:
        return args[1]
    return None


def _keys(kinds: list) -> list[str] | None:
    """The keys the models among these forms take, as the file writes them."""
    models = [k for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)]
    if not models:
        return None
    return [field.alias or name for m in models for name, field in m.model_fields.items()]


def _name(kind: Any) -> str:
    return getattr(kind, "__name__", str(kind))

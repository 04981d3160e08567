"""briefing.toml read into a Project: the file read bounded, parsed (tomlfile.py),
validated against the schema (settings.py) with every problem at its line, then what it
names found on disk (project.py).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from briefing import files
from briefing.errors import BriefingError
from briefing.model import tomlfile
from briefing.model.project import CONFIG_NAME, Project, discover
from briefing.model.settings import Config
from briefing.model.texts import is_union_member
from briefing.model.tomlfile import line_of_key, line_of_value

CONFIG_MAX_BYTES = 1024 * 1024  # read before [limits] is known, so fixed


def load(root: Path) -> Project:
    """Read and validate briefing.toml; report every problem at once."""
    path = root / CONFIG_NAME
    if not os.path.lexists(path):
        raise BriefingError.at(
            "no briefing.toml here", path,
            hint="run from the project root or pass --project DIR; to start a new briefing: "
                 "briefing new DIR"
        )
    text = files.read_text(path, root, CONFIG_MAX_BYTES, "the 1 MiB a settings file may have")
    raw = tomlfile.parse(text, path)
    try:
        config = Config.model_validate(raw, context={"default_edition": _default_edition(raw)})
    except ValidationError as exc:
        raise BriefingError(
            [p for err in exc.errors() for p in _problems(err, path, text)]
        ) from None
    return discover(root, config, text)


def _default_edition(raw: dict) -> str:
    """The edition a plain string belongs to: [build] edition, else the first listed,
    else the language of a single-edition briefing."""
    editions, build = _table(raw, "editions"), _table(raw, "build")
    if editions:
        chosen = build.get("edition")
        return chosen if isinstance(chosen, str) and chosen in editions else next(iter(editions))
    language = _table(raw, "document").get("language")
    return (language if isinstance(language, str) else "en").split("-")[0].lower()


def _table(raw: dict, key: str) -> dict:
    """raw[key] if it is a table, else an empty one."""
    value = raw.get(key)
    return value if isinstance(value, dict) else {}


def _problems(err: ErrorDetails, path: Path, text: str):
    from briefing.errors import Problem

    loc = tuple(p for p in err["loc"] if not is_union_member(p))
    dotted = ".".join(str(part) for part in loc)
    line = line_of_key(text, loc)
    if loc[-1:] == ("[key]",):  # a table's name: it becomes part of paths and anchors
        what = {"editions": "edition id", "perspectives": "perspective id"}.get(
            str(loc[0]), "name")
        yield Problem(f"{what} {loc[-2]!r} is not a plain name", path,
                      line_of_key(text, loc[:-1]) or line_of_value(text, str(loc[-2])),
                      "use 1 to 32 lower-case letters, digits and '-', starting with a letter "
                      "(it becomes part of file names such as build/briefing.<id>.pdf)")
    elif loc == ("build", "name") and err["type"] == "string_pattern_mismatch":
        yield Problem(f"build.name {err.get('input')!r} is not a plain file name", path, line,
                      "outputs always go to build/; use letters, digits, '.', '_' and '-'")
    elif err["type"] == "extra_forbidden":
        valid = _fields_at(Config, loc[:-1])
        near = difflib.get_close_matches(str(loc[-1]), valid, n=1)
        hint = f"did you mean {'.'.join(map(str, loc[:-1] + (near[0],)))!r}?" if near else (
            f"valid keys here: {', '.join(valid)}")
        yield Problem(f"unknown key {dotted!r}", path, line, hint)
    elif err["type"] == "missing":
        yield Problem(f"missing required key {dotted!r}", path, line,
                      f"add {loc[-1]} = ... to the [{'.'.join(map(str, loc[:-1]))}] table")
    else:
        message = err["msg"].removeprefix("Value error, ")
        shown = repr(err.get("input"))
        yield Problem(f"{dotted}: {message}", path, line,
                      f"got {shown[:200]}" if "input" in err else None)


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The valid key names of the table at loc, for 'did you mean' hints."""
    for part in loc:
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        elif args and isinstance(args[-1], type) and issubclass(args[-1], BaseModel):
            model = args[-1]  # dict[str, Model]: skip the key in loc
        else:
            return []
    return list(model.model_fields)

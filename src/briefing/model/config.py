"""briefing.toml read into a Project.

The file read bounded, parsed (tomlfile.py), validated against the schema (settings.py)
with every problem at its line (worded by validation.py, as every file's are), then what
it names found on disk (project.py).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from briefing import files
from briefing.errors import BriefingError, Problem
from briefing.model import tomlfile, validation
from briefing.model.project import CONFIG_NAME, Project, discover
from briefing.model.settings import Config
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
        source = validation.Source(path, functools.partial(line_of_key, text), "toml")
        raise BriefingError(validation.problems(exc.errors(), Config, source,
                                                special=_named(path, text))) from None
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


def _named(path: Path, text: str) -> validation.Special:
    """briefing.toml's own wording for names that become parts of file names."""

    def special(err: ErrorDetails, loc: tuple) -> Problem | None:
        if loc[-1:] == ("[key]",):  # a table's name: it becomes part of paths and anchors
            what = {"editions": "edition id", "perspectives": "perspective id"}.get(
                str(loc[0]), "name")
            return Problem(f"{what} {loc[-2]!r} is not a plain name", path,
                           line_of_key(text, loc[:-1]) or line_of_value(text, str(loc[-2])),
                           "use 1 to 32 lower-case letters, digits and '-', starting with a "
                           "letter (it becomes part of file names such as "
                           "build/briefing.<id>.pdf)")
        if loc == ("build", "name") and err["type"] == "string_pattern_mismatch":
            return Problem(f"build.name {err.get('input')!r} is not a plain file name", path,
                           line_of_key(text, loc),
                           "outputs always go to build/; use letters, digits, '.', '_' and '-'")
        return None

    return special

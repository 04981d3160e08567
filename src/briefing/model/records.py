"""Which version of its original each data translation was written for.

`locale/<edition>.texts.json` maps each translated text's address ("seeds/x.yaml
claims[id].statement") to a digest of the default edition's text and of the translation
when they were last recorded (by `briefing translations update`, never by hand), with
the default text itself, so a message can show what changed. A translation is *stale*
when its original changed since and it did not: the data's counterpart of a gettext
entry marked fuzzy. A text with no record yet is taken as current (and recorded by the
next update).

    {"seeds/x.yaml claims[id].statement": {"en": "3f2a9c…", "nl": "91be04…",
                                           "en text": "The default text as it was."}}
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import os
import re
import shlex
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, TypeAdapter, ValidationError

from briefing import files
from briefing.errors import BriefingError, Problem
from briefing.model import validation
from briefing.model.texts import Coverage, Stale, Translated

Records = dict[str, dict[str, str]]
RECORD_KEY = r"^[a-z][a-z0-9-]{0,31}( text)?$"  # an edition id, or "<edition id> text"
WORD_PAIRS = 4_000_000  # words of one text times words of the other, compared word by word


def path_for(locale_dir: Path, edition: str) -> Path:
    return locale_dir / f"{edition}.texts.json"


def digest(text: str) -> str:
    """Short and whitespace-blind: reflowing a paragraph changes nothing it says."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:12]


def address(item: Translated, root: Path) -> str:
    try:
        rel = item.path.relative_to(root).as_posix()
    except ValueError:
        rel = item.path.as_posix()
    return f"{rel} {item.key}"


def read(path: Path, inputs) -> Records:
    """The records of one edition; none when the file is not there yet. Read bounded
    (files.parse_json) and validated: each value a mapping of edition ids to digests, and
    of "<edition> text" to the text recorded."""
    if not os.path.lexists(path):
        return {}
    text = inputs.read_text(path)
    data = files.parse_json(text, path, _REWRITE)
    if not isinstance(data, dict):
        raise BriefingError.at("not a records file: a mapping of addresses to digests", path,
                               1, _REWRITE)
    try:
        return _FILE.validate_python(data)
    except ValidationError as exc:
        source = validation.Source(path, functools.partial(files.json_line, text), "json",
                                   _REWRITE, prefix="not a records file: ")
        raise BriefingError(validation.problems(exc.errors(), _FILE_TYPE, source,
                                                most=10)) from None


def _digests(record: dict[str, str]) -> dict[str, str]:
    for key, value in record.items():
        if not key.endswith(" text") and not re.fullmatch(r"[0-9a-f]{12}", value):
            raise ValueError(f"{key!r} holds {value[:20]!r}, not a digest (12 hexadecimal "
                             "digits)")
    return record


# {address: {edition id: digest, "<default edition id> text": the text recorded}}
_FILE_TYPE = dict[Annotated[str, Field(min_length=1)],
                  Annotated[dict[Annotated[str, Field(pattern=RECORD_KEY)], str],
                            AfterValidator(_digests)]]
_FILE = TypeAdapter(_FILE_TYPE)


_REWRITE = ("`briefing translations update` writes this file: delete it and run the "
            "command again (every translation is then taken as current)")


def is_stale(item: Translated, record: dict[str, str] | None, default: str) -> bool:
    """The original changed since the record and the translation did not."""
    if record is None:
        return False
    return (record.get(default) != digest(item.original)
            and record.get(item.edition) == digest(item.text))


def _recorded(item: Translated, record: dict[str, str] | None, default: str) -> bool:
    """The record holds this translation of this original: a later change is caught."""
    return record is not None and record.get(default) == digest(item.original) and \
        record.get(item.edition) == digest(item.text)


def find_stale(coverage: Coverage, root: Path, locale_dir: Path, editions: list[str],
               default: str, inputs, problems) -> None:
    """Add every stale data translation of the editions (all but the default) to
    coverage.stale."""
    for edition in editions:
        path = path_for(locale_dir, edition)
        try:
            records = read(path, inputs)
        except BriefingError as exc:
            problems.extend(exc)
            continue
        for item in coverage.translated:
            record = records.get(address(item, root))
            if item.edition == edition and not _recorded(item, record, default):
                coverage.unrecorded[edition] += 1
            if item.edition == edition and is_stale(item, record, default):
                assert record is not None  # is_stale needs one
                coverage.stale.append(Stale(edition, stale_problem(
                    item, default, record.get(f"{default} text"), root)))


def stale_problem(item: Translated, default: str, was: str | None, root: Path) -> Problem:
    # FILE:LINE as --confirm takes it (the address is "FILE KEY"; FILE may hold spaces),
    # quoted for the shell: the hint is a command to paste.
    where = shlex.quote(f"{address(item, root)[:-len(item.key) - 1]}:{item.line}")
    change = f" ({difference(was, item.original)})" if was else ""
    return Problem(
        f"the {item.edition} text of {item.key} is stale: its {default} text changed",
        item.path, item.line,
        f"the {default} text changed since this {item.edition} text was written{change}; "
        f"update it, or run `briefing translations update --confirm {where}` if it still "
        "holds")


def record(items: list[Translated], old: Records, keep: set[str], default: str,
           root: Path) -> Records:
    """New records: each text recorded as it is now, except the stale ones in `keep`
    (addresses), whose old record stays so they stay stale. Texts that went are dropped."""
    new: Records = {}
    for item in items:
        key = address(item, root)
        if key in keep and key in old:
            new[key] = old[key]
        else:
            new[key] = {default: digest(item.original), item.edition: digest(item.text),
                        f"{default} text": item.original}
    return new


def dumps(records: Records) -> str:
    """Sorted, one field per line: the same records always make the same file."""
    return json.dumps(records, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def difference(old: str, new: str, most: int = 4) -> str:
    """What changed between two texts, word by word, each change with a word of context:
    '"{{ n }} chapters" → "%(n)s chapters"'. Whole, not clipped: the change is the point."""
    a, b = old.split(), new.split()
    if len(a) * len(b) > WORD_PAIRS:  # difflib is quadratic: a crafted record is not compared
        return f'"{_clip(old)}" → "{_clip(new)}" (too long to compare word by word)'
    changes = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        before = 1 if i1 > 0 and j1 > 0 else 0
        after = 1 if i2 < len(a) and j2 < len(b) else 0
        was = " ".join(a[i1 - before:i2 + after])
        now = " ".join(b[j1 - before:j2 + after])
        changes.append(f'"{_clip(was)}" → "{_clip(now)}"')
    if not changes:
        return "only spacing differs"
    more = len(changes) - most
    return "; ".join(changes[:most]) + (f"; and {more} more change(s)" if more > 0 else "")


def _clip(text: str, size: int = 120) -> str:
    return text if len(text) <= size else text[:size - 1] + "…"


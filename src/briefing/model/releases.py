"""releases/<version>.json: what each released version of the briefing said.

A release record is written by `briefing release VERSION` and read by every later build:
the argument base as each edition showed it (claims, relations, quotes and their
locators, comparison cells, sources, each with a digest of its text), the identifier of
every numbered paragraph, and the digests of the outputs. The next version's changelog
is the difference between the last record and the working tree; its paragraphs keep the
identifiers the record gave them.

Records are inputs like the seeds: read inside the project, bounded, and validated, with
a problem naming the file and the line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefing import files
from briefing.errors import BriefingError, Problem

FOLDER = "releases"
FORMAT = 1
VERSION_RE = re.compile(r"^(0|[1-9][0-9]{0,5})(\.(0|[1-9][0-9]{0,5})){0,3}$")
VERSION_HINT = "a release version is numbers joined by dots, e.g. 1.0 or 2.1.3"


def parse(version: str) -> tuple[int, ...] | None:
    """A version's numbers for ordering ("1.10" > "1.9"); None if it is not one."""
    if not VERSION_RE.match(version):
        return None
    return tuple(int(part) for part in version.split("."))


class Paragraph(BaseModel):
    """One numbered paragraph of a release: its identifier (its anchor, kept across
    versions), its number as printed then, and its text (words only), to find it again."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^p[0-9A-Za-z.\-]{1,40}$")
    label: str = Field(max_length=40)
    text: str


class Edition(BaseModel):
    """One edition as released: its argument base, its paragraphs, and the identifiers of
    paragraphs released before and since deleted (never given out again)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    claims: dict[str, dict[str, Any]] = {}
    relations: list[dict[str, Any]] = []
    cells: dict[str, dict[str, Any]] = {}
    sources: dict[str, dict[str, Any]] = {}
    paragraphs: list[Paragraph] = []
    retired: list[str] = []


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    format: int = Field(ge=1, le=FORMAT)
    version: str
    date: dt.date
    commit: str | None = Field(None, pattern=r"^[0-9a-f]{40}$")
    note: str = ""
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    editions: dict[str, Edition]
    outputs: dict[str, str] = {}


@dataclass(frozen=True)
class Release:
    record: Record
    path: Path

    @property
    def version(self) -> str:
        return self.record.version

    @property
    def key(self) -> tuple[int, ...]:
        parsed = parse(self.record.version)
        assert parsed is not None  # checked on load
        return parsed


def path_for(root: Path, version: str) -> Path:
    return root / FOLDER / f"{version}.json"


def history(root: Path, inputs: files.Inputs) -> list[Release]:
    """Every release record of the project, oldest first; a malformed one is an error at
    its line."""
    folder = root / FOLDER
    if not folder.is_dir():
        return []
    found: list[Release] = []
    problems: list[Problem] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix != ".json":
            problems.append(Problem(f"{FOLDER}/{path.name} is not a release record",
                                    path, None, f"{FOLDER}/ holds only <version>.json files "
                                    "written by briefing release; move the file elsewhere"))
            continue
        try:
            found.append(_load(path, inputs))
        except BriefingError as exc:
            problems += exc.problems
    if problems:
        raise BriefingError(problems)
    return sorted(found, key=lambda r: r.key)


def _load(path: Path, inputs: files.Inputs) -> Release:
    text = inputs.read_text(path)
    hint = "release records are written by briefing release; restore it from version control"
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BriefingError.at(f"not valid JSON: {exc.msg}", path, exc.lineno, hint) from None
    try:
        record = Record.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BriefingError.at(f"{where}: {first['msg']}", path,
                               _line_of(text, first["loc"]), hint) from None
    if parse(record.version) is None or path.stem != record.version:
        raise BriefingError.at(f"the record is of version {record.version!r} but named "
                               f"{path.name}", path, _line_of(text, ("version",)),
                               f"{VERSION_HINT}; the file is named <version>.json")
    if digest(record.editions) != record.digest:
        raise BriefingError.at("the record's digest does not match its content: it was "
                               "edited by hand", path, _line_of(text, ("digest",)), hint)
    return Release(record, path)


def _line_of(text: str, loc: tuple) -> int | None:
    """The line of the last key of `loc` found in the JSON text (a good-enough pointer)."""
    for part in reversed(loc):
        if isinstance(part, str):
            at = text.find(json.dumps(part) + ":")
            if at >= 0:
                return text.count("\n", 0, at) + 1
    return None


def digest(editions: dict[str, Edition] | dict[str, dict]) -> str:
    """The content digest of the editions' argument bases and paragraphs."""
    import hashlib

    plain = {k: (v.model_dump() if isinstance(v, BaseModel) else v)
             for k, v in editions.items()}
    return hashlib.sha256(canonical(plain).encode("utf-8")).hexdigest()


def canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)


def previous(releases: list[Release], version: str) -> Release | None:
    """The release a build of `version` updates: the latest one before it (a build of a
    version not released yet, or not numbered, updates the latest release)."""
    current = parse(version)
    earlier = [r for r in releases if current is None or r.key < current]
    return earlier[-1] if earlier else None


def dump(record: Record) -> str:
    """The record as written: stable key order, one item per line, UTF-8."""
    return json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=1,
                      sort_keys=True) + "\n"

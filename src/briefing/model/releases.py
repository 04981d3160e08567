"""releases/<version>.json: what each released version of the briefing said.

A release record is written by `briefing release VERSION` and read by every later build:
the argument base as each edition showed it (claims, relations, quotes and their
locators, comparison cells, sources, each with a digest of its text), the identifier of
every numbered paragraph, and the digests of the outputs. The next version's changelog
is the difference between the last record and the working tree; its paragraphs keep the
identifiers the record gave them.

Format 3 adds what else a reader sees (compose/snapshot.py derives each item from its
input model): a claim's reporter, stance and whose words its quote is; the cells'
cross-references; the perspectives, actors, key points, timeline, glossary, questions and
references; and the author's summary of why the version exists. An older record still
loads, those left empty, and is compared only in what it holds (`as_format`).

Records are inputs like the seeds: read inside the project, bounded, and validated, with
a problem naming the file and the line.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefing import files
from briefing.errors import BriefingError, Problem
from briefing.model import validation

FOLDER = "releases"
FORMAT = 3  # 2: paragraphs say which one they continue (`was`), plain text;
# 3: all else a reader sees, and the summary (ADDED_IN_3)
VERSION_RE = re.compile(r"^(0|[1-9][0-9]{0,5})(\.(0|[1-9][0-9]{0,5})){0,3}$")
VERSION_HINT = "a release version is numbers joined by dots, e.g. 1.0 or 2.1.3"


def parse(version: str) -> tuple[int, ...] | None:
    """A version's numbers for ordering ("1.10" > "1.9"); None if it is not one."""
    if not VERSION_RE.match(version):
        return None
    return tuple(int(part) for part in version.split("."))


ID = r"^[a-z0-9][a-z0-9-]*$"  # a claim's or a source's id, as in seeds
CELL = r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$"  # "<dimension id>/<perspective id>"
DIGEST = r"^([0-9a-f]{16})?$"  # an item's content digest (compose/snapshot.py)
# An id has the form seeds give it; texts are any string (the JSON reader refuses the
# characters no output can carry, written as escapes).
Id = Annotated[str, Field(pattern=ID)]


class Item(BaseModel):
    """What compose/snapshot.py writes of one item, validated on load like a seed: a record
    is an input (a crafted one can be re-signed), never trusted data."""

    model_config = ConfigDict(extra="forbid", frozen=True, serialize_by_alias=True,
                              validate_by_name=True, validate_by_alias=True)


class Quote(Item):
    text: str
    translation: str | None
    source: Id
    para: int = Field(ge=1)
    words_of: Id | None = None  # format 3: whose words, when not the holders'


class Claim(Item):
    label: str
    statement: str
    kind: Literal["fact", "interpretation", "value", "prediction", "recommendation"]
    perspective: Id | None
    holders: list[Id]
    cites: list[str]  # "<source id> <paragraph>"
    quote: Quote | None
    # Format 3: who reports it (its reported_by, else its source's reporter), and its stance.
    reporter: Id | None = None
    stance: Literal["position", "evidence"] = "position"
    # The name of the argument scheme it follows, in the edition's words (none in an older
    # record, or without one).
    scheme: str | None = Field(None, max_length=300)
    digest: str = Field("", pattern=DIGEST)


class Relation(Item):
    source: Id = Field(alias="from")
    to: Id
    type: Literal["supports", "attacks", "undercuts"]
    ours: bool = False  # the briefing's reading, printed so (an older record: the source's)
    scheme: Id | None = None  # the argument scheme of the link (none in an older record)


class Cell(Item):
    dimension: str
    perspective: str
    text: str
    claims: list[Id]
    see: list[Id] = []  # format 3
    digest: str = Field("", pattern=DIGEST)


class Source(Item):
    key: str
    title: str
    language: str
    reporter: Id | None = None  # format 3
    digest: str = Field("", pattern=DIGEST)


# Format 3: the rest of what a reader sees, each in the edition's language.
Key = Annotated[str, Field(min_length=1, max_length=300)]  # a term, a date, a BibTeX key
Keys = list[Annotated[str, Field(max_length=300)]]  # BibTeX keys a text cites


class Perspective(Item):
    title: str
    short: str
    key_point: str
    summary: str
    digest: str = Field("", pattern=DIGEST)


class Actor(Item):
    name: str
    kind: Literal["person", "organisation", "group"]
    role: str | None
    digest: str = Field("", pattern=DIGEST)


class KeyPoint(Item):
    title: str
    text: str
    claims: list[Id]
    cite: Keys
    # How sure it is, as printed: "medium confidence (limited evidence, medium agreement).
    # <reason>" ("" unrated, and in a record from before ratings: a rating added since is
    # a change the changelog shows).
    confidence: str = ""
    digest: str = Field("", pattern=DIGEST)


class Event(Item):
    when: str
    text: str
    claims: list[Id]
    cite: Keys
    beyond_sources: bool
    digest: str = Field("", pattern=DIGEST)


class Term(Item):
    term: str
    definition: str
    claims: list[Id]
    cite: Keys
    digest: str = Field("", pattern=DIGEST)


class Question(Item):
    text: str
    claims: list[Id]
    digest: str = Field("", pattern=DIGEST)


class Reference(Item):
    """A bibliography entry as the reference list prints it: its type and its public
    fields (name -> value, braces and private notes left out)."""

    type: Key
    fields: dict[Key, str]
    digest: str = Field("", pattern=DIGEST)


PARAGRAPH_ID = r"^p[0-9A-Za-z.\-]{1,40}$"


class Paragraph(BaseModel):
    """One numbered paragraph of a release: its anchor, its number as printed then, its
    text (format 1: its lower-cased words only), and the anchor of the paragraph of the
    release before that it continues (outputs/paragraphs.py; None when it is new, or in
    a format-1 record, where a kept paragraph kept its anchor)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=PARAGRAPH_ID)
    label: str = Field(max_length=40, pattern=r"^[0-9A-Za-z.\-]{1,40}$")
    text: str
    was: str | None = Field(None, pattern=PARAGRAPH_ID)


class Edition(BaseModel):
    """One edition as released: its argument base (what `briefing diff` and the changelog
    compare), its paragraphs, and the identifiers of paragraphs released before and since
    deleted (never given out again)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    claims: dict[Id, Claim] = {}
    relations: list[Relation] = []
    cells: dict[Annotated[str, Field(pattern=CELL)], Cell] = {}
    sources: dict[Id, Source] = {}
    # Format 3 (empty in an older record): keyed as the reader finds them again, a
    # timeline event by its date and a term by its anchor, both from the default edition.
    perspectives: dict[Id, Perspective] = {}
    actors: dict[Id, Actor] = {}
    key_points: dict[Id, KeyPoint] = {}
    timeline: dict[Key, Event] = {}
    glossary: dict[Key, Term] = {}
    questions: dict[Id, Question] = {}
    references: dict[Key, Reference] = {}
    paragraphs: list[Paragraph] = []
    retired: list[Annotated[str, Field(pattern=r"^p[0-9A-Za-z.\-]{1,40}$")]] = []

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in type(self).model_fields}


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    format: int = Field(ge=1, le=FORMAT)
    version: str = Field(max_length=40)
    date: dt.date
    commit: str | None = Field(None, pattern=r"^[0-9a-f]{40}$")
    note: str = ""
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    editions: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,31}$")], Edition]
    outputs: dict[str, Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]] = {}
    # Format 3: why this version exists, per edition (briefing.toml's [document] changes
    # when it was released): each release's summary stays readable in later changelogs.
    summary: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,31}$")], str] = {}
    # Released with --renumber: its paragraphs were numbered by place (a build of this
    # version numbers them so again, to make the same outputs).
    renumbered: bool = False


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


RECORD_ITEMS = 20_000  # the default of limits.record_items


def history(root: Path, inputs: files.Inputs, most: int = RECORD_ITEMS) -> list[Release]:
    """Every release record of the project, oldest first; a malformed one is an error at
    its line. `most`: limits.record_items, the items of one kind an edition may hold."""
    folder = root / FOLDER
    # A link out of the project, a broken link or a file named releases is an error, not
    # "no releases": a build would otherwise number paragraphs as if none were made.
    files.check_folder(folder, root, f"{FOLDER}/")
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
            found.append(_load(path, inputs, most))
        except BriefingError as exc:
            problems += exc.problems
    if problems:
        raise BriefingError(problems)
    return sorted(found, key=lambda r: r.key)


HINT = "release records are written by briefing release; restore it from version control"
SHOWN = 10  # a crafted record may hold thousands of faults: the first ones say enough


def _load(path: Path, inputs: files.Inputs, most: int) -> Release:
    text = inputs.read_text(path)
    raw = files.parse_json(text, path, HINT)
    try:
        record = Record.model_validate(raw)
    except ValidationError as exc:
        source = validation.Source(path, functools.partial(files.json_line, text), "json", HINT)
        raise BriefingError(validation.problems(exc.errors(), Record, source, SHOWN)) from None
    if parse(record.version) is None or path.stem != record.version:
        raise BriefingError.at(f"the record is of version {record.version!r} but named "
                               f"{path.name}", path, files.json_line(text, ("version",)),
                               f"{VERSION_HINT}; the file is named <version>.json")
    for ident, edition in record.editions.items():
        for kind, count in edition.counts().items():
            if count > most:
                raise BriefingError.at(
                    f"edition {ident!r} holds {count:,} {kind}, more than limits.record_items "
                    f"({most:,})", path, files.json_line(text, ("editions", ident, kind)),
                    "is this a record briefing release wrote? If the briefing is this "
                    "large, raise limits.record_items in briefing.toml")
    # Over the record as written (`raw`), not as the models read it: a default filled in
    # on load is not what was signed.
    if not isinstance(raw, dict) or digest(raw["editions"], raw.get("summary")) != record.digest:
        raise BriefingError.at("the record's digest does not match its content: it was "
                               "edited by hand", path, files.json_line(text, ("digest",)),
                               HINT)
    return Release(record, path)


def digest(editions: dict[str, Edition] | dict[str, dict],
           summary: dict[str, str] | None = None) -> str:
    """The content digest of the editions' argument bases and paragraphs, and of the
    summary when the record has one (format 3; without one, the digest is as before)."""
    import hashlib

    plain = {k: (v.model_dump() if isinstance(v, BaseModel) else v)
             for k, v in editions.items()}
    content = {"editions": plain, "summary": summary} if summary else plain
    return hashlib.sha256(canonical(content).encode("utf-8")).hexdigest()


# What formats 1 and 2 did not record, and so what an older record is not compared in:
# each model's fields added in format 3 (the editions' new kinds of item are left empty).
ADDED_IN_3: dict[type[BaseModel], tuple[str, ...]] = {
    Claim: ("reporter", "stance"), Quote: ("words_of",), Cell: ("see",), Source: ("reporter",),
    Edition: ("perspectives", "actors", "key_points", "timeline", "glossary", "questions",
              "references")}


def as_format(edition: Edition, fmt: int) -> Edition:
    """The edition as a record of format `fmt` holds it: what that format did not record
    set to its default, so that an older record compared with the working tree shows no
    change in what it could not hold (every stance 'changed', every reference 'added')."""
    if fmt >= 3:
        return edition

    def older(item: Any) -> Any:
        if not isinstance(item, BaseModel):
            return item
        model = type(item)
        reset = {name: model.model_fields[name].get_default(call_default_factory=True)
                 for name in ADDED_IN_3.get(model, ())}
        if "digest" in model.model_fields:  # over other fields in each format
            reset["digest"] = ""
        kept = {name: (older(value) if isinstance(value, BaseModel) else
                       {k: older(v) for k, v in value.items()} if isinstance(value, dict) else
                       value)
                for name, value in item if name not in reset}
        return item.model_copy(update={**kept, **reset})

    return older(edition)


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

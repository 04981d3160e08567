"""Texts per edition: the types every text field of the inputs has, and where a value is
missing for an edition.

Structure (ids, relations, citations, quotes, locators) exists once; every text a reader
sees has a value per edition. Data fields hold them inline (`statement: {en: …, nl: …}`);
a missing value is a *gap*, found up front for every edition at once with the file, line
and key of each, so `briefing check` can list them all and a build stops before
rendering anything (unless --allow-missing asks for a marked draft). The chapters' own
words and the engine's come from gettext catalogues (read by model/catalogues.py, looked
up by compose/language.py).
"""

from __future__ import annotations

import functools
import typing
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ValidationInfo

from briefing import LOCALE
from briefing.errors import Problem

MARKER = "[NOT TRANSLATED] "


def is_union_member(part) -> bool:
    """A name pydantic adds to an error's location for one form of a union (a text is a
    string or a mapping): not a key of the file, so left out of messages."""
    return isinstance(part, str) and (part in ("str", "int") or part.startswith(
        ("constrained-", "dict[", "function-", "list[")))




class _Kind:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


TEXT, NAME, RENDERING = _Kind("text"), _Kind("name"), _Kind("rendering")


def _per_edition(value: str | dict[str, str], info: ValidationInfo) -> str | dict[str, str]:
    """A plain string in a text field is the default edition's text."""
    if isinstance(value, str):
        default = (info.context or {}).get("default_edition")
        return {default: value} if default else value
    return value


def _non_empty(value: str | dict[str, str]) -> str | dict[str, str]:
    values = [value] if isinstance(value, str) else list(value.values())
    if any(not v.strip() for v in values):
        raise ValueError("text must not be empty")
    return value


# Text: needed in every edition. Name: a plain string serves every edition (a person's name);
# a mapping gives it per edition. Rendering: a translation of a quote, needed only in the
# editions whose language differs from the quote's.
Text = Annotated[str | dict[str, str], TEXT, AfterValidator(_per_edition),
                 AfterValidator(_non_empty)]
Name = Annotated[str | dict[str, str], NAME, AfterValidator(_non_empty)]
Rendering = Annotated[str | dict[str, str], RENDERING, AfterValidator(_per_edition),
                      AfterValidator(_non_empty)]


@dataclass(frozen=True)
class Edition:
    id: str  # the key of its texts: "en", "nl"
    language: str  # BCP 47 tag: hyphenation, CSL locale, metadata ("nl-NL")
    identifier: str
    default: bool
    several: bool  # are there other editions (then outputs carry the edition in their name)

    @property
    def primary(self) -> str:
        return self.language.split("-")[0].lower()

    @property
    def babel_locale(self) -> str:
        return self.language.replace("-", "_")

    def same_language(self, tag: str) -> bool:
        return self.primary == tag.split("-")[0].lower()


# What a briefing without [editions] is: one English edition.
ENGLISH = Edition("en", "en-GB", "", True, False)


@dataclass
class Gap:
    edition: str
    path: Path
    line: int | None
    key: str
    hint: str

    def problem(self) -> Problem:
        return Problem(f"no {self.edition!r} text for {self.key}", self.path, self.line,
                       self.hint)


@dataclass
class Translated:
    """One edition's value of a text field and the text it translates (the default
    edition's value, or a quote's own words): what locale/<edition>.texts.json records."""

    edition: str
    path: Path
    line: int | None
    key: str  # claims[a-claim-id].statement
    original: str
    text: str


@dataclass
class Stale:
    """A translation written for an earlier version of its original (a data text whose
    default-edition text changed, or a catalogue entry marked fuzzy)."""

    edition: str
    problem: Problem


@dataclass
class Coverage:
    """Gaps and counts of text fields, per file and edition, for `check` and the errors."""

    gaps: list[Gap] = field(default_factory=list)
    fields: Counter = field(default_factory=Counter)  # (file, edition) -> fields with a value
    wanted: Counter = field(default_factory=Counter)  # (file, edition) -> fields needed
    # Catalogue entries no template uses: left behind when a msgid changed (warnings).
    unused: list[Problem] = field(default_factory=list)
    translated: list[Translated] = field(default_factory=list)
    stale: list[Stale] = field(default_factory=list)
    # Per edition: translations the records file does not hold as they are now (new or
    # edited since the last `briefing translations update`); a later change of their
    # original would not be caught until they are recorded.
    unrecorded: Counter = field(default_factory=Counter)

    def add(self, edition: str, path: Path, have: bool, gap: Callable[[], Gap]) -> None:
        self.wanted[(path, edition)] += 1
        if have:
            self.fields[(path, edition)] += 1
        else:
            self.gaps.append(gap())

    def summary(self, edition: str, root: Path) -> list[str]:
        rows = sorted((path, n) for (path, ed), n in self.wanted.items() if ed == edition)
        lines = [f"{_rel(path, root)}: {self.fields[(path, edition)]} of {n}"
                 for path, n in rows]
        if self.unrecorded[edition]:
            lines.append(f"{self.unrecorded[edition]} translated text(s) not recorded yet: run "
                         "`briefing translations update`, so that a later change of their "
                         "original shows them stale")
        return lines


def _rel(path: Path, root: Path) -> str:
    # The engine's own catalogue is named as such, wherever briefing is installed.
    if path.parent == LOCALE:
        return f"the engine's words ({path.name})"
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def walk(model: BaseModel, loc: tuple = (), label: str = "", renderings: bool = False
         ) -> Iterator[tuple[tuple, str, Any, Any]]:
    """Every text field of a validated model: (loc, label, kind, value), in file order.
    The label names the field for a reader, with the ids of the items around it. With
    `renderings`, a quote's translation that is not given comes too (value None): it may
    be needed."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        here, key = loc + ((info.alias or name),), f"{label}{info.alias or name}"
        kind = _kind_of(info)
        if kind is not None:
            if value is not None or (renderings and kind is RENDERING):
                yield here, key, kind, value
        elif isinstance(value, BaseModel):
            yield from walk(value, here, key + ".", renderings)
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    ident = getattr(item, "id", None)
                    yield from walk(item, here + (i,), f"{key}[{ident or i + 1}].", renderings)
        elif isinstance(value, dict):
            for k, item in value.items():
                if isinstance(item, BaseModel):
                    yield from walk(item, here + (k,), f"{key}.{k}.", renderings)


def _kind_of(info) -> _Kind | None:
    """TEXT, NAME or RENDERING for a text field, also when it is optional (`Text | None`
    keeps the marker inside the union's Annotated member)."""
    for meta in info.metadata:
        if isinstance(meta, _Kind):
            return meta
    for arg in typing.get_args(info.annotation):
        for meta in getattr(arg, "__metadata__", ()):
            if isinstance(meta, _Kind):
                return meta
    return None


def check_texts(model: BaseModel, path: Path, line: Callable[[tuple], int | None],
                editions: list[Edition], coverage: Coverage, problems,
                same_language: str | None = None,
                hint: Callable[[tuple, Edition], str] | None = None) -> None:
    """Record the gaps of one file's model, and each translated text with its original;
    a mapping with an unknown edition is an error (a typo such as `nk:` would otherwise
    hide a translation). `hint` says how to add a missing text in this file's syntax."""
    ids = [e.id for e in editions]
    default = next(e.id for e in editions if e.default)
    for loc, key, kind, value in walk(model, renderings=True):
        if isinstance(value, dict):
            for k in value:
                if k not in ids:
                    problems.add(f"{key}: unknown edition {k!r}", path, line(loc + (k,)),
                                 f"editions are: {', '.join(ids)} (see [editions] in "
                                 "briefing.toml)")
        original = _original(model, loc, kind, value, default)
        for edition in editions:
            if kind is NAME and isinstance(value, str):
                continue  # one name for every edition
            if kind is RENDERING and same_language and edition.same_language(same_language):
                continue  # the quote is already in this edition's language
            have = isinstance(value, dict) and edition.id in value
            if have and original is not None and not edition.default:
                assert isinstance(value, dict)  # have: a mapping with this edition's text
                coverage.translated.append(Translated(
                    edition.id, path, line(loc + (edition.id,)), key, original,
                    value[edition.id]))
            coverage.add(edition.id, path, have, functools.partial(
                Gap, edition.id, path, line(loc), key,
                hint(loc, edition) if hint else _hint(loc, kind, value, edition)))


def _hint(loc: tuple, kind, value, edition: Edition) -> str:
    if kind is RENDERING and value is None:
        return (f"the quote is in another language than the {edition.id} edition: add "
                f"'translation: {{{edition.id}: …}}' to it with the {edition.language} text")
    return f"add '{edition.id}:' under '{loc[-1]}' with the {edition.language} text"


def _original(model: BaseModel, loc: tuple, kind, value, default: str) -> str | None:
    """What a translated value translates: the default edition's text, or for a quote's
    translation that the default edition does not need, the quote's own words."""
    if isinstance(value, dict) and default in value:
        return value[default]
    if kind is RENDERING:
        owner: Any = model
        for part in loc[:-1]:
            owner = owner[part] if isinstance(owner, list | tuple | dict) else getattr(
                owner, _field_name(owner, part))
        return getattr(owner, "text", None)
    return None


def _field_name(model: BaseModel, alias: str) -> str:
    for name, info in type(model).model_fields.items():
        if (info.alias or name) == alias:
            return name
    return alias


class Localiser:
    """Text values for one edition. Gaps were reported at load; with --allow-missing the
    default edition's text stands in, behind a visible marker."""

    def __init__(self, edition: Edition, default: str):
        self.edition, self.default = edition, default

    def __call__(self, value: str | dict[str, str] | None) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if self.edition.id in value:
            return value[self.edition.id]
        fallback = value.get(self.default) or next(iter(value.values()))
        return MARKER + fallback

    def words(self, value: list[str] | dict[str, list[str]]) -> list[str]:
        if isinstance(value, list):
            return value
        return value.get(self.edition.id) or value.get(self.default) or []

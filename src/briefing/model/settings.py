"""briefing.toml's schema: every setting a typed, documented pydantic model, validated
before any work. Reading the file is config.py; what the settings name on disk (paths,
outputs, editions, chapters) is project.py. The docstring under each key is its
description in `briefing schema` and docs/format.md.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.json_schema import JsonSchemaValue

from briefing import files
from briefing.model import formats as registry
from briefing.model.texts import Name, Text

LANGUAGE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
# Names that become parts of file names (build/briefing.<edition>.pdf), anchors or classes.
IDENT = r"^[a-z][a-z0-9-]{0,31}$"
Ident = Annotated[str, StringConstraints(pattern=IDENT)]
WEB_URL = re.compile(r"^https?://[^\s<>\"'`{}|\\^]+$", re.I)
# The span of document dates an EPUB and a DOCX (ZIP archives, 1980-2107) can carry.
EARLIEST, LATEST = dt.date(1980, 1, 1), dt.date(2099, 12, 31)


def _keywords(value):
    for words in [value] if isinstance(value, list) else value.values():
        _one_line(words)
    return value


def _one_line(value):
    """Titles, names and versions reach metadata and citation exports one line each:
    a line break there would start a new field (RIS, BibTeX, YAML)."""
    for text in [value] if isinstance(value, str) else (
            value.values() if isinstance(value, dict) else value):
        if isinstance(text, str) and (bad := files.forbidden(text, single_line=True)):
            raise ValueError(f"{files.describe(bad.group())} in a one-line text")
    return value


def _web_url(value: str | None) -> str | None:
    if value is not None and not WEB_URL.match(value):
        raise ValueError("must be a web address starting with https:// or http://")
    return value


def _date_range(value: dt.date) -> dt.date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"must lie between {EARLIEST} and {LATEST} (EPUB and DOCX are ZIP "
                         "archives, whose dates cannot go further)")
    return value


def _format(value: str) -> str:
    """One of the registry's document formats, as it holds them when validating (so a
    format added to it is valid here at once)."""
    if value not in registry.documents():
        raise ValueError(f"Input should be {registry.listed(registry.documents())}")
    return value


class _Formats:
    """The schema's enum, read from the registry when the schema is made."""

    def __get_pydantic_json_schema__(self, core_schema, handler) -> JsonSchemaValue:
        return {"enum": registry.documents(), "type": "string"}


FormatName = Annotated[str, AfterValidator(_format), _Formats()]
Line = Annotated[Text, AfterValidator(_one_line)]
LineName = Annotated[Name, AfterValidator(_one_line)]
LineStr = Annotated[str, Field(min_length=1), AfterValidator(_one_line)]


class Strict(BaseModel):
    # The docstring under each key is its description in `briefing schema` and docs/format.md,
    # read from this file when they are made (pydantic's use_attribute_docstrings would
    # parse it again for every class on every run).
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Document(Strict):
    """What the reader sees on the cover and in the metadata."""

    title: Line
    """The briefing's title, on the cover and in every output's metadata; one line."""
    subtitle: Line | None = None
    """A line under the title."""
    organisation: LineName
    """Who publishes the briefing: the publisher in the metadata and the citation."""
    authors: list[LineStr] = []
    """The people who wrote it, one name each, as cited (default: the organisation)."""
    version: LineStr
    """The version readers cite, e.g. "1.2"; one line."""
    date: Annotated[dt.date, AfterValidator(_date_range)]
    """The publication date (YYYY-MM-DD, 1980 to 2099); also every output's build date
    unless SOURCE_DATE_EPOCH is set."""
    # With [editions], each edition has its own language and identifier.
    language: str | None = Field(None, pattern=LANGUAGE)
    """The language as a BCP 47 tag (e.g. en-GB), for a briefing without [editions]."""
    keywords: Annotated[list[str] | dict[str, list[str]], AfterValidator(_keywords)] = Field(
        [], json_schema_extra={"propertyNames": {"pattern": IDENT}})  # per edition: its id
    """Subject keywords for the metadata: a list, or a list per edition ({en = [...]})."""
    identifier: LineStr | None = Field(None, description="stable id of the edition, "
                                       "e.g. urn:uuid:…")
    url: Annotated[str | None, AfterValidator(_web_url)] = None
    """Where the briefing is published: a web address starting with https:// or http://."""
    summary: Text | None = None
    """A short abstract for the metadata (default: the subtitle)."""
    basis: Text | None = None
    """One or two sentences on the cover: what the briefing rests on, and when that was
    written (e.g. "Based on two articles of March 2024, before the vote.")."""
    changes: Text | None = None
    """Why this version exists, in a sentence or two: the first thing its "What changed in
    this version" section says (e.g. "Corrects who said what in chapter 3 and adds the
    2025 regulation."). `briefing release` keeps it in the record, so the changelogs of
    later versions list it too."""
    accessibility_summary: Text | None = None
    """The accessibility summary in the outputs' metadata (default: the engine's own, in
    each language)."""


class EditionConfig(Strict):
    """One language edition: built from the same argument base as every other."""

    language: str = Field(pattern=LANGUAGE)
    """The edition's language as a BCP 47 tag (e.g. nl-NL): hyphenation, the CSL locale,
    every lang attribute and the metadata."""
    identifier: LineStr = Field(description="its own urn:uuid:…, not shared")
    style: str | None = None
    """A CSL style for this edition only (default: bibliography.style), for a language
    whose conventions the shared style cannot follow through its locale alone."""
    bibliography: str | None = None
    """A BibTeX file whose entries replace, in this edition only, the entries of
    bibliography.file with the same keys: a work listed in the edition's language (the
    Dutch version of a letter published in both, a series named in Dutch), so that each
    entry of its reference list is in one language. Every key must be in the shared file."""


class Bibliography(Strict):
    """Where the works cited are, and how citations look."""

    file: str = "bib/briefing.bib"
    """The BibTeX file of every work cited, relative to briefing.toml."""
    style: str = "bib/chicago-author-date.csl"
    """The CSL citation style, relative to briefing.toml."""


class Build(Strict):
    """What a build makes, and from which chapters."""

    name: str = Field("briefing", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    """The outputs' file name: build/<name>.pdf, build/<name>.<edition>.epub, ..."""
    chapters: list[str] | None = None
    """The chapters in reading order, as NN-slug (chapters/NN-slug.md.j2); default: every
    chapters/NN-*.md.j2 by number."""
    formats: list[FormatName] = registry.defaults()
    """The formats `briefing build` writes (the registry's, model/formats.py; each with
    the briefing's own citation as .bib, .ris and .json)."""
    edition: str | None = Field(None, pattern=IDENT)
    """The default edition (default: the first under [editions]): its outputs also carry
    the plain names (build/briefing.pdf), and a plain string in a text field is its text."""


class Perspective(Strict):
    """One of the perspectives the briefing compares; claims name it by its id."""

    title: Line
    """Its title, as a chapter heading; one line."""
    short: Line
    """A word or two for tables and claim labels (P1, T2: the first letters); one line."""
    key_point: Text = Field(description="one sentence for the key points box")
    summary: Text
    """A paragraph saying what the perspective holds."""


class Limits(Strict):
    """Bounds on every stage: a mistaken or hostile input fails fast with a message
    instead of hanging or exhausting memory. The defaults fit the flagship briefing
    (about 150 kB of Markdown, 25 pages) many times over; raise them for a bigger one."""

    # Upper bounds keep a typo (or `inf`) from turning a bound into no bound at all.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    input_mib: float = Field(4, gt=0, le=1024, description="size of any one input file")
    image_mib: float = Field(16, gt=0, le=1024, description="size of any one image")
    image_megapixels: float = Field(40, gt=0, le=1000,
                                    description="an image's pixels, checked before decoding")
    markdown_mib: float = Field(8, gt=0, le=1024,
                                description="the composed Markdown, all chapters")
    paragraph_chars: int = Field(50_000, gt=0, le=10_000_000,
                                 description="one paragraph of Markdown")
    nesting: int = Field(24, gt=0, le=200,
                         description="lists, quotes and raw HTML nested in each other")
    bib_field_chars: int = Field(20_000, gt=0, le=10_000_000,
                                 description="one BibTeX field, @strings expanded")
    misquote_words: int = Field(
        1_000_000, gt=0, le=100_000_000,
        description="words of source paragraphs searched for the passage closest to a "
                    "misquote, all misquotes of a check together")
    record_items: int = Field(
        20_000, gt=0, le=1_000_000,
        description="claims, relations, cells, sources, paragraphs or retired identifiers "
                    "(each kind) in one edition of a release record")
    template_seconds: float = Field(10, gt=0, le=3600,
                                    description="rendering all chapter templates")
    template_memory_mib: float = Field(1024, gt=0, le=65536,
                                       description="memory templates may add")
    layout_seconds: float = Field(60, gt=0, le=3600,
                                  description="laying out the argument map")
    layout_memory_mib: float = Field(1024, gt=0, le=65536,
                                     description="the map's layout process")
    pandoc_seconds: float = Field(120, gt=0, le=3600, description="one Pandoc run")
    pandoc_memory_mib: float = Field(1024, gt=0, le=65536, description="Pandoc's heap (+RTS -M)")
    weasyprint_seconds: float = Field(600, gt=0, le=86400, description="the PDF render")
    weasyprint_memory_mib: float = Field(4096, gt=0, le=65536,
                                         description="the PDF worker's memory")


class Config(Strict):
    """briefing.toml: the document's settings."""

    document: Document
    """What the reader sees on the cover and in the metadata."""
    bibliography: Bibliography = Bibliography()
    """Where the works cited are, and how citations look."""
    build: Build = Build()
    """What a build makes, and from which chapters."""
    limits: Limits = Limits()
    """Bounds on every stage (see the defaults); raise them for a much bigger briefing."""
    perspectives: dict[Ident, Perspective] = {}
    """The perspectives compared, in order, each under its id ([perspectives.<id>])."""
    editions: dict[Ident, EditionConfig] = {}
    """One edition per language ([editions.<id>]), all from the same seeds and chapters."""


"""briefing.toml's schema: every setting a typed, documented pydantic model, validated
before any work. Reading the file is config.py; what the settings name on disk (paths,
outputs, editions, chapters) is project.py. The docstring under each key is its
description in `briefing schema` and docs/format.md.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

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


ORCID = r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$"
# The licences a briefing's text is commonly published under: SPDX id -> (name, address).
LICENCES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0 International",
                  "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-SA-4.0": ("Creative Commons Attribution-ShareAlike 4.0 International",
                     "https://creativecommons.org/licenses/by-sa/4.0/"),
    "CC-BY-ND-4.0": ("Creative Commons Attribution-NoDerivatives 4.0 International",
                     "https://creativecommons.org/licenses/by-nd/4.0/"),
    "CC-BY-NC-4.0": ("Creative Commons Attribution-NonCommercial 4.0 International",
                     "https://creativecommons.org/licenses/by-nc/4.0/"),
    "CC-BY-NC-SA-4.0": ("Creative Commons Attribution-NonCommercial-ShareAlike 4.0 "
                        "International", "https://creativecommons.org/licenses/by-nc-sa/4.0/"),
    "CC-BY-NC-ND-4.0": ("Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 "
                        "International", "https://creativecommons.org/licenses/by-nc-nd/4.0/"),
    "CC0-1.0": ("Creative Commons Zero v1.0 Universal",
                "https://creativecommons.org/publicdomain/zero/1.0/"),
    "OGL-UK-3.0": ("Open Government Licence v3.0",
                   "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
}


def _licence(value: str) -> str:
    if value not in LICENCES:
        raise ValueError(f"{value!r} is not one of the SPDX ids briefing knows for a text: "
                         f"{', '.join(LICENCES)}")
    return value


Licence = Annotated[str, AfterValidator(_licence)]


class Person(Strict):
    """An author named as a person: who answers for the text."""

    name: LineStr
    """The name as cited, e.g. "Jane Doe"."""
    role: Line | None = None
    """What they did or are, e.g. "Policy analyst"."""
    orcid: str | None = Field(None, pattern=ORCID)
    """Their ORCID iD, e.g. 0000-0002-1825-0097."""
    affiliation: Line | None = None
    """Where they work, e.g. "Institute for Public Policy"."""


class Document(Strict):
    """What the reader sees on the cover and in the metadata."""

    title: Line
    """The briefing's title, on the cover and in every output's metadata; one line."""
    subtitle: Line | None = None
    """A line under the title."""
    organisation: LineName
    """Who publishes the briefing: the publisher in the metadata and the citation."""
    authors: list[LineStr | Person] = []
    """The people who wrote it, as cited (default: the organisation): a name each, or a
    table {name, role, orcid, affiliation} printed on the cover and in the citation."""
    contact: Line | None = None
    """Who answers readers' questions, e.g. "Jane Doe, jane.doe@example.org"; printed with
    the authors."""
    series: Line | None = None
    """The series the briefing belongs to, e.g. "Policy Briefs"; on the cover and in the
    citation."""
    number: LineStr | None = None
    """Its number in the series or as a report, e.g. "2026/07"."""
    licence: Licence | None = None
    """The licence of the text, as an SPDX id (e.g. CC-BY-4.0): printed, and in every
    output's metadata (PDF XMP and EPUB dc:rights, DOCX, CITATION.cff)."""
    disclaimer: Text | None = None
    """A sentence or two on whose views the briefing gives, printed at its end."""
    acknowledgements: Text | None = None
    """Thanks to reviewers and others, printed at the end."""
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

    def rights(self) -> str:
        """The text's licence as the outputs' metadata says it (dc:rights): its SPDX id,
        name and address; "" without one."""
        if not self.licence:
            return ""
        name, address = LICENCES[self.licence]
        return f"{self.licence} {name} {address}"

    def author_names(self) -> list[str]:
        """The authors' names as cited (empty: the organisation is the author)."""
        return [a if isinstance(a, str) else a.name for a in self.authors]


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
    """The chapters in reading order, as NN-slug: a template chapters/NN-slug.md.j2, or
    plain Markdown prose chapters/NN-slug.md where no template has the name; default:
    every chapters/NN-*.md.j2 by number."""
    formats: list[FormatName] = registry.defaults()
    """The formats `briefing build` writes (the registry's, model/formats.py; each with
    the briefing's own citation as .bib, .ris and .json)."""
    brief: Annotated[list[Ident], Field(min_length=1)] = [
        "key-points", "comparison", "questions-for-policy"]
    """The sections the brief holds (the format "brief": build/<name>.brief.pdf, a policy
    brief of two to four pages beside the report), by their ids (# Heading {#id}), in
    order; the references and how to cite follow them."""
    edition: str | None = Field(None, pattern=IDENT)
    """The default edition (default: the first under [editions]): its outputs also carry
    the plain names (build/briefing.pdf), and a plain string in a text field is its text."""


COLOUR = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
LENGTH = r"(\d{1,4}(\.\d{1,3})?)(mm|cm|in|pt)"
PAGE_SIZE = re.compile(rf"^(A4|A5|Letter|Legal|{LENGTH} {LENGTH})$", re.I)
MARGINS = re.compile(rf"^{LENGTH}( {LENGTH}){{0,3}}$")
# The grounds text stands on: the page and the boxes (key points, how to cite).
GROUNDS = ("#ffffff", "#f2f6fb")


def luminance(colour: str) -> float:
    """WCAG 2's relative luminance of a #rgb or #rrggbb colour."""
    hexa = colour.lstrip("#")
    hexa = "".join(c * 2 for c in hexa) if len(hexa) == 3 else hexa
    channels = [int(hexa[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2's contrast ratio of two colours, 1 to 21."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _colour(least: float, what: str):
    def check(value: str | None) -> str | None:
        if value is None:
            return value
        if not COLOUR.match(value):
            raise ValueError("must be a colour written #rrggbb (or #rgb), e.g. #1d4e89")
        ratio = min(contrast(value, ground) for ground in GROUNDS)
        if ratio < least:
            raise ValueError(
                f"{value} has a contrast of {ratio:.2f}:1 with the page, below WCAG AA's "
                f"{least:g}:1 for {what}: choose a darker colour")
        return value.lower()
    return AfterValidator(check)


def _pattern(pattern: re.Pattern, example: str):
    def check(value: str | None) -> str | None:
        if value is not None and not pattern.match(value):
            raise ValueError(f"must be written like {example}")
        return value
    return AfterValidator(check)


class Style(Strict):
    """The briefing's look, from the project's own files: no engine file is edited. The
    same style reaches the PDF, the HTML and the EPUB (the EPUB without the page
    settings); the DOCX takes its reference document. Every file is a project file,
    checked by content (fonts, images, the stylesheet) before any tool reads it."""

    logo: str | None = None
    """An image (SVG, PNG or JPEG) inside the project, printed on the cover above the
    organisation and small in the running head, e.g. "style/logo.svg"."""
    accent: Annotated[str | None, _colour(4.5, "body text (links, the cover's rule)")] = None
    """The house colour of links, the cover's rule and name, e.g. "#0b5394"; needs a
    contrast of 4.5:1 with the page (WCAG AA)."""
    text: Annotated[str | None, _colour(4.5, "body text")] = None
    """The colour of the text (default #1a1a1a); 4.5:1 with the page at least."""
    heading: Annotated[str | None, _colour(3.0, "large text (headings)")] = None
    """The colour of headings (default #1d2f4a); 3:1 with the page at least."""
    body_font: list[str] = []
    """The font files of the text (TrueType or OpenType, inside the project), one per
    face: each face's weight and slant are read from the file. Their licence must allow
    embedding (the font's OS/2 fsType)."""
    heading_font: list[str] = []
    """The font files of headings, the cover and small print (as body_font)."""
    page_size: Annotated[str | None, _pattern(PAGE_SIZE, '"A4", "Letter" or "170mm 240mm"')
                         ] = None
    """The PDF's page size: A4 (default), A5, Letter, Legal, or "width height" in mm, cm,
    in or pt."""
    margins: Annotated[str | None, _pattern(MARGINS, '"24mm 22mm 24mm 30mm" (top, outer, '
                                            'bottom, inner; as in CSS)')] = None
    """The page margins as in CSS (top right bottom left), e.g. "20mm 20mm 22mm 25mm";
    the left one holds the paragraph numbers, so at least 15mm."""
    chapters: Literal["new-page", "continuous"] = "new-page"
    """"new-page": every chapter starts a page (a chapter after a page left under a third
    full still runs on); "continuous": chapters follow each other on the page, except
    one marked {.new-page}."""
    short_title: Line | None = None
    """The title in the running head, when the title is too long for it."""
    cover: Literal["classic", "band"] = "classic"
    """The cover's layout: "classic" (title over a rule, centred on the page) or "band"
    (the title at the top, under a band in the accent colour)."""
    docx_reference: str | None = None
    """A Word document inside the project whose styles and theme the DOCX takes (as
    Pandoc's --reference-doc), e.g. "style/reference.docx"; default: the engine's,
    with the style's colours and fonts."""
    stylesheet: str | None = None
    """A CSS file inside the project laid over the engine's stylesheets (print, screen
    and e-reader), styling the classes the README's "Customising the look" lists. It may
    load only files of the project (fonts, images) and no other stylesheet."""


class Perspective(Strict):
    """One of the perspectives the briefing compares; claims name it by its id."""

    title: Line
    """Its title, as a chapter heading; one line."""
    short: Line
    """A word or two for tables and claim labels (P1, T2: the first letters); one line."""
    key_point: Text = Field(description="one sentence for the key points box")
    summary: Text
    """A paragraph saying what the perspective holds."""
    letter: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]{0,3}$")] | None = None
    """The prefix of its claims' labels (L for L1, L2 …): capital letters or digits, one to
    four, the first a letter, each perspective its own, not B (the background's). Default:
    the first letters of `short` that no perspective before it has."""
    order: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] = []
    """Claim ids in the order the perspective presents them (and numbers its new labels);
    its claims not listed follow, in the order of the seeds (seed files by name, claims
    as written)."""


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
    style: Style = Style()
    """The briefing's look: logo, colours, fonts, page size, chapters, a stylesheet."""
    perspectives: dict[Ident, Perspective] = {}
    """The perspectives compared, in order, each under its id ([perspectives.<id>])."""
    editions: dict[Ident, EditionConfig] = {}
    """One edition per language ([editions.<id>]), all from the same seeds and chapters."""


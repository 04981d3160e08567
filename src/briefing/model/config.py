"""briefing.toml: the document's settings, as a typed schema validated before any work."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import os
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from pydantic_core import ErrorDetails

from briefing import files
from briefing.errors import BriefingError, Collector
from briefing.model.texts import Edition, Name, Text, is_union_member

CONFIG_NAME = "briefing.toml"
ANALYSIS_NAME = "analysis.yaml"
INPUT_FOLDERS = ("seeds", "chapters", "locale", "sources", "releases")  # all their files are inputs
CONFIG_MAX_BYTES = 1024 * 1024  # read before [limits] is known, so fixed
MAX_DEPTH = 16  # briefing.toml's tables nest three deep
LANGUAGE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
CHAPTER_RE = re.compile(r"^(\d+)-[a-z0-9][a-z0-9-]*\.md\.j2$")
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
    formats: list[Literal["pdf", "epub", "docx", "html"]] = ["pdf", "epub", "docx", "html"]
    """The formats `briefing build` writes."""
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


class Project:
    """A loaded, validated config plus the paths it names."""

    def __init__(self, root: Path, config: Config, chapters: list[Path],
                 editions: list[Edition], text: str = ""):
        self.root = root
        self.config = config
        self.text = text  # briefing.toml as read, for the lines of messages
        self.chapters = chapters
        self.editions = editions

    @property
    def default_edition(self) -> Edition:
        return next(e for e in self.editions if e.default)

    def edition(self, ident: str) -> Edition:
        for edition in self.editions:
            if edition.id == ident:
                return edition
        raise BriefingError.at(
            f"no edition {ident!r}", self.config_path, self.line_of("editions"),
            f"editions of this briefing: {', '.join(e.id for e in self.editions)}")

    @property
    def inputs(self) -> files.Inputs:
        """How this project's input files are read: inside it, regular, bounded."""
        return files.Inputs(self.root, int(self.config.limits.input_mib * files.MIB))

    @property
    def images(self) -> files.Inputs:
        return files.Inputs(self.root, int(self.config.limits.image_mib * files.MIB),
                            "limits.image_mib")

    @property
    def locale_dir(self) -> Path:
        return self.root / "locale"

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def bib_path(self) -> Path:
        return self.root / self.config.bibliography.file

    @property
    def csl_path(self) -> Path:
        return self.root / self.config.bibliography.style

    def csl_for(self, edition: Edition) -> Path:
        own = self.config.editions.get(edition.id)
        return self.root / own.style if own and own.style else self.csl_path

    @property
    def csl_paths(self) -> list[Path]:
        return list(dict.fromkeys(self.csl_for(e) for e in self.editions))

    @property
    def seeds_dir(self) -> Path:
        return self.root / "seeds"

    @property
    def chapters_dir(self) -> Path:
        return self.root / "chapters"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def input_listing(self) -> list[str]:
        return input_listing(self.root)

    def input_paths(self) -> list[Path]:
        """Every file a build reads, in one list: the settings, the bibliography and its
        styles, the analysis, and every file in the input folders (images the chapters
        show are added by the build, which knows them only once composed). The no-op
        check, `briefing watch` and the Makefile (`briefing inputs`) all use this."""
        return [self.config_path, self.bib_path, *self.csl_paths, self.root / ANALYSIS_NAME,
                *(self.root / rel for rel in self.input_listing())]

    def line_of(self, *loc: str) -> int | None:
        """The line of a key in briefing.toml, for messages about config-level things."""
        return _line_of_key(self.text, loc)

    def output(self, fmt: str, edition: Edition | None = None) -> Path:
        """build/briefing.pdf for the default (or only) edition; build/briefing.nl.pdf for
        an edition of a briefing that has several."""
        name = self.config.build.name
        if edition is not None and edition.several:
            name = f"{name}.{edition.id}"
        return self.build_dir / f"{name}.{fmt}"

    def outputs(self, fmt: str, edition: Edition) -> list[Path]:
        """Where one format of one edition goes: the default edition's also under the
        plain name, which links and scripts made before editions existed still use."""
        paths = [self.output(fmt, edition)]
        if edition.several and edition.default:
            paths.append(self.output(fmt))
        return paths


def input_listing(root: Path) -> list[str]:
    """The names in a project's input folders: a file added, renamed or removed there
    changes what a build reads even before any content does (read without loading the
    settings, for the no-op check)."""
    found: list[str] = []
    for folder in INPUT_FOLDERS:
        with contextlib.suppress(OSError):
            found += sorted(f"{folder}/{p.name}" for p in (root / folder).iterdir())
    return found


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
    raw = _parse(text, path)
    try:
        config = Config.model_validate(raw, context={"default_edition": _default_edition(raw)})
    except ValidationError as exc:
        raise BriefingError(
            [p for err in exc.errors() for p in _problems(err, path, text)]
        ) from None
    for folder in ("chapters", "seeds", "locale"):
        files.check_folder(root / folder, root, f"{folder}/")
    _inside(root, config, path, text)
    editions = _editions(config, path, text)
    return Project(root, config, _chapters(root, config, path, text), editions, text)


def _parse(text: str, path: Path) -> dict:
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
                                   path, _line_of_key(text, loc),
                                   "remove it; no output format can carry it")


def _deep_line(text: str) -> int | None:
    """The first line where brackets outside strings and comments nest past MAX_DEPTH."""
    return files.too_deep(text, MAX_DEPTH, files.TOML_SKIP)


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


def _editions(config: Config, path: Path, text: str) -> list[Edition]:
    document, problems = config.document, Collector()
    if not config.editions:
        if document.identifier is None:
            problems.add("missing required key 'document.identifier'", path,
                         _line_of_key(text, ("document",)),
                         "add identifier = \"urn:uuid:…\" (one per edition, never reused)")
        if config.build.edition is not None:
            problems.add("build.edition names an edition, but there is no [editions] table",
                         path, _line_of_key(text, ("build", "edition")),
                         "add [editions.<id>] tables, or remove build.edition")
        problems.raise_if_any()
        assert document.identifier is not None  # reported as missing just above
        language = document.language or "en-GB"
        ident = language.split("-")[0].lower()
        return [Edition(ident, language, document.identifier, True, False)]
    for key in ("language", "identifier"):
        if getattr(document, key) is not None:
            problems.add(f"document.{key} is set, but so is [editions]", path,
                         _line_of_key(text, ("document", key)),
                         f"give each edition its own {key} in [editions.<id>] and remove "
                         f"this one")
    default = config.build.edition or next(iter(config.editions))
    if default not in config.editions:
        problems.add(f"build.edition {default!r} is not one of the editions", path,
                     _line_of_key(text, ("build", "edition")),
                     f"editions: {', '.join(config.editions)}")
    identifiers = [e.identifier for e in config.editions.values()]
    for ident, edition in config.editions.items():
        if identifiers.count(edition.identifier) > 1:
            problems.add(f"editions.{ident}.identifier is shared with another edition", path,
                         _line_of_key(text, ("editions", ident, "identifier")),
                         "each edition is its own publication: give it its own urn:uuid")
            break
    problems.raise_if_any()
    several = len(config.editions) > 1
    return [Edition(ident, e.language, e.identifier, ident == default, several)
            for ident, e in config.editions.items()]


def _inside(root: Path, config: Config, path: Path, text: str) -> None:
    """The bibliography and the CSL style are read by Pandoc, so they must be project files:
    named inside the project, and not reached through a link that leads out of it (a linked
    folder is named once, as the folder)."""
    problems = Collector()
    paths: list[tuple[tuple[str, ...], str]] = [
        (("bibliography", "file"), config.bibliography.file),
        (("bibliography", "style"), config.bibliography.style)]
    paths += [(("editions", ident, "style"), e.style) for ident, e in config.editions.items()
              if e.style]
    real_root = os.path.realpath(root)
    folders: dict[str, BriefingError | None] = {}
    for loc, value in paths:
        named = os.path.abspath(root / value)
        if Path(value).is_absolute() or not files.within(named, os.path.abspath(root)):
            problems.add(f"{'.'.join(loc)} {value!r} is outside the project", path,
                         _line_of_key(text, loc),
                         "give a path inside the project, relative to briefing.toml")
            continue
        folder = os.path.dirname(named)
        if folder not in folders:
            folders[folder] = None
            try:
                files.check_folder(Path(folder), root,
                                   os.path.relpath(folder, root).rstrip("/.") + "/")
            except BriefingError as exc:
                folders[folder] = exc
                problems.extend(exc)
        if folders[folder] is None and not files.within(os.path.realpath(named), real_root):
            problems.add(f"{'.'.join(loc)} {value!r} is a link to a file outside the project",
                         path, _line_of_key(text, loc),
                         "copy the file into the project: links are followed only when they "
                         "point inside it")
    problems.raise_if_any()


def _chapters(root: Path, config: Config, path: Path, text: str) -> list[Path]:
    """The chapter templates in reading order: as listed, or all by numeric prefix."""
    chapters_dir = root / "chapters"
    problems = Collector()
    if config.build.chapters is None:
        found = sorted(
            (p for p in chapters_dir.glob("*.md.j2") if CHAPTER_RE.match(p.name)),
            key=lambda p: (int(p.name.split("-", 1)[0]), p.name),  # the NN of NN-slug.md.j2
        )
        if not found:
            problems.add("no chapter templates found", chapters_dir,
                         hint="add chapters/01-introduction.md.j2 (name: NN-slug.md.j2)")
        problems.raise_if_any()
        return found
    chapters, seen = [], set()
    for name in config.build.chapters:
        line = _line_of_value(text, name)
        file_name = name if name.endswith(".md.j2") else f"{name}.md.j2"
        if file_name in seen:
            problems.add(f"chapter {name!r} is listed twice in build.chapters", path, line,
                         "list each chapter once")
            continue
        seen.add(file_name)
        if not CHAPTER_RE.match(file_name):
            problems.add(f"chapter name {name!r} is not of the form NN-slug", path, line,
                         "name chapters like '02-privacy' (file chapters/02-privacy.md.j2)")
            continue
        chapter = chapters_dir / file_name
        if not os.path.lexists(chapter):
            existing = sorted(p.name.removesuffix(".md.j2") for p in chapters_dir.glob("*.md.j2"))
            near = difflib.get_close_matches(name.removesuffix(".md.j2"), existing, n=1)
            problems.add(
                f"chapter {name!r} does not exist (no chapters/{file_name})",
                path, line,
                f"did you mean {near[0]!r}?" if near else "create the template or remove the entry",
            )
            continue
        real = os.path.realpath(chapter)  # a link loop stays unresolved: not a file below
        if not files.within(real, os.path.realpath(chapters_dir)):
            problems.add(f"chapter {name!r} is a link to a file outside chapters/", path, line,
                         "copy the template into chapters/; links out of the project are "
                         "not followed")
            continue
        if not files.regular_file(real):
            problems.add(f"chapter {name!r} is not a regular file (chapters/{file_name})",
                         path, line, "make it a plain text file; a link loop, a folder or a "
                         "named pipe cannot be read")
            continue
        chapters.append(chapter)
    problems.raise_if_any()
    return chapters


def _problems(err: ErrorDetails, path: Path, text: str):
    from briefing.errors import Problem

    loc = tuple(p for p in err["loc"] if not is_union_member(p))
    dotted = ".".join(str(part) for part in loc)
    line = _line_of_key(text, loc)
    if loc[-1:] == ("[key]",):  # a table's name: it becomes part of paths and anchors
        what = {"editions": "edition id", "perspectives": "perspective id"}.get(
            str(loc[0]), "name")
        yield Problem(f"{what} {loc[-2]!r} is not a plain name", path,
                      _line_of_key(text, loc[:-1]) or _line_of_value(text, str(loc[-2])),
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


def _line_of_key(text: str, loc: tuple) -> int | None:
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
        return _line_of_key(text, loc[:-1]) if len(loc) > 1 else None
    return best


def _line_of_value(text: str, value: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if f'"{value}"' in line or f"'{value}'" in line:
            return number
    return None

"""The Project: everything a validated briefing.toml names on disk, found once.

Everyone asks it (one fact in one place): the input folders and files, the outputs'
names (build/<name>.<edition>.<suffix>, each format's suffix from the registry,
formats.py), the editions, and the chapters in reading order.
discover() finds them and checks each against the files, every problem at its line.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
from pathlib import Path

from briefing import files
from briefing.errors import BriefingError, Collector
from briefing.model import formats
from briefing.model.settings import Config
from briefing.model.texts import Edition
from briefing.model.tomlfile import line_of_key, line_of_value

CONFIG_NAME = "briefing.toml"
ANALYSIS_NAME = "analysis.yaml"
INPUT_FOLDERS = ("seeds", "chapters", "locale", "sources", "releases")  # all their files are inputs
CHAPTER_RE = re.compile(r"^(\d+)-[a-z0-9][a-z0-9-]*\.md(\.j2)?$")  # .md: plain prose


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

    def bib_for(self, edition: Edition) -> Path | None:
        """The edition's own entries (editions.<id>.bibliography), if it has any."""
        own = self.config.editions.get(edition.id)
        return self.root / own.bibliography if own and own.bibliography else None

    @property
    def edition_bib_paths(self) -> list[Path]:
        return [p for e in self.editions if (p := self.bib_for(e)) is not None]

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
        style = self.config.style  # the files [style] names (model/style.py checks them)
        styled = [style.logo, *style.body_font, *style.heading_font, style.stylesheet,
                  style.docx_reference]
        return [self.config_path, self.bib_path, *self.edition_bib_paths, *self.csl_paths,
                self.root / ANALYSIS_NAME,
                *(self.root / rel for rel in self.input_listing()),
                *(self.root / rel for rel in styled if rel), *self._stylesheet_loads()]

    def _stylesheet_loads(self) -> list[Path]:
        """The files the project stylesheet's url()s name (an image, a font)."""
        from briefing.model import style as checked

        sheet = self.config.style.stylesheet
        path = self.root / sheet if sheet else None
        if path is None or not files.within(os.path.abspath(path), os.path.abspath(self.root)):
            return []
        try:
            css = self.inputs.read_text(path)
        except BriefingError:
            return []  # the build names the problem; the list names the stylesheet itself
        return checked.loaded(css, path, self.root)

    def line_of(self, *loc: str) -> int | None:
        """The line of a key in briefing.toml, for messages about config-level things."""
        return line_of_key(self.text, loc)

    def output(self, fmt: str, edition: Edition | None = None) -> Path:
        """build/briefing.pdf for the default (or only) edition; build/briefing.nl.pdf for
        an edition of a briefing that has several. The ending is the format's suffix
        (formats.py): bibtex -> .bib; a second route to PDF would have its own."""
        name = self.config.build.name
        if edition is not None and edition.several:
            name = f"{name}.{edition.id}"
        return self.build_dir / f"{name}.{formats.suffix(fmt)}"

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



def _editions(config: Config, path: Path, text: str) -> list[Edition]:
    document, problems = config.document, Collector()
    if not config.editions:
        if document.identifier is None:
            problems.add("missing required key 'document.identifier'", path,
                         line_of_key(text, ("document",)),
                         "add identifier = \"urn:uuid:…\" (one per edition, never reused)")
        if config.build.edition is not None:
            problems.add("build.edition names an edition, but there is no [editions] table",
                         path, line_of_key(text, ("build", "edition")),
                         "add [editions.<id>] tables, or remove build.edition")
        problems.raise_if_any()
        assert document.identifier is not None  # reported as missing just above
        language = document.language or "en-GB"
        ident = language.split("-")[0].lower()
        return [Edition(ident, language, document.identifier, True, False)]
    for key in ("language", "identifier"):
        if getattr(document, key) is not None:
            problems.add(f"document.{key} is set, but so is [editions]", path,
                         line_of_key(text, ("document", key)),
                         f"give each edition its own {key} in [editions.<id>] and remove "
                         f"this one")
    default = config.build.edition or next(iter(config.editions))
    if default not in config.editions:
        problems.add(f"build.edition {default!r} is not one of the editions", path,
                     line_of_key(text, ("build", "edition")),
                     f"editions: {', '.join(config.editions)}")
    identifiers = [e.identifier for e in config.editions.values()]
    for ident, edition in config.editions.items():
        if identifiers.count(edition.identifier) > 1:
            problems.add(f"editions.{ident}.identifier is shared with another edition", path,
                         line_of_key(text, ("editions", ident, "identifier")),
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
    paths += [(("editions", ident, "bibliography"), e.bibliography)
              for ident, e in config.editions.items() if e.bibliography]
    real_root = os.path.realpath(root)
    folders: dict[str, BriefingError | None] = {}
    for loc, value in paths:
        named = os.path.abspath(root / value)
        if Path(value).is_absolute() or not files.within(named, os.path.abspath(root)):
            problems.add(f"{'.'.join(loc)} {value!r} is outside the project", path,
                         line_of_key(text, loc),
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
                         path, line_of_key(text, loc),
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
        line = line_of_value(text, name)
        file_name = name if name.endswith((".md.j2", ".md")) else f"{name}.md.j2"
        if file_name != name and not os.path.lexists(chapters_dir / file_name) and \
                os.path.lexists(chapters_dir / f"{name}.md"):
            file_name = f"{name}.md"  # a chapter of plain Markdown prose
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


def discover(root: Path, config: Config, text: str) -> Project:
    """The Project of a validated config (text: briefing.toml as read): its folders
    checked, its bibliography and styles inside the project, its editions and chapters."""
    path = root / CONFIG_NAME
    for folder in ("chapters", "seeds", "locale"):
        files.check_folder(root / folder, root, f"{folder}/")
    _inside(root, config, path, text)
    editions = _editions(config, path, text)
    return Project(root, config, _chapters(root, config, path, text), editions, text)

"""`briefing new DIR`: a complete small project that builds at once and shows each part
of a briefing once, on an invented example (a council's debate on car-free streets).

Every file is written from here (the CSL style is copied from the package): the words
come from authoring/words.py, the chapters from authoring/chapters.py. All or nothing:
the project is made in a hidden folder inside DIR (see `staged`), through the project
door (runtime/writing.py), and its pieces are moved into DIR only when all are there;
on any failure everything made is removed and DIR is left as it was. DIR may hold hidden
files (.git, .gitignore); nothing of theirs is replaced.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
import textwrap
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.core import get_global

from briefing import files
from briefing.authoring import chapters, languages, project_files
from briefing.authoring.extract import extract
from briefing.authoring.schemas import write_schemas
from briefing.authoring.words import (
    EXAMPLE_SOURCE,
    PROSE,
    EditionChoice,
    PerspectiveChoice,
    Words,
)
from briefing.errors import BriefingError
from briefing.model.settings import IDENT
from briefing.runtime import writing

DEFAULT_PERSPECTIVES = ["liveability", "trade", "access"]


@dataclass
class Created:
    root: Path
    written: list[str]  # project-relative paths, in order
    untranslated: dict[str, int]  # edition id -> texts left for the author to translate
    notes: list[str] = field(default_factory=list)  # what was done with the author's files


def parse_editions(values: list[str], what: str = "--edition") -> list[EditionChoice]:
    """'en', 'nl-BE', 'en:en-GB', 'nl:nl-NL' (repeatable or comma-separated); `what`
    names the option or command they were given to, in messages."""
    found: list[EditionChoice] = []
    for item in (v.strip() for value in values for v in value.split(",")):
        if not item:
            continue
        ident, _, language = item.partition(":")
        if not language:
            language, ident = ident, ident.split("-")[0].lower()
        language = _full_language(language, item, what)
        if not re.match(IDENT, ident):
            raise BriefingError.at(f"edition id {ident!r} is not a plain name", None, None,
                                   "use lower-case letters, digits and '-', e.g. en or nl")
        if any(e.id == ident for e in found):
            raise BriefingError.at(f"edition {ident!r} is given twice", None, None,
                                   "give each edition once")
        found.append(EditionChoice(ident, language))
    # One edition unless more are asked for: a second language is a choice, and
    # `briefing edition add` makes it later.
    return found or [EditionChoice("en", "en-GB")]


def _full_language(tag: str, item: str, what: str = "--edition") -> str:
    """A BCP 47 tag with a region (hyphenation and dates need one): 'nl' -> 'nl-NL'."""
    why = languages.fault(tag)
    if why:
        raise BriefingError.at(f"{what} {item!r}: {tag!r} is {why}", None, None,
                               "write ID:LANGUAGE, e.g. en:en-GB, or a language such as en, "
                               "nl, de or fr")
    if "-" in tag:
        return tag
    likely = get_global("likely_subtags").get(tag, "")
    region = likely.split("_")[-1] if likely.count("_") >= 1 else ""
    return f"{tag}-{region}" if region.isalpha() and region.isupper() else tag


def parse_perspectives(values: list[str]) -> list[PerspectiveChoice]:
    if not values:
        return [PerspectiveChoice(p, None) for p in DEFAULT_PERSPECTIVES]
    found: list[PerspectiveChoice] = []
    for value in values:
        ident, _, title = value.partition(":")
        ident, title = ident.strip(), " ".join(title.split())
        if not re.match(IDENT, ident) or not title:
            raise BriefingError.at(f"--perspective {value!r} is not ID:\"Title\"", None, None,
                                   "e.g. --perspective residents:\"The residents' view\" "
                                   "(the id: lower-case letters, digits and '-')")
        if any(p.id == ident for p in found):
            raise BriefingError.at(f"perspective {ident!r} is given twice", None, None,
                                   "give each perspective once")
        found.append(PerspectiveChoice(ident, title))
    if len(found) < 2:
        raise BriefingError.at("a briefing compares at least two perspectives", None, None,
                               "give --perspective twice or more, or leave it out for the "
                               "example's three")
    return found


def create(directory: Path, title: str | None, editions: list[EditionChoice],
           perspectives: list[PerspectiveChoice], today: dt.date) -> Created:
    """The project made in `directory`, all or nothing (`briefing new` also records the
    translations before it is moved in: cli.py uses `staged` and `write_project`)."""
    with staged(directory) as stage:
        created = write_project(stage.path, title, editions, perspectives, today)
    return stage.finished(created, directory)


def write_project(directory: Path, title: str | None, editions: list[EditionChoice],
                  perspectives: list[PerspectiveChoice], today: dt.date) -> Created:
    """Write the project into `directory`: an empty folder (the one `staged` gives)."""
    words = Words(editions)
    source = extract(Path("example.md"), EXAMPLE_SOURCE.encode("utf-8"))
    digest = hashlib.sha256(EXAMPLE_SOURCE.encode("utf-8")).hexdigest()
    contents: dict[str, str | bytes] = {
        "briefing.toml": project_files.toml(words, title, perspectives, today,
                                            [str(uuid.uuid4()) for _ in editions]),
        "sources/example.md": EXAMPLE_SOURCE,
        "seeds/example.yaml": project_files.seed(words, source, digest, perspectives),
        "analysis.yaml": project_files.analysis(words, perspectives),
        "bib/briefing.bib": project_files.BIB,
        "bib/chicago-author-date.csl": project_files.csl(),
    }
    default = editions[0]
    for name, text in chapters.chapters(lambda key: words.message(key, default),
                                        several=len(editions) > 1).items():
        contents[f"chapters/{name}"] = text
    for name, texts in PROSE.items():  # prose: one Markdown file per edition that has words
        for edition in editions:
            found = texts.get(edition.primary) or (
                texts["en"] if edition == default else None)
            if found is None:
                words.untranslated[edition.id] = words.untranslated.get(edition.id, 0) + 1
                continue
            own = name if edition == default else name.replace(".md", f".{edition.id}.md")
            contents[f"chapters/{own}"] = "\n\n".join(
                part if part.startswith("#") else textwrap.fill(part, 88)
                for part in found.replace("chapters/07-about.nl.md", f"chapters/{own}")
                .split("\n\n")) + "\n"
    for edition in editions:  # the default edition's only for the engine's words
        if edition != default or not project_files.engine_words(edition):
            contents[f"locale/{edition.id}.po"] = project_files.catalogue(words, edition)
    contents[".gitignore"] = GITIGNORE
    contents["README.md"] = project_files.readme(words, editions)
    writing.write_files(directory, {
        directory / rel: content.encode("utf-8") if isinstance(content, str) else content
        for rel, content in contents.items()})
    # The JSON schemas the first line of each data file names, for an editor's checks.
    schemas = write_schemas(directory / "schemas", directory)
    written = list(contents) + [p.relative_to(directory).as_posix() for p in schemas]
    return Created(directory, written, words.untranslated)


GITIGNORE = "# Outputs only: `briefing build` writes them again.\nbuild/\n"
STAGE_PREFIX = ".briefing-new-"


@dataclass
class Stage:
    path: Path  # the hidden folder the project is made in
    notes: list[str]  # what was done with the author's own files once moved in
    kept: list[str]  # the project's files not written: the author's own stayed

    def finished(self, created: Created, directory: Path) -> Created:
        """What was made, as moved into `directory`."""
        written = [rel for rel in created.written if rel not in self.kept]
        return Created(directory, written, created.untranslated, self.notes)


@contextlib.contextmanager
def staged(directory: Path) -> Iterator[Stage]:
    """A hidden folder inside `directory` (made if missing) to make the project in. When
    the block ends without an error, its pieces are moved into `directory`; otherwise, or
    if a move fails, everything made is removed and `directory` is as it was."""
    _check_empty(directory)
    made = _make_folder(directory)
    try:
        stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=directory))
    except OSError as exc:
        _remove_made(made)
        raise BriefingError.at(f"cannot write in the folder: {writing.reason(exc)}",
                               directory, None, writing.WRITE_HINT) from None
    done = Stage(stage, [], [])
    try:
        yield done
        _move_in(done, directory)
    except BaseException as exc:
        shutil.rmtree(stage, ignore_errors=True)  # never follows a link inside
        _remove_made(made)
        if isinstance(exc, BriefingError):  # named where the file was to be
            for problem in exc.problems:
                if problem.path is not None and files.within(
                        os.path.abspath(problem.path), str(stage)):
                    problem.path = directory / os.path.relpath(problem.path, stage)
        raise
    shutil.rmtree(stage, ignore_errors=True)  # what is left: the .gitignore not moved in


def _make_folder(directory: Path) -> list[Path]:
    """`directory` and any missing folder above it, made; the ones made, top first."""
    missing: list[Path] = []
    folder = directory
    while not os.path.lexists(folder):
        missing.insert(0, folder)
        folder = folder.parent
    made: list[Path] = []
    for folder in missing:
        try:
            os.mkdir(folder)
        except OSError as exc:
            _remove_made(made)
            raise BriefingError.at(f"cannot create the folder: {writing.reason(exc)}",
                                   folder, None, "name a folder in a place you can write "
                                   "to") from None
        made.append(folder)
    return made


def _remove_made(made: list[Path]) -> None:
    for folder in reversed(made):
        with contextlib.suppress(OSError):
            os.rmdir(folder)  # only if empty: what someone else put there stays


def _move_in(done: Stage, directory: Path) -> None:
    """Each piece of the staged project into `directory`, or (if one cannot be) none."""
    stage, moved = done.path, []
    theirs = os.path.lexists(directory / ".gitignore")
    try:
        for name in sorted(os.listdir(stage)):
            if name == ".gitignore" and theirs:
                continue  # the author's: joined below, once everything else is in
            if os.path.lexists(directory / name):
                raise BriefingError.at("appeared while briefing new ran", directory / name,
                                       None, "run briefing new again in an empty folder")
            try:
                os.rename(stage / name, directory / name)
            except OSError as exc:
                raise writing.cannot_write(exc, directory / name) from None
            moved.append(name)
        if theirs and not _join_gitignore(directory, done.notes):
            done.kept.append(".gitignore")
    except BaseException:
        for name in reversed(moved):
            with contextlib.suppress(OSError):
                os.rename(directory / name, stage / name)
        raise


def _join_gitignore(directory: Path, notes: list[str]) -> bool:
    """The author's own .gitignore stays; build/ is added to it if it does not ignore it
    yet (a link or anything but a file is left alone). Whether it was written."""
    path = directory / ".gitignore"
    if not files.regular_file(path):
        notes.append(".gitignore (not a regular file) left as it is: make it ignore build/")
        return False
    data = files.read_bytes(path, directory)
    if any(line.strip() in (b"build", b"build/", b"/build", b"/build/")
           for line in data.splitlines()):
        notes.append(".gitignore kept as it was (it ignores build/ already)")
        return False
    joined = data + (b"\n" if data and not data.endswith(b"\n") else b"")
    writing.write_file(directory, path, joined + GITIGNORE.encode("utf-8"))
    notes.append(".gitignore kept, with build/ added at its end")
    return True


def today() -> dt.date:
    """The document's date: SOURCE_DATE_EPOCH's day if set (reproducible), else today."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value.isascii() and value.isdigit():
        return dt.datetime.fromtimestamp(int(value), dt.UTC).date()
    return dt.date.today()


def _check_empty(directory: Path) -> None:
    if not os.path.lexists(directory):
        return
    if not directory.is_dir():
        raise BriefingError.at("exists and is not a folder", directory, None,
                               "name a new folder, or an empty one")
    visible = sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))
    if visible:
        shown = ", ".join(visible[:3]) + (", …" if len(visible) > 3 else "")
        raise BriefingError.at(f"the folder is not empty ({shown})", directory, None,
                               "name a new folder, or an empty one (hidden files such as "
                               ".git are fine); briefing new never overwrites a file")

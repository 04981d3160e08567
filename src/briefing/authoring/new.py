"""`briefing new DIR`: a complete small project that builds at once and shows each part
of a briefing once, on an invented example (a council's debate on car-free streets).

Every file is written from here (the CSL style is copied from the package): the words
come from authoring/words.py, the chapters from authoring/chapters.py. Nothing is
written until every file is ready, and never into a folder that holds anything but
hidden files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from babel.core import get_global

from briefing.authoring import chapters, languages, project_files
from briefing.authoring.extract import extract
from briefing.authoring.words import EXAMPLE_SOURCE, EditionChoice, PerspectiveChoice, Words
from briefing.errors import BriefingError
from briefing.model.config import IDENT
from briefing.model.schema import write_schemas

DEFAULT_PERSPECTIVES = ["liveability", "trade", "access"]


@dataclass
class Created:
    root: Path
    written: list[str]  # project-relative paths, in order
    untranslated: dict[str, int]  # edition id -> texts left for the author to translate


def parse_editions(values: list[str]) -> list[EditionChoice]:
    """'en', 'nl-BE', 'en:en-GB', 'nl:nl-NL' (repeatable or comma-separated)."""
    found: list[EditionChoice] = []
    for item in (v.strip() for value in values for v in value.split(",")):
        if not item:
            continue
        ident, _, language = item.partition(":")
        if not language:
            language, ident = ident, ident.split("-")[0].lower()
        language = _full_language(language, item)
        if not re.match(IDENT, ident):
            raise BriefingError.at(f"edition id {ident!r} is not a plain name", None, None,
                                   "use lower-case letters, digits and '-', e.g. en or nl")
        if any(e.id == ident for e in found):
            raise BriefingError.at(f"edition {ident!r} is given twice", None, None,
                                   "give each edition once")
        found.append(EditionChoice(ident, language))
    return found or [EditionChoice("en", "en-GB"), EditionChoice("nl", "nl-NL")]


def _full_language(tag: str, item: str) -> str:
    """A BCP 47 tag with a region (hyphenation and dates need one): 'nl' -> 'nl-NL'."""
    why = languages.fault(tag)
    if why:
        raise BriefingError.at(f"--edition {item!r}: {tag!r} is {why}", None, None,
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
    _check_empty(directory)
    words = Words(editions)
    source = extract(Path("example.md"), EXAMPLE_SOURCE.encode("utf-8"))
    digest = hashlib.sha256(EXAMPLE_SOURCE.encode("utf-8")).hexdigest()
    files: dict[str, str | bytes] = {
        "briefing.toml": project_files.toml(words, title, perspectives, today,
                                            [str(uuid.uuid4()) for _ in editions]),
        "sources/example.md": EXAMPLE_SOURCE,
        "seeds/example.yaml": project_files.seed(words, source, digest, perspectives),
        "analysis.yaml": project_files.analysis(words, perspectives),
        "bib/briefing.bib": project_files.BIB,
        "bib/chicago-author-date.csl": project_files.csl(),
    }
    default = editions[0]
    for name, text in chapters.chapters(lambda key: words.message(key, default)).items():
        files[f"chapters/{name}"] = text
    for edition in editions:  # the default edition's only for the engine's words
        if edition != default or not project_files.engine_words(edition):
            files[f"locale/{edition.id}.po"] = project_files.catalogue(words, edition)
    files[".gitignore"] = "# Outputs only: `briefing build` writes them again.\nbuild/\n"
    files["README.md"] = project_files.readme(words, editions)
    directory.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as out:  # x: never over a file that appeared meanwhile
            out.write(content.encode("utf-8") if isinstance(content, str) else content)
    # The JSON schemas the first line of each data file names, for an editor's checks.
    schemas = write_schemas(directory / "schemas")
    written = list(files) + [p.relative_to(directory).as_posix() for p in schemas]
    return Created(directory, written, words.untranslated)


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

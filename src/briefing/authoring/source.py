"""`briefing source add FILE --key KEY`: a source text -> seeds/<id>.yaml and a bib stub.

The file is kept in the project under sources/ (a file already there is used in place,
any other is copied there), its paragraphs are copied into the seed, numbered 1..n,
with the file's path and SHA-256, so `briefing check` can tell when the file changes.
`--update` rewrites the paragraphs and the digest of an existing seed and keeps the rest.
Every file is written through the project's one door (runtime/writing.py), together or
not at all: the kept copy, the seed and the bibliography.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from briefing import files
from briefing.authoring import languages, yamltext
from briefing.authoring.extract import FORMATS, Extracted, extract
from briefing.errors import BriefingError
from briefing.model import config, yamlfile
from briefing.model.bibliography import LANGUAGES
from briefing.runtime import writing

SOURCES = "sources"
KEY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_:.-]*$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# The biblatex `langid` of a language: it hyphenates the title (the names the
# bibliography reads, model/bibliography.py, turned round).
LANGIDS = {code: name for name, code in LANGUAGES.items() if "-" not in code}


@dataclass
class Added:
    seed: Path
    file: str  # project-relative
    paragraphs: int
    left_out: int
    bib: Path | None = None  # the bibliography the stub went to (not on --update)
    changed: list[int] | None = None  # --update: paragraphs whose text changed or came


def add(root: Path, given: Path, key: str, ident: str | None = None,
        language: str | None = None, title: str | None = None,
        update: bool = False) -> Added:
    project = config.load(root)
    if not KEY_RE.match(key):
        raise BriefingError.at(f"--key {key!r} is not a BibTeX key", None, None,
                               "use letters, digits and _:.- starting with a letter, e.g. "
                               "lind2026carfree")
    ident = ident or re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")
    if not ID_RE.match(ident):
        raise BriefingError.at(f"--id {ident!r} is not a plain id", None, None,
                               "use lower-case letters, digits and '-'")
    data, rel, origin = _locate(root, given, project.config.limits.input_mib, update)
    found = extract(origin, data)
    digest = hashlib.sha256(data).hexdigest()
    existing = _seed_of(project.seeds_dir, key, project.inputs)
    if update:  # the seed keeps its id, title and language
        if existing is None:
            raise BriefingError.at(f"no seed in seeds/ has key {key!r}", project.seeds_dir,
                                   None, "leave out --update to add the source")
        text, changed = _update(existing, found, rel, digest, project.inputs)
        writing.write_files(root, {**_kept(root, origin, rel, data),
                                   existing.path: text.encode("utf-8")})
        return Added(existing.path, rel, len(found.paragraphs), len(found.left_out),
                     changed=changed)
    title = _title(title, origin) or found.title
    if not title and not (language or found.language):  # both at once, not one per run
        raise BriefingError.at("the source's language and title are not known", origin, None,
                               "pass --language with its BCP 47 tag (e.g. --language en) "
                               f"and --title \"...\" (a {FORMATS[origin.suffix.lower()]} file "
                               "names neither)")
    language = _language(language or found.language, origin)
    if not title:
        raise BriefingError.at("the source has no title to take", origin, None,
                               f"pass --title \"...\" (a {FORMATS[origin.suffix.lower()]} "
                               "file names none)")
    if found.paragraphs and " ".join(found.paragraphs[0].split()) == " ".join(title.split()):
        # A plain text's first line is often its title: a heading, not paragraph 1.
        found.left_out.insert(0, found.paragraphs.pop(0))
    seed = project.seeds_dir / f"{ident}.yaml"
    if existing is not None:
        raise BriefingError.at(f"a seed with key {key!r} exists already", existing.path,
                               existing.line(("source", "key")),
                               "choose another --key, or pass --update to refresh its "
                               "paragraphs from the file")
    if os.path.lexists(seed):
        raise BriefingError.at("the seed exists already", seed, None,
                               "choose another --id, or pass --update with its key")
    bib_path = project.bib_path
    bib_text = files.read_text(bib_path, root) if os.path.lexists(bib_path) else ""
    line = bib_line(bib_text, key)
    if line is not None:
        raise BriefingError.at(f"bibliography entry {key!r} exists already", bib_path, line,
                               "choose another --key; a seed and its entry share it")
    editions = [e.id for e in project.editions]
    text = seed_text(ident, key, title, language, rel, digest, found,
                     list(project.config.perspectives), editions)
    stub = bib_stub(key, title, language, rel, Path(rel).suffix.lower() in (".html", ".htm"))
    # Every check passed: the three files now, together (the stub appended by writing the
    # bibliography as it was read, plus the stub).
    bib = bib_text + ("\n" if bib_text and not bib_text.endswith("\n\n") else "") + stub
    writing.write_files(root, {**_kept(root, origin, rel, data),
                               seed: text.encode("utf-8"), bib_path: bib.encode("utf-8")})
    return Added(seed, rel, len(found.paragraphs), len(found.left_out), bib_path)


def _locate(root: Path, given: Path, input_mib: float, update: bool
            ) -> tuple[bytes, str, Path]:
    """The file's bytes, its path under sources/ and where it is now (nothing written)."""
    limit = int(input_mib * files.MIB)
    folder = root / SOURCES
    files.check_folder(folder, root, f"{SOURCES}/")
    absolute = Path(os.path.abspath(given))
    if files.within(str(absolute), os.path.abspath(folder)):
        rel = absolute.relative_to(os.path.abspath(root)).as_posix()
        _one_line_name(rel, absolute)
        data = files.read_bytes(absolute, root, limit)
        return data, rel, absolute
    _one_line_name(absolute.name, absolute)
    data = files.read_bytes(absolute, None, limit)
    target = folder / absolute.name
    writing.check_writable(root, target)  # a link or a special file there is refused
    if os.path.lexists(target) and not update and files.read_bytes(target, root) != data:
        raise BriefingError.at("a different file of this name is in sources/ already", target,
                               None, "rename the file you add, or pass --update to replace "
                               "the kept copy (and refresh its seed)")
    return data, f"{SOURCES}/{absolute.name}", absolute


def _one_line_name(name: str, path: Path) -> None:
    """The file's name goes into the seed's comments and the bibliography's note, one line
    each: a line break or a control character in it would break (or inject into) both."""
    bad = files.forbidden(name, single_line=True)
    if bad:
        raise BriefingError.at(f"the file's name holds {files.describe(bad.group())}", path,
                               None, "rename the file to a name on one line, without control "
                               "characters, and add it again")


def _title(title: str | None, origin: Path) -> str | None:
    """--title on one line (it heads the seed, as a comment too)."""
    if title is None:
        return None
    title = " ".join(title.split())
    bad = files.forbidden(title)
    if bad:
        raise BriefingError.at(f"--title holds {files.describe(bad.group())}", origin, None,
                               "give the title as plain text")
    return title or None


def _kept(root: Path, origin: Path, rel: str, data: bytes) -> dict[Path, bytes]:
    """The copy kept under sources/ of a file from outside it (the bytes read once, for
    the digest too); nothing if the file is there already."""
    target = root / rel
    if Path(os.path.abspath(origin)) == Path(os.path.abspath(target)):
        return {}
    return {target: data}


def _language(language: str | None, path: Path) -> str:
    if not language:
        raise BriefingError.at("the source's language is not known", path, None,
                               "pass --language with its BCP 47 tag, e.g. --language nl")
    why = languages.fault(language)
    if why:
        raise BriefingError.at(f"language {language!r} is {why}", path, None,
                               "pass --language with a tag such as en, en-GB, nl or de")
    return language


def _seed_of(seeds: Path, key: str, inputs: files.Inputs) -> yamlfile.YamlDoc | None:
    for path in sorted(seeds.glob("*.yaml")) + sorted(seeds.glob("*.yml")):
        doc = yamlfile.load(path, inputs)
        source = doc.data.get("source") if isinstance(doc.data, dict) else None
        if isinstance(source, dict) and source.get("key") == key:
            return doc
    return None


def bib_line(text: str, key: str) -> int | None:
    """The line of the entry with this key, in any case (BibTeX compares keys so)."""
    found = re.search(r"@\w+\s*[{(]\s*" + re.escape(key) + r"\s*,", text, re.I)
    return text.count("\n", 0, found.start()) + 1 if found else None


def bib_stub(key: str, title: str, language: str, rel: str, web: bool) -> str:
    """Only what the file itself shows: its title and language. No author, date or URL is
    guessed, so `briefing check` stops at the entry until they are added; the note says
    what to verify and add (notes are never printed)."""
    langid = LANGIDS.get(language.split("-")[0])
    title = title.replace("\\", "").replace("{", "\\{").replace("}", "\\}")
    lines = [f"@{'online' if web else 'misc'}{{{key},",
             f"  title        = {{{title}}},"]
    if langid:
        lines.append(f"  langid       = {{{langid}}},")
    where = "the url and urldate" if web else "the publisher or url"
    rel = bib_escape(rel)  # a file name is the author's, not BibTeX
    lines.append(f"  note         = {{Stub written by briefing source add from {rel}. Verify "
                 "the title; add the author (author = {Last, First}; an organisation in "
                 "double braces, author = {{Open Streets Watch}}, so citations name it), "
                 "the date (year = {n.d.} if "
                 f"it has none) and {where}, from the source itself; then say here where "
                 "you verified them.}")
    return "\n".join(lines) + "\n}\n"


def bib_escape(text: str) -> str:
    """Text inside a braced BibTeX field: a brace or backslash of its own cannot close the
    field or start a command (`{`, `}` and `\\` as TeX writes them)."""
    marks = {"\\": "\\textbackslash{}", "{": "\\{", "}": "\\}"}
    return re.sub(r"[\\{}]", lambda m: marks[m.group()], text)


def seed_text(ident: str, key: str, title: str, language: str, rel: str, digest: str,
              found: Extracted, perspectives: list[str], editions: list[str]) -> str:
    perspective = perspectives[0] if perspectives else "some-perspective"
    reporter = f"{ident}-author"  # actor ids are shared by all seeds: one of its own
    statement = "\n".join(f"#       {e}: What the source claims, in our words ({e} edition)."
                          for e in editions)
    # Pasted into a shell as it stands: the file's name quoted for one.
    refresh = f"briefing source add {shlex.quote(rel)} --key {shlex.quote(key)} --update"
    return f"""\
# yaml-language-server: $schema=../schemas/seed.schema.json
# {title}: its text as numbered paragraphs, and the claims taken from it.
# Written by `briefing source add` from {rel}: the paragraphs are copied
# from that file (each run of whitespace made one space) and numbered 1..n; claims cite
# them by number and quotes are checked against them word for word. Do not edit them: if
# the file changes, this rewrites them and keeps the rest:
#   {refresh}

source:
  id: {yamltext.scalar(ident)}  # this source's id (claims of other seeds cite it by it)
  key: {yamltext.scalar(key)}  # its entry in bib/briefing.bib
  title: {yamltext.quoted(title)}
  language: {yamltext.scalar(language)}  # the language of its text (BCP 47): quotes are in it
  reporter: {reporter}  # the actor who wrote or published it: add it below (ids are
  # unique across all seeds; rename it to suit)
  file: {yamltext.quoted(rel)}  # the file the paragraphs were copied from
  sha256: {yamltext.quoted(digest)}  # its digest then: `briefing check` warns if it changes
  paragraphs:
{chr(10).join(yamltext.paragraphs(found.paragraphs, 4, found.left_out))}

# Who speaks in the source. An example (remove the # marks to use it):
#   - id: {reporter}
#     name: Jane Doe                 # as the source names them
#     kind: person                   # person, organisation or group
#     role: reporter at the paper    # optional: who they are
actors: []

# What the source claims, each in our words, with the paragraphs it rests on. An example:
#   - id: a-short-claim-id
#     perspective: {perspective}     # one of [perspectives.*] in briefing.toml; none: background
#     kind: interpretation           # fact, interpretation, value, prediction or recommendation
#     statement:
{statement}
#     holders: [{reporter}]  # actor ids of who says it
#     cites: [1]                     # paragraph numbers
#     quote:                         # optional: words copied exactly from a cited paragraph
#       para: 1
#       text: "the exact words"
#       words_of: {reporter}  # whose words they are (an actor id), if not the holders'
#       translation:                 # for each edition in another language than the source's
#         {editions[-1]}: "the words in that edition's language"
claims: []

# How claims bear on each other (supports, attacks or undercuts). An example:
#   - {{from: a-short-claim-id, to: another-claim-id, type: attacks}}
relations: []
"""


def _update(doc: yamlfile.YamlDoc, found: Extracted, rel: str, digest: str,
            inputs: files.Inputs) -> tuple[str, list[int]]:
    """A seed's text with its paragraphs, `file` and `sha256` rewritten; everything else
    (comments, actors, claims) stays as written. With the paragraphs that changed."""
    source = doc.data["source"]
    old = source.get("paragraphs") if isinstance(source.get("paragraphs"), dict) else {}
    lines = inputs.read_text(doc.path).split("\n")

    def at(name: str) -> int:  # the 0-based line of a key of the source block
        line = doc.line(("source", name))
        assert line is not None  # a key of a loaded mapping has a line
        return line - 1

    first = at("id")
    indent = len(lines[first]) - len(lines[first].lstrip())
    edits: list[tuple[int, int, list[str]]] = []  # (first line, lines removed, new lines)
    body = [" " * indent + "paragraphs:",
            *yamltext.paragraphs(found.paragraphs, indent + 2, found.left_out)]
    if "paragraphs" in source:
        start = end = at("paragraphs")
        end += 1
        while end < len(lines) and (not lines[end].strip() or
                                    len(lines[end]) - len(lines[end].lstrip()) > indent):
            end += 1
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1  # blank lines after the block stay
        edits.append((start, end - start, body))
    else:
        edits.append((first + 1, 0, body))
    for name, value in (("file", rel), ("sha256", digest)):
        text = f"{' ' * indent}{name}: {yamltext.quoted(value)}"
        if name in source:
            comment = re.search(r"\s+#[^\"]*$", lines[at(name)])
            edits.append((at(name), 1, [text + (comment.group() if comment else "")]))
        else:
            edits.append((first + 1, 0, [text]))
    for first, removed, new in sorted(edits, key=lambda e: e[0], reverse=True):
        lines[first:first + removed] = new
    return "\n".join(lines), [n for n, text in enumerate(found.paragraphs, 1)
                              if " ".join(str(old.get(n, "")).split()) != text]

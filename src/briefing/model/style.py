"""The project's style files checked as every input is. Those [style] in briefing.toml
names are read before any tool reads them: inside the project (no link out of it),
bounded, and each checked by its content. The logo is an image (images.py); a font is a
TrueType, OpenType or WOFF font whose licence allows embedding (OS/2 fsType, read by
fontTools); the stylesheet is parsed (tinycss2) and may load only files of the project
(each an image or a font, checked the same way), never another stylesheet, and run
nothing. Every problem is an error at its line: briefing.toml's key, or the stylesheet's
own line.

What resolve() returns is what outputs/styling.py assembles into the outputs' CSS.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from briefing import files
from briefing.errors import BriefingError, Collector
from briefing.model import images

FONT_MAGIC = {b"\x00\x01\x00\x00": "TrueType", b"true": "TrueType", b"OTTO": "OpenType",
              b"wOFF": "WOFF", b"wOF2": "WOFF2"}
FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")
# fsType bits (OpenType OS/2): 0x0002 restricted licence (no embedding at all), 0x0200
# bitmap embedding only. Installable (0), preview & print (0x0004) and editable (0x0008)
# allow a PDF to carry the font.
FS_RESTRICTED, FS_BITMAP_ONLY = 0x0002, 0x0200
# What a stylesheet may not say: it would run something, or load another stylesheet.
ACTIVE_RE = re.compile(r"^(-moz-binding|behaviou?r):$|javascript:", re.I)


@dataclass(frozen=True)
class Face:
    path: str          # relative to the project root
    weight: int        # 100..900
    italic: bool
    family: str = ""   # the font's own family name (the DOCX names fonts so)


# A url() of the checked stylesheet (stylesheet() rewrites each to project:<path>).
LOADED_RE = re.compile(r'url\(\s*"project:((?:[^"\\]|\\.)*)"')


def loaded(css: str, path: Path, root: Path) -> list[Path]:
    """The project files a stylesheet's url()s name, read from its text without checking it
    (for the list of inputs: one named but refused is an input too, so fixing it rebuilds)."""
    import tinycss2

    found: list[Path] = []

    def walk(tokens) -> None:
        for token in tokens or ():
            if token.type == "url":
                found.append(path.parent / token.value.strip())
            elif token.type == "function" and token.lower_name == "url":
                found.append(path.parent / "".join(a.value for a in token.arguments
                                                   if a.type == "string").strip())
            elif token.type == "function":
                walk(token.arguments)
            elif token.type in ("() block", "[] block", "{} block"):
                walk(token.content)
            elif token.type in ("qualified-rule", "at-rule"):
                walk(token.prelude)
                walk(token.content)

    walk(tinycss2.parse_stylesheet(css, skip_comments=True))
    inside = os.path.abspath(root)
    named = {os.path.abspath(str(p).split("#")[0].split("?")[0]) for p in found
             if ":" not in str(p.relative_to(path.parent)).split("/")[0]}
    return sorted(Path(p) for p in named if files.within(p, inside))


@dataclass
class Resolved:
    """The style's files as checked: what the stylesheets may name."""

    logo: str | None = None                  # relative to the project root
    docx_parts: dict[str, bytes] = field(default_factory=dict)  # the reference DOCX's styles
    body: list[Face] = field(default_factory=list)
    heading: list[Face] = field(default_factory=list)
    stylesheet: str = ""                     # its text, every url() made project-relative
    digest: str = ""                         # of every style file, for the caches

    @property
    def files(self) -> list[str]:
        found = [self.logo] if self.logo else []
        return found + [f.path for f in self.body + self.heading]


def resolve(project) -> Resolved:
    """The project's style files, checked; every problem at once (BriefingError)."""
    style, root = project.config.style, project.root
    problems = Collector()
    found = Resolved()
    where = project.config_path
    digests: list[str] = []

    def inside(loc: tuple, value: str) -> Path | None:
        named = os.path.abspath(root / value)
        line = project.line_of(*[str(p) for p in loc if not isinstance(p, int)])
        if Path(value).is_absolute() or "://" in value or not files.within(
                named, os.path.abspath(root)):
            problems.add(f"{_key(loc)} {value!r} is outside the project", where, line,
                         "put the file in the project (e.g. style/) and give its path "
                         "relative to briefing.toml")
            return None
        if os.path.lexists(named) and not files.within(os.path.realpath(named),
                                                       os.path.realpath(root)):
            problems.add(f"{_key(loc)} {value!r} is a link to a file outside the project",
                         where, line, "copy the file into the project: links are followed "
                         "only when they point inside it")
            return None
        if not os.path.lexists(named):
            problems.add(f"{_key(loc)} {value!r} does not exist", where, line,
                         "check the path, relative to briefing.toml")
            return None
        return Path(named)

    if style.logo is not None:
        path = inside(("style", "logo"), style.logo)
        if path is not None:
            try:
                _image(path, project)
                found.logo = _relative(path, root)
                digests.append(files.digest(path, root))
            except BriefingError as exc:
                problems.add(f"style.logo: {exc.problems[0].message}", where,
                             project.line_of("style", "logo"), exc.problems[0].hint)
    for key in ("body_font", "heading_font"):
        faces = found.body if key == "body_font" else found.heading
        for value in getattr(style, key):
            path = inside(("style", key), value)
            if path is None:
                continue
            try:
                data = project.inputs.read_bytes(path)
                weight, italic = font_face(data)
            except BriefingError as exc:
                problems.add(f"style.{key} {value!r}: {exc.problems[0].message}", where,
                             project.line_of("style", key), exc.problems[0].hint)
                continue
            faces.append(Face(_relative(path, root), weight, italic, family_name(data)))
            digests.append(files.digest(path, root))
    if style.docx_reference is not None:
        path = inside(("style", "docx_reference"), style.docx_reference)
        if path is not None:
            try:
                found.docx_parts = docx_parts(project.inputs.read_bytes(path))
                digests.append(files.digest(path, root))
            except BriefingError as exc:
                problems.add(f"style.docx_reference {style.docx_reference!r}: "
                             f"{exc.problems[0].message}", where,
                             project.line_of("style", "docx_reference"),
                             exc.problems[0].hint)
    if style.stylesheet is not None:
        path = inside(("style", "stylesheet"), style.stylesheet)
        if path is not None:
            try:
                css = project.inputs.read_text(path)
                found.stylesheet = stylesheet(css, path, project)
                digests.append(files.digest(path, root))
                # The files its url()s load are inputs too: a new image, a new build.
                digests += [files.digest(root / target, root)
                            for target in sorted(set(LOADED_RE.findall(found.stylesheet)))]
            except BriefingError as exc:
                problems.extend(exc)
    problems.raise_if_any()
    found.digest = ",".join(digests)
    return found


def _key(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, os.path.abspath(root))).as_posix()


def _image(path: Path, project) -> None:
    images.check(path, project.images, project.config.limits.image_megapixels)


def font_face(data: bytes) -> tuple[int, bool]:
    """A font's weight (100..900) and slant, from its OS/2 table; a BriefingError if the
    bytes are no font or its licence forbids embedding it in a PDF."""
    kind = FONT_MAGIC.get(data[:4])
    if kind is None:
        raise BriefingError.at("not a font: its content is no TrueType, OpenType or WOFF",
                               hint="give a .ttf, .otf or .woff font file")
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(io.BytesIO(data), lazy=True, fontNumber=0)
        os2 = font["OS/2"]
        weight, fs_type, selection = int(os2.usWeightClass), int(os2.fsType), int(
            os2.fsSelection)
        font["cmap"]  # noqa: B018 - a font without a character map shows nothing
    except Exception as exc:  # noqa: BLE001 - fontTools raises many kinds for a damaged font
        raise BriefingError.at(f"not a usable {kind} font: {type(exc).__name__}",
                               hint="the file is damaged or not a font; download it "
                                    "again") from None
    if fs_type & FS_RESTRICTED or fs_type & FS_BITMAP_ONLY:
        raise BriefingError.at(
            f"its licence does not allow embedding it in a PDF (OS/2 fsType {fs_type:#06x})",
            hint="choose a font whose licence allows embedding (any SIL Open Font Licence "
                 "font does)")
    return max(100, min(900, round(weight / 100) * 100 or 400)), bool(selection & 0x01)


def family_name(data: bytes) -> str:
    """A font's family name (typographic if it has one), "" if it has none readable."""
    from fontTools.ttLib import TTFont

    try:
        names = TTFont(io.BytesIO(data), lazy=True, fontNumber=0)["name"]
        found = names.getDebugName(16) or names.getDebugName(1) or ""
    except Exception:  # noqa: BLE001 - checked as a font already; a name is a nicety
        return ""
    return found if re.fullmatch(r"[\w .&'-]{1,64}", found) else ""


# What a reference DOCX lends the DOCX (Pandoc's --reference-doc, done after Pandoc, whose
# sandbox reads no reference document): its styles and theme, nothing that runs or links.
DOCX_PARTS = ("word/styles.xml", "word/theme/theme1.xml")
DOCX_PART_MAX = 4 * 1024 * 1024


def docx_parts(data: bytes) -> dict[str, bytes]:
    """The styles and theme of a reference DOCX, each well-formed XML without a DTD."""
    import xml.etree.ElementTree as ET
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if DOCX_PARTS[0] not in names:
                raise BriefingError.at("not a Word document: it has no word/styles.xml",
                                       hint="save the reference document from Word or "
                                            "LibreOffice as .docx")
            parts = {}
            for name in DOCX_PARTS:
                if name not in names:
                    continue
                if archive.getinfo(name).file_size > DOCX_PART_MAX:
                    raise BriefingError.at(f"its {name} is larger than 4 MiB",
                                           hint="is this the right file?")
                parts[name] = archive.read(name)
    except zipfile.BadZipFile:
        raise BriefingError.at("not a Word document (.docx is a ZIP archive)",
                               hint="save the reference document as .docx") from None
    for name, part in parts.items():
        if re.search(rb"<!DOCTYPE|<!ENTITY", part[:65536]):
            raise BriefingError.at(f"its {name} declares a DTD or entities",
                                   hint="save the document again from Word or LibreOffice")
        try:
            ET.fromstring(part)
        except ET.ParseError as exc:
            raise BriefingError.at(f"its {name} is not well-formed XML: {exc}",
                                   hint="save the document again") from None
    return parts


def stylesheet(css: str, path: Path, project) -> str:
    """The project stylesheet, refused at its line for @import, a url() outside the
    project (or of a file that is no image or font), or anything that runs; its url()s
    rewritten relative to the project root (as `project:<path>`, which styling.py makes
    an address per output)."""
    import tinycss2

    problems = Collector()
    root = project.root
    folder = path.parent
    out: list[str] = []

    def refuse(message: str, line: int | None, hint: str) -> None:
        problems.add(message, path, line, hint)

    def url(value: str, line: int) -> str:
        value = value.strip()
        if ":" in value.split("/")[0] or value.startswith(("/", "\\")) or not value:
            refuse(f"url({value[:60]!r}) loads from outside the project", line,
                   "name a file of the project, relative to the stylesheet")
            return "about:invalid"
        named = os.path.abspath(folder / value.split("#")[0].split("?")[0])
        if not files.within(named, os.path.abspath(root)) or (
                os.path.lexists(named) and not files.within(os.path.realpath(named),
                                                            os.path.realpath(root))):
            refuse(f"url({value[:60]!r}) is outside the project", line,
                   "copy the file into the project (e.g. style/)")
            return "about:invalid"
        target = Path(named)
        try:
            if target.suffix.lower() in FONT_SUFFIXES:
                font_face(project.inputs.read_bytes(target))
            elif target.suffix.lower() in IMAGE_SUFFIXES:
                _image(target, project)
            else:
                refuse(f"url({value[:60]!r}) is neither an image nor a font", line,
                       "a stylesheet may load images (.png, .jpg, .svg …) and fonts (.ttf, "
                       ".otf, .woff) of the project")
                return "about:invalid"
        except BriefingError as exc:
            refuse(f"url({value[:60]!r}): {exc.problems[0].message}", line,
                   exc.problems[0].hint or "")
            return "about:invalid"
        return "project:" + _relative(target, root)

    def walk(tokens) -> None:
        for token in tokens:
            kind = token.type
            if kind == "error":
                refuse(f"CSS that cannot be parsed: {token.message}", token.source_line,
                       "correct the stylesheet's syntax")
            elif kind == "at-keyword" and token.lower_value in ("import", "namespace"):
                refuse(f"@{token.value} is not allowed in the project stylesheet",
                       token.source_line, "put the rules in this file; it may not load "
                       "another stylesheet")
            elif kind == "url":
                token.value = url(token.value, token.source_line)
            elif kind == "function":
                if token.lower_name == "url":
                    text = "".join(a.value for a in token.arguments if a.type == "string")
                    target = url(text, token.source_line)
                    token.arguments = [tinycss2.ast.StringToken(
                        token.source_line, token.source_column, target,
                        '"' + target.replace("\\", "\\\\").replace('"', '\\"') + '"')]
                elif token.lower_name in ("expression", "image-set", "image", "element",
                                          "cross-fade", "src"):
                    refuse(f"{token.name}() is not allowed in the project stylesheet",
                           token.source_line, "use url() with a file of the project")
                else:
                    walk(token.arguments)
            elif kind in ("() block", "[] block", "{} block"):
                walk(token.content)
            elif kind in ("ident", "string") and ACTIVE_RE.search(
                    f"{token.value}:" if kind == "ident" else token.value):
                refuse(f"{token.value[:40]!r} runs something: not allowed in a stylesheet",
                       token.source_line, "remove it")

    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=False):
        if rule.type == "error":
            refuse(f"CSS that cannot be parsed: {rule.message}", rule.source_line,
                   "correct the stylesheet's syntax")
            continue
        if rule.type == "at-rule" and rule.lower_at_keyword in ("import", "namespace",
                                                                "charset"):
            refuse(f"@{rule.at_keyword} is not allowed in the project stylesheet",
                   rule.source_line, "put the rules in this file; it may not load another "
                   "stylesheet")
            continue
        if rule.type in ("qualified-rule", "at-rule"):
            walk(rule.prelude)
            if rule.content is not None:
                walk(rule.content)
        out.append(rule.serialize())
    problems.raise_if_any()
    return "".join(out)

"""The project's style made into each output's stylesheet. [style] in briefing.toml,
checked by model/style.py, becomes the stylesheet each output lays over the engine's:
print (the PDF), screen (the HTML page) and e-reader (the EPUB). No engine file is
edited: the engine's stylesheet is read, its house colours and font families swapped for
the project's, and the page settings, the cover layout, the running title and the
project's own stylesheet added after it.

A project without [style] gets the engine's stylesheets untouched (the same bytes).
Files the stylesheets name are the project's: in the PDF an address WeasyPrint's worker
serves from the project (worker.PROJECT_URL), in the HTML page a data: URI (it loads
nothing); the EPUB takes colours and rules but no files (a reader chooses its own
fonts).
"""

from __future__ import annotations

import base64
import mimetypes
import re

from briefing import TEMPLATES, files
from briefing.model import style as checked
from briefing.model.settings import Style

# The engine's house colours and families, as its stylesheets write them.
ACCENT, TEXT, HEADING = "#1d4e89", "#1a1a1a", "#1d2f4a"
SERIF, SANS = '"Briefing Serif"', '"Briefing Sans"'
BODY_FAMILY, HEADING_FAMILY = '"Project Body"', '"Project Heading"'
ENGINE_MARGINS = "24mm 22mm 24mm 30mm"
SIZES = {"a4": (210.0, 297.0), "a5": (148.0, 210.0), "letter": (215.9, 279.4),
         "legal": (215.9, 355.6)}
MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
FONT_FACE_RE = re.compile(r"@font-face\s*\{[^}]*\}", re.I)
PROJECT_RE = re.compile(r"""url\(\s*(["']?)project:([^"')]*)\1\s*\)""", re.I)


def styled(project) -> bool:
    """Whether the project has a style of its own (else the engine's bytes are used)."""
    return project.config.style != Style()


def _length_mm(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(mm|cm|in|pt)", text).groups()  # type: ignore[union-attr]
    return float(number) * MM[unit]


def page_mm(style: Style) -> tuple[float, float]:
    """The page's width and height in mm."""
    size = (style.page_size or "A4").strip()
    if size.lower() in SIZES:
        return SIZES[size.lower()]
    width, height = size.split()
    return _length_mm(width), _length_mm(height)


def margins_mm(style: Style) -> tuple[float, float, float, float]:
    """top, right, bottom, left in mm (CSS's order and shorthand)."""
    v = [_length_mm(value) for value in (style.margins or ENGINE_MARGINS).split()]
    if len(v) == 1:
        return v[0], v[0], v[0], v[0]
    if len(v) == 2:
        return v[0], v[1], v[0], v[1]
    if len(v) == 3:
        return v[0], v[1], v[2], v[1]
    return v[0], v[1], v[2], v[3]


def text_block_pt(style: Style) -> tuple[float, float]:
    """The top and bottom margins in points (runon.py measures a page's fill with them)."""
    top, _, bottom, _ = margins_mm(style)
    return top * 72 / 25.4, bottom * 72 / 25.4


def _escape(text: str) -> str:
    """A CSS string's content."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _swap(css: str, style: Style, found: checked.Resolved) -> str:
    """The engine's stylesheet with the project's colours and families."""
    for old, new in ((ACCENT, style.accent), (TEXT, style.text), (HEADING, style.heading)):
        if new:
            css = css.replace(old, new)
    def families(text: str) -> str:
        if found.body:
            text = text.replace(SERIF, f"{BODY_FAMILY}, {SERIF}")
        if found.heading:
            text = text.replace(SANS, f"{HEADING_FAMILY}, {SANS}")
        return text

    # Where the engine's families are used, not where its @font-face rules define them.
    pieces = FONT_FACE_RE.split(css)
    faces = FONT_FACE_RE.findall(css)
    out = families(pieces[0])
    for face, piece in zip(faces, pieces[1:], strict=True):
        out += face + families(piece)
    return out


def _faces(found: checked.Resolved, address) -> str:
    rules = []
    for family, faces in ((BODY_FAMILY, found.body), (HEADING_FAMILY, found.heading)):
        for face in faces:
            rules.append(f"@font-face {{ font-family: {family}; src: {_url(address(face.path))}; "
                         f"font-weight: {face.weight}; font-style: "
                         f"{'italic' if face.italic else 'normal'}; }}")
    return "\n".join(rules) + ("\n" if rules else "")


def _url(address: str) -> str:
    """url() of an address: a data: URI unquoted (inert.py's wall reads a quoted one as a
    load), any other quoted."""
    return f"url({address})" if address.startswith("data:") else f'url("{_escape(address)}")'


def _project(css: str, address) -> str:
    return PROJECT_RE.sub(lambda m: _url(address(m.group(2))), css)


def print_css(project, short_title: str | None, found: checked.Resolved | None = None) -> str:
    """The PDF's stylesheet: print.css with the project's style (only called when
    styled()). Files are addressed in the project as the PDF worker serves it."""
    from briefing.outputs.pdf.worker import PROJECT_URL

    style = project.config.style
    found = found or checked.resolve(project)
    address = lambda path: PROJECT_URL + path  # noqa: E731
    css = _faces(found, address) + _swap((TEMPLATES / "print.css").read_text("utf-8"), style,
                                         found)
    extra = []
    if style.page_size or style.margins:
        width, height = page_mm(style)
        top, _, bottom, _ = margins_mm(style)
        extra.append(f"@page {{ size: {width:g}mm {height:g}mm; margin: "
                     f"{style.margins or ENGINE_MARGINS}; }}")
        # The cover and the verso below it fill the text block less a little (print.css:
        # 148 + 80 of 249 mm).
        block = height - top - bottom
        extra.append(f".cover {{ min-height: {max(40.0, block - 19 - 82):.1f}mm; }}")
    if short_title:
        extra.append(f'html {{ string-set: doctitle "{_escape(short_title)}", pageword '
                     "attr(data-page-word), ofword attr(data-of-word), versionline "
                     "attr(data-version-line); }")
    if found.logo:
        # Small in the running head, before the title.
        extra.append(f"@page {{ @top-right {{ background: {_url(address(found.logo))} "
                     "no-repeat right center / auto 4.5mm; padding-right: 22mm; } }")
    if style.cover == "band":
        extra.append(_BAND.replace("ACCENT", style.accent or ACCENT))
    css += "\n/* The project's style ([style] in briefing.toml) */\n" + "\n".join(extra) + "\n"
    if found.stylesheet:
        css += "\n/* The project's stylesheet */\n" + _project(found.stylesheet, address)
    return css


_BAND = """.cover { justify-content: flex-start; }
.cover-title { border-top: none; background: ACCENT; color: #ffffff; padding: 0.6em 0.5em;
               margin-top: 0.6em; }"""


def _data_uri(project, path: str) -> str:
    data = files.read_bytes(project.root / path, project.root)
    mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if path.lower().endswith((".ttf", ".otf")):
        mime = "font/ttf" if path.lower().endswith(".ttf") else "font/otf"
    elif path.lower().endswith((".woff", ".woff2")):
        mime = "font/woff2" if path.lower().endswith(".woff2") else "font/woff"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def screen_css(project) -> str:
    """The HTML page's stylesheet (epub.css and screen.css) with the project's style; its
    files as data: URIs, the only loads the page's policy allows."""
    engine = (TEMPLATES / "epub.css").read_text("utf-8") + (
        TEMPLATES / "screen.css").read_text("utf-8")
    if not styled(project):
        return engine
    found = checked.resolve(project)
    address = lambda path: _data_uri(project, path)  # noqa: E731
    css = _faces(found, address) + _swap(engine, project.config.style, found)
    css += _families(found)
    if found.stylesheet:
        css += "\n/* The project's stylesheet */\n" + _project(found.stylesheet, address)
    return css


def epub_css(project) -> str:
    """The EPUB's stylesheet (epub.css) with the project's colours and rules; no files:
    a stylesheet rule that names one is left out, and readers keep their own fonts."""
    engine = (TEMPLATES / "epub.css").read_text("utf-8")
    if not styled(project):
        return engine
    found = checked.resolve(project)
    css = _swap(engine, project.config.style, checked.Resolved())
    if found.stylesheet:
        import tinycss2

        kept = [rule.serialize() for rule in tinycss2.parse_stylesheet(found.stylesheet)
                if "project:" not in rule.serialize() and not (
                    rule.type == "at-rule" and rule.lower_at_keyword in ("page", "font-face"))]
        css += "\n/* The project's stylesheet */\n" + "".join(kept)
    return css


def _families(found: checked.Resolved) -> str:
    """epub.css names generic families: the project's fonts put before them on screen."""
    rules = []
    if found.body:
        rules.append(f"body {{ font-family: {BODY_FAMILY}, serif; }}")
    if found.heading:
        rules.append(f"h1, h2, h3, .cover-organisation, .cover-subtitle {{ font-family: "
                     f"{HEADING_FAMILY}, sans-serif; }}")
    return "\n".join(rules) + ("\n" if rules else "")


def digest(project) -> str:
    """What the style's outputs depend on besides briefing.toml: its files' digests."""
    return checked.resolve(project).digest if styled(project) else ""


"""Images a chapter shows: checked before any tool opens them.

An image must be a project file (files.Inputs: inside the project, a regular file, at
most limits.image_mib), be what its name says (PNG, JPEG, GIF, WebP or SVG, told by its
first bytes), and decode completely: a truncated PNG or a text file named .png would
otherwise become an empty box or alt text without a word. A raster image's size is read
from its header and bounded by limits.image_megapixels before it is decoded. An SVG must
be plain, well-formed XML with no DTD or entities, no script, no event handler and no
reference to anything outside itself.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

from briefing import TEMPLATES, files
from briefing.errors import BriefingError

KINDS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".gif": "gif", ".webp": "webp",
         ".svg": "svg"}
NAMES = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WebP", "svg": "SVG"}
SVG_NS = "{http://www.w3.org/2000/svg}"
# SVG elements that run code or embed another document.
SVG_ACTIVE = {"script", "foreignObject", "iframe", "object", "embed", "handler", "listener"}
CSS_LOAD_RE = re.compile(r"url\s*\(\s*['\"]?\s*(?!#)|@import|image-set\s*\(", re.I)


def kind_of(data: bytes) -> str | None:
    """The image format told by the first bytes, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and b"<svg" in data[:65536]:
        return "svg"
    return None


def check(path: Path, inputs: files.Inputs, max_megapixels: float) -> None:
    """Raise a BriefingError (whose message says why) if the image cannot be used."""
    data = inputs.read_bytes(path)
    wanted = KINDS.get(path.suffix.lower())
    if wanted is None:
        raise BriefingError.at(f"{path.suffix or 'a name without extension'} is not an image "
                               "type briefing uses", path, None,
                               "use a .png, .jpg, .gif, .webp or .svg file")
    found = kind_of(data)
    if found != wanted:
        content = f"its content is {NAMES[found]}" if found else "its content is no image"
        raise BriefingError.at(f"not a {NAMES[wanted]} image: {content}", path, None,
                               "export the image again, or give it the right extension")
    if found == "svg":
        _check_svg(data, path)
    else:
        _check_raster(data, path, max_megapixels)


def _check_raster(data: bytes, path: Path, max_megapixels: float) -> None:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # bounded here, by limits.image_megapixels, before decoding
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's own bomb warning: we bound it below
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                width, height = image.size
                if width * height > max_megapixels * 1_000_000:
                    raise BriefingError.at(
                        f"image of {width:,} × {height:,} pixels ({width * height / 1e6:.0f} "
                        f"megapixels) passes limits.image_megapixels ({max_megapixels:g})",
                        path, None, "scale it down; print needs about 300 pixels per inch")
                image.load()  # decodes: a truncated or damaged file fails here
    except BriefingError:
        raise
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for a broken file
        raise BriefingError.at(f"image cannot be decoded: {exc}", path, None,
                               "the file is damaged or cut short; export it again") from None


def _check_svg(data: bytes, path: Path) -> None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BriefingError.at("SVG is not UTF-8 text", path, None,
                               "save the SVG as UTF-8") from None
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.I):
        raise BriefingError.at("SVG with a DTD or entities", path, None,
                               "save it as plain SVG (entities can expand without bound or "
                               "read other files)")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise BriefingError.at(f"SVG is not well-formed XML: {exc}", path, exc.position[0],
                               "export the SVG again") from None
    if root.tag != f"{SVG_NS}svg":
        raise BriefingError.at("not an SVG document (no <svg> root)", path, None,
                               "export the image again as SVG")
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name in SVG_ACTIVE:
            raise BriefingError.at(f"SVG with a <{name}> element", path, None,
                                   "remove it: an image in a briefing runs nothing")
        if name == "style" and CSS_LOAD_RE.search(element.text or ""):
            raise BriefingError.at("SVG stylesheet that loads a file or URL", path, None,
                                   "remove url(), @import and image-set() from its CSS")
        for attr, value in element.attrib.items():
            local = attr.rsplit("}", 1)[-1]
            if local.lower().startswith("on"):
                raise BriefingError.at(f"SVG with an event handler ({local})", path, None,
                                       "remove it: an image in a briefing runs nothing")
            if local == "href" and not value.strip().startswith("#"):
                raise BriefingError.at(f"SVG that refers to {value[:60]!r}", path, None,
                                       "an SVG may refer to its own parts (#id) only")
            if local == "style" and CSS_LOAD_RE.search(value):
                raise BriefingError.at("SVG style that loads a file or URL", path, None,
                                       "remove url(), @import and image-set() from it")


FONTS = TEMPLATES / "fonts"
FALLBACK_FAMILY = "Noto Sans"
FALLBACK_DPI = 216.0  # three times the SVG's own size (72 points to the inch)
FALLBACK_MAX_PIXELS = 16e6
_FONT_FAMILY_RE = re.compile(r'font-family(=|:\s*)("[^"]*"|\'[^\']*\'|[^;"\'>]+)')
_LENGTH_RE = re.compile(r"^\s*([\d.]+)\s*(pt|px|in|cm|mm|)\s*$")
_POINTS = {"pt": 1.0, "px": 0.75, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "": 0.75}


def svg_to_png(svg: bytes) -> bytes:
    """A PNG of an SVG, for a reader that cannot show SVG (the DOCX's fallback picture).
    Drawn by resvg with the engine's own fonts only, so the pixels are the same on every
    machine; every font family is the engine's sans, as no other is available."""
    import resvg_py

    text = svg.decode("utf-8")
    text = _FONT_FAMILY_RE.sub(
        lambda m: f'font-family={chr(34)}{FALLBACK_FAMILY}{chr(34)}' if m.group(1) == "="
        else f"font-family: {FALLBACK_FAMILY}", text)
    dpi = FALLBACK_DPI
    root = ET.fromstring(svg)
    width, height = (_LENGTH_RE.match(root.get(key, "")) for key in ("width", "height"))
    if width and height:
        points = [float(m.group(1)) * _POINTS[m.group(2)] for m in (width, height)]
        pixels = points[0] * points[1] * (dpi / 72) ** 2
        if pixels > FALLBACK_MAX_PIXELS:
            dpi *= (FALLBACK_MAX_PIXELS / pixels) ** 0.5
    return resvg_py.svg_to_bytes(
        svg_string=text, background="#ffffff", skip_system_fonts=True,
        font_files=[str(path) for path in sorted(FONTS.glob("NotoSans-*.ttf"))],
        font_family=FALLBACK_FAMILY, sans_serif_family=FALLBACK_FAMILY,
        serif_family=FALLBACK_FAMILY, dpi=dpi)

"""A drawing whose parts link into the text (the argument map: each box to its claim),
inline, so the links work: an SVG in an <img> is a picture only, its links dead.

Only a drawing the engine made is inlined, and only as a copy rebuilt from an allow-list:
the shapes and text Graphviz draws, and links that stay inside the document (`#claim-…`,
or the EPUB file that holds that anchor). Anything else in the SVG (a script, an event
handler, a style, a link out, an id that could clash with the page's) is not copied.
nh3 (ammonia) sanitises HTML only: it keeps no SVG element, hence this allow-list of our
own, as small as what Graphviz writes.
"""

from __future__ import annotations

import base64
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ELEMENTS = {"svg", "g", "a", "path", "polygon", "polyline", "ellipse", "text", "line",
            "rect", "circle"}
ATTRIBUTES = {"fill", "stroke", "stroke-width", "stroke-dasharray", "stroke-opacity",
              "fill-opacity", "d", "points", "cx", "cy", "rx", "ry", "x", "y", "x1", "y1",
              "x2", "y2", "r", "text-anchor", "font-family", "font-size", "font-weight",
              "font-style", "transform", "viewBox", "width", "height", "class"}
# An <img> of an SVG data: URI, as the self-contained page has every image.
IMG_RE = re.compile(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"([^>]*)>')
ATTR_RE = re.compile(r'\s([a-z-]+)="([^"]*)"')


def linked(svg: str) -> bool:
    """Whether a drawing has links inside the document (Graphviz's URL="#…")."""
    return 'xlink:href="#' in svg or ' href="#' in svg


def rebuild(svg: str, href: Callable[[str], str | None], attributes: dict[str, str],
            xhtml: bool = False) -> str:
    """The drawing as inline markup: allow-listed elements and attributes, each link's
    fragment through `href` (None: the link is dropped, its shapes kept), its tooltip as
    its accessible name; `attributes` go on the <svg> (class, role, aria-label)."""
    root = ET.fromstring(svg)
    out: list[str] = []

    def local(name: str) -> str:
        return name.rpartition("}")[2]

    def walk(element: ET.Element, top: bool) -> None:
        tag = local(element.tag)
        if tag not in ELEMENTS:
            return  # <title> (an id, not a text for readers), <desc>, anything else
        kept = {local(k): v for k, v in element.attrib.items()
                if local(k) in ATTRIBUTES and not k.startswith(f"{{{XLINK_NS}}}")}
        if top:
            kept.update(attributes)
            if xhtml:  # an EPUB's XHTML: SVG 1.1 in its namespaces, links as xlink:href
                kept.update({"xmlns": SVG_NS, "xmlns:xlink": XLINK_NS})
        title = None
        if tag == "a":
            target = element.get(f"{{{XLINK_NS}}}href") or element.get("href") or ""
            address = href(target[1:]) if target.startswith("#") else None
            if address is None:  # a link we do not keep: its shapes, unlinked
                for child in element:
                    walk(child, False)
                return
            kept = {"xlink:href" if xhtml else "href": address}
            title = element.get(f"{{{XLINK_NS}}}title")
            text = " ".join("".join(t.itertext()).strip() for t in element.iter(
                f"{{{SVG_NS}}}text"))
            if title:
                kept["aria-label"] = f"{text}: {title}" if text else title
        shown = "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in kept.items())
        out.append(f"<{tag}{shown}>")
        if title:
            out.append(f"<title>{html.escape(title, quote=False)}</title>")
        if element.text and tag == "text":
            out.append(html.escape(element.text, quote=False))
        for child in element:
            walk(child, False)
        out.append(f"</{tag}>")

    walk(root, True)
    return "".join(out)


def from_img(attributes: str) -> dict[str, str]:
    """What the drawing takes from the <img> it replaces (its attributes as written): a
    group named by the alt text, the class kept."""
    found = {k: html.unescape(v) for k, v in ATTR_RE.findall(attributes)}
    taken = {"role": "group"}
    if found.get("alt"):
        taken["aria-label"] = found["alt"]
    if found.get("class"):
        taken["class"] = found["class"]
    return taken


def inline_images(page: str, href: Callable[[str], str | None] = lambda f: "#" + f) -> str:
    """Each SVG data: image of the self-contained page that links inside it, inline (its
    alt text as the drawing's label, its class kept); every other image as it was."""
    def swap(match: re.Match) -> str:
        try:
            svg = base64.b64decode(match.group(1)).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return match.group(0)
        if not linked(svg):
            return match.group(0)
        return rebuild(svg, href, from_img(match.group(2)))

    return IMG_RE.sub(swap, page)

"""No active content in any HTML-based output: an allow-list, checked and enforced.

The Markdown reader takes no raw HTML (pandoc.py), so markup comes from Pandoc's writers
alone; what a chapter, a data field, a setting or a catalogue entry can still ask for is
attributes (`[x]{onclick=...}`) and link or image targets (`javascript:`). Every HTML the
build makes (the page WeasyPrint lays out and the self-contained HTML is made from, and
each XHTML file of the EPUB) is checked against one allow-list of elements, attributes,
URL schemes and style properties:

- by walking it: Python's HTML parser, or an XML parser for the EPUB's XHTML (what
  reading systems use); exact, since the writers escape everything they print;
- by nh3 (the Rust ammonia sanitiser, which parses as browsers do): what it would remove
  under the allow-list, compared with what it keeps when it removes nothing.

Anything outside the list is an error at the input line that wrote it (the build names
it), never a silent strip. The self-contained HTML that leaves the building is in
addition rebuilt from nh3's sanitised output and carries a Content-Security-Policy that
forbids scripts and every network load, as a second wall.
"""

from __future__ import annotations

import functools
import html as htmllib
import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

from briefing.outputs.pages import sections
from briefing.runtime.cache import Cache, digest, engine

# Elements Pandoc's HTML5 and EPUB writers and our template produce, and the attributes
# each may carry besides GENERIC (any element) and the data-/aria- prefixes.
ELEMENTS: dict[str, set[str]] = {
    **{tag: set() for tag in (
        "section", "nav", "main", "header", "footer", "article", "aside", "span", "p",
        "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "i", "b", "u", "s",
        "del", "ins", "mark", "small", "sub", "sup", "code", "kbd", "samp", "var", "pre", "q",
        "blockquote", "cite", "abbr", "dfn", "bdi", "bdo", "wbr", "ul", "dl", "dt", "dd",
        "figure", "figcaption", "table", "caption", "colgroup", "thead", "tbody", "tfoot",
        "tr", "title",
        "label")},  # Pandoc's task lists: <label><input type="checkbox">task</label>
    "a": {"href"},
    "div": {"tabindex"},  # tables.lua: a table's scroll box can take the keyboard focus
    "details": {"open"},  # outline.lua: a part the reader can fold
    "summary": set(),
    "img": {"src", "alt", "width", "height"},
    "col": {"span", "width"},
    "td": {"colspan", "rowspan", "headers", "align"},
    "th": {"colspan", "rowspan", "headers", "align", "scope"},
    "ol": {"type", "start", "reversed"},
    "li": {"value"},
    "time": {"datetime"},
    "meta": {"name", "content", "charset"},
    "input": {"type", "disabled", "checked"},  # Pandoc's task lists: disabled checkboxes
}
# The EPUB's XHTML documents also have their document shell, Pandoc's head and epub:type.
EPUB_ELEMENTS: dict[str, set[str]] = {
    **ELEMENTS, "html": {"xmlns", "xmlns:epub"}, "head": set(), "body": set(),
    "link": {"rel", "href", "type"}, "style": {"type"},
}
GENERIC = {"id", "class", "lang", "dir", "title", "role", "style", "hidden"}
EPUB_GENERIC = GENERIC | {"xml:lang", "epub:type"}
PREFIXES = ("data-", "aria-")
URL_ATTRIBUTES = {("a", "href"), ("img", "src"), ("link", "href")}
WEB_SCHEMES = {"http", "https", "mailto"}
# Style attributes (from {style="..."} in Markdown, and Pandoc's own table widths):
# these properties, with values that call no function (so no url() and no image-set()).
STYLE_PROPERTIES = {"width", "height", "min-width", "max-width", "text-align",
                    "vertical-align", "white-space", "font-style", "font-weight",
                    "text-decoration", "list-style-type"}
STYLE_VALUE_RE = re.compile(r"^[\w\s.%#,+-]*$")
DATA_IMAGE_RE = re.compile(r"^data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=]*$",
                           re.I)
SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# Sources of text an nh3 parse may see as a tag name or a URL scheme (over-approximated:
# a name that is no element only lets the observing clean keep more).
TAG_NAME_RE = re.compile(r"</?([A-Za-z][^\t\n\f\r />]*)")
SCHEME_CANDIDATE_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


@dataclass(frozen=True)
class Violation:
    """One thing the allow-list refuses; `needle` is text to look for in the inputs."""

    message: str
    needles: tuple[str, ...]  # what wrote it, as it may stand in an input, best first


def style_allowed(value: str) -> bool:
    for declaration in value.split(";"):
        if not declaration.strip():
            continue
        name, colon, setting = declaration.partition(":")
        if not colon or name.strip().lower() not in STYLE_PROPERTIES or (
                not STYLE_VALUE_RE.match(setting)):
            return False
    return True


def url_allowed(element: str, attribute: str, value: str, kind: str) -> bool:
    """After the browser's own normalisation: entities decoded (by the caller's parser),
    leading and trailing spaces and controls stripped, tabs and line breaks removed,
    the scheme compared without regard to case."""
    url = re.sub(r"[\t\n\r]", "", value.strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a"
                                                "\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15"
                                                "\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
    scheme = SCHEME_RE.match(url)
    if element == "a":
        if url.startswith("#"):
            return True
        if scheme:
            return scheme.group(1).lower() in WEB_SCHEMES
        return kind == "epub" and _relative(url)  # another file of the same EPUB
    if element == "img":
        if scheme:
            return kind != "epub" and DATA_IMAGE_RE.match(url) is not None
        return kind != "standalone" and _relative(url)  # a project file, checked before
    if element == "link":
        return kind == "epub" and not scheme and _relative(url)
    return False


def _relative(url: str) -> bool:
    """A path inside the same document set: no scheme, no host, not from the root."""
    return bool(url) and not url.startswith(("/", "\\")) and "//" not in url and (
        "\\" not in url) and SCHEME_RE.match(url) is None


def attribute_problem(element: str, attribute: str, value: str, kind: str) -> str | None:
    """Why this attribute is refused, or None."""
    generic = EPUB_GENERIC if kind == "epub" else GENERIC
    allowed = (EPUB_ELEMENTS if kind == "epub" else ELEMENTS).get(element, set())
    if not (attribute in generic or attribute in allowed or attribute.startswith(PREFIXES)):
        if attribute.startswith("on"):
            return f"an event handler ({attribute}=) on <{element}>"
        return f"the attribute {attribute}= on <{element}>"
    if (element, attribute) in URL_ATTRIBUTES and not url_allowed(element, attribute, value,
                                                                  kind):
        shown = re.sub(r"\s+", " ", value)[:80]
        return f"the address {shown!r} in <{element} {attribute}=>"
    if attribute == "style" and not style_allowed(value):
        return f"the style {value[:80]!r} on <{element}>"
    if element == "input" and attribute == "type" and value != "checkbox":
        return f"an <input type={value!r}>"
    return None


def element_problem(element: str, kind: str) -> str | None:
    if element in (EPUB_ELEMENTS if kind == "epub" else ELEMENTS):
        return None
    return f"the element <{element}>"


# --- walking what Pandoc wrote ---------------------------------------------------------

class _Walk(HTMLParser):
    def __init__(self, kind: str):
        super().__init__(convert_charrefs=True)
        self.kind = kind
        self.found: list[Violation] = []

    def handle_starttag(self, tag, attrs):
        problem = element_problem(tag, self.kind)
        if problem:
            self.found.append(Violation(problem, (f"<{tag}",)))
        for name, value in attrs:
            problem = attribute_problem(tag, name, value or "", self.kind)
            if problem:
                self.found.append(Violation(problem, _needles(name, value or "")))

    handle_startendtag = handle_starttag


def walk_html(fragment: str, kind: str) -> list[Violation]:
    """Everything outside the allow-list in an HTML fragment (body or head content)."""
    walker = _Walk(kind)
    walker.feed(fragment)
    walker.close()
    return walker.found


def walk_xhtml(document: bytes) -> list[Violation]:
    """Everything outside the allow-list in one EPUB XHTML document, read as XML."""
    root = ET.fromstring(document)
    found = []
    names = {"": "", "http://www.w3.org/1999/xhtml": "", "http://www.idpf.org/2007/ops": "epub:",
             "http://www.w3.org/XML/1998/namespace": "xml:"}
    head = False
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        space, _, local = element.tag[1:].partition("}") if element.tag.startswith("{") else (
            "", "", element.tag)
        tag = names.get(space, "?") + local
        head = head or tag == "head"
        problem = element_problem(tag, "epub")
        if problem:
            found.append(Violation(problem, (f"<{local}",)))
        if tag == "style" and re.search(r"url\s*\(|@import|image-set", element.text or "", re.I):
            found.append(Violation("a stylesheet that loads a file", ("url(",)))
        for attr, value in element.attrib.items():
            aspace, _, alocal = attr[1:].partition("}") if attr.startswith("{") else (
                "", "", attr)
            name = names.get(aspace, "?") + alocal
            problem = attribute_problem(tag, name, value, "epub")
            if problem:
                found.append(Violation(problem, _needles(alocal, value)))
    return found


def _needles(attribute: str, value: str) -> tuple[str, ...]:
    """How an attribute may stand in the input that wrote it: as Pandoc's attribute
    syntax writes it (`as="image"`, `as=image`), its value (a link's target, as written
    or its first word), then its name with its `=` (`as=`: the bare name is a word that
    stands anywhere). Pandoc percent-encodes a link's spaces and quotes: the decoded
    target too."""
    words = re.findall(r"[\w:/.-]{4,}", value)
    return tuple(n for n in (f'{attribute}="{value}"', f"{attribute}={value}",
                             f"{attribute}='{value}'", value.strip(),
                             urllib.parse.unquote(value).strip(), *words[:1],
                             f"{attribute}=") if n)


# --- nh3 -------------------------------------------------------------------------------

def _candidates(fragment: str) -> tuple[set[str], set[str]]:
    """Every name an HTML parser could take as a tag, and every URL scheme it could see
    (entities decoded, tabs and line breaks removed as browsers do)."""
    tags = {name.lower() for name in TAG_NAME_RE.findall(fragment)}
    text = re.sub(r"[\t\n\r]", "", htmllib.unescape(fragment))
    schemes = {name.lower() for name in SCHEME_CANDIDATE_RE.findall(text)}
    return tags, schemes


def clean(fragment: str, kind: str, record: list[Violation] | None = None) -> str:
    """nh3's sanitised fragment under the allow-list; what it strips is added to record."""
    found = record if record is not None else []
    elements = ELEMENTS  # a body's content, also in the EPUB

    def keep(element: str, attribute: str, value: str) -> str | None:
        problem = attribute_problem(element, attribute, value, kind)
        if problem:
            found.append(Violation(problem, _needles(attribute, value)))
            return None
        return value

    return nh3.clean(fragment, tags=set(elements), clean_content_tags={"script", "style"},
                     attributes={"*": set(EPUB_GENERIC if kind == "epub" else GENERIC)} | {
                         tag: attrs for tag, attrs in elements.items() if attrs},
                     generic_attribute_prefixes=set(PREFIXES), attribute_filter=keep,
                     link_rel=None, strip_comments=True,
                     url_schemes=WEB_SCHEMES | ({"data"} if kind != "epub" else set()),
                     url_relative="pass_through")


def _observe(fragment: str) -> str:
    """nh3's parse of the fragment with nothing removed (but comments): the reference
    the sanitised fragment must equal."""
    tags, schemes = _candidates(fragment)
    return nh3.clean(fragment, tags=tags | set(EPUB_ELEMENTS), clean_content_tags=set(),
                     attributes={}, generic_attribute_prefixes={""}, link_rel=None,
                     strip_comments=True, url_schemes=schemes | WEB_SCHEMES | {"data"},
                     url_relative="pass_through")


def check(fragment: str, kind: str) -> list[Violation]:
    """Violations in an HTML fragment, by both methods; empty when nh3 would keep all."""
    found = walk_html(fragment, kind)
    stripped: list[Violation] = []
    sanitised = clean(fragment, kind, stripped)
    observed = _observe(fragment)
    if not found:
        found = stripped
    if not found and sanitised != observed:
        found = [_difference(sanitised, observed)]
    return found


def _difference(sanitised: str, observed: str) -> Violation:
    at = next((i for i, (a, b) in enumerate(zip(sanitised, observed, strict=False)) if a != b),
              min(len(sanitised), len(observed)))
    tag = re.search(r"<([A-Za-z][^\s/>]*)[^<]*$", observed[:at + 1])
    what = f"<{tag.group(1)}" if tag else observed[at:at + 40]
    return Violation(f"markup the sanitiser removes ({what!r})", (what,))


def split_page(page: str) -> tuple[str, str, str] | None:
    """(attributes of <html>, the head's content, the body's content) of a page made
    from our template, or None if it has another shape."""
    found = re.match(r"\s*<!DOCTYPE html>\s*<html([^>]*)>\s*<head>(.*?)</head>\s*<body>(.*)"
                     r"</body>\s*</html>\s*$", page, re.S | re.I)
    return (found[1], found[2], found[3]) if found else None


def _remembered(kind: str, text: str | bytes, store: Cache | None,
                checker: Callable[[], list[Violation]]) -> list[Violation]:
    """checker()'s violations; a text found clean before (the same bytes, the same engine)
    is not checked again: most of an edit's pages and EPUB files are unchanged. Only a
    clean result is kept, so a violation is always found and reported afresh."""
    if store is None:
        return checker()
    key = digest("sanitised", engine(), kind, text)
    if store.get("sanitised", key) is not None:
        return []
    found = checker()
    if not found:
        store.put("sanitised", key, b"")
    return found


def _pieces(body: str) -> list[str]:
    """The body cut between its top-level <section>s, each a whole element, so that each
    can be checked and remembered alone."""
    pieces, last = [], 0
    for start, end in sections(body):
        pieces += [body[last:start], body[start:end]]
        last = end
    return [piece for piece in [*pieces, body[last:]] if piece]


def check_page(page: str, store: Cache | None = None) -> list[Violation]:
    """The HTML page Pandoc made from briefing.html: its <html> attributes, head and body
    (section by section)."""
    parts = split_page(page)
    if parts is None:
        return [Violation("the HTML page does not have the template's shape", ("<html",))]
    attributes, head, body = parts
    found = walk_html(f"<div{attributes}></div>", "page")
    for piece in [head, *_pieces(body)]:
        found += _remembered("page", piece, store, functools.partial(check, piece, "page"))
    return found


def check_xhtml(document: bytes, store: Cache | None = None) -> list[Violation]:
    """One XHTML document of the EPUB: as XML, and its body by nh3."""
    def checker() -> list[Violation]:
        found = walk_xhtml(document)
        if found:
            return found
        text = document.decode("utf-8")
        body = re.search(r"<body[^>]*>(.*)</body>", text, re.S)
        return check(body.group(1), "epub") if body else []

    return _remembered("epub", document, store, checker)


CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
       "base-uri 'none'; form-action 'none'")


def standalone(page: str, css: str) -> str:
    """The self-contained HTML: nh3's sanitised head and body in a shell of our own, with
    a Content-Security-Policy that lets nothing run and nothing load."""
    parts = split_page(page)
    assert parts is not None  # Job.page() refused a page of another shape (check_page)
    attributes, head, body = parts
    lang = re.search(r'\blang="([^"]*)"', attributes)
    head = re.sub(r"<meta charset=[^>]*>", "", head)  # ours comes first, before the policy
    head_clean = nh3.clean(head, tags={"title", "meta"},
                           attributes={"meta": {"name", "content"}}, link_rel=None,
                           strip_comments=True)
    head_clean = "\n".join(line for line in head_clean.splitlines() if line.strip())
    return (f'<!DOCTYPE html>\n<html lang="{htmllib.escape(lang.group(1) if lang else "")}">\n'
            f'<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"{head_clean}\n<style>\n{css}</style>\n</head>\n<body>\n"
            f"{clean(body, 'standalone')}\n</body>\n</html>\n")

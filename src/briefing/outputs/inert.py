"""The last wall: no output carries active content, checked on the bytes written.

The sanitiser (sanitise.py) checks every HTML the build makes against an allow-list and
names the input line that asked for something outside it; its clean verdicts and the
stages' results are cached. This module trusts none of that: just before the outputs
are written it reads each one as a reader's software would, and refuses the build if
any carries something that runs or loads:

- HTML and the EPUB's XHTML and SVG: a script, an event handler, an embedded frame,
  object or form, a refresh, a `javascript:` (or any non-web) link, a load from the
  network (or, in the self-contained HTML, from any file), CSS that imports or loads;
- the EPUB's package: a remote resource, a `scripted` item, a script file;
- the PDF: any action but a jump inside the document or an http(s)/mailto link, any
  JavaScript, additional or open action, launch, embedded file or form (pikepdf);
- the DOCX: an external relationship other than an http(s)/mailto hyperlink, an attached
  template, an embedded object, control or macro, a field that includes or links a file.

A finding here means a stage gave something the inputs did not ask for (a planted cache
entry, a tool's surprise): the build stops before anything is written.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

from briefing.errors import BriefingError

WEB_SCHEMES = {"http", "https", "mailto"}
SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# Elements that run, embed or submit something, in HTML, XHTML and SVG (lower case).
ACTIVE_ELEMENTS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet",
                   "base", "form", "portal", "foreignobject", "handler", "listener",
                   "animate", "set", "animatemotion", "animatetransform", "discard"}
# Attributes whose value is fetched, or followed as a link.
URL_ATTRIBUTES = {"href", "src", "srcset", "poster", "data", "action", "formaction",
                  "background", "lowsrc", "dynsrc", "longdesc", "usemap", "manifest",
                  "codebase", "archive", "cite", "profile", "icon", "ping", "xlink:href"}
LINK_ELEMENTS = {"a", "area"}
CSS_LOAD_RE = re.compile(r"@import|url\s*\(\s*(['\"]?)\s*(?!data:)|expression\s*\(|"
                         r"-moz-binding|behavior\s*:", re.I)
PDF_ACTIONS = {"/GoTo", "/URI"}
# Every other action type of ISO 32000-2 (12.6.4): none is a structure type, so a
# dictionary with one of these as /S is refused wherever it stands.
PDF_DANGEROUS = {"/GoToR", "/GoToE", "/GoToDp", "/Launch", "/Thread", "/Sound", "/Movie",
                 "/Hide", "/Named", "/SubmitForm", "/ResetForm", "/ImportData", "/JavaScript",
                 "/SetOCGState", "/Rendition", "/Trans", "/GoTo3DView", "/RichMediaExecute",
                 "/ECMAScript"}
PDF_KEYS = {"/JS": "JavaScript", "/JavaScript": "JavaScript", "/AA": "an additional action",
            "/EmbeddedFiles": "an embedded file", "/EF": "an embedded file",
            "/RichMedia": "rich media", "/RichMediaContent": "rich media", "/XFA": "an XFA form",
            "/AcroForm": "a form"}
DOCX_EXTERNAL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
DOCX_REFUSED_TYPES = ("attachedTemplate", "oleObject", "package", "control", "vbaProject",
                      "aFChunk", "subDocument", "frame", "activeXControl", "activeXControlBinary")
DOCX_FIELD_RE = re.compile(rb"\b(INCLUDETEXT|INCLUDEPICTURE|INCLUDE|DDEAUTO|DDE|IMPORT|LINK)\b")


def _scheme(url: str) -> str | None:
    """The scheme as a browser reads it: spaces, controls, tabs and breaks removed."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", url)
    found = SCHEME_RE.match(cleaned)
    return found.group(1).lower() if found else None


def url_problem(element: str, attribute: str, value: str, standalone: bool) -> str | None:
    """Why following or fetching this URL is active content, or None."""
    scheme = _scheme(value)
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", value)
    if element in LINK_ELEMENTS and attribute in ("href", "xlink:href"):
        if scheme is None or scheme in WEB_SCHEMES:
            return None
        return f"a {scheme}: link"
    if attribute in ("cite", "longdesc", "profile"):  # never fetched by today's browsers
        return None if scheme is None or scheme in WEB_SCHEMES else f"a {scheme}: address"
    if scheme == "data" and element == "img" and re.match(
            r"data:image/(png|jpeg|gif|webp|svg\+xml)[;,]", cleaned, re.I):
        return None
    if element in ("use", "image") and cleaned.startswith("#"):
        return None  # SVG: a reference inside the same drawing
    if scheme is not None or cleaned.startswith(("//", "\\\\")):
        return f"a load from {value[:60]!r}"
    if standalone:
        return f"a load of the file {value[:60]!r} (the HTML page is self-contained)"
    return None


class _Scan(HTMLParser):
    """HTML, XHTML or SVG, as a browser's tokenizer sees the tags (names lower-cased)."""

    def __init__(self, standalone: bool):
        super().__init__(convert_charrefs=True)
        self.standalone = standalone
        self.found: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        name = tag.lower().rpartition(":")[2]
        if name in ACTIVE_ELEMENTS:
            self.found.append(f"the element <{tag}>")
        self.in_style = name == "style"
        values = {a.lower(): v or "" for a, v in attrs}
        if name == "meta" and values.get("http-equiv", "").lower() in ("refresh", "set-cookie"):
            self.found.append(f"<meta http-equiv={values['http-equiv']!r}>")
        if name == "link" and values.get("rel", "").lower() not in ("stylesheet", ""):
            self.found.append(f"<link rel={values['rel']!r}>")
        for attribute, value in values.items():
            local = attribute.rpartition(":")[2] if attribute != "xlink:href" else attribute
            if local.startswith("on"):
                self.found.append(f"an event handler ({attribute}=) on <{tag}>")
            elif local in URL_ATTRIBUTES or attribute in URL_ATTRIBUTES:
                for url in (value.split(",") if local == "srcset" else [value]):
                    problem = url_problem(name, attribute, url.strip().split(" ")[0],
                                          self.standalone)
                    if problem:
                        self.found.append(f"{problem} in <{tag} {attribute}=>")
            elif local == "style" and CSS_LOAD_RE.search(value):
                self.found.append(f"a style that loads or runs something on <{tag}>")
            elif local == "srcdoc":
                self.found.append(f"an embedded document (srcdoc=) on <{tag}>")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self.in_style = False

    def handle_data(self, data):
        if self.in_style and CSS_LOAD_RE.search(data):
            self.found.append("a stylesheet that imports or loads a file")


def scan_markup(text: str, standalone: bool = False) -> list[str]:
    scan = _Scan(standalone)
    scan.feed(text)
    scan.close()
    return scan.found


def scan_css(text: str) -> list[str]:
    """A stylesheet inside the EPUB: it may name files of the EPUB (fonts), nothing else."""
    found = []
    if re.search(r"@import|expression\s*\(|-moz-binding|behavior\s*:", text, re.I):
        found.append("a stylesheet that imports a file or runs code")
    for url in re.findall(r"url\s*\(\s*['\"]?([^'\")]*)", text, re.I):
        if (_scheme(url) not in (None, "data")) or url.strip().startswith(("//", "/")):
            found.append(f"a stylesheet that loads {url[:60]!r}")
    return found


def _members(data: bytes) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            yield info.filename, archive.read(info)


def scan_epub(data: bytes) -> list[str]:
    found = []
    for name, content in _members(data):
        lower = name.lower()
        if lower.endswith((".xhtml", ".html", ".htm", ".svg")):
            found += [f"{name}: {p}" for p in scan_markup(content.decode("utf-8", "replace"))]
        elif lower.endswith(".css"):
            found += [f"{name}: {p}" for p in scan_css(content.decode("utf-8", "replace"))]
        elif lower.endswith((".js", ".mjs")):
            found.append(f"{name}: a script file")
        elif lower.endswith(".opf"):
            found += [f"{name}: {p}" for p in _scan_package(content)]
    return found


def _scan_package(content: bytes) -> list[str]:
    found = []
    root = ET.fromstring(content)
    for item in root.iter("{http://www.idpf.org/2007/opf}item"):
        properties = set(item.get("properties", "").split())
        if properties & {"scripted", "remote-resources"}:
            found.append(f"an item with the property {sorted(properties)!r}")
        if _scheme(item.get("href", "")) is not None:
            found.append(f"a remote item {item.get('href', '')[:60]!r}")
    return found


def scan_docx(data: bytes) -> list[str]:
    found = []
    for name, content in _members(data):
        lower = name.lower()
        if lower.endswith(".rels"):
            for rel in ET.fromstring(content):
                kind = rel.get("Type", "")
                if kind.rsplit("/", 1)[-1] in DOCX_REFUSED_TYPES:
                    found.append(f"{name}: a relationship of type {kind.rsplit('/', 1)[-1]}")
                if rel.get("TargetMode") == "External" and (
                        kind != DOCX_EXTERNAL
                        or _scheme(rel.get("Target", "")) not in WEB_SCHEMES):
                    found.append(f"{name}: an external target {rel.get('Target', '')[:60]!r}")
        elif lower.endswith((".bin", "vbaproject.bin")) or "activex" in lower:
            found.append(f"{name}: an embedded object or macro")
        elif lower == "[content_types].xml" and b"macroEnabled" in content:
            found.append(f"{name}: a macro-enabled document type")
        elif lower.endswith(".xml") and (b"instrText" in content or b"fldSimple" in content):
            for instruction in re.findall(rb"<w:instrText[^>]*>([^<]*)<|w:instr=\"([^\"]*)\"",
                                          content):
                text = b"".join(instruction)
                if DOCX_FIELD_RE.search(text.upper()):
                    found.append(f"{name}: a field that includes or links a file "
                                 f"({text[:40].decode('utf-8', 'replace')!r})")
        if lower.endswith(".xml") and b"altChunk" in content:
            found.append(f"{name}: an alternative-format chunk (altChunk)")
    return found


def scan_pdf(data: bytes) -> list[str]:
    """Every action, script, embedded file and form of a PDF, by walking every object
    (direct ones inside the indirect, without recursion)."""
    import pikepdf

    found: list[str] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        stack: list = [pdf.trailer, *pdf.objects]
        seen: set[tuple[int, int]] = set()
        while stack:
            obj = stack.pop()
            if isinstance(obj, pikepdf.Stream):
                obj = obj.stream_dict
            if isinstance(obj, pikepdf.Array):
                stack.extend(v for v in obj if isinstance(v, pikepdf.Dictionary | pikepdf.Array)
                             and not v.is_indirect)
                continue
            if not isinstance(obj, pikepdf.Dictionary):
                continue
            if obj.is_indirect:
                if obj.objgen in seen:
                    continue
                seen.add(obj.objgen)
            for key, value in obj.items():
                if key in PDF_KEYS:
                    found.append(f"{PDF_KEYS[key]} ({key})")
                elif key == "/OpenAction" or (key == "/Next" and "/S" in obj) or (
                        key == "/A" and _acts(obj, value)):
                    found += _pdf_action(key, value)
                elif key == "/S" and str(value) in PDF_DANGEROUS:
                    found.append(f"a {value} action")
                if isinstance(value, pikepdf.Dictionary | pikepdf.Array) and (
                        not value.is_indirect):
                    stack.append(value)
    return sorted(set(found))


def _acts(container, value) -> bool:
    """Is this /A an action? On a structure element it is its attributes (/O ...),
    unless it says it is an action; everywhere else (annotations, outline items) it is."""
    import pikepdf

    if str(container.get("/Type", "")) != "/StructElem" or "/Subtype" in container:
        return True
    members = list(value) if isinstance(value, pikepdf.Array) else [value]
    return any(isinstance(m, pikepdf.Dictionary) and ("/S" in m or "/Type" in m)
               for m in members)


def _pdf_action(where: str, value) -> list[str]:
    import pikepdf

    if where == "/OpenAction" and isinstance(value, pikepdf.Array):
        return []  # a page to open at
    actions = list(value) if isinstance(value, pikepdf.Array) else [value]
    found = []
    for action in actions:
        if not isinstance(action, pikepdf.Dictionary):
            continue
        kind = str(action.get("/S", ""))
        if kind not in PDF_ACTIONS:
            found.append(f"a {kind or 'typeless'} action ({where})")
        elif kind == "/URI":
            uri = action.get("/URI")
            text = bytes(uri).decode("latin-1") if isinstance(uri, pikepdf.String) else ""
            if _scheme(text) not in WEB_SCHEMES:
                found.append(f"a link to {text[:60]!r} ({where})")
    return found


SCANNERS: dict[str, Callable[[bytes], list[str]]] = {
    ".pdf": scan_pdf, ".epub": scan_epub, ".docx": scan_docx,
    ".html": lambda data: scan_markup(data.decode("utf-8", "replace"), standalone=True),
}


def check(rendered: dict[Path, bytes]) -> None:
    """Refuse the build if any output carries active content (see above)."""
    seen: set[int] = set()
    for path, data in rendered.items():
        scanner = SCANNERS.get(path.suffix.lower())
        if scanner is None or id(data) in seen:  # the default edition's second name
            continue
        seen.add(id(data))
        try:
            found = scanner(data)
        except Exception as exc:  # noqa: BLE001 - an output no reader can parse is refused too
            found = [f"it cannot be read back ({type(exc).__name__}: {str(exc)[:80]})"]
        if found:
            more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
            raise BriefingError.at(
                f"refused to write {path.name}: it would carry {found[0]}{more}", path, None,
                "nothing in a project can ask for this; a stage's result was not what the "
                "inputs made. Delete build/.cache and build again; if it comes back, report "
                "it (briefing --debug build)")

"""The page-number layer drawn onto the joined book (assemble.py calls draw()).

Page i of the stamp document (one empty page per book page, laid out with print.css: see
book.py) is drawn over page i of the book, marked as an artifact so that assistive
technology skips it. Its content goes into the page's own content stream, the resources
it names into the page's resources (under another name where the page has that name for
something else): a form XObject a page cost about 400 bytes each (11 kB of the real
briefing's 268). A stamp whose names cannot be rewritten safely (an inline image, or q and
Q not balanced) is drawn as a form instead.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name

FORM = Name("/BriefingPageNumber")
# Content operators that name a resource: operator -> (which operand, resource category).
NAMED = {"Tf": (0, "/Font"), "gs": (0, "/ExtGState"), "Do": (0, "/XObject"),
         "sh": (0, "/Shading"), "cs": (0, "/ColorSpace"), "CS": (0, "/ColorSpace"),
         "scn": (-1, "/Pattern"), "SCN": (-1, "/Pattern"), "BDC": (1, "/Properties"),
         "DP": (1, "/Properties")}


def draw(book: pikepdf.Pdf, layer: pikepdf.Pdf) -> None:
    copies: dict[bytes, pikepdf.Object] = {}
    opening = None
    for page, stamp in zip(book.pages, layer.pages, strict=True):
        # The pages of a part share one dict; each page gets its own. (pikepdf's annotations
        # do not let Dictionary() copy an Object, even one that is a dictionary.)
        resources = Dictionary(page.obj.Resources)  # type: ignore[arg-type]
        drawn = _inline(book, layer, resources, stamp, copies)
        if drawn is None:
            _add(resources, "/XObject", FORM, book.copy_foreign(stamp.as_form_xobject()))
            drawn = FORM.unparse() + b" Do"
        page.obj.Resources = resources
        contents = page.obj.Contents
        # The part's page starts with an unbalanced cm (WeasyPrint flips the y axis), so it
        # is wrapped in q/Q before the stamp is drawn in default user space. The part's
        # stream is kept as it is (decompressing and compressing it again cost more time
        # than the stream objects cost bytes); one "q" stream serves every page.
        opening = opening or book.make_stream(b"q\n")
        closing = book.make_stream(b"\nQ\n/Artifact BMC\nq\n" + drawn + b"\nQ\nEMC\n")
        page.obj.Contents = Array([opening, *(
            contents if isinstance(contents, Array) else [contents]), closing])


def _inline(book: pikepdf.Pdf, layer: pikepdf.Pdf, resources: Dictionary,
            stamp: pikepdf.Page, copies: dict[bytes, pikepdf.Object]) -> bytes | None:
    """The stamp's content, naming the resources it uses as `resources` (extended with
    them) names them; None if it cannot be drawn inline."""
    instructions = pikepdf.parse_content_stream(stamp)
    if not _plain(instructions):
        return None
    own = stamp.obj.get("/Resources", Dictionary())
    out = []
    for instruction in instructions:
        operands, operator = list(instruction.operands), str(instruction.operator)
        if operator in NAMED and operands:
            index, category = NAMED[operator]
            name, table = operands[index], own.get(category)
            if isinstance(name, Name) and isinstance(table, Dictionary) and name in table:
                value = _copy(book, layer, table[name], copies)
                operands[index] = _name_for(resources, category, name, value)
        out.append((operands, instruction.operator))
    return pikepdf.unparse_content_stream(out)


def _plain(instructions: list) -> bool:
    """No inline image (it names its colour space in a dictionary of its own), and every
    q closed by a Q, so that the stamp leaves the page's graphics state as it found it."""
    depth = 0
    for instruction in instructions:
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            return False
        depth += {"q": 1, "Q": -1}.get(str(instruction.operator), 0)
        if depth < 0:
            return False
    return depth == 0


def _copy(book: pikepdf.Pdf, layer: pikepdf.Pdf, value: pikepdf.Object,
          copies: dict[bytes, pikepdf.Object]) -> pikepdf.Object:
    """The layer's resource in the book: one copy however many pages use it (qpdf keeps
    one copy per indirect object; a direct one is made one, by its content)."""
    if value.is_indirect:
        return book.copy_foreign(value)
    key = value.unparse(resolved=True)
    if key not in copies:
        copies[key] = book.copy_foreign(layer.make_indirect(value))
    return copies[key]


def _name_for(resources: Dictionary, category: str, name: Name, value) -> Name:
    """The name `value` has, or is given, in the page's resources of that category."""
    table = resources.get(category)
    if isinstance(table, Dictionary):
        for key, bound in table.items():
            if bound.objgen == value.objgen or _same(bound, value):
                return Name(key)
    wanted, n = str(name), 1
    while isinstance(table, Dictionary) and wanted in table:
        wanted, n = f"{name}-stamp{n}", n + 1
    _add(resources, category, Name(wanted), value)
    return Name(wanted)


def _same(a: pikepdf.Object, b: pikepdf.Object) -> bool:
    """The same content (WeasyPrint's ExtGState <</ca 1>>, say): both are the book's, so
    the same text names the same objects."""
    return bool(a.unparse(resolved=True) == b.unparse(resolved=True))


def _add(resources: Dictionary, category: str, name: Name, value) -> None:
    table = Dictionary(resources.get(category, Dictionary()))  # type: ignore[arg-type]
    table[name] = value
    resources[category] = table

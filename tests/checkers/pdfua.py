"""A PDF/UA-1 structure check: the Matterhorn Protocol's machine-checkable conditions we can
test with pikepdf (veraPDF, the reference validator, cannot be installed here: it comes only
from Maven Central). Each function returns a list of problems; empty means the condition
holds. The Matterhorn checkpoint numbers are given with each.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name


def elements(node) -> Iterator[Dictionary]:
    """Every structure element below a node, depth first."""
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, Array) else [kids]:
        if isinstance(kid, Dictionary) and "/S" in kid:
            yield kid
            yield from elements(kid)


def _kids(node) -> list:
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _reachable(pdf: pikepdf.Pdf) -> set[tuple[int, int]]:
    return {e.objgen for e in elements(pdf.Root.StructTreeRoot)}


def _parent_tree(pdf: pikepdf.Pdf) -> dict[int, object]:
    tree, found = pdf.Root.StructTreeRoot.ParentTree, {}

    def walk(node):
        if "/Nums" in node:
            nums = node.Nums
            for i in range(0, len(nums), 2):
                found[int(nums[i])] = nums[i + 1]
        for kid in node.get("/Kids", []):
            walk(kid)

    walk(tree)
    return found


def marked_content(page: pikepdf.Page) -> list[tuple[str, int | None, bool]]:
    """(tag, MCID or None, inside an artifact) of every marked-content sequence."""
    found, stack = [], []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            tag = str(operands[0])
            mcid = None
            if op == "BDC" and isinstance(operands[1], Dictionary) and "/MCID" in operands[1]:
                mcid = int(operands[1].MCID)
            inside = any(t == "/Artifact" for t in stack) or tag == "/Artifact"
            stack.append(tag)
            found.append((tag, mcid, inside))
        elif op == "EMC" and stack:
            stack.pop()
    return found


def unreachable_content(pdf: pikepdf.Pdf) -> list[str]:
    """01-005: every marked-content sequence is an artifact or belongs to an element of the
    structure tree (no detached second tree, no MCID without a parent)."""
    reachable, tree, problems = _reachable(pdf), _parent_tree(pdf), []
    for number, page in enumerate(pdf.pages, start=1):
        key = page.obj.get("/StructParents")
        parents = tree.get(int(key)) if key is not None else None
        for tag, mcid, artifact in marked_content(page):
            if artifact or mcid is None:
                continue
            if parents is None or mcid >= len(parents) or parents[mcid].objgen not in reachable:
                problems.append(f"page {number}: MCID {mcid} ({tag}) not in the structure tree")
    return problems


def links_in_link_elements(pdf: pikepdf.Pdf) -> list[str]:
    """28-011: every link annotation is the object of an OBJR inside a /Link element."""
    tree, problems = _parent_tree(pdf), []
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") != Name.Link:
                continue
            key = annotation.get("/StructParent")
            parent = tree.get(int(key)) if key is not None else None
            if parent is None or parent.get("/S") != Name.Link or not any(
                    isinstance(k, Dictionary) and k.get("/Type") == Name.OBJR
                    and k.Obj.objgen == annotation.objgen for k in _kids(parent)):
                problems.append(f"page {number}: link annotation outside a /Link element")
    return problems


def link_descriptions(pdf: pikepdf.Pdf) -> list[str]:
    """28-012 and WCAG 2.4.4: every link annotation has /Contents a person can read: for a
    link inside the document, not the destination's id; for an address, not empty."""
    problems = []
    for number, page in enumerate(pdf.pages, start=1):
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") != Name.Link:
                continue
            text = str(annotation.get("/Contents", "")).strip()
            dest = annotation.get("/Dest")
            action = annotation.get("/A")
            target = str(dest) if dest is not None and not isinstance(dest, Array) else (
                str(action.get("/URI", "")) if action is not None else "")
            if action is not None and "/URI" in action:
                bad = not text  # an address shown as the link's text reads as itself
            else:
                bad = not text or text == target or bool(
                    re.fullmatch(r"[a-z0-9]+(-[a-z0-9.]+)+", text))
            if bad:
                problems.append(f"page {number}: link described as {text!r}")
    return problems


def nesting(pdf: pikepdf.Pdf) -> list[str]:
    """No /Link inside a /Link, no /P inside a /P (a reader would announce them twice)."""
    problems = []

    def walk(node, ancestors):
        for kid in _kids(node):
            if isinstance(kid, Dictionary) and "/S" in kid:
                tag = str(kid.S)
                if tag in ("/Link", "/P") and tag in ancestors:
                    problems.append(f"{tag} inside {tag}")
                walk(kid, ancestors | {tag})

    walk(pdf.Root.StructTreeRoot, frozenset())
    return problems


def tables(pdf: pikepdf.Pdf) -> list[str]:
    """15-003/15-005: header cells carry /Scope; a table's header rows are in /THead; no
    header cell is empty."""
    problems = []
    for table in (e for e in elements(pdf.Root.StructTreeRoot) if str(e.S) == "/Table"):
        if not any(k.get("/S") == Name.THead for k in _kids(table) if isinstance(k, Dictionary)):
            problems.append("a /Table without /THead")
        for cell in (e for e in elements(table) if e.S == Name.TH):
            scope = (cell.get("/A") or Dictionary()).get("/Scope")
            if scope not in (Name.Row, Name.Column, Name.Both):
                problems.append("a TH without /Scope")
            if not any(True for _ in _content_of(cell)):
                problems.append("an empty TH")
    return problems


def _content_of(element) -> Iterator[int]:
    for kid in _kids(element):
        if isinstance(kid, int) or (isinstance(kid, pikepdf.Object) and not isinstance(
                kid, Dictionary | Array) and str(kid).isdigit()):
            yield int(kid)
        elif isinstance(kid, Dictionary) and kid.get("/Type") == Name.MCR:
            yield int(kid.MCID)
        elif isinstance(kid, Dictionary) and "/S" in kid:
            yield from _content_of(kid)


def headings(pdf: pikepdf.Pdf) -> list[str]:
    """14-003: heading levels are not skipped."""
    problems, last = [], 0
    for element in elements(pdf.Root.StructTreeRoot):
        match = re.fullmatch(r"/H(\d)", str(element.S))
        if match:
            level = int(match.group(1))
            if level > last + 1:
                problems.append(f"H{level} after H{last}")
            last = level
    return problems


def figures(pdf: pikepdf.Pdf) -> list[str]:
    """13-004: every figure has alternative text."""
    return [f"figure without /Alt on page {e.get('/Pg')}" for e in
            elements(pdf.Root.StructTreeRoot)
            if str(e.S) == "/Figure" and not str(e.get("/Alt", "")).strip()]


def fonts(pdf: pikepdf.Pdf) -> list[str]:
    """31-027 (ToUnicode) and 31-001 (embedded)."""
    problems, seen = [], set()
    for page in pdf.pages:
        for font in (page.obj.Resources.get("/Font") or Dictionary()).values():
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            if "/ToUnicode" not in font:
                problems.append(f"font {font.get('/BaseFont')} without /ToUnicode")
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0] if descendants else font).get("/FontDescriptor")
            if descriptor is None or not any(k in descriptor for k in
                                              ("/FontFile", "/FontFile2", "/FontFile3")):
                problems.append(f"font {font.get('/BaseFont')} not embedded")
    return problems


def document(pdf: pikepdf.Pdf) -> list[str]:
    """06-001, 06-002, 07-001, 11-001: marked, PDF/UA identifier in XMP, title shown,
    document language."""
    problems = []
    root = pdf.Root
    if "/StructTreeRoot" not in root or root.get("/MarkInfo", {}).get("/Marked") is not True:
        problems.append("not a tagged PDF")
    if root.get("/ViewerPreferences", {}).get("/DisplayDocTitle") is not True:
        problems.append("the title is not shown")
    if not str(root.get("/Lang", "")).strip():
        problems.append("no document language")
    xmp = root.Metadata.read_bytes().decode("utf-8", "replace") if "/Metadata" in root else ""
    if "pdfuaid:part" not in xmp:
        problems.append("no PDF/UA identifier in the XMP metadata")
    return problems


def languages(pdf: pikepdf.Pdf) -> dict[str, int]:
    """How many structure elements carry each /Lang (11-006: a passage in another language
    says so)."""
    counts: dict[str, int] = {}
    for element in elements(pdf.Root.StructTreeRoot):
        if "/Lang" in element:
            counts[str(element.Lang)] = counts.get(str(element.Lang), 0) + 1
    return counts


CHECKS = {
    "01-005 content in the structure tree or an artifact": unreachable_content,
    "28-011 link annotations in /Link elements": links_in_link_elements,
    "28-012 link descriptions a person can read": link_descriptions,
    "no Link in Link, no P in P": nesting,
    "15-003/15-005 table headers": tables,
    "14-003 heading levels": headings,
    "13-004 figure alternative text": figures,
    "31-001/31-027 fonts embedded with ToUnicode": fonts,
    "06/07/11 tagged, titled, language, identified": document,
}


def report(path) -> dict[str, list[str]]:
    with pikepdf.open(path) as pdf:
        return {name: check(pdf) for name, check in CHECKS.items()}


if __name__ == "__main__":
    import sys

    for name, problems in report(sys.argv[1]).items():
        print(f"{len(problems):5d}  {name}" + (f"   e.g. {problems[0]}" if problems else ""))
    with pikepdf.open(sys.argv[1]) as pdf:
        print("languages:", languages(pdf))

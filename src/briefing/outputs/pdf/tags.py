"""PDF/UA tags for WeasyPrint's output, built the way assistive technology needs them.

WeasyPrint 70 tags each page on its own: a section, a table or a link that runs over a page
break becomes two elements (two /Table for one table, its header row read twice); running
heads are tagged under a second, detached tree; TOC leader dots are content; the anonymous
block that a positioned child makes inside a <p> becomes a P inside the P; link annotations
of an inline box inside a link hang off a /Span; a link's description is its target's id;
no element carries /Lang; header cells carry no /Scope. One WeasyPrint run over the whole
document has every one of these (compared with tests/checkers/pdfua.py), so they are fixed where
they arise: this module replaces WeasyPrint's tagging in the PDF worker (worker.py), based on
WeasyPrint 70.0's own weasyprint/pdf/tags.py and Stream.marked (Copyright (c) 2011-2021,
Simon Sapin and contributors; BSD 3-Clause licence, kept in LICENSE.weasyprint beside this
file), and:

- builds one structure element per HTML element across pages (fragments merge);
- writes margin boxes (running heads), leaders and a table header repeated on a later page
  as artifacts (/Artifact marked content, outside the tree);
- makes anonymous boxes transparent (no P inside P, no Link inside Link);
- attaches every link annotation to its /Link element, described by the link's text;
- gives an element with a lang attribute its /Lang, and header cells a /Scope;
- marks a line-end hyphen that the word does not have with /ActualText, so that copy,
  search and speech get the word whole.

It reaches into WeasyPrint's internals (add_tags, Stream.marked, the boxes' attributes),
which change between releases, so it runs only with the WeasyPrint it was written against
(WEASYPRINT): check() refuses any other before a PDF is laid out.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from typing import Any

HYPHEN = "\u2010"  # WeasyPrint's default hyphenate-character (print.css keeps it)
WEASYPRINT = "70.0"  # the release whose tagging this module replaces (and pyproject pins)


def check(installed: str | None = None) -> None:
    """Refuse a WeasyPrint other than WEASYPRINT (`installed`: the version found, read
    from the installed package's metadata when not given), before any PDF is laid out."""
    from importlib.metadata import PackageNotFoundError, version

    from briefing.errors import BriefingError

    if installed is None:
        try:
            installed = version("weasyprint")
        except PackageNotFoundError:
            installed = "none"
    if installed != WEASYPRINT:
        raise BriefingError.at(
            f"WeasyPrint {installed} is installed; briefing's tagged PDF needs WeasyPrint "
            f"{WEASYPRINT}, whose internals it builds on",
            hint="install the versions briefing is locked to: run make in briefing's folder "
                 "(or pip install --require-hashes -r requirements/lock.txt)")


def install() -> None:
    """Replace WeasyPrint's tagging in this process (the PDF worker)."""
    check()
    import weasyprint.pdf
    from weasyprint.pdf.stream import Stream

    weasyprint.pdf.add_tags = add_tags
    Stream.marked = _marked


def prepare(document) -> None:
    """Before writing: flag the boxes whose text is an artifact, and record the first page
    of every table header (a header repeated on a later page is an artifact)."""
    from weasyprint.formatting_structure import boxes

    def walk(box, artifact: bool, seen: set[int], on_page: set[int]) -> None:
        artifact = artifact or isinstance(box, boxes.MarginBox) or getattr(
            box, "is_leader", False)
        if box.element is not None and box.element_tag == "thead":
            key = id(box.element)
            artifact = artifact or key in seen
            on_page.add(key)
        if artifact:
            box._briefing_artifact = True
        for child in getattr(box, "children", ()):
            walk(child, artifact, seen, on_page)

    seen_headers: set[int] = set()
    for page in document.pages:
        on_page: set[int] = set()
        walk(page._page_box, False, seen_headers, on_page)
        seen_headers |= on_page


@contextlib.contextmanager
def _marked(self, box, tag):
    """Stream.marked: artifacts as /Artifact (no MCID, not in the tree); a text box whose
    last character is a hyphen added at the line end carries /ActualText without it."""
    import pydyf

    if self._tags is None:
        yield
        return
    if getattr(box, "_briefing_artifact", False):
        self.begin_marked_content("Artifact")
        try:
            yield
        finally:
            self.end_marked_content()
        return
    mcid = len(self._tags)
    assert box not in self._tags
    self._tags[box] = {"tag": tag, "mcid": mcid}
    properties = pydyf.Dictionary({"MCID": mcid})
    text = getattr(box, "text", None)
    if isinstance(text, str) and text.endswith(HYPHEN):
        properties["ActualText"] = pydyf.String(text[:-1])
    self.begin_marked_content(tag, properties)
    try:
        yield
    finally:
        self.end_marked_content()


def add_tags(pdf, document, pdf_version, page_streams):
    """The structure tree (as weasyprint.pdf.tags.add_tags, across pages)."""
    import pydyf

    content_mapping = pydyf.Dictionary({})
    pdf.add_object(content_mapping)
    structure_root = pydyf.Dictionary({
        "Type": "/StructTreeRoot", "ParentTree": content_mapping.reference})
    pdf.add_object(structure_root)
    structure_document = pydyf.Dictionary({
        "Type": "/StructElem", "S": "/Document", "K": pydyf.Array(),
        "P": structure_root.reference})
    pdf.add_object(structure_document)
    structure_root["K"] = pydyf.Array([structure_document.reference])
    pdf.catalog["StructTreeRoot"] = structure_root.reference
    if str(pdf_version) >= "2.0":
        namespace = pydyf.Dictionary({"Type": "/Namespace",
                                      "NS": pydyf.String("http://iso.org/pdf2/ssn")})
        pdf.add_object(namespace)
        structure_root["Namespaces"] = pydyf.Array([namespace.reference])
        structure_document["NS"] = namespace.reference

    root_lang = str(pdf.catalog.get("Lang", "") or "")
    tagger = _Tagger(pdf, root_lang)
    content_mapping["Nums"] = pydyf.Array()
    for page_number, (page, stream) in enumerate(zip(document.pages, page_streams,
                                                     strict=True)):
        tags = stream._tags
        content_mapping["Nums"].append(page_number)
        content_mapping["Nums"].append(pydyf.Array())
        nums: dict[int, Any] = {}
        for element in tagger.build(page._page_box, structure_document, None, page_number,
                                    nums, tags, None):
            structure_document["K"].append(element.reference)
        assert not tags, "marked content left without a structure element"
        content_mapping["Nums"][-1].extend(ref for _, ref in sorted(nums.items()))

    start = len(document.pages)
    for i, (reference, annotation) in enumerate(tagger.annotations, start=start):
        content_mapping["Nums"].append(i)
        content_mapping["Nums"].append(reference)
        annotation["StructParent"] = i
    tagger.describe_links()

    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})
    if "Lang" not in pdf.catalog:
        pdf.catalog["Lang"] = pydyf.String()


_TAGS = {"div": "Div", "span": "Span", "main": "Part", "article": "Art", "section": "Sect",
         "blockquote": "BlockQuote", "p": "P", "dl": "L", "ul": "L", "ol": "L", "li": "LI",
         "dt": "LI", "dd": "LI", "li::marker": "Lbl", "table": "Table", "tr": "TR",
         "th": "TH", "td": "TD", "thead": "THead", "tbody": "TBody", "tfoot": "TFoot",
         "img": "Figure", "{http://www.w3.org/2000/svg}svg": "Figure", "caption": "Caption",
         "figcaption": "Caption", "nav": "Div", "figure": "Div", "header": "Div",
         "footer": "Div", "aside": "Div", "q": "Quote", "code": "Code",
         **dict.fromkeys(("em", "strong", "i", "b", "cite", "abbr", "sup", "sub", "small",
                          "mark", "time", "dfn", "u", "s", "bdi", "bdo", "br"), "Span")}


def _pdf_tag(tag: str | None) -> str:
    if tag is None:
        return "NonStruct"
    if tag == "a":
        return "Link"
    if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return tag.upper()
    return _TAGS.get(tag, "NonStruct")


def _annotations_below(box):
    annotation = getattr(box, "link_annotation", None)
    if annotation is not None:
        yield annotation
    for child in getattr(box, "children", ()):
        yield from _annotations_below(child)


class _Tagger:
    """Builds the tree page by page, one element per HTML element (or pseudo-element)."""

    def __init__(self, pdf, root_lang: str):
        self.pdf, self.root_lang = pdf, root_lang
        # Any: pydyf's objects (pydyf has no type annotations)
        self.by_element: dict[tuple[int, str], Any] = {}
        self.annotations: list[tuple[Any, Any]] = []
        self.link_text: dict[int, list[str]] = defaultdict(list)  # id(link elem) -> text
        self.link_annotations: dict[int, list[Any]] = defaultdict(list)
        self.column_headers: dict[int, dict[int, list]] = {}  # id(table elem) -> col -> ids
        self.row_counter: dict[int, int] = defaultdict(int)
        self.bodies: dict[int, Any] = {}  # id(LI element) -> its LBody

    def _new(self, tag: str, parent, page_number: int):
        import pydyf

        element = pydyf.Dictionary({
            "Type": "/StructElem", "S": f"/{tag}", "K": pydyf.Array([]),
            "Pg": self.pdf.page_references[page_number], "P": parent.reference})
        self.pdf.add_object(element)
        return element

    def build(self, box, parent, parent_box, page_number, nums, tags, link):
        """Yield the new structure elements for `box` to attach to `parent`."""
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout.absolute import AbsolutePlaceholder

        if isinstance(box, AbsolutePlaceholder):
            box = box._box
        if getattr(box, "_briefing_artifact", False) or isinstance(box, boxes.MarginBox):
            # Running heads, leaders, repeated headers: artifacts, not structure. A leader
            # inside a link still has its part of the link's area: it belongs to the link.
            if link is not None:
                for annotation in _annotations_below(box):
                    self._annotate(link, annotation, page_number)
            return
        element_tag = None if box.element is None else box.element_tag
        anonymous = parent_box is not None and box.element is not None and (
            box.element is parent_box.element and box.element_tag == parent_box.element_tag)
        if element_tag in ("html", "body") or isinstance(box, boxes.PageBox) or (
                anonymous and not isinstance(box, boxes.ReplacedBox)):
            # Not a node of its own: its content belongs to the parent.
            yield from self._children(box, parent, page_number, nums, tags, link)
            return

        tag = _pdf_tag(element_tag)
        if element_tag and "::" in element_tag and element_tag != "li::marker":
            tag = "Span"  # generated content (a link's ::after page number): no second Link
        if tag == "Link" and link is not None:
            tag = "Span"

        key = (id(box.element), str(element_tag)) if box.element is not None else None
        element = self.by_element.get(key) if key else None
        fresh = element is None
        if element is None:
            element = self._new(tag, parent, page_number)
            if key:
                self.by_element[key] = element
            self._describe(element, box, tag)

        if tag == "Table" and box.is_table_wrapper:
            table = box.get_wrapped_table()
            if table:
                wrapper, box = box, table.copy_with_children([])
                for child in wrapper.children:
                    box.children.extend(child.children if child is table else [child])
        if tag in ("TH", "TD"):
            box.mark = element

        own_link = element if tag == "Link" else link
        annotation = getattr(box, "link_annotation", None)
        if annotation is not None:
            target = own_link if own_link is not None else element
            self._annotate(target, annotation, page_number)

        # A list item's content goes in its LBody; only the marker is its Lbl.
        holder = self._body(element, page_number) if tag == "LI" else element
        for child in self._children(box, holder, page_number, nums, tags, own_link):
            if child["S"] == "/Lbl" and holder is not element:
                child["P"] = element.reference
                element["K"].insert(0, child.reference)
            else:
                holder["K"].append(child.reference)

        if isinstance(box, boxes.ReplacedBox):
            kid = tags.pop(box)
            element["K"].append(self._content(element, kid["mcid"], page_number))
            nums[kid["mcid"]] = element.reference

        if tag == "Table":
            self._headers(element, box)
        if fresh:
            yield element

    def _body(self, item, page_number: int):
        body = self.bodies.get(id(item))
        if body is None:
            body = self.bodies[id(item)] = self._new("LBody", item, page_number)
            item["K"].append(body.reference)
        return body

    def _children(self, box, element, page_number, nums, tags, link):
        from weasyprint.formatting_structure import boxes

        for child in getattr(box, "children", ()):
            grandchildren = child.children if isinstance(child, boxes.LineBox) else [child]
            for item in grandchildren:
                if isinstance(item, boxes.TextBox):
                    if getattr(item, "_briefing_artifact", False):
                        continue
                    kid = tags.pop(item)
                    if link is not None and "::" not in str(item.element_tag):
                        self.link_text[id(link)].append(item.text)  # not a page number
                    if element["S"] == "/Link":
                        element["K"].append(self._content(element, kid["mcid"], page_number))
                        nums[kid["mcid"]] = element.reference
                    else:
                        span = self._new(kid["tag"], element, page_number)
                        span["K"].append(kid["mcid"])
                        nums[kid["mcid"]] = span.reference
                        yield span
                else:
                    yield from self.build(item, element, box, page_number, nums, tags, link)

    def _content(self, element, mcid: int, page_number: int):
        """An MCID in an element's /K: a bare number on the element's own page, a marked
        content reference elsewhere (an element continued on the next page)."""
        import pydyf

        page = self.pdf.page_references[page_number]
        if element["Pg"] == page:
            return mcid
        return pydyf.Dictionary({"Type": "/MCR", "Pg": page, "MCID": mcid})

    def _describe(self, element, box, tag: str) -> None:
        import pydyf

        html = box.element
        lang = html.get("lang") if html is not None else None
        if lang and lang != self.root_lang and box.element_tag not in ("html", "body"):
            element["Lang"] = pydyf.String(lang)
        if tag == "Figure":
            x1, y1 = box.content_box_x(), box.content_box_y()
            element["A"] = pydyf.Dictionary({
                "O": "/Layout", "BBox": pydyf.Array((x1, y1, x1 + box.width, y1 + box.height))})
            alt = html.get("alt") if html is not None else None
            if alt:
                element["Alt"] = pydyf.String(alt)
        elif tag in ("TH", "TD"):
            element["A"] = pydyf.Dictionary({"O": "/Table"})
            if box.colspan != 1:
                element["A"]["ColSpan"] = box.colspan
            if box.rowspan != 1:
                element["A"]["RowSpan"] = box.rowspan
            if tag == "TH":
                scope = (html.get("scope") or "col") if html is not None else "col"
                element["A"]["Scope"] = "/Row" if scope == "row" else "/Column"

    def _annotate(self, link, annotation, page_number: int) -> None:
        import pydyf

        reference = pydyf.Dictionary({"Type": "/OBJR", "Obj": annotation.reference,
                                      "Pg": self.pdf.page_references[page_number]})
        self.pdf.add_object(reference)
        link["K"].append(reference.reference)
        self.annotations.append((link.reference, annotation))
        self.link_annotations[id(link)].append(annotation)

    def describe_links(self) -> None:
        """Each link annotation's /Contents: the text a reader sees on the link."""
        import pydyf

        for key, found in self.link_annotations.items():
            text = " ".join("".join(self.link_text.get(key, [])).split()).replace(HYPHEN, "")
            for annotation in found:
                if text:
                    annotation["Contents"] = pydyf.String(text)

    def _headers(self, element, box) -> None:
        """Link data cells to their header cells (/Headers and /ID), across pages."""
        import pydyf

        def rows(table_box):
            for child in table_box.children:
                yield from [child] if child.element_tag == "tr" else rows(child)

        table_key = id(element)
        columns = self.column_headers.setdefault(table_key, defaultdict(list))
        for row in rows(box):
            if getattr(row, "_briefing_artifact", False):
                continue
            i = self.row_counter[table_key]
            self.row_counter[table_key] += 1
            row_headers: list = []
            j = 0
            for cell in row.children:
                mark = getattr(cell, "mark", None)
                if mark is not None and cell.element_tag == "th":
                    ident = pydyf.String(f"{element.number}-{i}-{j}")
                    mark["ID"] = ident
                    scope = cell.element.get("scope") if cell.element is not None else None
                    (row_headers if scope == "row" else columns[j]).append(ident)
                j += cell.colspan
            j = 0
            for cell in row.children:
                mark = getattr(cell, "mark", None)
                if mark is not None and cell.element_tag in ("td", "th"):
                    headers = list(row_headers) if cell.element_tag == "td" else []
                    for span in range(cell.colspan):
                        headers += [h for h in columns[j + span] if h != mark.get("ID")]
                    if headers:
                        mark["A"]["Headers"] = pydyf.Array(headers)
                j += cell.colspan

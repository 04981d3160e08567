"""Join separately laid-out parts into one finished book (pikepdf).

What a single WeasyPrint run would have made, rebuilt across parts:
- pages in order, each with its structure (PDF/UA tags): the parts' top-level structure
  elements go under one /Document, and the parent tree is renumbered (page i keeps key i,
  as WeasyPrint numbers them; link annotations follow after the last page);
- named destinations: every anchor from the part that owns it (a part's stand-ins for
  other parts' anchors are dropped), so links between chapters, which WeasyPrint writes
  as /Dest names, land where they should;
- the outline (bookmarks) of every part, in order;
- the page numbers: a stamp document with one page per book page, laid out with the same
  stylesheet, drawn over each page as an artifact (not content) for assistive technology
  (stamp.py);
- one embedded font per face, not one per part (fonts.py).
The catalog, metadata and document information come from the first part, with the
document's version and publication date added (label()).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from briefing.outputs.pdf import fonts, stamp

STANDINS = Name("/Art")  # how WeasyPrint tags parts.py's <article> of stand-in anchors



class AssemblyError(Exception):
    """A part is not shaped as WeasyPrint makes them; the caller renders in one piece."""


def assemble(parts: Sequence[bytes], owners: dict[str, int], stamps: bytes | None,
             version: str = "", date: str = "", licence: str = "") -> bytes:
    """The book; `version`, `date` (YYYY-MM-DD) and `licence`, if given, go into its
    metadata."""
    # Every source stays open until the book is saved: pikepdf copies stream data then.
    sources = [pikepdf.open(io.BytesIO(data)) for data in parts]
    layer = pikepdf.open(io.BytesIO(stamps)) if stamps is not None else None
    try:
        return _assemble(sources, owners, layer, version, date, licence)
    finally:
        for source in [*sources, layer]:
            if source is not None:
                source.close()


def _assemble(sources: list[pikepdf.Pdf], owners: dict[str, int],
              layer: pikepdf.Pdf | None, version: str, date: str, licence: str = ""
              ) -> bytes:
    book = pikepdf.new()
    first = sources[0]
    # Catalog entries a reader or checker looks at: language, tagging, title display, XMP.
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata"):
        if key in first.Root:
            book.Root[key] = _copied(book, first, first.Root[key])
    book.docinfo = book.copy_foreign(first.docinfo)  # type: ignore[assignment]  # a Dictionary
    label(book, version, date, first.pdf_version, licence)

    offsets = []
    for source in sources:
        offsets.append(len(book.pages))
        # Page by page: pages.extend() copies the same way but warns (PageCopyWarning) that
        # named destinations and form fields do not follow, and add_pages_from() would
        # carry the destinations itself; _destinations() carries them, as owners decide,
        # and WeasyPrint writes no forms.
        for page in source.pages:
            book.pages.append(page)
    total = len(book.pages)

    _structure(book, sources, offsets, total)
    _destinations(book, sources, owners)
    _outline(book, sources, offsets)
    if layer is not None:
        if len(layer.pages) != len(book.pages):
            raise AssemblyError("the page-number layer has another number of pages")
        stamp.draw(book, layer)
    fonts.share(book)
    out = io.BytesIO()
    book.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
              min_version=first.pdf_version)
    return out.getvalue()


def labelled(data: bytes, version: str, date: str, licence: str = "") -> bytes:
    """A PDF WeasyPrint wrote in one run, with label()'s metadata added."""
    if not version and not date and not licence:
        return data
    with pikepdf.open(io.BytesIO(data)) as document:
        label(document, version, date, document.pdf_version, licence)
        out = io.BytesIO()
        document.save(out, deterministic_id=True, min_version=document.pdf_version)
        return out.getvalue()


def label(book: pikepdf.Pdf, version: str, date: str, pdf_version: str,
          licence: str = "") -> None:
    """The document's version and publication date (YYYY-MM-DD) in the metadata WeasyPrint
    wrote: in the XMP as xmpMM:VersionID and dc:date (whose xmp:CreateDate and ModifyDate,
    like the Info dictionary's dates, stay the build's date: SOURCE_DATE_EPOCH or the
    publication date), and in the Info dictionary as a /Version entry of our own (PDF 1.7,
    which WeasyPrint writes for PDF/UA-1, allows any; PDF 2.0 deprecates the dictionary, so
    a `pdf_version` 2.0 file gets the XMP only).
    The text's licence ("CC-BY-4.0 Creative Commons … <address>"), if given, is dc:rights,
    its address xmpRights:WebStatement.
    Nothing here reads the clock: pikepdf is not marked as the metadata's editor."""
    if not version and not date and not licence:
        return
    with book.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        if version:
            xmp["xmpMM:VersionID"] = version
        if date:
            xmp["dc:date"] = [date]
        if licence:
            xmp["dc:rights"] = licence
            xmp["xmpRights:Marked"] = "True"
            address = licence.rpartition(" ")[2]
            if address.startswith("https://"):
                xmp["xmpRights:WebStatement"] = address
    if version and pdf_version < "2.0":
        book.docinfo[Name.Version] = String(version)


def _structure(book: pikepdf.Pdf, sources: list[pikepdf.Pdf], offsets: list[int],
               total: int) -> None:
    """One structure tree for the book: the parts' top-level elements under one /Document;
    parent-tree keys renumbered (pages 0..n-1, then every link annotation)."""
    if not all("/StructTreeRoot" in s.Root for s in sources):
        if any("/StructTreeRoot" in s.Root for s in sources):
            raise AssemblyError("some parts are tagged and others are not")
        return
    root = book.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = book.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document,
                                             P=root, K=Array()))
    root.K = Array([document])
    nums = Array()
    next_key = total
    for source, offset in zip(sources, offsets, strict=True):
        tree = source.Root.StructTreeRoot
        if set(tree.keys()) - {"/Type", "/K", "/ParentTree"} or "/Kids" in tree.ParentTree:
            raise AssemblyError("a part's structure tree has a shape we do not merge")
        kids = tree.K
        if len(kids) != 1 or kids[0].get("/S") != Name.Document:
            raise AssemblyError("a part's structure tree has no single /Document")
        part_document = kids[0]
        part_document.P = Dictionary()  # cut the link up, so copying stops at this part
        found = book.copy_foreign(part_document)
        for kid in found.K:
            if kid.get("/S") == STANDINS and _empty(kid):
                continue  # parts.py's stand-in anchors: nothing to read
            last = document.K[-1] if len(document.K) else None
            if (kid.get("/S") == Name.Part and last is not None
                    and last.get("/S") == Name.Part and _only_elements(kid)):
                # Each part has its own <main>; the book has one: one /Part, as one run.
                for grandchild in _kids(kid):
                    grandchild.P = last
                    last.K.append(grandchild)
                continue
            kid.P = document
            document.K.append(kid)
        entries = source.Root.StructTreeRoot.ParentTree.Nums
        n_pages = len(source.pages)
        annotation_keys = {}
        for i in range(0, len(entries), 2):
            key, value = int(entries[i]), entries[i + 1]
            value = _copied(book, source, value)
            if key < n_pages:
                nums.extend([offset + key, value])  # type: ignore[list-item]  # pikepdf takes ints
                if isinstance(value, Array):
                    for element in value:  # margin-box elements hang off the part's Document
                        parent = element.get("/P") if isinstance(element, Dictionary) else None
                        if parent is not None and parent.objgen == found.objgen:
                            element.P = document
            else:
                annotation_keys[key] = next_key
                nums.extend([next_key, value])  # type: ignore[list-item]
                next_key += 1
        for index in range(n_pages):
            page = book.pages[offset + index].obj
            page.StructParents = offset + index
            for annotation in page.get("/Annots", []):
                parent_key = annotation.get("/StructParent")
                if parent_key is not None:
                    annotation.StructParent = annotation_keys[int(parent_key)]
    root.ParentTree = book.make_indirect(Dictionary(Nums=_sorted_nums(nums)))
    root.ParentTreeNextKey = next_key
    book.Root.StructTreeRoot = root


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _only_elements(element) -> bool:
    """Whether every kid is a structure element (no marked content or object of its own,
    which the parent tree would still map to this element)."""
    return all(isinstance(k, Dictionary) and "/S" in k for k in _kids(element))


def _empty(element) -> bool:
    """A structure element with no content below it (no marked content, no object)."""
    kids = element.get("/K")
    if kids is None:
        return True
    for kid in kids if isinstance(kids, Array) else [kids]:
        if not isinstance(kid, Dictionary) or "/S" not in kid or not _empty(kid):
            return False
    return True


def _copied(book: pikepdf.Pdf, source: pikepdf.Pdf, value):
    """copy_foreign for direct objects too (it takes indirect ones only)."""
    return book.copy_foreign(value if value.is_indirect else source.make_indirect(value))


def _sorted_nums(nums: Array) -> Array:
    pairs = sorted(((int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)),
                   key=lambda pair: pair[0])
    flat = Array()
    for key, value in pairs:
        flat.extend([key, value])  # type: ignore[list-item]
    return flat


def _destinations(book: pikepdf.Pdf, sources: list[pikepdf.Pdf],
                  owners: dict[str, int]) -> None:
    named: dict[str, pikepdf.Object] = {}
    for index, source in enumerate(sources):
        names = source.Root.get("/Names", Dictionary()).get("/Dests")
        if names is None:
            continue
        if "/Kids" in names:
            raise AssemblyError("a part's destinations are a nested name tree")
        flat = names.Names
        for i in range(0, len(flat), 2):
            name = str(flat[i])
            if owners.get(name, index) == index and name not in named:
                named[name] = _copied(book, source, flat[i + 1])
    if named:
        flat = Array()
        for name in sorted(named):  # a name tree's keys are sorted, as WeasyPrint sorts them
            flat.extend([String(name), named[name]])
        book.Root.Names = Dictionary(Dests=Dictionary(Names=flat))


def _outline(book: pikepdf.Pdf, sources: list[pikepdf.Pdf], offsets: list[int]) -> None:
    items = []
    for source, offset in zip(sources, offsets, strict=True):
        pages = {page.objgen: i for i, page in enumerate(source.pages)}
        with source.open_outline() as outline:
            items.extend(_copy_items(book, outline.root, pages, offset))
    if items:
        with book.open_outline() as outline:
            outline.root.extend(items)


def _copy_items(book, items, pages, offset) -> list[pikepdf.OutlineItem]:
    copied = []
    for item in items:
        destination = item.destination
        if not isinstance(destination, Array) or len(destination) < 2:
            raise AssemblyError("an outline item has no explicit destination")
        index = pages[destination[0].objgen]
        target = Array([book.pages[offset + index].obj, *list(destination[1:])])
        new = pikepdf.OutlineItem(item.title, target)
        new.is_closed = item.is_closed
        new.children.extend(_copy_items(book, item.children, pages, offset))
        copied.append(new)
    return copied

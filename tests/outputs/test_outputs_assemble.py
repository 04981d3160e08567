"""Joining separately laid-out parts into one book, on small PDFs made with pikepdf."""

from __future__ import annotations

import io
import warnings

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from briefing.outputs.pdf import assemble


def part(pages: int, dests: dict[str, int], outline: dict[str, int] | None = None,
         tagged: bool = False) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(200, 300))
    flat = Array()
    for name, page in sorted(dests.items()):
        flat.extend([String(name), Array([pdf.pages[page].obj, Name.Fit])])
    pdf.Root.Names = Dictionary(Dests=Dictionary(Names=flat))
    with pdf.open_outline() as tree:
        for title, page in (outline or {}).items():
            tree.root.append(pikepdf.OutlineItem(title, page))
    if tagged:
        pdf.Root.StructTreeRoot = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_pages_destinations_and_bookmarks_land_where_their_part_put_them():
    # Part 0 has a stand-in for "two" (owned by part 1), which must not win.
    first = part(1, {"one": 0, "two": 0}, {"One": 0})
    second = part(2, {"two": 1}, {"Two": 0})
    book = pikepdf.open(io.BytesIO(assemble.assemble([first, second],
                                                     {"one": 0, "two": 1}, None)))
    assert len(book.pages) == 3
    pages = [page.obj.objgen for page in book.pages]
    names = book.Root.Names.Dests.Names
    found = {str(names[i]): pages.index(names[i + 1][0].objgen)
             for i in range(0, len(names), 2)}
    assert found == {"one": 0, "two": 2}
    with book.open_outline() as tree:
        assert [(item.title, pages.index(item.destination[0].objgen))
                for item in tree.root] == [("One", 0), ("Two", 1)]


def test_parts_that_cannot_be_merged_are_refused_for_a_one_piece_render():
    with pytest.raises(assemble.AssemblyError, match="some parts are tagged"):
        assemble.assemble([part(1, {}), part(1, {}, tagged=True)], {}, None)
    with pytest.raises(assemble.AssemblyError, match="another number of pages"):
        assemble.assemble([part(1, {}), part(1, {})], {}, part(3, {}))


def test_copying_pages_with_links_to_named_destinations_warns_nothing():
    # pikepdf's pages.extend() warns (PageCopyWarning) when a copied page has a link to a
    # named destination, as WeasyPrint's links between chapters are; assemble carries
    # the destinations itself and copies page by page, so a build prints no such warning.
    linked = pikepdf.open(io.BytesIO(part(2, {"two": 1})))
    link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([0, 0, 10, 10]),
                      A=Dictionary(S=Name.GoTo, D=String("two")))
    linked.pages[0].obj.Annots = linked.make_indirect(Array([linked.make_indirect(link)]))
    out = io.BytesIO()
    linked.save(out)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        book = pikepdf.open(io.BytesIO(assemble.assemble([part(1, {}), out.getvalue()],
                                                         {"two": 1}, None)))
    assert [str(w.message) for w in caught] == []
    pages = [page.obj.objgen for page in book.pages]
    names = book.Root.Names.Dests.Names
    assert str(names[0]) == "two" and pages.index(names[1][0].objgen) == 2
    assert str(book.pages[1].obj.Annots[0].A.D) == "two"

"""Chapter-level PDF: the book assembled from separately laid-out parts is the same book as
one WeasyPrint run over the whole document: page for page (pixels), page labels, text
(running heads, "Page X of Y", contents numbers), bookmarks, named destinations, links and
the structure tree. Real WeasyPrint for both, on the real briefing's HTML; then an edit that
changes a chapter's page count, so every later page number moves."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pikepdf
import pytest

import pdfread
from briefing.model import config
from briefing.outputs.pdf import assemble, parts
from briefing.outputs.pdf import book as pdfbook
from briefing.runtime import cache
from checkers.pdfua import elements
from conftest import run_cli


def _settings(project: Path, workdir: Path) -> pdfbook.Settings:
    loaded = config.load(project)
    bounds = loaded.config.limits
    workdir.mkdir(parents=True, exist_ok=True)
    return pdfbook.Settings(project, 1700000000, workdir, bounds.weasyprint_seconds,
                            bounds.weasyprint_memory_mib, ("test",), workers=2)


def features(data: bytes) -> dict:
    """What a reader, a PDF viewer and assistive technology see of a PDF."""
    text, pixels = [], []
    with pdfread.pdfium_document(data) as document:
        for page in document:
            text.append(page.get_textpage().get_text_range())
            image = page.render(scale=50 / 72).to_pil().convert("RGB")
            pixels.append(hashlib.sha256(image.tobytes()).hexdigest())
    with pikepdf.open(io.BytesIO(data)) as pdf:
        links = []
        for index, page in enumerate(pdf.pages):
            for annotation in page.obj.get("/Annots") or []:
                rect = tuple(round(float(v), 2) for v in annotation.Rect)
                target = annotation.get("/Dest") or annotation.get("/A", {}).get("/URI")
                links.append((index, rect, str(target)))
        dests = pdfread.destinations(pdf)
        outline = pdfread.outline(pdf)
        labels = [page.label for page in pdf.pages]
        tree = pdf.Root.StructTreeRoot
        structure = [(str(e.S), str(e.get("/Alt", ""))) for e in elements(tree)]
        nums = tree.ParentTree.Nums
        keys = {int(nums[i]) for i in range(0, len(nums), 2)}
        referenced = [int(p.obj.StructParents) for p in pdf.pages]
        referenced += [int(a.StructParent) for p in pdf.pages for a in p.obj.get("/Annots", [])]
        lang = str(pdf.Root.Lang)
    return {"pages": len(text), "labels": labels, "text": text,
            "pixels": pixels, "outline": outline, "dests": dests, "links": links,
            "structure": structure, "lang": lang, "parent_keys_ok": set(referenced) <= keys,
            "parent_keys_unique": len(referenced) == len(set(referenced))}


def _compare(book: bytes, whole: bytes) -> None:
    a, b = features(book), features(whole)
    assert a["parent_keys_ok"] and a["parent_keys_unique"]
    for key in ("pages", "labels", "text", "outline", "dests", "links", "structure", "lang"):
        assert a[key] == b[key], key
    pairs = zip(a["pixels"], b["pixels"], strict=True)
    different = [i + 1 for i, (x, y) in enumerate(pairs) if x != y]
    assert not different, f"pages that look different: {different}"


@pytest.fixture(scope="module")
def real_page(built_real: Path) -> str:
    return (built_real / "build" / ".work" / "briefing.html").read_text("utf-8")


def test_the_real_briefing_splits_into_front_matter_and_chapters(real_page):
    split = parts.split(real_page)
    assert split is not None
    assert len(split.chapters) >= 10
    owners = split.owners()
    assert owners["introduction"] > 0 and owners["toc-introduction"] == 0
    # Every link in a part either lands in the part or has a stand-in there.
    for part in split.chapters:
        assert 'href="#' not in part.html or "briefing-standins" in part.html or all(
            target in part.ids for target in parts.HREF_RE.findall(part.html))


def test_assembled_book_matches_one_run_over_the_whole_document(built_real, real_page,
                                                                tmp_path):
    settings = _settings(built_real, tmp_path / "work")
    book = pdfbook.book(real_page, settings, cache.Cache(tmp_path))
    whole = pdfbook.whole(real_page, settings)
    _compare(book, whole)
    # And the build wrote that same book (its cache key includes the real epoch).
    built = features((built_real / "build" / "briefing.pdf").read_bytes())
    assert built["text"] == features(book)["text"]


def test_a_chapter_that_grows_moves_every_later_page_number(built_real, real_page, tmp_path):
    split = parts.split(real_page)
    # Three pages' worth of new text in the first chapter: later chapters start later.
    filler = "<p>" + " ".join(["A sentence added to make this chapter longer."] * 60) + "</p>"
    first = real_page.index('<section id="introduction"')
    end = real_page.index("</section>", first)
    grown = real_page[:end] + (filler * 3) + real_page[end:]
    settings = _settings(built_real, tmp_path / "work")
    store = cache.Cache(tmp_path)
    before = features(pdfbook.book(real_page, settings, store))
    store.hits.clear()
    book = pdfbook.book(grown, settings, store)
    assert store.hits.count("pdfpart") >= len(split.chapters) - 1  # the others reused
    after = features(book)
    assert after["pages"] > before["pages"]
    moved = {t for _, t, page, _ in after["outline"]} & {t for _, t, _, _ in before["outline"]}
    later = [t for t in moved if dict((x[1], x[2]) for x in after["outline"])[t] !=
             dict((x[1], x[2]) for x in before["outline"])[t]]
    assert later, "no bookmark moved"
    _compare(book, pdfbook.whole(grown, settings))


def test_the_workers_stop_before_the_join_and_do_not_start_for_cached_parts(
        built_real, real_page, tmp_path, monkeypatch):
    """Memory (issue 20): the WeasyPrint workers, large after a long book, are gone while
    the parts are joined; when every part is in the cache, none is started at all."""
    settings = _settings(built_real, tmp_path / "work")
    store = cache.Cache(tmp_path)
    pool = pdfbook.workers(settings)
    running: list[list] = []
    join = assemble.assemble

    def joined(*args):
        running.append([child for child in pool.children if child.poll() is None])
        return join(*args)

    monkeypatch.setattr(assemble, "assemble", joined)
    with pool:
        first = pdfbook.book(real_page, settings, store, pool=pool)
    assert running == [[]]
    again = pdfbook.workers(settings)
    with again:
        assert pdfbook.book(real_page, settings, store, pool=again) == first
        assert again.children == []
    assert len(running) == 2


def test_a_page_that_cannot_be_split_is_laid_out_whole(built_real, real_page, tmp_path):
    odd = real_page.replace("<main>", "<main><div>", 1).replace("</main>", "</div></main>", 1)
    odd = odd.replace("<main><div>", "<div><main>", 1)  # <main> no longer where expected
    assert parts.split(odd) is None
    settings = _settings(built_real, tmp_path / "work")
    store = cache.Cache(tmp_path)
    data = pdfbook.book(odd, settings, store)
    assert "pdfpart" not in store.misses  # no parts were tried
    assert features(data)["pages"] > 10


def test_build_with_parts_matches_cold_build_after_page_count_change(built_real, tmp_path):
    """Through the CLI: a chapter edit that adds pages, rebuilt with a warm cache, gives the
    bytes of a cold build of the edited project."""
    warm = tmp_path / "warm"
    shutil.copytree(built_real, warm, ignore=shutil.ignore_patterns(".work"))
    chapter = warm / "chapters" / "01-introduction.md.j2"
    extra = "\n\n" + "\n\n".join(["An added paragraph that makes the introduction longer. " * 12]
                                 * 12) + "\n"
    chapter.write_text(chapter.read_text("utf-8") + extra, "utf-8")
    result = run_cli(warm, "build")
    assert result.code == 0, result.err
    assert "pdfpart ×" in result.err  # the other chapters came from the cache
    cold = tmp_path / "cold"
    shutil.copytree(warm, cold, ignore=shutil.ignore_patterns("build"))
    result = run_cli(cold, "build")
    assert result.code == 0, result.err
    for name in ("briefing.pdf", "briefing.epub"):
        assert (warm / "build" / name).read_bytes() == (cold / "build" / name).read_bytes(), name

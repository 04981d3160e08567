"""The PDF laid out chapter by chapter: parallel, cached per part, assembled into one book.

    split the HTML (parts.py) -> lay out the parts not in the cache, on every core (workers.py)
    -> a chapter after one whose last page is under a third full runs on (runon.py)
    -> the front matter, its contents carrying the chapters' page numbers
    -> the page-number layer ("Page X of Y") for the whole book
    -> join them (assemble.py)

A part's layout does not depend on the page it starts on: nothing in a chapter shows a page
number except the footer, which is stamped afterwards. So an edit lays out the edited chapter
again and reuses every other; when its page count changes, only the contents page and the
page-number layer (a fraction of a second each) follow. The result has the same pages, page
numbers, contents numbers, bookmarks, named destinations and links as laying out the whole
document in one run (tests/test_pdfbook.py compares them); where the HTML does not have the
shape this needs, or a part cannot be joined, the whole document is laid out in one run.
"""

from __future__ import annotations

import ctypes.util
import functools
import html as htmllib
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from briefing import TEMPLATES
from briefing.outputs import styling
from briefing.outputs.base import Output
from briefing.outputs.job import Job
from briefing.outputs.pdf import assemble, parts, runon
from briefing.outputs.pdf import workers as pdf
from briefing.runtime import cache

ENGINE = TEMPLATES
MAX_WORKERS = 4  # each worker holds a WeasyPrint; more rarely pays on a laptop


@dataclass
class Settings:
    project_root: Path
    epoch: int
    workdir: Path
    seconds: float
    memory_mib: float
    key: tuple[str, ...]           # what every layout depends on besides its HTML
    workers: int | None = None     # default: the cores this process may use
    version: str = ""              # the document's version and publication date (YYYY-MM-DD)
    date: str = ""                 # for the book's metadata (assemble.label), not its layout
    # The project's style ([style]; outputs/styling.py): its print stylesheet, written to
    # the work folder, in place of print.css; its text block's top and bottom margins in
    # points (runon.py measures with them); whether chapters follow on the page.
    style_css: Path | None = None
    block: tuple[float, float] | None = None
    continuous: bool = False
    licence: str = ""              # the text's licence (name and address), for the XMP


def _css(settings: Settings, layer: str | None = None) -> list[Path]:
    """The stylesheets of a layout: print.css (or the project's styled copy of it), then
    part.css or stamp.css for a part of the book or its page-number layer."""
    base = settings.style_css or ENGINE / "print.css"
    return [base] if layer is None else [base, ENGINE / layer]


def _css_key(path: Path) -> str:
    """A stylesheet as the cache knows it: the engine's by name (the engine's digest is in
    every key), the project's styled one by its content."""
    if path.is_relative_to(ENGINE):
        return str(path.relative_to(ENGINE))
    return cache.digest("css", path.read_text("utf-8"))


@dataclass
class _Laid:
    pdf: bytes
    page_names: list[str]
    warnings: list[str]  # WeasyPrint's, kept with the part so a reused part still says them

    def pack(self) -> bytes:
        header = {"pages": self.page_names, "warnings": self.warnings}
        return json.dumps(header).encode("utf-8") + b"\n" + self.pdf

    @classmethod
    def unpack(cls, data: bytes) -> _Laid:
        header, _, body = data.partition(b"\n")
        found = json.loads(header)
        return cls(body, found["pages"], found["warnings"])


def whole(page: str, settings: Settings, store: cache.Cache | None = None) -> bytes:
    """The whole document in one WeasyPrint run (the reference the book must match), with
    the same chapters running on as in the book: measured on its parts (runon.py)."""
    split = parts.split(page)
    if split is not None and split.chapters:
        with _Layout(settings, store or cache.Cache(settings.workdir), lambda s: None) as layout:
            _, _, groups = _settle(split, layout.run(_chapter_jobs(split, settings), "parts"),
                                   layout)
        page = split.marked(page, groups)
    data, _ = pdf.render(page, settings.project_root, _css(settings), settings.epoch,
                         settings.workdir, settings.seconds, settings.memory_mib)
    return assemble.labelled(data, settings.version, settings.date, settings.licence)


def workers(settings: Settings) -> pdf.Workers:
    """The worker pool for book(); start() it early to overlap WeasyPrint's import."""
    cores = settings.workers or min(MAX_WORKERS, len(os.sched_getaffinity(0)))
    return pdf.Workers(settings.project_root, settings.epoch, settings.workdir, cores,
                       settings.seconds, settings.memory_mib)


def book(page: str, settings: Settings, store: cache.Cache,
         step: Callable[[str], None] = lambda s: None,
         pool: pdf.Workers | None = None, notes: list[str] | None = None) -> bytes:
    """The book; `pool` (from workers()) is used if given, and then closed by the caller.
    WeasyPrint's warnings, and why the book was laid out in one run if it was, are added
    to `notes` for the author."""
    notes = notes if notes is not None else []
    split = parts.split(page)
    if split is None or not split.chapters:
        notes.append("WeasyPrint (PDF): laid out in one run, not chapter by chapter (slower):"
                     " the HTML page has no chapters to lay out apart")
        return whole(page, settings)
    with _Layout(settings, store, step, pool) as layout:
        try:
            data = _book(split, layout)
            notes += layout.warnings
            return data
        except assemble.AssemblyError as exc:
            reason = str(exc)
    notes.append(f"WeasyPrint (PDF): laid out in one run, not chapter by chapter (slower): "
                 f"the parts could not be joined: {reason}")
    return whole(page, settings, store)


class _Layout:
    """Lays out documents through the cache; starts workers only when something is missing."""

    def __init__(self, settings: Settings, store: cache.Cache, step, pool=None):
        self.settings, self.store, self.step = settings, store, step
        self.workers: pdf.Workers | None = pool
        self.owned = pool is None
        self.dir = settings.workdir / "parts"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.laid_out = self.reused = 0
        self.warnings: list[str] = []

    def __enter__(self) -> _Layout:
        return self

    def __exit__(self, *exc) -> None:
        if self.workers is not None and self.owned:
            self.workers.close()

    def release(self) -> None:
        """No more layout: the workers stop now (under `briefing watch` they wait for the
        next build), not when the caller closes them after the join. Laying out again
        after this starts new ones."""
        if self.workers is not None:
            self.workers.close(keep=not self.owned)
            self.workers, self.owned = None, True

    def run(self, jobs: list[tuple[str, str, list[Path], bool]], what: str) -> list[_Laid]:
        """jobs: (name, html, stylesheets, tagged); answers in the same order."""
        # Not the part's place in the book: a chapter laid out once serves wherever it is.
        keys = [cache.digest("pdfpart", *self.settings.key, html,
                             *(_css_key(p) for p in css), str(tagged))
                for _, html, css, tagged in jobs]
        found: dict[int, _Laid] = {}
        for i, key in enumerate(keys):
            data = self.store.get("pdfpart", key)
            if data is not None:
                found[i] = _Laid.unpack(data)
        missing = [i for i in range(len(jobs)) if i not in found]
        self.reused += len(found)
        if missing:
            self.laid_out += len(missing)
            self.step(f"WeasyPrint: laying out {what}" + (
                f" ({len(missing)} of {len(jobs)}; the rest from the cache)"
                if len(jobs) > 2 and len(missing) < len(jobs) else f" ({len(jobs)})"
                if len(jobs) > 2 else ""))
            work = []
            for i in missing:
                name, html, css, tagged = jobs[i]
                subject = self.dir / f"{name}.html"
                subject.write_text(html, "utf-8")
                work.append(pdf.Job(html, subject, css, tagged))
            laid_out = self._workers(len(missing)).run(
                work, lambda n, total: self.step(f"  {n} of {total} laid out"))
            for i, laid in zip(missing, laid_out, strict=True):
                found[i] = _Laid(laid.pdf, laid.page_names, laid.warnings)
                self.store.put("pdfpart", keys[i], found[i].pack())
        for i in range(len(jobs)):
            self.warnings += [f"WeasyPrint (PDF): {text}" for text in found[i].warnings
                              if f"WeasyPrint (PDF): {text}" not in self.warnings]
        return [found[i] for i in range(len(jobs))]

    def _workers(self, wanted: int) -> pdf.Workers:
        if self.workers is None:
            self.workers = workers(self.settings)
        return self.workers


def _chapter_jobs(split: parts.Split, settings: Settings
                  ) -> list[tuple[str, str, list[Path], bool]]:
    return [(f"{i:03d}-{part.name}", part.html, _css(settings, "part.css"), True)
            for i, part in enumerate(split.chapters, start=1)]


def _continuous(split: parts.Split) -> list[list[int]]:
    """[style] chapters = "continuous": every chapter runs on after the one before, except
    one its author marks {.new-page}."""
    groups: list[list[int]] = []
    for i, part in enumerate(split.chapters):
        if groups and runon.may_run_on(part.piece):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _settle(split: parts.Split, body: list[_Laid], layout: _Layout
            ) -> tuple[parts.Split, list[_Laid], list[list[int]]]:
    """Where a chapter's last page is under a third full, the next chapter runs on after it
    (runon.py): the two are laid out as one part, and measured again, until no chapter end
    is short or the next chapter must start a page. Returns the parts, their layouts and
    the groups of chapters (indexes into split.chapters) each part holds."""
    groups = [[i] for i in range(len(split.chapters))]
    laid: dict[tuple[int, ...], _Laid] = {(i,): part for i, part in enumerate(body)}
    css = _css(layout.settings, "part.css")

    def lay_out(groups: list[list[int]]) -> None:
        """The groups not laid out yet, each as one part, in one run of the workers."""
        grouped = split.grouped(groups)
        new = [(group, part) for group, part in zip(groups, grouped.chapters, strict=True)
               if tuple(group) not in laid]
        found = layout.run([(f"{group[0] + 1:03d}-{part.name}", part.html, css, True)
                            for group, part in new], "chapters that run on")
        laid.update({tuple(group): part for (group, _), part in zip(new, found, strict=True)})

    if layout.settings.continuous:
        groups = _continuous(split)
        lay_out(groups)
    block = layout.settings.block
    for _ in range(len(groups)):  # each round joins two groups or ends
        joined: list[list[int]] = []
        i = 0
        while i < len(groups):
            if (i + 1 < len(groups)
                    and runon.may_run_on(split.chapters[groups[i + 1][0]].piece)
                    and runon.last_page_fill(laid[tuple(groups[i])].pdf, block) < runon.SHORT):
                joined.append(groups[i] + groups[i + 1])
                i += 2
            else:
                joined.append(groups[i])
                i += 1
        if joined == groups:
            break
        groups = joined
        lay_out(groups)
    return split.grouped(groups), [laid[tuple(group)] for group in groups], groups


def _book(split: parts.Split, layout: _Layout) -> bytes:
    # The front matter with placeholder numbers, laid out alongside the chapters, tells how
    # many pages it takes (a number's value does not change its layout).
    placeholder = split.front_html({target: 0 for target in split.toc_targets()})
    settings = layout.settings
    part_css = _css(settings, "part.css")
    laid = layout.run([*_chapter_jobs(split, settings),
                       ("000-front-draft", placeholder, part_css, True)], "parts")
    split, body, _ = _settle(split, laid[:-1], layout)
    front_pages = len(laid[-1].page_names)
    anchors = [_anchor_pages(part.pdf) for part in body]
    draft_names = laid[-1].page_names
    for _ in range(3):
        numbers: dict[str, int] = {}
        start = front_pages + 1
        for part, found in zip(body, anchors, strict=True):
            for name, index in found.items():
                numbers.setdefault(name, start + index)
            start += len(part.page_names)
        # The page-number layer assumes the front matter keeps its length; checked below.
        names = draft_names + [name for part in body for name in part.page_names]
        front, stamps = layout.run(
            [("000-front", split.front_html(numbers), part_css, True),
             ("000-stamps", _stamp_document(split.head, names), _css(settings, "stamp.css"),
              False)],
            "contents and page numbers")
        if front.page_names == draft_names:
            break
        front_pages, draft_names = len(front.page_names), front.page_names  # relaid: again
    else:
        raise assemble.AssemblyError("the front matter's page count does not settle")
    # Everything is laid out: the workers' memory (about 200 MiB each after a long book)
    # is given back before the join, which needs as much again in this process.
    layout.release()
    return assemble.assemble([front.pdf, *(part.pdf for part in body)], split.owners(),
                             stamps.pdf, settings.version, settings.date, settings.licence)


def _anchor_pages(data: bytes) -> dict[str, int]:
    """Anchor name -> page index within the part, from the part's named destinations."""
    with pikepdf.open(io.BytesIO(data)) as document:
        index = {page.obj.objgen: i for i, page in enumerate(document.pages)}
        names = document.Root.get("/Names", pikepdf.Dictionary()).get("/Dests")
        if names is None:
            return {}
        if "/Kids" in names:
            raise assemble.AssemblyError("a part's destinations are a nested name tree")
        flat = names.Names
        return {str(flat[i]): index[flat[i + 1][0].objgen] for i in range(0, len(flat), 2)}


def _stamp_document(head: str, page_names: list[str]) -> str:
    """One empty page per book page, each on the same named page as the book's, so that
    print.css's margin rules (no number on the cover) apply to it as they do to the book."""
    pages = "".join(
        f'<div class="stamp" style="page: {htmllib.escape(name)}"></div>' if name
        else '<div class="stamp"></div>' for name in page_names)
    return f"{head}\n{pages}\n</body>\n</html>\n"


class PdfOutput(Output):
    """The print PDF. Its WeasyPrint workers start with the other formats' Pandoc runs,
    while this process is still small (starting one forks it), but import WeasyPrint only
    with their first part: beside the Pandoc runs, which on a long document take the most
    memory of a build, they hold about 13 MiB each, not 55."""

    name = "pdf"
    uses_page = True

    def start(self, job: Job) -> None:
        bounds, document = job.project.config.limits, job.project.config.document
        style_css, styled_key = _styled(job)
        style = job.project.config.style
        self.settings = Settings(
            job.project.root, job.epoch, job.workdir,
            bounds.weasyprint_seconds, bounds.weasyprint_memory_mib,
            (cache.engine(), cache.tool("weasyprint"), cache.tool("pikepdf"), _harfbuzz_subset(),
             job.images, str(job.epoch), *styled_key),
            version=document.version, date=document.date.isoformat(),
            style_css=style_css,
            block=styling.text_block_pt(style) if style.margins else None,
            continuous=style.chapters == "continuous", licence=document.rights())
        self.pool: pdf.Workers | None = workers(self.settings)
        self.pool.start()
        # The book is made as soon as the page is ready, in the background: another
        # edition's book is laid out and joined beside this one, not after it. Its error,
        # if any, is raised by finish(), in the formats' and editions' order.
        self.made = job.pool.submit(self._make, job)

    def _make(self, job: Job) -> bytes:
        page = job.page()
        job.step("WeasyPrint: HTML -> PDF")
        # The version and date are in the book's metadata, not (all) in its parts.
        key = cache.digest("pdf", *self.settings.key, self.settings.version,
                           self.settings.date, page)
        return job.store.through("pdf", key, lambda: book(page, self.settings, job.store,
                                                          job.step, self.pool, job.warnings))

    def finish(self, job: Job) -> bytes:
        data = self.made.result()
        # Before the EPUB's cover: the workers' memory is free again (or, under `briefing
        # watch`, they wait for the next build).
        self.close(keep=True)
        return data

    def close(self, keep: bool = False) -> None:
        """Stop the workers; `keep` only from finish(): after a failure none is kept."""
        pool = getattr(self, "pool", None)
        if pool is not None:
            pool.close(keep)
            self.pool = None


def _styled(job: Job) -> tuple[Path | None, tuple[str, ...]]:
    """The project's print stylesheet ([style]), written to the work folder, and what it
    adds to the layouts' key: nothing for a project without a style."""
    project = job.project
    if not styling.styled(project):
        return None, ()
    style = project.config.style
    short = job.lang.text(style.short_title) if style.short_title else None
    css = styling.print_css(project, short)
    path = job.workdir / "style-print.css"
    path.write_text(css, "utf-8")
    return path, (cache.digest("style", css, styling.digest(project)),)


@functools.cache
def _harfbuzz_subset() -> str:
    """WeasyPrint subsets fonts with HarfBuzz when the library is there, else with
    fontTools: the bytes differ, so the choice is part of the PDF's cache key."""
    return "hb-subset" if ctypes.util.find_library("harfbuzz-subset") else "fonttools"

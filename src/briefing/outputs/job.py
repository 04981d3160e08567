"""One edition's Pandoc job: what every format of it shares. The composed Markdown read by
Pandoc chapter by chapter where each can be read alone (ast.py), its paragraphs numbered
(paragraphs.py) and its citations resolved; the HTML page written chapter by chapter
(pages.py) and checked by the sanitiser; the EPUB's and DOCX's Pandoc runs in the
background. Each result cached (runtime/cache.py) with its warnings, so an incremental
build warns as a cold one does; the warnings that mean a wrong document stop the build
(locate.py). A format is an Output (base.py) that asks its job for these.
"""

from __future__ import annotations

import functools
import json
import mimetypes
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from briefing import TEMPLATES, files
from briefing.compose import changelog, changes
from briefing.compose.document import Composed
from briefing.compose.language import Localised
from briefing.model import releases
from briefing.model.load import Model
from briefing.model.project import Project
from briefing.outputs import ast, identifiers, locate, pages, pandoc, paragraphs, sanitise
from briefing.runtime import cache

PART = "part.md"  # what a cached part's warnings name as their file, wherever it was read


@dataclass
class Job:
    """One edition to render: its composed document, written to Markdown for Pandoc, and
    what the formats share (the cache, a thread pool, Pandoc's HTML page)."""

    project: Project
    epoch: int
    lang: Localised
    composed: Composed
    inputs: pandoc.Inputs
    store: cache.Cache
    step: Callable[[str], None]
    pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(
        max_workers=4, thread_name_prefix="briefing"))
    results: dict[str, bytes] = field(default_factory=dict)
    warnings: list = field(default_factory=list)  # Problems or texts, shown to the author
    _page: Future | None = None
    _violations: list | None = None  # the page's, once checked
    _checking: threading.Lock = field(default_factory=threading.Lock)
    # The format named in the warnings of reading and resolving, which every format shares:
    # fixed before the formats start (render.py), so the first to ask does not decide it.
    reading_stage: str = "HTML"
    _resolved: str | BaseException | None = None
    document: dict = field(default_factory=dict)  # the resolved document, once resolved
    _resolving: threading.Lock = field(default_factory=threading.Lock)
    # The release this build updates (Model.previous): its paragraphs' identifiers are
    # kept (paragraphs.py). Once resolved, this build's paragraphs and the identifiers
    # retired, for the next release record.
    previous: releases.Release | None = None
    # Every release before this version, oldest first (the numbers given out, and those a
    # paragraph had), and whether to number by place (a release made with --renumber).
    history: list[releases.Release] = field(default_factory=list)
    renumber: bool = False
    paragraphs: list[releases.Paragraph] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    # The model the document was composed from: the argument exports read the seeds' data
    # from it, not from the document (outputs/arguments).
    model: Model | None = None

    @property
    def workdir(self) -> Path:
        return self.inputs.workdir

    @functools.cached_property
    def tools(self) -> tuple[str, ...]:
        """What every Pandoc run depends on: the engine (filters, templates) and Pandoc."""
        return (cache.engine(), cache.tool("pypandoc-binary", pandoc.binary()), str(self.epoch))

    def resolved(self) -> str:
        """The resolved JSON AST written for the writers (ast.py); returns its cache key,
        which every output made from it extends. Made once, by the first format to ask."""
        with self._resolving:
            if self._resolved is None:
                try:
                    self._resolved = self._resolve(self.reading_stage)
                except BaseException as exc:  # the other formats fail with it, not again
                    self._resolved = exc
                    raise
            if isinstance(self._resolved, BaseException):
                raise self._resolved
            return self._resolved

    def _resolve(self, stage: str) -> str:
        markdown = self.composed.markdown
        csl = self.inputs.csl.read_text("utf-8")
        apart = ast.apart(markdown, csl)
        document = self._read_document(markdown, stage, typeset=apart)
        self._number(document)
        sources = (*self.tools, self.inputs.bibliography.read_text("utf-8"),
                   files.digest(self.inputs.csl, self.project.root))
        # What every output extends: the inputs of resolving, not its result, which
        # names the bibliography's path (a moved project keeps its cache).
        key = cache.digest("resolved", *sources, ast.dump(document))
        found = ast.citations(document["blocks"]) if apart else None
        if found is not None:
            # citeproc and typography over the citations alone, cached by them: an edit
            # that changes no citation runs neither.
            small = ast.citations_document(document, found)
            resolved = json.loads(self._resolved_run(small, sources, stage))
            if ast.put_back(found, resolved):
                self.document = {**document, "meta": resolved["meta"]}
                self.inputs.resolved.write_bytes(ast.dump(self.document))
                return key
        if apart:  # read again without typography, which comes after citeproc here
            document = self._read_document(markdown, None, typeset=False)
            self._number(document)
        data = self._resolved_run(ast.dump(document), sources, stage)
        self.inputs.resolved.write_bytes(data)
        self.document = json.loads(data)
        return key

    def _number(self, document: dict) -> None:
        """Number the paragraphs (keeping the released numbers), then list in the
        changelog the paragraphs added, removed, reworded and renumbered since the release
        this build updates: known only now, so the section's Div waits for them."""
        ast.number_paragraphs(document["blocks"], self._identify)
        target = ast.find_div(document["blocks"], changelog.PARAGRAPHS)
        if target is None or self.previous is None:
            return
        before = self.previous.record.editions.get(self.lang.edition.id)
        found = changes.paragraph_changes(before.paragraphs if before else [],
                                          self.paragraphs, continued=True)
        tree, _ = self._read(900, changelog.paragraph_entries(found, self.lang))
        target["c"][1].extend(tree["blocks"])

    def _identify(self, found: list[tuple[str, dict]]) -> list[tuple[str, str, list[str]]]:
        """The numbered paragraphs' printed numbers (kept from the releases before this
        version, paragraphs.py), anchors and the anchors of their earlier numbers; they
        are in the resolved document, so every key made from it (the resolved run, each
        chapter's HTML, the EPUB, the DOCX) changes with them."""
        edition = self.lang.edition.id
        current = [(label, paragraphs.plain_text(block)) for label, block in found]
        previous = self.previous.record.editions.get(edition) if self.previous else None
        numbered, self.retired = paragraphs.assign(
            current, previous, paragraphs.given(self.history, edition), self.renumber)
        self.paragraphs = [n.record() for n in numbered]
        others = paragraphs.aliases(self.history, edition, numbered)
        return [(n.label, n.id, names) for n, names in zip(numbered, others, strict=True)]

    def _resolved_run(self, source: bytes, sources: tuple[str, ...], stage: str) -> bytes:
        """citeproc and typography.lua over a JSON document, cached by it."""
        path = self.workdir / "joined.json"
        path.write_bytes(source)
        output = self.workdir / "resolved.json"
        data, messages = self._logged("resolved", cache.digest("resolved", *sources, source),
                                      lambda: (pandoc.resolve(self.inputs, path, output),
                                               output.read_bytes()))
        self.pandoc_warnings(messages, stage)
        return data

    def _read_document(self, markdown: str, stage: str | None, typeset: bool) -> dict:
        """The composed Markdown as one JSON document: chapter by chapter where each can
        be read alone, else whole. Pandoc's warnings are shown unless `stage` is None."""
        starts = [start for start, _ in self.composed.starts]
        texts = ast.segments(markdown, starts)
        read: list[tuple[dict, list[dict]]] = []
        if ast.splittable(texts[1:]):
            # The metadata header has no text to mark.
            read = ast.read_all(texts, lambda i, text: self._read(i, text, typeset and i > 0))
            # Automatic heading ids as a whole read numbers them ("Part 1" twice: part-1-1).
            chapters = identifiers.renumber([tree for tree, _ in read[1:]], texts[1:])
            read = [] if chapters is None else [read[0], *(
                (tree, messages) for tree, (_, messages) in zip(chapters, read[1:], strict=True))]
        if not read or not ast.distinct([tree for tree, _ in read[1:]]):
            read, starts = [self._read(0, markdown, typeset)], []  # whole, as Pandoc always did
        if stage is not None:
            # Warnings in the document's order, at their lines in it, whichever part was
            # read now and whichever was found in the cache.
            for (_, messages), at in zip(read, [0, *starts], strict=True):
                self.pandoc_warnings(pandoc.relocated(messages, Path(PART), self.inputs.markdown,
                                                      markdown.count("\n", 0, at)), stage)
        return ast.join(read[0][0], [tree for tree, _ in read[1:]])

    @functools.cached_property
    def typography(self) -> tuple[Path, str]:
        """The metadata file a typesetting read gets: typography.lua's names and languages,
        and the word to leave citations for later; and its text, for the cache key."""
        text = json.dumps({"typography": self.composed.metadata.get("typography", {}),
                           ast.LATER: True}, ensure_ascii=False, sort_keys=True)
        path = self.workdir / "typography.json"
        path.write_text(text, "utf-8")
        return path, text

    def _read(self, index: int, text: str, typeset: bool = False) -> tuple[dict, list[dict]]:
        """One part of the document (the metadata header, a chapter) read alone, cached by
        its text alone: its warnings' lines count from the part's first line."""
        metadata, words = self.typography if typeset else (None, "")
        key = cache.digest("read", *self.tools, words, text)
        folder = self.workdir / "read"
        folder.mkdir(exist_ok=True)
        source, output = folder / f"{index:03d}.md", folder / f"{index:03d}.json"

        def make() -> tuple[list[dict], bytes]:
            source.write_text(text, "utf-8")
            messages = pandoc.read(self.inputs, source, output, metadata)
            return pandoc.relocated(messages, source, Path(PART), 0), output.read_bytes()

        data, messages = self._logged("read", key, make)
        tree = json.loads(data)
        if typeset:  # the metadata file's settings are the read's, not the document's
            tree["meta"].pop(ast.LATER, None)
            if index > 0:  # a chapter; the whole document has its own names
                tree["meta"].pop("typography", None)
        return tree, messages

    def _logged(self, kind: str, key: str, make: Callable[[], tuple[list[dict], bytes]]
                ) -> tuple[bytes, list[dict]]:
        """A cached Pandoc result together with its warnings, which the caller shows (or
        stops on) whether the result was made now or found: an incremental build warns as
        a cold one does."""
        found = self.store.get(kind, key)
        if found is not None:
            log, _, data = found.partition(b"\n")
            return data, json.loads(log)
        messages, data = make()
        self.store.put(kind, key, json.dumps(messages, sort_keys=True).encode("utf-8")
                       + b"\n" + data)
        return data, messages

    @functools.cached_property
    def images(self) -> str:
        """Name and content of every local image the document uses (checked by compose)."""
        return "\n".join(f"{src}:{files.digest(self.project.root / src, self.project.root)}"
                         for src in self.composed.images())

    @functools.cached_property
    def resources(self) -> Path:
        """The local images the EPUB and DOCX may embed: Pandoc's sandbox reads no images;
        our Lua filter (resources.lua) embeds exactly these."""
        allowed = {}
        for src in self.composed.images():
            path = os.path.realpath(self.project.root / src)
            mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
            allowed[src] = {"path": path, "mime": mime}
        target = self.workdir / "resources.json"
        target.write_text(json.dumps(allowed, sort_keys=True), "utf-8")
        return target

    def start_page(self) -> None:
        """Pandoc's HTML page (the PDF's and the HTML's source; made for a DOCX too, so
        that its links are checked), in the background."""
        if self._page is None:
            self.step("Pandoc: Markdown -> HTML")
            self._page = self.pool.submit(self._html_page)

    def page(self) -> str:
        """The HTML page, checked once against the sanitiser's allow-list; a page refused
        is refused to every caller (the PDF asks from its own thread)."""
        self.start_page()
        assert self._page is not None
        page = self._page.result()
        with self._checking:
            if self._violations is None:
                self._violations = sanitise.check_page(page, self.store)
        locate.refuse(self._violations, self.project, self.composed)
        return page

    def _html_page(self) -> str:
        key = cache.digest("html", self.resolved())
        found = self.store.get("html", key)
        if found is not None:
            return found.decode("utf-8")
        page = self._html_by_chapter()
        if page is None:
            page, warnings = pandoc.to_html(self.inputs, TEMPLATES / "briefing.html")
            self.pandoc_warnings(warnings, "HTML")
        else:
            self.saved("briefing.html", page.encode("utf-8"))  # kept to look at, as Pandoc's
        self.store.put("html", key, page.encode("utf-8"))
        return page

    def _html_by_chapter(self) -> str | None:
        """The page as the shell's, each chapter's section written alone and cached by
        the chapter (pages.py); None when the document must be written whole."""
        self.resolved()
        document = self.document
        parts = pages.chapters(document["blocks"])
        if parts is None:
            return None
        folder = self.workdir / "html"
        folder.mkdir(exist_ok=True)
        meta = ast.for_key({**document, "blocks": []})

        def write(index: int, part: list[dict], offset: int) -> tuple[str, list[dict]]:
            blocks = json.dumps(part, ensure_ascii=False, separators=(",", ":"))
            key = cache.digest("htmlchapter", *self.tools, meta, str(offset), blocks)
            data = ast.dump({**document, "blocks": part})
            source, output = folder / f"{index:03d}.json", folder / f"{index:03d}.html"

            def make() -> tuple[list[dict], bytes]:
                source.write_bytes(data)
                return pandoc.html_chapter(self.inputs, source, output, offset), \
                    output.read_bytes()

            text, messages = self._logged("htmlchapter", key, make)
            return text.decode("utf-8"), messages

        written = ast.read_all(list(zip(parts, pages.offsets(parts), strict=True)),
                               lambda i, job: write(i, *job))
        shell = {**document, "blocks": pages.shell(parts)}

        def fill() -> tuple[list[dict], bytes]:
            (folder / "shell.json").write_bytes(ast.dump(shell))
            page, warnings = pandoc.to_html(self.inputs, TEMPLATES / "briefing.html",
                                            folder / "shell.json", folder / "shell.html")
            return warnings, page.encode("utf-8")

        # The contents and the page around the chapters: cached by the headings.
        data, warnings = self._logged("htmlshell", cache.digest(
            "htmlshell", *self.tools, ast.for_key(shell)), fill)
        spliced = pages.splice(data.decode("utf-8"), [text for text, _ in written],
                               [part[0]["c"][1][0] for part in parts])
        if spliced is not None:
            for _, messages in written:
                self.pandoc_warnings(messages, "HTML")
            self.pandoc_warnings(warnings, "HTML")
        return spliced

    def pandoc_zip(self, fmt: str, run: Callable) -> Future:
        """A Pandoc run that writes an archive (EPUB, DOCX), cached, in the background."""
        self.step(f"Pandoc: Markdown -> {fmt.upper()}")

        def make() -> bytes:
            key = cache.digest(fmt, self.resolved(), self.images)
            found = self.store.get(fmt, key)
            if found is not None:
                return found
            raw = self.workdir / f"pandoc-{fmt}.{fmt}"
            self.pandoc_warnings(run(self.inputs, raw, self.resources), fmt.upper())
            data = raw.read_bytes()
            self.store.put(fmt, key, data)
            return data

        return self.pool.submit(make)

    def pandoc_warnings(self, warnings: list[dict], stage: str) -> None:
        """Stop on the warnings that mean a wrong document; keep the others for the author."""
        locate.fail_on(warnings, self.composed, stage)
        self.warnings += locate.notes(warnings, self.composed, stage)

    def saved(self, name: str, data: bytes) -> Path:
        path = self.workdir / name
        path.write_bytes(data)
        return path

"""What every output format shares: the job of one edition, and the interface a format
implements (as Sphinx builders or Pelican writers are): adding a format is adding a
module with an Output class and naming it in outputs/__init__.py, not a branch in the
recipe.

A format starts its slow work early (a Pandoc run in a thread, WeasyPrint workers
importing) and is finished later, in a fixed order, so that independent work runs in
parallel while the error reported for a broken input is always the same one.
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
from typing import ClassVar

from briefing import TEMPLATES, files
from briefing.compose.document import Composed
from briefing.compose.language import Localised
from briefing.model.config import Project
from briefing.outputs import ast, locate, pandoc, sanitise
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
        max_workers=3, thread_name_prefix="briefing"))
    results: dict[str, bytes] = field(default_factory=dict)
    warnings: list = field(default_factory=list)  # Problems or texts, shown to the author
    _page: Future | None = None
    _page_checked: bool = False
    # The format named in the warnings of reading and resolving, which every format shares:
    # fixed before the formats start (render.py), so the first to ask does not decide it.
    reading_stage: str = "HTML"
    _resolved: str | BaseException | None = None
    _resolving: threading.Lock = field(default_factory=threading.Lock)

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
        starts = [start for start, _ in self.composed.starts]
        texts = ast.segments(markdown, starts)
        read: list[tuple[dict, list[dict]]] = []
        if ast.splittable(texts[1:]):
            read = ast.read_all(texts, self._read)
        if not read or not ast.distinct([tree for tree, _ in read[1:]]):
            read, starts = [self._read(0, markdown)], []  # read whole, as Pandoc always did
        # Warnings in the document's order, at their lines in it, whichever part was read
        # now and whichever was found in the cache.
        for (_, messages), at in zip(read, [0, *starts], strict=True):
            self.pandoc_warnings(pandoc.relocated(messages, Path(PART), self.inputs.markdown,
                                                  markdown.count("\n", 0, at)), stage)
        joined = ast.join(read[0][0], [tree for tree, _ in read[1:]])
        key = cache.digest("resolved", *self.tools, joined,
                           self.inputs.bibliography.read_text("utf-8"),
                           files.digest(self.inputs.csl, self.project.root))
        source = self.workdir / "joined.json"
        source.write_bytes(joined)
        data, messages = self._logged("resolved", key, lambda: (
            pandoc.resolve(self.inputs, source), self.inputs.resolved.read_bytes()))
        self.pandoc_warnings(messages, stage)
        self.inputs.resolved.write_bytes(data)
        return key

    def _read(self, index: int, text: str) -> tuple[dict, list[dict]]:
        """One part of the document (the metadata header, a chapter) read alone, cached by
        its text alone: its warnings' lines count from the part's first line."""
        key = cache.digest("read", *self.tools, text)
        folder = self.workdir / "read"
        folder.mkdir(exist_ok=True)
        source, output = folder / f"{index:03d}.md", folder / f"{index:03d}.json"

        def make() -> tuple[list[dict], bytes]:
            source.write_text(text, "utf-8")
            messages = pandoc.read(self.inputs, source, output)
            return pandoc.relocated(messages, source, Path(PART), 0), output.read_bytes()

        data, messages = self._logged("read", key, make)
        return json.loads(data), messages

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
        """The HTML page, checked once against the sanitiser's allow-list."""
        self.start_page()
        assert self._page is not None
        page = self._page.result()
        if not self._page_checked:
            self._page_checked = True
            locate.refuse(sanitise.check_page(page), self.project, self.composed)
        return page

    def _html_page(self) -> str:
        key = cache.digest("html", self.resolved())
        found = self.store.get("html", key)
        if found is not None:
            return found.decode("utf-8")
        page, warnings = pandoc.to_html(self.inputs, TEMPLATES / "briefing.html")
        self.pandoc_warnings(warnings, "HTML")
        self.store.put("html", key, page.encode("utf-8"))
        return page

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


class Output:
    """One format of one edition."""

    name: ClassVar[str]            # as in briefing.toml's build.formats
    uses_page: ClassVar[bool] = False  # needs Pandoc's HTML page (Job.page)

    def start(self, job: Job) -> None:
        """Begin the slow work, in the background where it can run beside the others."""

    def finish(self, job: Job) -> bytes:
        """The finished file; outputs finish in the order of outputs.FORMATS."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what start() took (processes, memory), whether or not it finished."""

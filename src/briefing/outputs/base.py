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
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from briefing import TEMPLATES, files
from briefing.compose.document import Composed
from briefing.compose.language import Localised
from briefing.model.config import Project
from briefing.outputs import locate, pandoc, sanitise
from briefing.runtime import cache


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

    @property
    def workdir(self) -> Path:
        return self.inputs.workdir

    @functools.cached_property
    def common(self) -> tuple[str, ...]:
        """What every Pandoc output depends on: the cache key's common part."""
        return (cache.engine(), cache.tool("pypandoc-binary", pandoc.binary()),
                self.composed.markdown, self.inputs.bibliography.read_text("utf-8"),
                files.digest(self.inputs.csl, self.project.root), str(self.epoch))

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
        key = cache.digest("html", *self.common)
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
            key = cache.digest(fmt, *self.common, self.images)
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

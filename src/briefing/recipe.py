"""The recipe: load and check everything, compose, render each format, write atomically.

    load config -> load bibliography -> load seeds -> parse templates   (all errors at once)
    -> compose Markdown -> Pandoc HTML -> WeasyPrint PDF ; Pandoc EPUB
    -> rename the finished files into build/ together

Nothing in build/ changes until every format has rendered, so a failed build
leaves the previous outputs byte-for-byte as they were.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes.util
import datetime as dt
import functools
import json
import mimetypes
import os
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from briefing import TEMPLATES, errors, files
from briefing.compose import argmap
from briefing.compose import document as compose
from briefing.compose import language as i18n
from briefing.errors import BriefingError, Collector, Problem, ResourceError
from briefing.model import analysis, bibliography, config, images, sources
from briefing.outputs import cite, docx, epub, html, pandoc, proof, sanitise
from briefing.outputs.pdf import book as pdfbook
from briefing.runtime import cache, limits

ENGINE = TEMPLATES
CSL_NS = "{http://purl.org/net/xbiblio/csl}style"


@dataclass
class Loaded:
    project: config.Project
    bib: bibliography.Bibliography
    base: sources.ArgumentBase
    analysis: analysis.Analysis
    templates: list
    epoch: int
    coverage: i18n.Coverage
    catalogues: dict[str, i18n.Catalogue]  # edition id -> the project's locale/<id>.po
    engine_catalogues: dict[str, i18n.Catalogue]  # edition id -> the engine's, its language

    def localised(self, edition: i18n.Edition) -> i18n.Localised:
        return i18n.Localised.make(edition, self.project.default_edition.id,
                                   self.catalogues[edition.id],
                                   self.engine_catalogues[edition.id])

    def editions(self, chosen: list[str] | None) -> list[i18n.Edition]:
        if not chosen:
            return list(self.project.editions)
        return [self.project.edition(ident) for ident in dict.fromkeys(chosen)]

    def gaps(self, editions: list[i18n.Edition]) -> list[i18n.Gap]:
        wanted = {e.id for e in editions}
        return [g for g in self.coverage.gaps if g.edition in wanted]


LATEST_EPOCH = 4102444799  # 2099-12-31T23:59:59Z: ZIP archives (EPUB, DOCX) end in 2107


def epoch_for(project: config.Project) -> int:
    """SOURCE_DATE_EPOCH if set, else the document's date: never the wall clock."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value:
        if not (value.isascii() and value.isdigit()) or int(value) > LATEST_EPOCH:
            raise BriefingError.at(f"SOURCE_DATE_EPOCH={value[:40]!r} is not a whole number of "
                                   "seconds between 1970 and 2099",
                                   hint="set it to seconds since 1970, e.g. the last commit's")
        return int(value)
    day = project.config.document.date
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def load(root: Path) -> Loaded:
    """Step 1: read and validate every input; report every problem found, then stop.
    Missing translations are not errors here: they are gathered per edition, so `check`
    can list them and a build of one edition is not stopped by another's."""
    project = config.load(root)
    problems = Collector()
    coverage = i18n.Coverage()
    editions = project.editions
    _config_texts(project, coverage, problems)
    bib = None
    try:
        bib = bibliography.load(project.bib_path, project.config.limits.bib_field_chars,
                                project.inputs)
    except BriefingError as exc:
        problems.extend(exc)
    for csl in project.csl_paths:
        _check_csl(csl, project, problems)
    base = None
    try:
        base = sources.load(project.seeds_dir, list(project.config.perspectives),
                            bib.keys if bib else None, project.bib_path,
                            lambda pid: (project.config_path,
                                         project.line_of("perspectives", pid)),
                            editions, coverage, project.inputs)
    except BriefingError as exc:
        problems.extend(exc)
    found = None
    if base is not None:
        try:
            found = analysis.load(root, list(project.config.perspectives),
                                  {cid: c.perspective for cid, c in base.claims.items()},
                                  bib.keys if bib else None, editions, coverage,
                                  project.inputs)
        except BriefingError as exc:
            problems.extend(exc)
    templates, texts = [], {}
    try:
        texts = compose.read_templates(project)
        env = compose.environment(project, texts)
        templates = compose.parse_templates(project, env)
    except BriefingError as exc:
        problems.extend(exc)
        env = compose.environment(project, texts)
    catalogues, engine_catalogues = _catalogues(project, env, texts, coverage, problems)
    problems.raise_if_any()
    return Loaded(project, bib, base, found, templates, epoch_for(project), coverage,
                  catalogues, engine_catalogues)


def _config_texts(project: config.Project, coverage: i18n.Coverage,
                  problems: Collector) -> None:
    """The texts of briefing.toml: title, summary, perspectives; keywords per edition."""
    path = project.config_path
    i18n.check_texts(project.config, path, lambda loc: project.line_of(*loc),
                     project.editions, coverage, problems)
    keywords = project.config.document.keywords
    if isinstance(keywords, dict):
        for edition in project.editions:
            coverage.add(edition.id, path, edition.id in keywords, lambda e=edition: i18n.Gap(
                e.id, path, project.line_of("document", "keywords"), "document.keywords",
                f"add keywords.{e.id} = [...] to [document]"))


def _catalogues(project: config.Project, env, texts: dict[str, str],
                coverage: i18n.Coverage, problems: Collector
                ) -> tuple[dict[str, i18n.Catalogue], dict[str, i18n.Catalogue]]:
    """Each edition's message catalogues, and the gaps in them: every message of the
    chapter templates (other than the default edition's own) and every engine word."""
    default = project.default_edition
    ours, engine = {}, {}
    for edition in project.editions:
        ours[edition.id] = i18n.load_catalogue(project.locale_dir / f"{edition.id}.po",
                                               problems, project.inputs)
        engine[edition.id] = i18n.load_catalogue(
            i18n.ENGINE_LOCALE / f"{edition.primary}.po", problems)
        if edition.id != default.id:
            i18n.template_gaps(env, {project.chapters_dir / name: text
                                     for name, text in texts.items()}, edition,
                               ours[edition.id], coverage, project.root)
        messages = i18n.Messages(edition, ours[edition.id], engine[edition.id],
                                 edition.id == default.id)
        i18n.engine_gaps(edition, messages, coverage, project.root)
    return ours, engine


def _check_csl(path: Path, project: config.Project, problems: Collector) -> None:
    where = project.config_path
    if not os.path.lexists(path):
        problems.add(f"CSL style {str(path.relative_to(project.root))!r} not found", where, None,
                     "set bibliography.style (or editions.<id>.style) to a .csl file inside "
                     "the project")
        return
    try:
        data = project.inputs.read_bytes(path)  # inside the project, a regular file, bounded
    except BriefingError as exc:
        problems.extend(exc)
        return
    if re.search(rb"<!(DOCTYPE|ENTITY)", data, re.I):
        problems.add("CSL style with a DTD or entities", path,
                     errors.line_of_offset(data, re.search(rb"<!(DOCTYPE|ENTITY)", data,
                                                           re.I).start()),
                     "use a style from the CSL styles repository (they have none)")
        return
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        problems.add(f"CSL style is not well-formed XML: {exc}", path, exc.position[0],
                     "use a style from the CSL styles repository")
        return
    if root.tag != CSL_NS:
        problems.add("file is not a CSL style (no <style> in the CSL namespace)", path, 1,
                     "use a style from the CSL styles repository")
    elif root.find(CSL_NS.replace("style", "citation")) is None:
        problems.add("CSL style without a <citation> element", path, 1,
                     "use a complete style from the CSL styles repository")


def metadata(project: config.Project, epoch: int, lang: i18n.Localised) -> dict:
    """The document's metadata for Pandoc. Pandoc reads metadata strings as Markdown, so
    every text is escaped (compose.md_escape): a title is text, never a link or markup."""
    doc, words, tr, edition = project.config.document, lang.words, lang.text, lang.edition
    md = compose.md_escape
    created = dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    authors = doc.authors or [tr(doc.organisation)]
    return {
        "title": md(tr(doc.title)),
        "subtitle": md(tr(doc.subtitle)),
        "author": [md(a) for a in authors],
        "organisation": md(tr(doc.organisation)),
        "publisher": md(tr(doc.organisation)),
        "date": doc.date.isoformat(),
        "date-display": md(lang.date(doc.date)),
        "version": md(doc.version),
        "lang": edition.language,
        "keywords": [md(k) for k in tr.words(doc.keywords)],
        # EPUB: dc:description is the summary, dc:subject the keywords.
        "description": md(tr(doc.summary) or tr(doc.subtitle)),
        "subject": [md(k) for k in tr.words(doc.keywords)],
        "identifier": [{"scheme": "URN" if edition.identifier.startswith("urn:") else "URI",
                        "text": md(edition.identifier)}],
        "created": created,
        "how-to-cite": how_to_cite(project, lang, markdown=True),
        "basis": md(tr(doc.basis)),
        "toc-title": md(words.labels["contents"]),
        # EPUB accessibility metadata (Pandoc writes them as schema.org properties).
        "accessModes": ["textual", "visual"],
        "accessModeSufficients": ["textual"],
        "accessibilitySummary": md(tr(doc.accessibility_summary) or words.labels["accessibility"]),
        "labels": {key: md(value) for key, value in words.labels.items()},
    }


def how_to_cite(project: config.Project, lang: i18n.Localised, markdown: bool = False) -> str:
    """The citation of this edition as one line: plain text, or Markdown (texts escaped,
    the title in italics, the address as a link)."""
    doc, tr = project.config.document, lang.text
    md = compose.md_escape if markdown else (lambda text: text)
    who = "; ".join(doc.authors) if doc.authors else tr(doc.organisation)
    title = tr(doc.title) + (f": {tr(doc.subtitle)}" if doc.subtitle else "")
    title = f"*{md(title)}*" if markdown else title
    # The publisher is left out when it is the author (Chicago does the same).
    publisher = "" if who == tr(doc.organisation) else f" {md(tr(doc.organisation))}."
    text = (f"{md(who)}. {doc.date.year}. {title}. {md(lang.words.labels['version'])} "
            f"{md(doc.version)}, {md(lang.date(doc.date))}.{publisher} "
            f"{md(lang.edition.identifier)}.")
    return text + (f" <{doc.url}>." if doc.url else "")


@dataclass
class Checked:
    warnings: list[Problem]
    # Per edition checked: (edition, lines "file: n of m" of its translated text fields).
    coverage: list[tuple[i18n.Edition, list[str]]]


def check(root: Path, strict: bool = False, editions: list[str] | None = None,
          allow_missing: bool = False) -> Checked:
    """Everything a build checks before rendering; returns warnings (errors raise).
    Every missing translation of the editions checked is listed at once."""
    loaded = load(root)
    chosen = loaded.editions(editions)
    warnings = i18n.raise_gaps(loaded.gaps(chosen), allow_missing) + loaded.coverage.unused
    cited: set[str] = set()
    for edition in chosen:
        cited |= _compose(loaded, loaded.localised(edition)).cited_keys
    warnings += [Problem(f"bibliography entry {key!r} is not cited anywhere", loaded.bib.path,
                         line, "cite it or remove it")
                 for key, line in bibliography.unused(loaded.bib, cited)]
    if strict and warnings:
        raise BriefingError(warnings)
    coverage = [(e, loaded.coverage.summary(e.id, loaded.project.root)) for e in chosen
                if e.several]
    return Checked(warnings, coverage)


def _compose(loaded: Loaded, lang: i18n.Localised) -> compose.Composed:
    meta = metadata(loaded.project, loaded.epoch, lang)
    # For typography.lua: names never hyphenated (authors of works, and people quoted).
    meta["typography"] = bibliography.typography(loaded.bib)
    # A person's name is a proper name when it starts with a capital ("Ed Sander"), not a
    # description such as "an unnamed China expert".
    people = {word.strip(".,") for actor in loaded.base.actors.values() if actor.kind == "person"
              for name in ([actor.name] if isinstance(actor.name, str) else actor.name.values())
              if name[:1].isupper()
              for word in name.split() if word[:1].isupper() and len(word) > 2}
    meta["typography"]["names"] = sorted(set(meta["typography"]["names"]) | people)
    return compose.compose(loaded.project, loaded.base, loaded.templates, loaded.bib.keys,
                           meta, loaded.analysis, lang)


LOCK_NAME = ".build.lock"


def build(root: Path, formats: list[str] | None = None,
          step: Callable[[str], None] = lambda s: None, editions: list[str] | None = None,
          allow_missing: bool = False) -> dict[str, Path]:
    """Build under a lock: a second build of the same project waits for the first, so
    build/.work and the outputs are never written by two processes at once."""
    from filelock import FileLock, Timeout

    build_dir = files.BuildDir(root / "build")
    lock_path = build_dir.path / LOCK_NAME
    try:
        build_dir.prepare()
        if os.path.lexists(lock_path) and not files.regular_file(lock_path):
            raise BriefingError.at("the build lock is not a regular file", lock_path, None,
                                   "remove it: briefing neither follows nor deletes links in "
                                   "build/")
        lock = FileLock(lock_path)
        try:
            lock.acquire(blocking=False)
        except Timeout:
            step("Waiting for another build of this project to finish")
            lock.acquire()
    except OSError as exc:
        raise _write_error(exc, build_dir.path) from None
    try:
        build_dir.check_tree()  # no link, no special file: before anything in it is opened
        _remove_stale_temporaries(build_dir)
        return _build(root, formats, step, editions, allow_missing)
    except OSError as exc:  # reading errors are BriefingErrors already: this is a write
        raise _write_error(exc, build_dir.path) from None
    finally:
        lock.release()


def _write_error(exc: OSError, build_dir: Path) -> BriefingError:
    where = Path(exc.filename) if exc.filename else build_dir
    reason = exc.strerror or str(exc)
    return BriefingError.at(f"cannot write: {reason}", where, None,
                            "check free disk space and that build/ is a writable directory")


def _remove_stale_temporaries(build_dir: files.BuildDir) -> None:
    """Temporary outputs left by a build that was killed before it could rename them."""
    for temp in sorted(build_dir.path.glob(".*.tmp")):
        build_dir.remove(temp)


def _build(root: Path, formats: list[str] | None, step: Callable[[str], None],
           editions: list[str] | None = None, allow_missing: bool = False) -> dict[str, Path]:
    manifest = _Manifest(root, formats, editions, allow_missing)
    if manifest.up_to_date():
        step("Up to date: no input has changed since the last build")
        return manifest.outputs()
    step("Loading and checking inputs")
    loaded = load(root)
    project = loaded.project
    chosen_editions = loaded.editions(editions)
    i18n.raise_gaps(loaded.gaps(chosen_editions), allow_missing)
    chosen = formats or list(project.config.build.formats)
    store = cache.Cache(project.build_dir)
    rendered: dict[Path, bytes] = {}
    for edition in chosen_editions:
        lang = loaded.localised(edition)
        say = step if not edition.several else (
            lambda text, tag=edition.id: step(text if text.startswith("  ") else
                                              f"[{tag}] {text}"))
        formats_out, composed = _edition(loaded, lang, chosen, say, store)
        manifest.images.update(composed.images())
        for fmt, data in formats_out.items():
            for path in project.outputs(fmt, edition):
                rendered[path] = data
        for ext, fmt in cite.EXPORTS.items():  # the briefing's own citation, for students
            for path in project.outputs(ext, edition):
                rendered[path] = cite.render(project, fmt, lang).encode("utf-8")
    if store.hits:
        counts = collections.Counter(store.hits)
        step("Reused from the cache: " + ", ".join(
            f"{stage} ×{n}" if n > 1 else stage for stage, n in counts.items()))
    step("Writing outputs")
    written = write_outputs(project, rendered)
    store.prune()
    manifest.record(project, written)
    return written


def _edition(loaded: Loaded, lang: i18n.Localised, chosen: list[str],
             step: Callable[[str], None], store: cache.Cache
             ) -> tuple[dict[str, bytes], compose.Composed]:
    """One edition, every format: compose in its language, then render."""
    project = loaded.project
    step("Composing chapters")
    composed = _compose(loaded, lang)
    workdir = project.root / compose.workdir(lang.edition)
    files.BuildDir(project.build_dir).fresh(workdir)
    if composed.argument_map.path in composed.markdown:
        step("Graphviz: argument map")
        _argument_map(composed, workdir, project, store)
    _check_images(project, composed)
    bounds = project.config.limits
    inputs = pandoc.Inputs(workdir / "briefing.md", workdir / "briefing.bib",
                           project.csl_for(lang.edition),
                           workdir, loaded.epoch, bounds.pandoc_seconds, bounds.pandoc_memory_mib)
    inputs.markdown.write_text(composed.markdown, "utf-8")
    inputs.bibliography.write_text(loaded.bib.for_pandoc(), "utf-8")
    try:
        return _render(loaded, lang, composed, inputs, chosen, step, store), composed
    except ResourceError as exc:
        where = _chapter_of(exc.resource, composed) if exc.resource else None
        if where:
            exc.problems[0].path, exc.problems[0].line = where
        raise


def _check_images(project: config.Project, composed: compose.Composed) -> None:
    """Every image the chapters show: a file inside the project that is the image its name
    says (images.py). Checked before any tool opens one."""
    root = os.path.realpath(project.root)
    for src in composed.image_sources():
        path = project.root / src
        reason = None
        if src not in composed.images():
            reason = "images are files inside the project; URLs are not fetched"
        elif os.path.isabs(src):
            reason = "it is outside the project"
        elif not os.path.lexists(path):
            reason = "no such file in the project"
        elif not files.within(os.path.realpath(path), root):
            reason = "it is outside the project"
        if reason:
            where = _chapter_of(src, composed) or (None, None)
            raise BriefingError.at(f"refused to load {src!r}: {reason}", *where,
                                   "use images inside the project, by relative path")
        images.check(path, project.images, project.config.limits.image_megapixels)


class _Manifest:
    """What the last successful build read and wrote. When no input, no engine file and
    no output has changed since, the build has nothing to do: it says so and returns,
    without parsing anything (the no-op rebuild an author gets after saving nothing)."""

    def __init__(self, root: Path, formats: list[str] | None, editions: list[str] | None = None,
                 allow_missing: bool = False):
        self.root = root
        self.path = root / "build" / ".cache" / "manifest.json"
        self.context = {"engine": cache.engine(), "formats": formats, "editions": editions,
                        "allow_missing": allow_missing,
                        "epoch": os.environ.get("SOURCE_DATE_EPOCH", ""),
                        "listing": self._listing()}
        self.saved: dict = {}
        self.images: set[str] = set()  # local images the documents use: inputs too

    def _listing(self) -> list[str]:
        found = []
        for folder in ("seeds", "chapters", "locale"):
            with contextlib.suppress(OSError):
                found += sorted(f"{folder}/{p.name}" for p in (self.root / folder).iterdir())
        return found

    def up_to_date(self) -> bool:
        """True only if the manifest is whole and every input and output it names is the
        same regular file it was. Any doubt (a malformed manifest, a name that is not a
        plain path inside the project, a link, a named pipe) means: build."""
        try:
            saved = json.loads(files.read_bytes(self.path, self.root, 64 * files.MIB))
        except (BriefingError, ValueError):
            return False
        if not isinstance(saved, dict):
            return False
        inputs, outputs = saved.get("inputs"), saved.get("outputs")
        if saved.get("context") != self.context or not isinstance(inputs, dict) or not (
                isinstance(outputs, dict) and outputs):
            return False
        try:
            for rel, recorded in inputs.items():
                if not _plain_relative(rel):
                    return False
                path = self.root / rel
                stat = os.lstat(path)
                if [stat.st_size, stat.st_mtime_ns] != recorded[:2] and (
                        files.digest(path, self.root) != recorded[2]):
                    return False
            for name, digest in outputs.items():
                path = self.root / "build" / name
                if "/" in name or name.startswith(".") or not files.regular_file(path) or (
                        files.digest(path, self.root) != digest):
                    return False
        except (BriefingError, OSError, TypeError, IndexError, ValueError):
            return False
        self.saved = saved
        return True

    def outputs(self) -> dict[str, Path]:
        return {name: self.root / "build" / name for name in self.saved["outputs"]}

    def record(self, project: config.Project, written: dict[str, Path]) -> None:
        root = os.path.realpath(project.root)
        paths = [project.config_path, project.bib_path, *project.csl_paths,
                 project.root / analysis.FILE_NAME,
                 *(project.root / rel for rel in self.context["listing"])]
        paths += [project.root / src for src in sorted(self.images)]
        inputs = {}
        for path in paths:
            with contextlib.suppress(BriefingError, OSError):
                real = files.real_path(path, project.root)  # inside the project, or skipped
                if files.regular_file(real):
                    stat = os.stat(real)
                    inputs[os.path.relpath(real, root)] = [
                        stat.st_size, stat.st_mtime_ns, files.digest(Path(real), project.root)]
        state = {"context": self.context, "inputs": inputs,
                 "outputs": {p.name: files.digest(p) for p in written.values()}}
        with contextlib.suppress(OSError, BriefingError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp = files.BuildDir(project.build_dir).inside(self.path.with_suffix(".tmp"))
            files.write_new(temp, json.dumps(state, indent=1, sort_keys=True).encode("utf-8"))
            os.replace(temp, self.path)


def _plain_relative(rel: object) -> bool:
    """A manifest's file name: relative, inside the project, no '..' step."""
    return isinstance(rel, str) and bool(rel) and not os.path.isabs(rel) and (
        ".." not in Path(rel).parts)


def _argument_map(composed: compose.Composed, workdir: Path, project: config.Project,
                  store: cache.Cache) -> None:
    key = cache.digest("argmap", cache.engine(), cache.tool("graphviz-pure"),
                       composed.argument_map.source)
    svg = store.get("argmap", key)
    target = workdir / argmap.SVG_NAME
    if svg is None:
        bounds = project.config.limits
        argmap.render(composed.argument_map, workdir, bounds.layout_seconds,
                      bounds.layout_memory_mib)
        store.put("argmap", key, target.read_bytes())
    else:
        target.write_bytes(svg)


def _render(loaded: Loaded, lang: i18n.Localised, composed: compose.Composed,
            inputs: pandoc.Inputs, formats: list[str], step: Callable[[str], None],
            store: cache.Cache) -> dict[str, bytes]:
    """Every format, the independent Pandoc runs in parallel with the PDF (each is a child
    process, so threads suffice). Results are taken in a fixed order (HTML, PDF, EPUB,
    DOCX), so the error reported for a broken input is always the same one."""
    project, workdir = loaded.project, inputs.workdir
    common = (cache.engine(), cache.tool("pypandoc-binary", pandoc.binary()),
              composed.markdown, inputs.bibliography.read_text("utf-8"),
              files.digest(inputs.csl, project.root), str(loaded.epoch))
    images = _image_digests(project, composed)
    resources = _resources(project, composed, workdir)
    rendered: dict[str, bytes] = {}
    pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="briefing")
    settings = workers = None
    try:
        if "pdf" in formats:
            # WeasyPrint workers start now and import WeasyPrint while Pandoc runs.
            settings = _pdf_settings(loaded, composed, images, inputs.workdir)
            workers = pdfbook.workers(settings)
            workers.start()
        page_job = raw_epub = raw_docx = None
        # The HTML page is also made for a DOCX: its links are checked there (sanitise.py).
        if {"pdf", "html", "docx"} & set(formats):
            step("Pandoc: Markdown -> HTML")
            page_job = pool.submit(_html_page, inputs, composed, store, common)
        if "epub" in formats:
            step("Pandoc: Markdown -> EPUB")
            raw_epub = pool.submit(_pandoc_zip, "epub", pandoc.to_epub, inputs, composed, store,
                                   common + (images,), resources)
        if "docx" in formats:
            step("Pandoc: Markdown -> DOCX")
            raw_docx = pool.submit(_pandoc_zip, "docx", pandoc.to_docx, inputs, composed, store,
                                   common + (images,), resources)
        page = page_job.result() if page_job else ""
        if page:
            _refuse(sanitise.check_page(page), loaded, composed)
        if "html" in formats:
            css = (ENGINE / "epub.css").read_text("utf-8") + (ENGINE / "screen.css").read_text(
                "utf-8")
            rendered["html"] = html.standalone(page, css, project.root)
        if "pdf" in formats:
            step("WeasyPrint: HTML -> PDF")
            rendered["pdf"] = _pdf(settings, page, store, step, workers)
            workers.close()  # before the EPUB's cover: the workers' memory is free again
        if raw_epub:
            # The printed cover becomes the e-book's cover image (Pandoc's sandbox cannot
            # read a --epub-cover-image file, so it is added to the finished archive).
            cover = proof.cover_png(rendered["pdf"]) if "pdf" in rendered else None
            meta, labels = composed.metadata, lang.words.labels
            front = epub.Front(lang.edition.language, compose.md_unescape(meta["title"]),
                               labels["cover"], labels["title_page"], labels["contents"],
                               meta["date"], compose.md_unescape(meta["date-display"]))
            rendered["epub"] = epub.finish(_saved(workdir / "raw.epub", raw_epub.result()),
                                           (ENGINE / "epub.css").read_text("utf-8"),
                                           loaded.epoch, cover,
                                           compose.md_unescape(meta["subtitle"]), front)
            _refuse([v for document in epub.xhtml(rendered["epub"])
                     for v in sanitise.check_xhtml(document)], loaded, composed)
        if raw_docx:
            rendered["docx"] = docx.finish(_saved(workdir / "raw.docx", raw_docx.result()),
                                           loaded.epoch, composed.metadata["date"],
                                           compose.md_unescape(composed.metadata["date-display"]))
    except BaseException:
        limits.stop_all()  # a failure or Ctrl-C: the other stages' children stop too
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if workers is not None:
            workers.close()
    return rendered


def _saved(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _html_page(inputs: pandoc.Inputs, composed: compose.Composed, store: cache.Cache,
               common: tuple) -> str:
    key = cache.digest("html", *common)
    found = store.get("html", key)
    if found is not None:
        return found.decode("utf-8")
    page, warnings = pandoc.to_html(inputs, ENGINE / "briefing.html")
    _fail_on(warnings, composed, "HTML")
    store.put("html", key, page.encode("utf-8"))
    return page


def _pandoc_zip(fmt: str, run, inputs: pandoc.Inputs, composed: compose.Composed,
                store: cache.Cache, parts: tuple, resources: Path) -> bytes:
    key = cache.digest(fmt, *parts)
    found = store.get(fmt, key)
    if found is not None:
        return found
    raw = inputs.workdir / f"pandoc-{fmt}.{fmt}"
    _fail_on(run(inputs, raw, resources), composed, fmt.upper())
    data = raw.read_bytes()
    store.put(fmt, key, data)
    return data


def _pdf_settings(loaded: Loaded, composed: compose.Composed, images: str, workdir: Path
                  ) -> pdfbook.Settings:
    project, bounds = loaded.project, loaded.project.config.limits
    return pdfbook.Settings(
        project.root, loaded.epoch, workdir,
        bounds.weasyprint_seconds, bounds.weasyprint_memory_mib,
        (cache.engine(), cache.tool("weasyprint"), cache.tool("pikepdf"), _harfbuzz_subset(),
         images, str(loaded.epoch)),
        lambda url: _chapter_of(url, composed))


def _pdf(settings: pdfbook.Settings, page: str, store: cache.Cache,
         step: Callable[[str], None], pool) -> bytes:
    key = cache.digest("pdf", *settings.key, page)
    return store.through("pdf", key, lambda: pdfbook.book(page, settings, store, step, pool))


@functools.cache
def _harfbuzz_subset() -> str:
    """WeasyPrint subsets fonts with HarfBuzz when the library is there, else with
    fontTools: the bytes differ, so the choice is part of the PDF's cache key."""
    return "hb-subset" if ctypes.util.find_library("harfbuzz-subset") else "fonttools"


def _image_digests(project: config.Project, composed: compose.Composed) -> str:
    """Name and content of every local image the document uses (checked: _check_images)."""
    return "\n".join(f"{src}:{files.digest(project.root / src, project.root)}"
                     for src in composed.images())


def _resources(project: config.Project, composed: compose.Composed, workdir: Path) -> Path:
    """The local images the EPUB and DOCX may embed (all checked by _check_images).

    Pandoc's sandbox reads no images; our Lua filter embeds exactly these.
    """
    allowed = {}
    for src in composed.images():
        path = os.path.realpath(project.root / src)
        mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
        allowed[src] = {"path": path, "mime": mime}
    target = workdir / "resources.json"
    target.write_text(json.dumps(allowed, sort_keys=True), "utf-8")
    return target


def _fail_on(warnings: list[dict], composed: compose.Composed, stage: str) -> None:
    bad = pandoc.fatal(warnings)
    if not bad:
        return
    problems = []
    for message in bad:
        text = message.get("pretty") or message.get("message") or message.get("type")
        tex = pandoc.raw_tex(message)
        needle = (tex.strip().splitlines()[0] if tex and tex.strip() else None) or message.get(
            "key") or message.get("path") or message.get("resource") or ""
        where = _chapter_of(needle, composed) if needle else None
        if isinstance(message.get("line"), int) and str(message.get("source", "")).endswith(
                "briefing.md"):  # a position in the composed document: its template line
            near = f"#{message['contents']}" if message.get("type") == "DuplicateIdentifier" else ""
            where = composed.origin_of_line(message["line"], near) or where
            text = re.sub(r" at \S*briefing\.md line \d+ column \d+", "", text)
        if tex is not None:
            text, hint = (f"raw LaTeX “{_clip(tex)}” would be dropped from every output",
                          "write it in Markdown; briefing renders through HTML, not LaTeX")
        elif message.get("type") == "CouldNotFetchResource":
            hint = "images and files must be inside the project; URLs are not fetched"
        elif message.get("type") == "DuplicateIdentifier":
            hint = "give each heading, claim and anchor an {#id} of its own"
        else:
            hint = "fix the chapter or seed that produced this text"
        problems.append(Problem(f"pandoc ({stage}): {text}", where[0] if where else None,
                                where[1] if where else None, hint))
    unique = {(p.message, str(p.path), p.line): p for p in problems}
    raise BriefingError(list(unique.values()))


def _clip(text: str, size: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[:size - 1] + "…"


def _chapter_of(needle: str, composed: compose.Composed) -> tuple[Path, int | None] | None:
    """Which chapter template wrote this URL or key, and on which line if we can tell."""
    for candidate in (needle, needle.rsplit("/", 1)[-1]):
        if not candidate:
            continue
        for chapter in composed.chapters:
            at = chapter.markdown.find(candidate)
            if at >= 0:
                path, line = chapter.origin(at)
                if line is None:
                    with contextlib.suppress(BriefingError):
                        source = files.read_text(chapter.path).splitlines()
                        line = next((i for i, text in enumerate(source, 1) if candidate in text),
                                    None)
                return path, line
    return None


def _refuse(violations: list[sanitise.Violation], loaded: Loaded,
            composed: compose.Composed) -> None:
    """Stop on anything the sanitiser would remove, naming the input line that wrote it."""
    problems: dict = {}
    for violation in violations:
        where = _written_by(violation.needles, loaded, composed) or (None, None)
        problems.setdefault(where, Problem(
            f"{violation.message} would reach the outputs", *where,
            "outputs carry no script, event handler or remote load: links go to https:, "
            "http:, mailto: or #anchors; attributes are id, class, lang, style (widths and "
            "alignment) and data-*"))
    if problems:
        raise BriefingError(list(problems.values()))


def _written_by(needles: tuple[str, ...], loaded: Loaded,
                composed: compose.Composed) -> tuple[Path, int | None] | None:
    """The input line that wrote a piece of output: the chapter template line, or the
    data, setting or catalogue line when the template printed a value from there."""
    for needle in (n.strip().splitlines()[0] for n in needles if n.strip()):
        for chapter in composed.chapters:
            at = chapter.markdown.find(needle)
            if at >= 0:
                if not chapter.literal(at):  # a value the template printed: find its source
                    found = _in_inputs(_contexts(chapter.markdown, at, len(needle)), loaded)
                    if found:
                        return found
                return chapter.origin(at)
        found = _in_inputs([needle], loaded)
        if found:
            return found
    return None


def _contexts(text: str, at: int, size: int) -> list[str]:
    """The needle with ever less of the text around it on its line, widest first: the same
    words may stand in several inputs, the widest match names the one that was printed."""
    start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at)
    end = len(text) if end < 0 else end
    return [text[max(start, at - k):min(end, at + size + k)] for k in (60, 30, 15, 0)]


def _in_inputs(needles: list[str], loaded: Loaded) -> tuple[Path, int] | None:
    project = loaded.project
    paths = [project.config_path, *sorted(project.locale_dir.glob("*.po")),
             *sorted(project.seeds_dir.glob("*.y*ml")), project.root / analysis.FILE_NAME]
    texts = []
    for path in paths:
        with contextlib.suppress(BriefingError):
            texts.append((path, project.inputs.read_text(path).splitlines()))
    for needle in needles:
        for path, lines in texts:
            for number, line in enumerate(lines, 1):
                if needle in line:
                    return path, number
    return None


def write_outputs(project: config.Project, rendered: dict[Path, bytes]) -> dict[str, Path]:
    """Every output to a temporary file in build/ first; only when all exist are they
    renamed into place, and if a rename fails the ones already renamed are put back:
    the outputs of a build land together or not at all."""
    build = files.BuildDir(project.build_dir)
    temps: dict[Path, Path] = {}
    try:
        for target, data in rendered.items():
            if os.path.lexists(target) and not files.regular_file(target):
                raise BriefingError.at(f"{target.name} exists and is not a regular file", target,
                                       None, "remove it; briefing writes regular files only")
            build.inside(target)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                        dir=project.build_dir)
            temps[target] = Path(name)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(name, 0o644)
        _commit(temps)
    except BaseException as exc:  # also Ctrl-C: no temporary file is left behind
        for temp in temps.values():
            with contextlib.suppress(OSError):
                temp.unlink()
        if isinstance(exc, OSError):
            raise BriefingError.at(f"cannot write outputs: {exc.strerror}", project.build_dir,
                                   None, "check free disk space and that build/ is writable"
                                   ) from None
        raise
    _sync_dir(project.build_dir)  # the renames survive a crash or power cut
    return {target.name: target for target in temps}


def _commit(temps: dict[Path, Path]) -> None:
    """Rename every temporary file onto its target, all or none: the previous outputs are
    kept under a second name (a hard link) until every rename has succeeded."""
    backups: dict[Path, Path] = {}
    done: list[Path] = []
    try:
        for target in temps:
            if os.path.lexists(target):
                backup = target.with_name(f".{target.name}.{os.getpid()}.old.tmp")
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(backup)
                try:
                    os.link(target, backup)
                except OSError:  # no hard links here: a copy serves as well
                    shutil.copy2(target, backup)
                backups[target] = backup
        for target, temp in temps.items():
            os.replace(temp, target)
            done.append(target)
    except BaseException:
        for target in reversed(done):
            with contextlib.suppress(OSError):
                if target in backups:
                    os.replace(backups.pop(target), target)
                else:
                    os.unlink(target)
        raise
    finally:
        for backup in backups.values():
            with contextlib.suppress(OSError):
                os.unlink(backup)


def _sync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

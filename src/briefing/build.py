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
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import (
    analysis,
    argmap,
    bibliography,
    cache,
    cite,
    compose,
    config,
    docx,
    epub,
    html,
    i18n,
    limits,
    pandoc,
    pdfbook,
    proof,
    sources,
)
from .errors import BriefingError, Collector, Problem, ResourceError

ENGINE = Path(__file__).parent / "templates"
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


def epoch_for(project: config.Project) -> int:
    """SOURCE_DATE_EPOCH if set, else the document's date: never the wall clock."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value:
        if not value.isdigit():
            raise BriefingError.at(f"SOURCE_DATE_EPOCH={value!r} is not a whole number",
                                   hint="set it to seconds since 1970, e.g. the last commit's")
        return int(value)
    day = project.config.document.date
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp())


def load(root: Path) -> Loaded:
    """Step 1: read and validate every input; report every problem found, then stop.
    Missing translations are not errors here: they are gathered per edition, so `check`
    can list them and a build of one edition is not stopped by another's."""
    project = config.load(root)
    _check_sizes(project)
    problems = Collector()
    coverage = i18n.Coverage()
    editions = project.editions
    _config_texts(project, coverage, problems)
    bib = None
    try:
        bib = bibliography.load(project.bib_path, project.config.limits.bib_field_chars)
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
                            editions, coverage)
    except BriefingError as exc:
        problems.extend(exc)
    found = None
    if base is not None:
        try:
            found = analysis.load(root, list(project.config.perspectives), set(base.claims),
                                  bib.keys if bib else None, editions, coverage)
        except BriefingError as exc:
            problems.extend(exc)
    templates = []
    env = compose.environment(project)
    try:
        templates = compose.parse_templates(project, env)
    except BriefingError as exc:
        problems.extend(exc)
    catalogues, engine_catalogues = _catalogues(project, env, coverage, problems)
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


def _catalogues(project: config.Project, env, coverage: i18n.Coverage, problems: Collector
                ) -> tuple[dict[str, i18n.Catalogue], dict[str, i18n.Catalogue]]:
    """Each edition's message catalogues, and the gaps in them: every message of the
    chapter templates (other than the default edition's own) and every engine word."""
    default = project.default_edition
    ours, engine = {}, {}
    for edition in project.editions:
        ours[edition.id] = i18n.load_catalogue(project.locale_dir / f"{edition.id}.po",
                                               problems)
        engine[edition.id] = i18n.load_catalogue(
            i18n.ENGINE_LOCALE / f"{edition.primary}.po", problems)
        if edition.id != default.id:
            i18n.template_gaps(env, sorted(project.chapters_dir.glob("*.j2")), edition,
                               ours[edition.id], coverage, project.root)
        messages = i18n.Messages(edition, ours[edition.id], engine[edition.id],
                                 edition.id == default.id)
        i18n.engine_gaps(edition, messages, coverage, project.root)
    return ours, engine


def _check_sizes(project: config.Project) -> None:
    """Refuse oversized inputs before parsing them: a 50 MB seed file is a mistake (or an
    attack), and parsing it would cost minutes and gigabytes before saying so."""
    limit = project.config.limits.input_mib
    files = [project.bib_path, *project.csl_paths, project.root / analysis.FILE_NAME,
             *sorted(project.seeds_dir.glob("*.yaml")), *sorted(project.chapters_dir.glob("*.j2"))]
    problems = Collector()
    most = int(limit * 1024 * 1024)
    for path in files:
        with contextlib.suppress(OSError):
            size = path.stat().st_size
            if size > most:
                with path.open("rb") as handle:  # the line where the limit is crossed
                    line = handle.read(most).count(b"\n") + 1
                problems.add(f"file is {size / 1024 / 1024:.1f} MiB and passes "
                             f"limits.input_mib ({limit:g} MiB) on this line", path, line,
                             "inputs are text; is this the right file? If it is, raise "
                             "limits.input_mib in briefing.toml")
    problems.raise_if_any()


def _check_csl(path: Path, project: config.Project, problems: Collector) -> None:
    where = project.config_path
    if not path.is_file():
        problems.add(f"CSL style {str(path.relative_to(project.root))!r} not found", where, None,
                     "set bibliography.style (or editions.<id>.style) to a .csl file inside "
                     "the project")
        return
    if not path.resolve().is_relative_to(project.root.resolve()):
        problems.add("the CSL style must be inside the project", where, None)
        return
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        problems.add(f"CSL style is not well-formed XML: {exc}", path, exc.position[0],
                     "use a style from the CSL styles repository")
        return
    if root.tag != CSL_NS:
        problems.add("file is not a CSL style (no <style> in the CSL namespace)", path, 1,
                     "use a style from the CSL styles repository")


def metadata(project: config.Project, epoch: int, lang: i18n.Localised) -> dict:
    doc, words, tr, edition = project.config.document, lang.words, lang.text, lang.edition
    created = dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    authors = doc.authors or [tr(doc.organisation)]
    return {
        "title": tr(doc.title),
        "subtitle": tr(doc.subtitle),
        "author": authors,
        "organisation": tr(doc.organisation),
        "publisher": tr(doc.organisation),
        "date": doc.date.isoformat(),
        "date-display": lang.date(doc.date),
        "version": doc.version,
        "lang": edition.language,
        "keywords": tr.words(doc.keywords),
        "subject": tr(doc.summary) or tr(doc.subtitle),
        "identifier": [{"scheme": "URN" if edition.identifier.startswith("urn:") else "URI",
                        "text": edition.identifier}],
        "created": created,
        "how-to-cite": how_to_cite(project, lang),
        "toc-title": words.labels["contents"],
        # EPUB accessibility metadata (Pandoc writes them as schema.org properties).
        "accessModes": ["textual", "visual"],
        "accessModeSufficients": ["textual"],
        "accessibilitySummary": tr(doc.accessibility_summary) or words.labels["accessibility"],
        "labels": words.labels,
    }


def how_to_cite(project: config.Project, lang: i18n.Localised) -> str:
    doc, tr = project.config.document, lang.text
    who = "; ".join(doc.authors) if doc.authors else tr(doc.organisation)
    title = tr(doc.title) + (f": {tr(doc.subtitle)}" if doc.subtitle else "")
    text = (f"{who}. {doc.date.year}. *{title}*. {lang.words.labels['version']} "
            f"{doc.version}, {lang.date(doc.date)}. {tr(doc.organisation)}.")
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
    return compose.compose(loaded.project, loaded.base, loaded.templates, loaded.bib.keys,
                           metadata(loaded.project, loaded.epoch, lang), loaded.analysis, lang)


LOCK_NAME = ".build.lock"


def build(root: Path, formats: list[str] | None = None,
          step: Callable[[str], None] = lambda s: None, editions: list[str] | None = None,
          allow_missing: bool = False) -> dict[str, Path]:
    """Build under a lock: a second build of the same project waits for the first, so
    build/.work and the outputs are never written by two processes at once."""
    from filelock import FileLock, Timeout

    build_dir = root / "build"
    if build_dir.is_symlink():
        raise BriefingError.at("build/ is a symbolic link", build_dir, None,
                               "outputs are written inside the project only; make build/ a "
                               "directory")
    try:
        build_dir.mkdir(exist_ok=True)
        lock = FileLock(build_dir / LOCK_NAME)
        try:
            lock.acquire(blocking=False)
        except Timeout:
            step("Waiting for another build of this project to finish")
            lock.acquire()
    except OSError as exc:
        raise _write_error(exc, build_dir) from None
    try:
        _remove_stale_temporaries(build_dir)
        return _build(root, formats, step, editions, allow_missing)
    except OSError as exc:  # reading errors are BriefingErrors already: this is a write
        raise _write_error(exc, build_dir) from None
    finally:
        lock.release()


def _write_error(exc: OSError, build_dir: Path) -> BriefingError:
    where = Path(exc.filename) if exc.filename else build_dir
    reason = exc.strerror or str(exc)
    return BriefingError.at(f"cannot write: {reason}", where, None,
                            "check free disk space and that build/ is a writable directory")


def _remove_stale_temporaries(build_dir: Path) -> None:
    """Temporary outputs left by a build that was killed before it could rename them."""
    for temp in build_dir.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            temp.unlink()


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
    _fresh_dir(workdir)
    if composed.argument_map.path in composed.markdown:
        step("Graphviz: argument map")
        _argument_map(composed, workdir, project, store)
    bounds = project.config.limits
    inputs = pandoc.Inputs(workdir / "briefing.md", workdir / "briefing.bib",
                           project.csl_for(lang.edition),
                           workdir, loaded.epoch, bounds.pandoc_seconds, bounds.pandoc_memory_mib)
    inputs.markdown.write_text(composed.markdown, "utf-8")
    inputs.bibliography.write_text(loaded.bib.for_pandoc(), "utf-8")
    try:
        return _render(loaded, composed, inputs, chosen, step, store), composed
    except ResourceError as exc:
        where = _chapter_of(exc.resource, composed) if exc.resource else None
        if where:
            exc.problems[0].path, exc.problems[0].line = where
        raise


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
        try:
            self.saved = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return False
        if self.saved.get("context") != self.context:
            return False
        for rel, (size, mtime, digest) in self.saved.get("inputs", {}).items():
            path = self.root / rel
            try:
                stat = path.stat()
            except OSError:
                return False
            if (stat.st_size, stat.st_mtime_ns) != (size, mtime) and (
                    cache.file_digest(path) != digest):
                return False
        for name, digest in self.saved.get("outputs", {}).items():
            path = self.root / "build" / name
            if path.is_symlink() or not path.is_file() or cache.file_digest(path) != digest:
                return False
        return bool(self.saved.get("outputs"))

    def outputs(self) -> dict[str, Path]:
        return {name: self.root / "build" / name for name in self.saved["outputs"]}

    def record(self, project: config.Project, written: dict[str, Path]) -> None:
        root = project.root.resolve()
        files = [project.config_path, project.bib_path, *project.csl_paths,
                 project.root / analysis.FILE_NAME,
                 *(project.root / rel for rel in self.context["listing"])]
        files += [(root / src).resolve() for src in sorted(self.images)]
        inputs = {}
        for path in files:
            with contextlib.suppress(OSError, ValueError):
                if path.is_file() and path.resolve().is_relative_to(root):
                    stat = path.stat()
                    inputs[str(path.resolve().relative_to(root))] = [
                        stat.st_size, stat.st_mtime_ns, cache.file_digest(path)]
        state = {"context": self.context, "inputs": inputs,
                 "outputs": {p.name: cache.file_digest(p) for p in written.values()}}
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp = self.path.with_suffix(".tmp")
            temp.write_text(json.dumps(state, indent=1, sort_keys=True), "utf-8")
            os.replace(temp, self.path)


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


def _render(loaded: Loaded, composed: compose.Composed, inputs: pandoc.Inputs,
            formats: list[str], step: Callable[[str], None],
            store: cache.Cache) -> dict[str, bytes]:
    """Every format, the independent Pandoc runs in parallel with the PDF (each is a child
    process, so threads suffice). Results are taken in a fixed order (HTML, PDF, EPUB,
    DOCX), so the error reported for a broken input is always the same one."""
    project, workdir = loaded.project, inputs.workdir
    common = (cache.engine(), cache.tool("pypandoc-binary", pandoc.binary()),
              composed.markdown, inputs.bibliography.read_text("utf-8"),
              cache.file_digest(inputs.csl), str(loaded.epoch))
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
        if "pdf" in formats or "html" in formats:
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
            rendered["epub"] = epub.finish(_saved(workdir / "raw.epub", raw_epub.result()),
                                           (ENGINE / "epub.css").read_text("utf-8"),
                                           loaded.epoch, cover)
        if raw_docx:
            rendered["docx"] = docx.finish(_saved(workdir / "raw.docx", raw_docx.result()),
                                           loaded.epoch)
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
    """Name and content of every local image the document uses (inside the project)."""
    root, parts = project.root.resolve(), []
    for src in composed.images():
        path = (root / src).resolve()
        if path.is_relative_to(root) and path.is_file():
            parts.append(f"{src}:{cache.file_digest(path)}")
        else:
            parts.append(f"{src}:missing")
    return "\n".join(parts)


def _resources(project: config.Project, composed: compose.Composed, workdir: Path) -> Path:
    """The local images the EPUB may embed: inside the project after resolving links.

    Pandoc's sandbox reads no images; our Lua filter embeds exactly these, so an image
    outside the project is still refused (and reported) by Pandoc.
    """
    root, allowed = project.root.resolve(), {}
    for src in composed.images():
        path = (root / src.lstrip("/")).resolve() if not src.startswith("/") else None
        if path and path.is_relative_to(root) and path.is_file():
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            allowed[src] = {"path": str(path), "mime": mime}
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
        if tex is not None:
            text, hint = (f"raw LaTeX “{_clip(tex)}” would be dropped from every output",
                          "write it in Markdown; briefing renders through HTML, not LaTeX")
        elif message.get("type") == "CouldNotFetchResource":
            hint = "images and files must be inside the project; URLs are not fetched"
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
            if candidate in chapter.markdown:
                source = chapter.path.read_text("utf-8").splitlines()
                line = next((i for i, text in enumerate(source, 1) if candidate in text), None)
                return chapter.path, line
    return None


def _fresh_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BriefingError.at(f"cannot create {path}: {exc.strerror}", path, None,
                               "make sure build/ is a writable directory") from None


def write_outputs(project: config.Project, rendered: dict[Path, bytes]) -> dict[str, Path]:
    """Write every output to a temporary file in build/, then rename each into place."""
    temps: dict[Path, Path] = {}
    try:
        for target, data in rendered.items():
            if target.is_symlink() or target.is_dir():
                raise BriefingError.at(f"{target.name} exists and is not a regular file", target,
                                       None, "remove it; briefing writes regular files only")
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                        dir=project.build_dir)
            temps[target] = Path(name)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(name, 0o644)
    except BaseException as exc:  # also Ctrl-C: no temporary file is left behind
        for temp in temps.values():
            with contextlib.suppress(OSError):
                temp.unlink()
        if isinstance(exc, OSError):
            raise BriefingError.at(f"cannot write outputs: {exc.strerror}", project.build_dir,
                                   None, "check free disk space and that build/ is writable"
                                   ) from None
        raise
    for target, temp in temps.items():
        os.replace(temp, target)
    _sync_dir(project.build_dir)  # the renames survive a crash or power cut
    return {target.name: target for target in temps}


def _sync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

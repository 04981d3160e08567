"""The recipe: `briefing build` and `briefing check` as named steps, top to bottom.

    build, under build/'s lock (_build):
        up to date?          the manifest: no input changed since the last build, done
        load                 model + templates, every problem at once
        _compose_all         every edition's document, or every problem of every edition
        _composing_warnings  the gaps a draft allows, the model's and composing's warnings
        _render_all          per edition (_edition): draw the map, check the images, start
                             each format (and what it needs); then per edition, in order
                             (_finish): finish each format, the briefing's own citation
                             among them; every edition's slow work started first, so the
                             editions render side by side
        _once, --strict      each warning once; with --strict, warnings are errors
        _report_reuse        what the stage cache served
        _write               the last wall (no output carries active content, whatever a
                             stage gave), every output at once, the manifest recorded
    check:  load -> _compose_all -> warnings

Nothing in build/ changes until every format of every edition has rendered, so a failed
build leaves the previous outputs byte for byte as they were. Each step is a module:
model/ (inputs), compose/ (document), outputs/ (files), runtime/ (safety and speed).
"""

from __future__ import annotations

import collections
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from briefing.compose import argmap, checks, document
from briefing.compose.language import Localised
from briefing.errors import BriefingError, Collector, Problem
from briefing.model import bibliography
from briefing.model import formats as registry
from briefing.model import load as model_load
from briefing.model.project import Project, input_listing
from briefing.model.texts import Edition
from briefing.outputs import inert, pandoc, render
from briefing.outputs.job import Job
from briefing.outputs.render import Rendering
from briefing.runtime import cache, limits, writing
from briefing.runtime.manifest import Manifest


@dataclass
class Loaded:
    """Everything read and checked: the model, and the templates and catalogues."""

    model: model_load.Model
    prepared: document.Prepared

    @property
    def project(self) -> Project:
        return self.model.project

    def localised(self, edition: Edition) -> Localised:
        return self.prepared.localised(self.project, edition)


def load(root: Path) -> Loaded:
    """Read and validate every input and template; report every problem found, then stop.
    Missing translations are not errors here: they are gathered per edition, so `check`
    can list them and a build of one edition is not stopped by another's."""
    problems = Collector()
    model = model_load.load(root, problems)
    prepared = document.prepare(model.project, model.coverage, problems)
    problems.raise_if_any()
    model.warnings += prepared.warnings  # check and build show them with the model's
    return Loaded(model, prepared)


@dataclass
class Checked:
    warnings: list[Problem]
    # Per edition checked: (edition, lines "file: n of m" of its translated text fields).
    coverage: list[tuple[Edition, list[str]]]


def check(root: Path, strict: bool = False, editions: list[str] | None = None,
          allow_missing: bool = False, allow_stale: bool = False) -> Checked:
    """Everything a build checks before rendering; returns warnings (errors raise).
    Every missing or stale translation of the editions checked is listed at once."""
    loaded = load(root)
    model = loaded.model
    _no_clash(loaded.project, list(loaded.project.config.build.formats))
    chosen = model.editions(editions)
    composed = _compose_all(loaded, chosen, allow_missing, allow_stale)
    warnings = _allowed(model, chosen, allow_missing, allow_stale) + (
        model.coverage.unused + model.warnings)
    cited: set[str] = set()
    for one in composed.values():
        cited |= one.cited_keys
        warnings += one.warnings
    # As build warns before rendering: a released text whose translation drifted.
    warnings += document.released_drift(model, loaded.prepared)
    warnings += [Problem(f"bibliography entry {key!r} is not cited anywhere", model.bib.path,
                         line, "cite it or remove it")
                 for key, line in bibliography.unused(model.bib, cited)]
    if strict and warnings:
        raise BriefingError(warnings)
    coverage = [(e, model.coverage.summary(e.id, model.project.root)) for e in chosen
                if e.several]
    return Checked(warnings, coverage)


@dataclass
class Built:
    outputs: dict[str, Path]                              # file name -> path in build/
    warnings: list[Problem] = field(default_factory=list)  # shown by the CLI
    unchanged: bool = False  # nothing to do: the outputs were already up to date
    # Per edition: its numbered paragraphs (identifier, number, words) and the identifiers
    # released before and deleted since; what `briefing release` records.
    paragraphs: dict[str, list] = field(default_factory=dict)
    retired: dict[str, list[str]] = field(default_factory=dict)
    loaded: Loaded | None = None  # the inputs as this build read them (None when unchanged)


def build(root: Path, formats: list[str] | None = None,
          step: Callable[[str], None] = lambda s: None, editions: list[str] | None = None,
          allow_missing: bool = False, strict: bool = False,
          allow_stale: bool = False, force: bool = False, renumber: bool = False) -> Built:
    """Build under build/'s lock (a second build of the project waits for the first).
    With `strict`, a warning (from Pandoc, WeasyPrint or a missing translation) is an
    error and nothing is written. With `force`, the build runs even when the outputs are
    up to date (the stage cache still serves what is unchanged). With `renumber`, the
    paragraphs are numbered by place (`briefing release --renumber`)."""
    with writing.locked(writing.BuildDir(root / "build"), step):
        return _build(root, formats, step, editions, allow_missing, strict, allow_stale,
                      force, renumber)


def _build(root: Path, formats: list[str] | None, step: Callable[[str], None],
           editions: list[str] | None, allow_missing: bool, strict: bool,
           allow_stale: bool, force: bool = False, renumber: bool = False) -> Built:
    """The build's steps, in order; each is a function below."""
    manifest = Manifest(root, {"formats": formats, "editions": editions,
                               "allow_missing": allow_missing, "allow_stale": allow_stale,
                               "strict": strict, "renumber": renumber,
                               "listing": input_listing(root)})
    if not force and manifest.up_to_date():
        step("Up to date: no input has changed since the last build")
        return Built(manifest.outputs(), unchanged=True)
    step("Loading and checking inputs")
    loaded = load(root)
    _no_clash(loaded.project, formats or list(loaded.project.config.build.formats))
    chosen = loaded.model.editions(editions)
    step("Composing chapters")
    composed = _compose_all(loaded, chosen, allow_missing, allow_stale)
    warnings = _composing_warnings(loaded, chosen, composed, allow_missing, allow_stale)
    store = cache.Cache(loaded.project.build_dir)
    rendered = _render_all(loaded, chosen, composed,
                           formats or list(loaded.project.config.build.formats), step, store,
                           renumber)
    warnings = _once(warnings + rendered.warnings)
    if strict and warnings:
        raise BriefingError(warnings)
    _report_reuse(store, step)
    step("Writing outputs")
    written = _write(loaded.project, rendered, store, manifest)
    return Built(written, warnings, paragraphs=rendered.paragraphs, retired=rendered.retired,
                 loaded=loaded)


def _no_clash(project: Project, chosen: list[str]) -> None:
    """No two outputs of one name, which would overwrite each other: an edition's id is
    part of its file names, so an edition named as a format is (edition brief's PDF and
    the default edition's brief are both build/briefing.brief.pdf)."""
    seen: dict[Path, tuple[str, Edition]] = {}
    problems = []
    for fmt in registry.written(chosen):
        for edition in project.editions:
            for path in project.outputs(fmt, edition):
                fmt2, other = seen.setdefault(path, (fmt, edition))
                if (fmt2, other.id) != (fmt, edition.id):
                    named = edition if not edition.default else other
                    problems.append(Problem(
                        f"edition {named.id!r}: build/{path.name} would be both the {fmt2} of "
                        f"edition {other.id!r} and the {fmt} of edition {edition.id!r}",
                        project.config_path, project.line_of("editions", named.id),
                        "give the edition an id that is no format's name"))
    if problems:
        raise BriefingError(problems[:1])


def _composing_warnings(loaded: Loaded, editions: list[Edition],
                        composed: dict[str, document.Composed], allow_missing: bool,
                        allow_stale: bool) -> list[Problem]:
    """What loading and composing warn of: the gaps a draft allows, the model's and each
    edition's warnings, and the translations the released version's texts drifted from."""
    model = loaded.model
    return _allowed(model, editions, allow_missing, allow_stale) + (
        model.warnings + [w for one in composed.values() for w in one.warnings]
        + document.released_drift(model, loaded.prepared))


@dataclass
class Rendered:
    """Every edition in every format: the bytes of each output (the briefing's own
    citations too), what the formats warned of, and each edition's numbered paragraphs."""

    files: dict[Path, bytes] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)  # the local images shown: inputs too
    paragraphs: dict[str, list] = field(default_factory=dict)
    retired: dict[str, list[str]] = field(default_factory=dict)


def _render_all(loaded: Loaded, editions: list[Edition], composed: dict[str, document.Composed],
                formats: list[str], step: Callable[[str], None], store: cache.Cache,
                renumber: bool) -> Rendered:
    """Every edition's slow work started before the first is finished, so that one
    edition's Pandoc runs beside another's WeasyPrint layout; finished in order, and an
    edition's failure raised at its place in that order: the same error each run. On a
    failure or Ctrl-C, no edition's work goes on."""
    started: list[tuple[Edition, Localised, Rendering | BriefingError]] = []
    rendered = Rendered()
    try:
        _start_all(loaded, editions, composed, formats, step, store, renumber, started)
        for edition, _, begun in started:
            if isinstance(begun, BriefingError):
                raise begun
            _finish(loaded.project, edition, begun, rendered)
    except BaseException:
        limits.stop_all()
        for _, _, begun in started:
            if isinstance(begun, Rendering):
                begun.close()
        raise
    return rendered


def _start_all(loaded: Loaded, editions: list[Edition], composed: dict[str, document.Composed],
               formats: list[str], step: Callable[[str], None], store: cache.Cache,
               renumber: bool,
               started: list[tuple[Edition, Localised, Rendering | BriefingError]]) -> None:
    """Each edition's rendering started, into `started`, up to the first that fails (its
    error kept there, to be raised after the editions before it finish)."""
    for edition in editions:
        lang = loaded.localised(edition)
        say = step if not edition.several else (
            lambda text, tag=edition.id: step(text if text.startswith("  ") else
                                              f"[{tag}] {text}"))
        try:
            begun: Rendering | BriefingError = _edition(
                loaded, lang, composed[edition.id], formats, say, store, renumber)
        except BriefingError as exc:
            begun = exc
        started.append((edition, lang, begun))
        if isinstance(begun, BriefingError):
            break


def _finish(project: Project, edition: Edition, begun: Rendering, rendered: Rendered) -> None:
    """One edition's formats finished, in order, the briefing's own citation (for
    students) among them; each under its file name (model/formats.py)."""
    results = begun.finish()
    job = begun.job
    rendered.paragraphs[edition.id], rendered.retired[edition.id] = job.paragraphs, job.retired
    rendered.shown.update(job.composed.images())
    rendered.warnings += _problems(job.warnings)
    for fmt, data in results.items():
        for path in project.outputs(fmt, edition):
            rendered.files[path] = data


def _once(warnings: list[Problem]) -> list[Problem]:
    """Each warning once, in the order found."""
    return list({(w.message, str(w.path), w.line): w for w in warnings}.values())


def _report_reuse(store: cache.Cache, step: Callable[[str], None]) -> None:
    """Which stages the cache served (an incremental build says what it did not redo)."""
    if store.hits:
        counts = collections.Counter(store.hits)
        step("Reused from the cache: " + ", ".join(
            f"{stage} ×{n}" if n > 1 else stage for stage, n in counts.items()))


def _write(project: Project, rendered: Rendered, store: cache.Cache, manifest: Manifest
           ) -> dict[str, Path]:
    """The last wall (nothing that runs or loads, whatever a stage gave), then every
    output at once; the cache pruned and the inputs recorded for the next no-op check."""
    inert.check(rendered.files)
    written = writing.write_outputs(project.build_dir, rendered.files)
    store.prune()
    manifest.record(project.input_paths() + [project.root / src for src in sorted(rendered.shown)],
                    written)
    return written


def _allowed(model: model_load.Model, editions: list[Edition], allow_missing: bool,
             allow_stale: bool) -> list[Problem]:
    """The missing and stale translations a draft was asked to allow: warnings."""
    return (([g.problem() for g in model.gaps(editions)] if allow_missing else [])
            + (model.stale(editions) if allow_stale else []))


def _compose_all(loaded: Loaded, editions: list[Edition], allow_missing: bool,
                 allow_stale: bool = False) -> dict[str, document.Composed]:
    """Every edition's document, or every problem of every edition at once: a missing
    or stale translation does not hide an unknown citation key, nor one edition
    another's."""
    problems = Collector()
    model = loaded.model
    if not allow_missing:
        problems.problems += [gap.problem() for gap in model.gaps(editions)]
    if not allow_stale:
        problems.problems += model.stale(editions)
    incomplete = _incomplete(model, editions, allow_missing, allow_stale)
    composed = {}
    for edition in editions:
        try:
            composed[edition.id] = document.compose_edition(
                loaded.model, loaded.prepared, loaded.localised(edition))
        except BriefingError as exc:
            problems.extend(exc)
    if problems.problems:  # each problem once, in the order found
        raise BriefingError(list({(p.message, str(p.path), p.line): p
                                  for p in problems.problems}.values()) + incomplete)
    return composed


def _incomplete(model: model_load.Model, editions: list[Edition], allow_missing: bool,
                allow_stale: bool) -> list[Problem]:
    """One run reports everything and builds nothing until every edition is complete;
    when some are, this names them, so the author can build those alone."""
    lacking = {g.edition for g in model.gaps(editions)} if not allow_missing else set()
    lacking |= {s.edition for s in model.coverage.stale} if not allow_stale else set()
    complete = [e.id for e in editions if e.id not in lacking]
    if not complete or len(complete) == len(editions):
        return []
    names = ", ".join(e.id for e in editions if e.id in lacking)
    flags = " ".join(f"--edition {shlex.quote(ident)}" for ident in complete)  # to paste
    return [Problem(f"translations missing or stale in {names} (above); "
                    f"{', '.join(complete)} {'are' if len(complete) > 1 else 'is'} complete",
                    None, None,
                    f"`briefing build {flags}` builds the complete editions alone (a build of "
                    "all writes nothing while one is incomplete); --allow-missing and "
                    "--allow-stale build a draft of all")]


def _edition(loaded: Loaded, lang: Localised, composed: document.Composed, chosen: list[str],
             step: Callable[[str], None], store: cache.Cache, renumber: bool = False
             ) -> Rendering:
    """One edition, every format: its composed document's rendering, started."""
    return render.start(_job(loaded, lang, composed, step, store, renumber), chosen)


def _job(loaded: Loaded, lang: Localised, composed: document.Composed,
         step: Callable[[str], None], store: cache.Cache, renumber: bool = False) -> Job:
    """One edition's job: its working files written, its map drawn, its images checked."""
    project, model = loaded.project, loaded.model
    workdir = project.root / document.workdir(lang.edition)
    writing.BuildDir(project.build_dir).fresh(workdir)
    bounds = project.config.limits
    if composed.argument_map.path in composed.markdown:
        step("Graphviz: argument map")
        argmap.draw(composed.argument_map, workdir, store, bounds.layout_seconds,
                    bounds.layout_memory_mib)
    # The chapters' own images were checked with the document (compose/checks.py's list,
    # which check runs too); the map's, drawn just now, is checked here.
    checks.check_images(project, composed, only={composed.argument_map.path})
    inputs = pandoc.Inputs(workdir / "briefing.md", workdir / "briefing.bib",
                           project.csl_for(lang.edition),
                           workdir, model.epoch, bounds.pandoc_seconds, bounds.pandoc_memory_mib)
    _working_file(inputs.markdown, composed.markdown)
    _working_file(inputs.bibliography, model.bib_for(lang.edition).for_pandoc())
    return Job(project, model.epoch, lang, composed, inputs, store, step,
               previous=model.previous, history=model.earlier,
               renumber=renumber or model.renumbered, model=model)


def numbered(root: Path, edition: str | None = None) -> tuple[Loaded, list]:
    """The working tree's numbered paragraphs in one edition (default: the default
    one), as a build would number them: read and numbered by Pandoc, nothing rendered
    and nothing written but build/'s working files (`briefing cite --paragraph`)."""
    with writing.locked(writing.BuildDir(root / "build"), lambda text: None):
        loaded = load(root)
        chosen = loaded.model.editions([edition] if edition else None)[:1]
        composed = _compose_all(loaded, chosen, allow_missing=True, allow_stale=True)
        lang = loaded.localised(chosen[0])
        job = _job(loaded, lang, composed[chosen[0].id], lambda text: None,
                   cache.Cache(loaded.project.build_dir))
        try:
            job.resolved()
        finally:
            job.pool.shutdown()
        return loaded, job.paragraphs


def _working_file(path: Path, text: str) -> None:
    """A working file; a failed write (a full disk) names it, as Pandoc's do."""
    try:
        path.write_text(text, "utf-8")
    except OSError as exc:
        exc.filename = exc.filename or str(path)
        raise


def _problems(found: list) -> list[Problem]:
    """The formats' warnings as problems (WeasyPrint's come as text)."""
    return [w if isinstance(w, Problem) else Problem(str(w), None, None,
                                                     "shown as a warning; --strict makes it "
                                                     "an error") for w in found]

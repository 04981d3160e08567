"""The command line: `briefing build|check|watch|cite`.

The only place that prints errors and chooses exit codes. A BriefingError is the
user's to fix (exit 1, one message per problem, no traceback); anything else is
a bug in briefing (exit 70, traceback only with --debug).
"""

from __future__ import annotations

import contextlib
import functools
import os
import shlex
import signal
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from briefing.model import formats as registry
from briefing.terminal import safe, safe_json

if TYPE_CHECKING:  # the recipe is imported by the commands that build (start-up time)
    from briefing import recipe

EXIT_USER, EXIT_BUG, EXIT_INTERRUPTED, EXIT_TERMINATED = 1, 70, 130, 143


class Terminated(BaseException):  # noqa: N818 - like KeyboardInterrupt, for SIGTERM
    """SIGTERM arrived: unwind like Ctrl-C, so children are stopped and temporaries go."""

    received = False  # watchfiles turns the exception of any signal into KeyboardInterrupt


def _on_sigterm(signum, frame):
    Terminated.received = True
    raise Terminated()


def echo(text: str = "", err: bool = False, nl: bool = True, lines: bool = False) -> None:
    """click.echo for every text that may hold a file name or a text from the inputs:
    what a terminal would obey (escape sequences, CR, bidi controls) is printed escaped
    (briefing.terminal); with `lines`, the text's own newlines stay."""
    click.echo(safe(text, lines), err=err, nl=nl)

# The citation formats of the format registry (model/formats.py), as `cite --format`
# offers them.
CITE_FORMATS = registry.citations()


class Formats(click.Choice):
    """--format's choices, read from the format registry (model/formats.py) when the
    option is parsed or shown: a format added there is a choice here."""

    def __init__(self, names: Callable[[], list[str]]):
        self.names = names
        super().__init__(names())

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self.names())

    @choices.setter
    def choices(self, value: object) -> None:  # click's __init__ sets it; the registry rules
        pass


ALLOW_STALE = ("Draft: a translation whose original changed since it was written (a data text "
               "or a catalogue entry marked fuzzy) is a warning, printed as it was, instead "
               "of an error.")


class Context:
    def __init__(self, project: Path, debug: bool, quiet: bool, progress: str = "auto"):
        self.project, self.debug, self.quiet = project, debug, quiet
        if quiet:
            progress = "none"
        elif progress == "auto":  # a live status on a terminal; silence in logs and pipes
            progress = "live" if sys.stderr.isatty() else "none"
        self.progress = progress

    def say(self, text: str) -> None:
        if self.progress != "none":
            echo(text, err=True)

    @contextlib.contextmanager
    def stages(self):
        """A step(text) callback for the build: a spinner with the current stage and each
        finished stage's time on a terminal, plain '· stage' lines with --progress plain."""
        if self.progress != "live":
            # Lines starting with two spaces are progress within a stage: live status only.
            yield (lambda text: None if text.startswith("  ") else echo(
                f"· {text}", err=True)) if self.progress == "plain" else (lambda text: None)
            return
        from rich.console import Console
        from rich.markup import escape

        console = Console(stderr=True, highlight=False)
        current: dict[str, Any] = {"text": None, "start": time.perf_counter()}

        def step(text: str) -> None:
            text = escape(safe(text))  # shown as it is: no markup, nothing a terminal obeys
            if text.startswith("  "):  # progress within the stage: "part 3 of 40"
                status.update(f"{current['text']} … {text.strip()}")
                return
            now = time.perf_counter()
            if current["text"]:
                console.print(f"[green]✓[/] {current['text']} [dim]{now - current['start']:.1f} s")
            current.update(text=text, start=now)
            status.update(f"{text} …")

        with console.status("Starting …") as status:
            try:
                yield step
            finally:
                if current["text"]:
                    console.print(f"[green]✓[/] {current['text']} "
                                  f"[dim]{time.perf_counter() - current['start']:.1f} s")

    def run(self, action):
        """Run an action; turn every failure into one clean message and an exit code."""
        from briefing.errors import BriefingError

        try:
            return action()
        except BriefingError as exc:
            echo(exc.format(self.project), err=True, lines=True)
            if self.debug:
                traceback.print_exc()
            sys.exit(EXIT_USER)
        except KeyboardInterrupt:
            click.echo("briefing: interrupted; the previous outputs in build/ are unchanged",
                       err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Terminated:
            click.echo("briefing: terminated; the previous outputs in build/ are unchanged",
                       err=True)
            sys.exit(EXIT_TERMINATED)
        except MemoryError:
            click.echo("briefing: error: out of memory\n  hint: look for an input that grows "
                       "without bound; see [limits] in briefing.toml", err=True)
            sys.exit(EXIT_USER)
        except Exception as exc:  # a bug in briefing, not in the user's input
            if self.debug:
                traceback.print_exc()
            echo(f"briefing: internal error: {type(exc).__name__}: {safe(str(exc))}\n"
                 "  hint: this is a bug in briefing; rerun with --debug and report it",
                 err=True, lines=True)
            sys.exit(EXIT_BUG)


class _Group(click.Group):
    """Global options may also come after the subcommand (`briefing check --project DIR`),
    as authors type them: they are moved in front before click parses."""

    TAKES_VALUE = ("--project", "-C", "--progress")
    FLAGS = ("--debug", "--quiet", "-q")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0].startswith("-"):
            return super().parse_args(ctx, args)
        front, rest, i = [], [args[0]], 1
        while i < len(args):
            arg = args[i]
            if arg == "--":  # everything after it belongs to the subcommand
                rest += args[i:]
                break
            if arg in self.TAKES_VALUE and i + 1 < len(args):
                front += args[i:i + 2]
                i += 2
                continue
            if arg in self.FLAGS or arg.split("=", 1)[0] in ("--project", "--progress"):
                front.append(arg)
            else:
                rest.append(arg)
            i += 1
        return super().parse_args(ctx, front + rest)

    # What other tools call starting a project: the same as `briefing new`, unlisted.
    ALIASES = {"init": "new"}

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, self.ALIASES.get(cmd_name, cmd_name))


@click.group(cls=_Group)
@click.option("--project", "-C", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="Project root (holds briefing.toml).")
@click.option("--debug", is_flag=True, help="Show Python tracebacks.")
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
@click.option("--progress", type=click.Choice(["auto", "live", "plain", "none"]), default="auto",
              show_default=True,
              help="Stage progress: live on a terminal, plain lines, or none (auto: live on "
                   "a terminal, none otherwise).")
@click.version_option(package_name="briefing")
@click.pass_context
def main(ctx: click.Context, project: Path, debug: bool, quiet: bool, progress: str) -> None:
    """Build a cited briefing (PDF, EPUB) from structured arguments."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    ctx.obj = Context(project.resolve(), debug, quiet, progress)


@main.command()
@click.option("--format", "formats", multiple=True, type=Formats(registry.documents),
              help="Build only this format (repeatable); the citation files come with "
                   "every build. Default: briefing.toml's build.formats.")
@click.option("--edition", "editions", multiple=True, metavar="ID",
              help="Build only this edition (repeatable), e.g. --edition nl. Default: all "
                   "the editions in briefing.toml.")
@click.option("--allow-missing", is_flag=True,
              help="Draft: print a visible [NOT TRANSLATED] marker with the default edition's "
                   "text where a translation is missing, instead of stopping.")
@click.option("--allow-stale", is_flag=True, help=ALLOW_STALE)
@click.option("--quiet", "-q", is_flag=True, help="Print errors only (as `briefing -q build`).")
@click.option("--strict", is_flag=True,
              help="Treat warnings (Pandoc's, WeasyPrint's, missing translations) as errors: "
                   "nothing is written.")
@click.pass_obj
def build(obj: Context, formats: tuple[str, ...], editions: tuple[str, ...],
          allow_missing: bool, allow_stale: bool, quiet: bool, strict: bool) -> None:
    """Check all inputs, then write build/<name>.pdf, .epub, .docx, .html (build.formats)
    and the citation files .bib, .ris, .json (per edition: build/<name>.<edition>.pdf ...;
    the default edition also as build/<name>.pdf)."""
    from briefing import recipe

    if quiet:
        obj.quiet, obj.progress = True, "none"
    start = time.perf_counter()
    with obj.stages() as step:
        built = obj.run(lambda: recipe.build(obj.project, list(formats) or None, step,
                                             list(editions) or None, allow_missing, strict,
                                             allow_stale))
    for warning in built.warnings:  # shown even with --quiet: they may mean a wrong output
        echo(warning.format(obj.project).replace(": error: ", ": warning: ", 1), err=True,
             lines=True)
    outputs = built.outputs
    if allow_missing:
        obj.say("draft: missing translations are marked [NOT TRANSLATED]; do not publish")
    if allow_stale and any("is stale" in w.message for w in built.warnings):
        obj.say("draft: stale translations are printed as they were; do not publish")
    if built.unchanged:
        obj.say(f"nothing written: the {len(outputs)} outputs in build/ are up to date")
    for path in outputs.values() if not built.unchanged else ():
        obj.say(f"wrote {path.relative_to(obj.project)} ({path.stat().st_size:,} bytes)")
    obj.say(f"done in {time.perf_counter() - start:.1f} s")


@main.command()
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. uncited entries) as errors.")
@click.option("--edition", "editions", multiple=True, metavar="ID",
              help="Check only this edition (repeatable). Default: all.")
@click.option("--allow-missing", is_flag=True,
              help="List missing translations as warnings instead of errors.")
@click.option("--allow-stale", is_flag=True, help=ALLOW_STALE)
@click.option("--questions", is_flag=True,
              help="Also list the critical questions of the claims' argument schemes that "
                   "the sources leave open, at the line naming the scheme.")
@click.pass_obj
def check(obj: Context, strict: bool, editions: tuple[str, ...], allow_missing: bool,
          allow_stale: bool, questions: bool) -> None:
    """Validate config, seeds, bibliography, templates and translations without rendering.
    Every missing translation of every edition checked is listed, with file and line."""
    from briefing import recipe

    checked = obj.run(lambda: recipe.check(obj.project, strict, list(editions) or None,
                                           allow_missing, allow_stale))
    for warning in checked.warnings:
        echo(warning.format(obj.project).replace(": error: ", ": warning: ", 1), err=True,
             lines=True)
    for edition, rows in checked.coverage:
        if not obj.quiet:  # the check's report: printed also when piped
            echo(f"edition {edition.id} ({edition.language}): text fields and messages "
                 "with a value, per file")
            for row in rows:
                echo(f"  {row}")
    if questions:  # the check passed, so the model loads
        from briefing.questions import open_questions

        for line in obj.run(lambda: open_questions(obj.project)):
            echo(line)
    warnings = checked.warnings
    if not obj.quiet:  # the answer to the question asked: printed also when piped
        echo("check passed" + (f" with {len(warnings)} warning(s)" if warnings else ""),
             err=True)


@main.command()
@click.option("--format", "fmt", type=Formats(registry.citations),
              default="text", show_default=True)
@click.option("--edition", metavar="ID", help="The edition to cite. Default: the default one.")
@click.option("--paragraph", metavar="NUMBER",
              help="Where the paragraph printed with this number (e.g. 2.7) is now, and how "
                   "to cite it; with --version, the number it had in that version.")
@click.option("--version", "version", metavar="VERSION",
              help="With --paragraph: the version the number was cited from (default: "
                   "this one).")
@click.pass_obj
def cite(obj: Context, fmt: str, edition: str | None, paragraph: str | None,
         version: str | None) -> None:
    """Print how to cite this briefing, or (--paragraph) one of its paragraphs, followed
    from the version it was cited in to this one."""
    from briefing.compose.language import localised
    from briefing.model import config
    from briefing.outputs import cite as citation

    if paragraph is not None:
        echo(obj.run(lambda: _cite_paragraph(obj.project, paragraph, version, edition)),
             lines=True)
        return
    if version is not None:
        obj.run(lambda: _refuse("--version goes with --paragraph"))

    def text() -> str:
        project = config.load(obj.project)
        lang = localised(project, edition or project.default_edition.id)
        return citation.render(project, fmt, lang)

    cited = obj.run(text)  # the format's own lines stay; CSL JSON keeps to JSON's escapes
    click.echo(safe_json(cited) if fmt == "csl-json" else safe(cited, lines=True), nl=False)


def _refuse(message: str) -> None:
    from briefing.errors import BriefingError

    raise BriefingError.at(message, None, None, "e.g. briefing cite --paragraph 2.7 "
                           "--version 1.0")


def _cite_paragraph(root: Path, label: str, version: str | None, edition: str | None) -> str:
    """"¶2.7 of version 0.1 (…) is ¶2.8 in version 1.2 (…), #p2.8" and its citation."""
    from briefing import whereabouts
    from briefing.compose.language import localised
    from briefing.compose.metadata import how_to_cite
    from briefing.model import config
    from briefing.outputs.html import paragraph_citation

    found = whereabouts.where(root, label, version, edition)
    if found.now is None:
        return f"{found.asked} was deleted in version {found.version} ({found.date})"
    project = config.load(root)
    lang = localised(project, edition or project.default_edition.id)
    assert found.anchor is not None
    cited = paragraph_citation(how_to_cite(project, lang), project.config.document.url,
                               found.now, found.anchor)
    return (f"{found.asked} is ¶{found.now} in version {found.version} ({found.date}), "
            f"anchor #{found.anchor}\n  {cited}")


@main.command()
@click.argument("version")
@click.option("--no-tag", is_flag=True,
              help="Record the release without committing the record or tagging (in a git "
                   "repository the record is committed and the commit tagged v<VERSION>).")
@click.option("--renumber", is_flag=True,
              help="Number every paragraph by its place again (a new major version only); "
                   "the changelog gives each old number's new one, and every old number "
                   "stays an anchor (v<old version>-p<number>). Without it, paragraphs keep "
                   "their numbers and new ones get letters (¶2.7a).")
@click.pass_obj
def release(obj: Context, version: str, no_tag: bool, renumber: bool) -> None:
    """Release VERSION: build every edition with warnings as errors, then record the
    argument base, the paragraph identifiers and the outputs' digests in
    releases/VERSION.json. briefing.toml's [document] version must be VERSION; a version
    is released once, each after the last."""
    from briefing import release as releasing

    with obj.stages() as step:
        done = obj.run(lambda: releasing.release(obj.project, version, step, not no_tag,
                                                 renumber))
    if not obj.quiet:  # the answer to the command: printed also when piped
        echo(f"recorded {done.path.relative_to(obj.project)}"
             + (f"; committed and tagged {done.tag}" if done.tag else ""), err=True)


@main.command()
@click.argument("old")
@click.argument("new", default="working")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@click.option("--edition", "editions", multiple=True, metavar="ID",
              help="Only this edition (repeatable). Default: all.")
@click.pass_obj
def diff(obj: Context, old: str, new: str, as_json: bool, editions: tuple[str, ...]) -> None:
    """What changed in the argument base from release OLD to release NEW (default: the
    working tree): claims added, removed and reworded (changed words as [-old-]{+new+}),
    translations, quotes, locators, relations, comparison cells and sources, per edition."""
    import json

    from briefing import release as releasing
    from briefing.compose import changes

    compared = obj.run(lambda: releasing.diff(obj.project, old, new))
    found = {ed: c for ed, c in compared.changes.items() if not editions or ed in editions}
    if as_json:  # what a terminal would obey written as JSON escapes: the same JSON
        click.echo(safe_json(json.dumps(changes.as_json(found, old, new), ensure_ascii=False,
                                        indent=1)))
    else:
        echo(changes.as_text(found, old, new), nl=False, lines=True)


@main.command()
@click.option("--format", "formats", multiple=True, metavar="FORMAT",
              type=click.Choice(["arguments", "aif", "xaif", "argdown", "graphml", "jsonld",
                                 "annotations", "all"]),
              help="arguments (briefing's own JSON), aif, xaif, argdown, graphml, jsonld "
                   "(schema.org Claim) or annotations (W3C Web Annotations); repeatable; "
                   "all: every one.")
@click.option("--edition", "editions", multiple=True, metavar="ID",
              help="Only this edition (repeatable). Default: all.")
@click.option("--allow-missing", is_flag=True,
              help="Draft: mark missing translations [NOT TRANSLATED] instead of stopping.")
@click.option("--allow-stale", is_flag=True, help=ALLOW_STALE)
@click.option("--stdout", "to_stdout", is_flag=True,
              help="Print the one format of the one edition instead of writing build/.")
@click.option("--schema", "print_schema", is_flag=True,
              help="Print the JSON Schema of the arguments format and stop.")
@click.pass_obj
def export(obj: Context, formats: tuple[str, ...], editions: tuple[str, ...],
           allow_missing: bool, allow_stale: bool, to_stdout: bool, print_schema: bool) -> None:
    """Write the argument base for other tools, per edition, without building the
    document: build/<name>[.<edition>].arguments.json, .aif.json, .xaif.json, .argdown,
    .graphml, .jsonld, .annotations.jsonld (the formats build.formats can name too)."""
    import json

    from briefing import exporting
    from briefing.outputs.arguments import base

    if print_schema:
        click.echo(json.dumps(base.schema(), ensure_ascii=False, indent=2))
        return
    names = exporting.NAMES if "all" in formats or not formats else list(dict.fromkeys(formats))
    if to_stdout:
        made = obj.run(lambda: exporting.made(obj.project, names, list(editions) or None,
                                              allow_missing, allow_stale))
        if len(set(map(id, made.values()))) != 1:
            obj.run(lambda: _refuse_export("--stdout prints one format of one edition"))
        click.echo(next(iter(made.values())).decode("utf-8"), nl=False)
        return
    with obj.stages() as step:
        written = obj.run(lambda: exporting.export(obj.project, names, list(editions) or None,
                                                   allow_missing, allow_stale, step))
    for path in written.values():
        obj.say(f"wrote {path.relative_to(obj.project)} ({path.stat().st_size:,} bytes)")


def _refuse_export(message: str) -> None:
    from briefing.errors import BriefingError

    raise BriefingError.at(message, None, None, "name one --format and one --edition")


@main.command("import")
@click.argument("kind", type=click.Choice(["argdown", "aif"]))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "ident", help="The seed's id (default: from the file name): "
              "seeds/<id>.yaml, its claims <id>-<statement>.")
@click.option("--language", help="The map's language (BCP 47). Default: the default "
              "edition's.")
@click.pass_obj
def import_(obj: Context, kind: str, file: Path, ident: str | None,
            language: str | None) -> None:
    """Another tool's argument map (Argdown text, or AIF / xAIF JSON) as a draft seed:
    its statements as claims (their texts the seed's paragraphs), its headings as
    perspectives appended to briefing.toml, its supports, attacks and undercuts as
    relations, and a bibliography stub for the map. What a seed cannot hold is refused
    with its line; nothing is written then, and no seed or entry is overwritten."""
    from briefing.authoring import importing

    done = obj.run(lambda: importing.run(obj.project, kind, file, ident, language))
    if obj.quiet:
        return
    seed = os.path.relpath(done.seed, obj.project)
    echo(f"wrote {seed}: {done.claims} claims, {done.relations} relations", err=True)
    if done.perspectives:
        echo(f"appended perspectives {', '.join(done.perspectives)} to briefing.toml: write "
             "their key points and summaries, and give each a cell in every comparison of "
             "analysis.yaml", err=True)
    echo(f"appended a stub for the map to {os.path.relpath(done.bib, obj.project)}", err=True)
    echo(f"next: set each claim's kind and holders in {seed}, then briefing check", err=True)


def rebuilding(command: Callable) -> Callable:
    """What `watch` and `preview` rebuild on each save: build's choices of formats and
    editions, and its two draft switches."""
    for option in reversed([
            click.option("--format", "formats", multiple=True, type=Formats(registry.documents),
                         help="Build only this format (repeatable), e.g. --format html for "
                              "the quickest page. Default: briefing.toml's build.formats."),
            click.option("--edition", "editions", multiple=True, metavar="ID",
                         help="Build only this edition (repeatable), e.g. --edition en while "
                              "the others are being translated. Default: all."),
            click.option("--allow-missing", is_flag=True,
                         help="Draft: mark missing translations [NOT TRANSLATED] instead of "
                              "stopping."),
            click.option("--allow-stale", is_flag=True, help=ALLOW_STALE)]):
        command = option(command)
    return command


def _tell(obj: Context, text: str) -> None:
    """A rebuilding command's own status line: shown unless --quiet."""
    if not obj.quiet:
        click.echo(text, err=True)


def _rebuild(obj: Context, formats: tuple[str, ...], editions: tuple[str, ...],
             allow_missing: bool, allow_stale: bool) -> recipe.Built:
    """One build of watch or preview, its warnings printed as warnings; a BriefingError
    is the caller's to show (watching goes on)."""
    from briefing import recipe

    with obj.stages() as step:
        built = recipe.build(obj.project, list(formats) or None, step, list(editions) or None,
                             allow_missing, allow_stale=allow_stale)
    for warning in built.warnings:
        click.echo(warning.format(obj.project).replace(": error: ", ": warning: ", 1), err=True)
    return built


@main.command()
@click.option("--debounce", default=300, show_default=True, help="Milliseconds to wait.")
@click.option("--open", "open_output", is_flag=True,
              help="Open the PDF (or the HTML) once, after the first good build.")
@rebuilding
@click.pass_obj
def watch(obj: Context, debounce: int, open_output: bool, formats: tuple[str, ...],
          editions: tuple[str, ...], allow_missing: bool, allow_stale: bool) -> None:
    """Rebuild on every saved change; errors are shown and watching goes on. Takes build's
    --format, --edition, --allow-missing and --allow-stale, so that an edit to one edition
    need not wait for the others' translations."""
    from briefing import watching
    from briefing.errors import BriefingError

    tell = functools.partial(_tell, obj)  # watch's own status lines
    opened = [not open_output]

    def once() -> None:
        start = time.perf_counter()
        try:
            built = _rebuild(obj, formats, editions, allow_missing, allow_stale)
            outputs = built.outputs
            draft = " (a draft: do not publish)" if allow_missing or allow_stale else ""
            tell(f"built in {time.perf_counter() - start:.1f} s{draft}; watching for changes")
        except BriefingError as exc:
            click.echo(exc.format(obj.project), err=True)
            tell("build failed; previous outputs kept; watching for changes")
            return
        if not opened[0]:
            opened[0] = True
            # The default edition's PDF (build/briefing.pdf), else its HTML.
            named = sorted(outputs.values(), key=lambda p: (p.suffix != ".pdf", len(p.name)))
            target = next((p for p in named if p.suffix in (".pdf", ".html")), None)
            if target:
                click.launch(str(target))

    def watched() -> None:
        try:
            watching.watch(obj.project, debounce, lambda: obj.run(once))
        except (KeyboardInterrupt, Terminated):  # the way watching ends: no message
            sys.exit(EXIT_TERMINATED if Terminated.received else EXIT_INTERRUPTED)

    obj.run(watched)  # a project that cannot be watched: its message, exit 1


@main.command()
@click.option("--port", default=0, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 to serve on. Default: a free one.")
@click.option("--open", "open_page", is_flag=True,
              help="Open the preview's page in the browser once the first build is done.")
@click.option("--debounce", default=300, show_default=True, help="Milliseconds to wait.")
@rebuilding
@click.pass_obj
def preview(obj: Context, port: int, open_page: bool, debounce: int, formats: tuple[str, ...],
            editions: tuple[str, ...], allow_missing: bool, allow_stale: bool) -> None:
    """Watch, rebuild on every saved change, and serve build/'s pages on 127.0.0.1: each
    page reloads itself after a build; the page at / shows the last build's problems.
    The files in build/ are exactly what `briefing build` writes."""
    from briefing import watching
    from briefing.errors import BriefingError
    from briefing.runtime import serve

    tell = functools.partial(_tell, obj)  # the preview's own status lines

    def once(shown: serve.Preview) -> None:
        start = time.perf_counter()
        try:
            built = _rebuild(obj, formats, editions, allow_missing, allow_stale)
        except BriefingError as exc:
            click.echo(exc.format(obj.project), err=True)
            shown.publish(False, exc.problems, time.perf_counter() - start)
            tell(f"build failed; previous outputs kept; the problems at {shown.url}")
            return
        seconds = time.perf_counter() - start
        shown.publish(True, built.warnings, seconds)
        draft = " (a draft: do not publish)" if allow_missing or allow_stale else ""
        tell(f"built in {seconds:.1f} s{draft}; watching for changes; {shown.url}")

    def served() -> None:
        with serve.serving(obj.project / "build", obj.project, port,
                           obj.project.name) as shown:
            click.echo(f"briefing: preview at {shown.url} (Ctrl-C stops it)", err=True)
            opened = [not open_page]

            def build() -> None:
                obj.run(lambda: once(shown))
                if not opened[0]:
                    opened[0] = True
                    click.launch(shown.url)

            try:
                watching.watch(obj.project, debounce, build)
            except (KeyboardInterrupt, Terminated):  # the way a preview ends: no message
                sys.exit(EXIT_TERMINATED if Terminated.received else EXIT_INTERRUPTED)

    obj.run(served)  # a port taken, a project that cannot be watched: its message, exit 1


@main.group()
def translations() -> None:
    """Keep each edition's translations in step with the default edition's texts."""


@translations.command("update")
@click.option("--edition", metavar="ID", help="Update only this edition. Default: every "
              "edition but the default one.")
@click.option("--confirm", "confirm", multiple=True, metavar="FILE:LINE",
              help="Mark the stale translation at FILE:LINE current: it still holds "
                   "(repeatable; the places `briefing check` names).")
@click.option("--confirm-all", is_flag=True, help="Mark every stale translation current.")
@click.option("--quiet", "-q", is_flag=True,
              help="Print errors only (as `briefing -q translations update`).")
@click.pass_obj
def translations_update(obj: Context, edition: str | None, confirm: tuple[str, ...],
                        confirm_all: bool, quiet: bool) -> None:
    """Bring locale/<edition>.po up to the chapter templates (new messages added empty,
    changed ones kept marked stale, unused ones made obsolete) and record which version
    of each data text every translation was written for (locale/<edition>.texts.json)."""
    from briefing.authoring.translations import update

    reports = obj.run(lambda: update(obj.project, edition, list(confirm), confirm_all))
    for line in reports if not (quiet or obj.quiet) else ():  # its summary: not an error
        echo(line)


@main.group()
def edition() -> None:
    """Add or remove an edition (a language) of the briefing."""


@edition.command("add")
@click.argument("spec", metavar="[ID:]LANG")
@click.pass_obj
def edition_add(obj: Context, spec: str) -> None:
    """Add an edition: a language (nl, de-AT; the id is its first part) or ID:LANGUAGE
    (nl:nl-BE). Writes its table in briefing.toml and its catalogue, then lists what is
    left to translate (`briefing check` names each text with its line)."""
    from briefing.authoring import editions

    for line in obj.run(lambda: editions.add(obj.project, spec)):
        echo(line)


@edition.command("remove")
@click.argument("ident", metavar="ID")
@click.pass_obj
def edition_remove(obj: Context, ident: str) -> None:
    """Remove an edition: its table in briefing.toml and every text of it in briefing.toml,
    the seeds and analysis.yaml (the rest of each file as it was, comments and order
    included), and its catalogue, records and prose files (chapters/*.ID.md)."""
    from briefing.authoring import editions

    for line in obj.run(lambda: editions.remove(obj.project, ident)):
        echo(line)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", help="The briefing's title (every edition, until you translate it). "
              "Default: the example's.")
@click.option("--edition", "--editions", "editions", multiple=True, metavar="[ID:]LANG,...",
              help="The editions, the first the default: a language (en, nl-BE; the id is "
                   "its first part) or ID:LANGUAGE (en:en-GB). Repeatable or comma-separated. "
                   "Default: en (one English edition; `briefing edition add` adds one later). The "
                   "example's "
                   "words exist in English and Dutch; another language's are left for you "
                   "to translate (`briefing check` lists them).")
@click.option("--perspective", "perspectives", multiple=True, metavar='ID:"TITLE"',
              help="A perspective to compare (repeatable, at least two), e.g. "
                   "residents:\"The residents' view\". Default: the example's three.")
@click.pass_obj
def new(obj: Context, directory: Path, title: str | None, editions: tuple[str, ...],
        perspectives: tuple[str, ...]) -> None:
    """Start a briefing in DIRECTORY (made if missing; it must be empty but for hidden
    files): a complete small project on an invented example (a council's debate on
    car-free streets) that builds at once and shows every part of a briefing once.
    DIRECTORY is taken as given, not under --project."""
    from briefing.authoring import new as authoring
    from briefing.authoring.translations import update

    def make() -> authoring.Created:
        chosen = authoring.parse_editions(list(editions))
        chosen_perspectives = authoring.parse_perspectives(list(perspectives))
        target = Path(os.path.abspath(directory))
        # All or nothing: made in a hidden folder inside DIRECTORY, translations recorded
        # there too, then moved in; on any failure DIRECTORY is left as it was.
        with authoring.staged(target) as stage:
            created = authoring.write_project(stage.path, title, chosen, chosen_perspectives,
                                              authoring.today())
            if len(chosen) > 1:  # each translation recorded against its original
                update(stage.path, None, [], False)
                created.written += [f"locale/{e.id}.texts.json" for e in chosen[1:] if
                                    (stage.path / "locale" / f"{e.id}.texts.json").exists()]
        return stage.finished(created, target)

    created = obj.run(make)
    if obj.quiet:
        return
    echo(f"created {directory}: {len(created.written)} files", err=True)
    for note in created.notes:
        echo(f"  {note}", err=True)
    for edition, count in created.untranslated.items():
        echo(f"  edition {edition}: {count} texts to translate (the example has only "
             "English and Dutch words); `briefing check` lists them", err=True)
    echo(f"next: cd {shlex.quote(str(directory))} && briefing build   (then write your "
         "prose in chapters/introduction.md and add sources: briefing source add FILE "
         "--key KEY)", err=True)


@main.group()
def source() -> None:
    """Add source texts to the project."""


@source.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--key", required=True, help="Its BibTeX key, e.g. lind2026carfree: the seed's "
              "`key` and the stub entry appended to the bibliography.")
@click.option("--id", "ident", help="The source's id (default: from the key); the seed is "
              "seeds/<id>.yaml.")
@click.option("--language", help="The text's language (BCP 47, e.g. nl). Default: an HTML "
              "file's lang attribute; needed for text and Markdown.")
@click.option("--title", help="Its title. Default: the HTML <title> or the first Markdown "
              "heading.")
@click.option("--update", is_flag=True, help="The file changed: rewrite the paragraphs and the "
              "digest of the seed with this key, keeping its id, title, language, actors, "
              "claims and comments.")
@click.pass_obj
def source_add(obj: Context, file: Path, key: str, ident: str | None, language: str | None,
               title: str | None, update: bool) -> None:
    """Copy a source text's paragraphs into seeds/<id>.yaml, numbered 1..n, with the file's
    path and SHA-256 (`check` warns when the file changes), and append a bibliography stub
    with only what the file shows. FILE is .txt or .md (paragraphs: blank-line separated;
    Markdown headings left out and listed) or .html (<p>, <li>, <blockquote>). Whitespace
    inside a paragraph becomes one space; nothing else changes. A FILE outside the
    project's sources/ folder is copied there. Existing seeds and entries are never
    overwritten (but --update)."""
    from briefing.authoring import source as authoring

    if not os.path.lexists(file) and os.path.lexists(obj.project / file):
        file = obj.project / file  # named from the project, as `-C DIR` suggests
    added = obj.run(lambda: authoring.add(obj.project, file, key, ident, language, title,
                                          update))
    if obj.quiet:
        return
    seed = os.path.relpath(added.seed, obj.project)
    if added.changed is not None:
        changed = ", ".join(map(str, added.changed)) or "none"
        echo(f"updated {seed}: {added.paragraphs} paragraphs from {added.file} "
             f"(changed or new: {changed}); run `briefing check` to recheck the quotes",
             err=True)
        return
    echo(f"wrote {seed}: {added.paragraphs} paragraphs from {added.file}"
         + (f" ({added.left_out} left out: headings and the like, listed in the seed)"
            if added.left_out else ""), err=True)
    if added.bib is not None:
        echo(f"appended a stub for {key!r} to {os.path.relpath(added.bib, obj.project)}: "
             "verify it and add the author and date", err=True)
    echo(f"next: add the reporter and the claims to {seed}", err=True)


@main.command()
@click.argument("name", required=False, type=click.Choice(["settings", "seed", "analysis"]))
@click.option("--write", "directory", type=click.Path(file_okay=False, path_type=Path),
              help="Write briefing.schema.json, seed.schema.json and analysis.schema.json "
                   "into DIRECTORY instead of printing.")
@click.option("--markdown", is_flag=True,
              help="Print the reference of every file and of the template context "
                   "(docs/format.md) instead.")
@click.pass_obj
def schema(obj: Context, name: str | None, directory: Path | None, markdown: bool) -> None:
    """Print the JSON Schema of briefing.toml (settings), a seed or analysis.yaml (all
    three by name when none is given), for editors that check and complete them."""
    from briefing.authoring.schemas import write_schemas
    from briefing.model import schema as schemas

    if markdown:
        from briefing.compose import formatdoc

        echo(formatdoc.markdown(), nl=False, lines=True)
    elif directory is not None:
        for path in obj.run(lambda: write_schemas(directory)):
            obj.say(f"wrote {path}")
    else:
        click.echo(safe_json(schemas.dumps(schemas.schema(name) if name else schemas.schemas())),
                   nl=False)


@main.command()
def docs() -> None:
    """Print the reference of every file an author writes (briefing.toml, seeds,
    analysis.yaml, chapters, catalogues) and of every variable a chapter template sees:
    docs/format.md, as the installed briefing knows it (`briefing docs | less`)."""
    from briefing.compose import formatdoc

    echo(formatdoc.markdown(), nl=False, lines=True)


@main.command(hidden=True)
@click.pass_obj
def inputs(obj: Context) -> None:
    """Print every input file of the project, one per line (for make: Project.input_paths)."""
    from briefing.model import config

    project = obj.run(lambda: config.load(obj.project))
    for path in project.input_paths():
        echo(os.path.relpath(path, obj.project))


if __name__ == "__main__":
    main()

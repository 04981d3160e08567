"""Chapter templates: read, parsed and rendered in Jinja2's sandbox.

Templates are project files an author edits, so they run in Jinja2's sandbox with
StrictUndefined: a typo in a variable name stops the build instead of printing nothing,
and no template can reach Python internals or files outside chapters/. Rendering is
bounded (time, memory, size) and records which template line wrote each piece, the map
that later stages use to name the line behind a problem (Chapter.origin).
"""

from __future__ import annotations

import bisect
import functools
import os
import re
import traceback
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import jinja2
from jinja2 import nodes
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import missing

from briefing import files
from briefing.compose import reference
from briefing.compose.markdown import join_names, md_escape
from briefing.errors import BriefingError, Collector
from briefing.model.project import Project
from briefing.model.settings import Limits
from briefing.runtime import limits


@dataclass
class Chapter:
    path: Path
    markdown: str
    # (offset in markdown, template file, template line) for each piece the template wrote,
    # so a check on the output can name the template line that produced it.
    # A piece copied from the template's own text also says on which of its lines.
    origins: list[tuple[int, Path, int | None, bool]] = field(default_factory=list)

    def literal(self, offset: int) -> bool:
        """Was the text at offset copied from a template's own text (not from data)?"""
        index = bisect.bisect_right(self.origins, offset, key=lambda o: o[0]) - 1
        return index >= 0 and self.origins[index][3]

    def origin(self, offset: int) -> tuple[Path, int | None]:
        index = bisect.bisect_right(self.origins, offset, key=lambda o: o[0]) - 1
        if index < 0:
            return self.path, None
        start, path, line, literal = self.origins[index]
        if literal and line is not None:
            line += self.markdown.count("\n", start, offset)
        return path, line


class UnknownName(jinja2.exceptions.UndefinedError):
    """A name a template used that does not exist, with what it was looked up on (jinja2's
    `missing` for a variable), so the error can list the names that do."""

    def __init__(self, message: str, obj: object, name: object):
        super().__init__(message)
        self.obj, self.name = obj, name


class _Undefined(jinja2.StrictUndefined):
    """StrictUndefined that says on what the name was looked up (the sandbox's refusals,
    which come with a hint or their own exception, keep their message)."""

    __slots__ = ()

    def __init__(self, hint=None, obj=missing, name=None,
                 exc=jinja2.exceptions.UndefinedError):
        if hint is None and exc is jinja2.exceptions.UndefinedError:
            exc = functools.partial(UnknownName, obj=obj, name=name)
        super().__init__(hint, obj, name, exc)


@jinja2.pass_context
def _join_names_filter(context, names) -> str:
    labels = context.get("labels")
    return join_names(list(names), labels.get("and", "and") if isinstance(labels, dict) else "and")



class ChaptersLoader(jinja2.BaseLoader):
    """Templates from chapters/ only, as read (and checked) up front by read_templates:
    Jinja2 itself opens no file. A '..' in a name is refused by split_template_path; a link
    to a file outside chapters/ was never read and is refused when included.

    A `.md` file is prose: plain Markdown, given to Jinja2 as literal text (read_prose).
    While `edition` names an edition other than the default, `NAME.md` is that edition's
    `NAME.<edition>.md` where one exists; a template loaded for one edition is loaded
    again for the next (`uptodate`)."""

    def __init__(self, folder: Path, sources: dict[str, str],
                 prose: dict[str, str] | None = None):
        self.folder, self.sources = folder, sources
        self.prose = prose or {}
        self.edition: str | None = None  # set by for_edition

    def get_source(self, environment, template):
        name = "/".join(split_template_path(template))
        if name in self.sources:
            return self.sources[name], str(self.folder / name), lambda: True
        if name in self.prose:
            edition = self.edition
            own = f"{name[:-len('.md')]}.{edition}.md" if edition else name
            chosen = own if own in self.prose else name
            return literal(self.prose[chosen]), str(self.folder / chosen), \
                lambda: self.edition == edition
        path = self.folder / name
        if os.path.lexists(path) and not files.within(os.path.realpath(path),
                                                      os.path.realpath(self.folder)):
            raise jinja2.exceptions.SecurityError(
                f"template {template!r} is a link to a file outside chapters/")
        raise jinja2.TemplateNotFound(template)


def literal(text: str) -> str:
    """Prose as a template that writes it as it is, line for line (a `{% endraw %}` in
    the prose itself is written by an expression between two raw blocks)."""
    parts = text.split("{% endraw %}")
    return "{{ '{% endraw %}' }}".join("{% raw %}" + part + "{% endraw %}" for part in parts)


def read_prose(project: Project) -> dict[str, str]:
    """Every prose file under chapters/ (*.md, each edition's *.<edition>.md too), checked
    as templates are."""
    return _read_chapters(project, ".md")


def for_edition(templates: list[jinja2.Template], edition: str | None
                ) -> list[jinja2.Template]:
    """The chapters as one edition reads them (None: the default edition): a prose
    chapter or an included prose file in that edition's own words, where it has them."""
    if not templates:
        return templates
    env = templates[0].environment
    loader = env.loader
    if not isinstance(loader, ChaptersLoader) or not loader.prose:
        return templates
    loader.edition = edition
    return [env.get_template(t.name) if t.name else t for t in templates]


def read_templates(project: Project) -> dict[str, str]:
    """Every template under chapters/ (name relative to it -> text), each read once and
    checked (UTF-8, no control characters, a regular file). A link to a file outside
    chapters/ is not read at all. Reports every bad file at once."""
    return _read_chapters(project, ".j2")


def _read_chapters(project: Project, ending: str) -> dict[str, str]:
    """The files under chapters/ whose names end in `ending`, as read_templates says."""
    problems, found = Collector(), {}
    top = project.chapters_dir
    inside = os.path.realpath(top)
    for folder, dirs, names in os.walk(top, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if not name.endswith(ending) or not files.within(os.path.realpath(path), inside):
                continue
            try:
                found[path.relative_to(top).as_posix()] = project.inputs.read_text(path)
            except BriefingError as exc:
                problems.extend(exc)
    problems.raise_if_any()
    return found


class BoundedEnvironment(SandboxedEnvironment):
    """The sandbox, plus bounds on the operators that can allocate without limit:
    `'x' * 10**10` or `10 ** 10 ** 10` would otherwise exhaust memory or hang in C code,
    where no alarm can interrupt them."""

    intercepted_binops = frozenset(["*", "**"])
    max_items = 8 * 1024 * 1024  # set from limits.markdown_mib
    newstyle_gettext: bool  # added by the jinja2.ext.i18n extension

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(count, int) and (
                        len(seq) * count > self.max_items):
                    raise jinja2.exceptions.SecurityError(
                        f"'*' would make {len(seq) * count:,} items, more than the "
                        f"{self.max_items:,} the whole document may hold (limits.markdown_mib)")
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and (
                abs(left) > 1 and right > 4096):
            raise jinja2.exceptions.SecurityError(f"'{left} ** {right}' is too large to compute")
        return super().call_binop(context, operator, left, right)


def environment(project: Project, sources: dict[str, str],
                prose: dict[str, str] | None = None) -> SandboxedEnvironment:
    env = BoundedEnvironment(
        loader=ChaptersLoader(project.chapters_dir, sources,
                              read_prose(project) if prose is None else prose),
        # {% trans %} and _(): the words of each edition come from its catalogue; gettext
        # is passed in the render context, per edition.
        extensions=["jinja2.ext.i18n"],
        undefined=_Undefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # Pandoc writes ids as {#id}; Jinja2's default comments ({# #}) would swallow them.
        comment_start_string="{##",
        comment_end_string="##}",
    )
    # A paragraph in a {% trans %} block is one message, whatever its line breaks.
    env.policies["ext.i18n.trimmed"] = True
    env.newstyle_gettext = True  # gettext formats %(name)s itself, after translating
    env.filters["md"] = md_escape
    env.filters["join_names"] = _join_names_filter
    # lipsum() writes any amount of text on request and has no place in a briefing.
    env.globals.pop("lipsum", None)
    env.max_items = int(project.config.limits.markdown_mib * 1024 * 1024)
    return env


def parse_templates(project: Project, env: SandboxedEnvironment) -> list[jinja2.Template]:
    """Compile every chapter before rendering any, so syntax errors come first, all at once."""
    problems, templates = Collector(), []
    for path in project.chapters:
        try:
            templates.append(env.get_template(path.name))
        except jinja2.TemplateSyntaxError as exc:
            problems.add(f"template syntax error: {exc.message}",
                         Path(exc.filename or path), exc.lineno,
                         "check the {% ... %} and {{ ... }} tags on this line")
        except jinja2.TemplateNotFound as exc:
            problems.add(f"template {exc.name!r} not found", path, None,
                         "includes and imports must name a file inside chapters/")
        except RecursionError:  # Jinja2's parser recurses per bracket and block
            loader = env.loader
            problems.add(*too_deep(path, loader.sources.get(path.name, "") if isinstance(
                loader, ChaptersLoader) else ""))
    problems.raise_if_any()
    if isinstance(env.loader, ChaptersLoader):
        check_includes(env, env.loader.sources, project.chapters_dir, problems)
    problems.raise_if_any()
    return templates


# How deep includes, imports and extends may nest: a chapter includes a partial or two,
# and a template that includes itself never ends (Python's stack would end it instead).
INCLUDE_DEPTH = 16
_NAMING = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)


def check_includes(env: jinja2.Environment, sources: dict[str, str], folder: Path,
                   problems: Collector) -> None:
    """Every include, import or extends that names a template by a constant: no template
    reaches itself (directly or through others), and no chain is deeper than
    INCLUDE_DEPTH; each an error at the line naming the template that goes on. (A name
    made at run time is stopped by Python's stack: "template recursion too deep".)"""
    names: dict[str, list[tuple[str, int]]] = {}
    for name, text in sources.items():
        try:
            tree = env.parse(text, name)
        except jinja2.TemplateSyntaxError:
            continue  # parse_templates says where, for a template it compiles
        except RecursionError:
            problems.add(*too_deep(folder / name, text))
            continue
        names[name] = [(target, node.lineno) for node in tree.find_all(_NAMING)
                       if isinstance(node, _NAMING)  # (for the type checker)
                       for target in _constants(node.template) if target in sources]
    depth: dict[str, int] = {}  # the longest chain below a template, once known
    for top in sorted(names):
        stack = [(top, iter(names[top]))]
        on_path = {top}
        while stack:
            name, edges = stack[-1]
            target, line = next(edges, (None, 0))
            if target is None:
                stack.pop()
                on_path.discard(name)
                depth[name] = max((depth.get(t, 0) + 1 for t, _ in names[name]), default=0)
                continue
            where = folder / name
            if target in on_path:
                chain = [n for n, _ in stack]
                loop = " → ".join([*chain[chain.index(target):], target])
                problems.add(f"templates include each other without end: {loop}", where, line,
                             "a template may not include, import or extend itself, even "
                             "through others")
                return
            if len(stack) + depth.get(target, 0) > INCLUDE_DEPTH:
                problems.add(f"includes, imports and extends nest more than {INCLUDE_DEPTH} "
                             f"templates deep here (from {top})", where, line,
                             "include the parts from one template instead of a chain")
                return
            if target not in depth:
                stack.append((target, iter(names[target])))
                on_path.add(target)


_BLOCKS = "if|for|macro|call|filter|block|with"
# A block's opening tag (+1) and end tag (-1), the other delimiters (0), brackets (±1).
_NESTING = re.compile(rf"\{{%-?\s*(?:({_BLOCKS})|end(?:{_BLOCKS}))\b[^%]*%\}}"
                      r"|\{\{|\}\}|\{%|%\}|[(\[{]|[)\]}]")


def too_deep(path: Path, text: str) -> tuple[str, Path, int, str]:
    """The error for a template nested too deep for Jinja2's parser (which recurses once
    per bracket and block, and so ends on Python's stack), at the line where brackets and
    blocks nest deepest."""
    depth, deepest, line = 0, 0, 1
    for match in _NESTING.finditer(text):
        token = match.group()
        if token in ("{{", "}}", "{%", "%}"):
            continue
        depth += 1 if match.group(1) or token in "([{" else -1
        if depth > deepest:
            deepest, line = depth, text.count("\n", 0, match.start()) + 1
    return ("template nested too deep to read (brackets or blocks within each other)", path,
            line, "flatten it: set a variable or use a macro for a part")


def _constants(node: nodes.Node) -> list[str]:
    """The template names a node gives as constants ({% include ["a", "b"] %} too)."""
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, nodes.Tuple | nodes.List):
        return [n.value for n in node.items if isinstance(n, nodes.Const)
                and isinstance(n.value, str)]
    return []


def render_chapter(template: jinja2.Template, context: dict, budget: list[int],
            bounds: Limits) -> Chapter:
    """Render one chapter piece by piece, recording which template line wrote each piece
    and stopping as soon as the document outgrows limits.markdown_mib."""
    pieces: list[str] = []
    origins: list[tuple[int, Path, int | None, bool]] = []
    sources: dict[Path, str] = {}
    size = 0
    # Template.generate is a generator function; its annotation says Iterator.
    stream = cast(Generator[str, None, None], template.generate(context))
    try:
        for piece in stream:
            writing = _writing_line(stream, template)
            where, literal = _literal_line(writing, piece, sources)
            # Jinja2 folds template text and a constant expression ({{ '*' }}) into one
            # piece that is nowhere in the source: its lines are then looked up one by one.
            segments = [(0, where, literal)] if literal or "\n" not in piece.strip() else [
                (offset, *_literal_line(writing, line, sources))
                for offset, line in _lines(piece)]
            for offset, at, is_literal in segments:
                if is_literal or not origins or origins[-1][1:3] != at or origins[-1][3]:
                    origins.append((size + offset, *at, is_literal))
            pieces.append(piece)
            size += len(piece)
            budget[0] -= len(piece)
            if budget[0] < 0:
                raise BriefingError.at(
                    f"the chapters make more than {bounds.markdown_mib:g} MiB of Markdown",
                    *where, "look for a loop that writes without end; if the document really "
                    "is this large, raise limits.markdown_mib in briefing.toml")
    except BriefingError:
        raise
    except UnknownName as exc:  # a misspelt name: say which names exist
        message, hint = reference.unknown(exc.obj, exc.name, context)
        raise BriefingError.at(f"template error: {message}", *_template_frame(exc, template),
                               hint) from None
    except jinja2.TemplateError as exc:
        path, line = _template_frame(exc, template)
        hint = {
            "UndefinedError": f"check the spelling; see {reference.DOCS}",
            "SecurityError": "templates may not reach Python internals, files outside "
                             "chapters/ or unbounded sizes",
            "TemplateNotFound": "includes and imports must name a file inside chapters/",
        }.get(type(exc).__name__, "fix the template")
        message = getattr(exc, "message", None) or str(exc)
        if isinstance(exc, jinja2.TemplateNotFound):
            message = f"template {exc.name!r} not found"
        raise BriefingError.at(f"template error: {message}", path, line, hint) from None
    except RecursionError as exc:
        path, line = _template_frame(exc, template)
        raise BriefingError.at("template recursion too deep", path, line,
                               "a macro or include calls itself without end") from None
    except limits.TimeLimit as exc:
        raise too_slow(*_template_frame(exc, template), bounds) from None
    except MemoryError as exc:
        path, line = _template_frame(exc, template)
        raise BriefingError.at(
            f"template used more than limits.template_memory_mib "
            f"({bounds.template_memory_mib:g} MiB)", path, line,
            "look for a value built up without bound (string methods, joins, loops)") from None
    except Exception as exc:  # a template's own runtime error, e.g. {{ 1 / 0 }}
        path, line = _template_frame(exc, template)
        raise BriefingError.at(f"template error: {type(exc).__name__}: {exc}", path, line,
                               "fix the expression on this line") from None
    finally:
        stream.close()
    return Chapter(_file(template), "".join(pieces), origins)


def _writing_line(stream, template: jinja2.Template) -> tuple[Path, int | None]:
    """The template file and line whose output was just yielded: the innermost suspended
    template generator (blocks and includes are nested generators; macro output is
    yielded at the line that calls the macro)."""
    gen, found = stream, None
    while gen is not None:
        frame = getattr(gen, "gi_frame", None)
        if frame is not None and (owner := frame.f_globals.get("__jinja_template__")) is not None:
            found = (Path(owner.filename), owner.get_corresponding_lineno(frame.f_lineno))
        gen = getattr(gen, "gi_yieldfrom", None)
    return found or (_file(template), None)


def _template_frame(exc: BaseException, template: jinja2.Template) -> tuple[Path, int | None]:
    """The innermost template file and line in the traceback (Jinja2 rewrites frames)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2"):
            return Path(frame.filename), frame.lineno
    return _file(template), getattr(exc, "lineno", None)


def _file(template: jinja2.Template) -> Path:
    assert template.filename is not None  # ChaptersLoader.get_source always names the file
    return Path(template.filename)


def too_slow(path: Path, line: int | None, bounds: Limits) -> BriefingError:
    return BriefingError.at(
        f"templates took longer than limits.template_seconds ({bounds.template_seconds:g} s)",
        path, line, "look for nested loops over large ranges or macros that call each other")


def _lines(piece: str) -> list[tuple[int, str]]:
    """(offset, text) of each line of a piece, its line break included."""
    found, at = [], 0
    for line in piece.splitlines(keepends=True):
        found.append((at, line))
        at += len(line)
    return found


def _literal_line(where: tuple[Path, int | None], piece: str,
                  sources: dict[Path, str]) -> tuple[tuple[Path, int | None], bool]:
    """Jinja2 records lines only for some nodes, so text copied from the template is found
    in the template itself, at or after the recorded line, for its exact line."""
    path, line = where
    if line is None or not piece.strip():
        return where, False
    source = _source(sources, path)
    start = 0
    for _ in range(line - 1):
        start = source.find("\n", start) + 1
        if start == 0:
            return where, False
    found = source.find(piece, start)
    if found < 0:
        return where, False
    return (path, source.count("\n", 0, found) + 1), True


def _source(cache: dict[Path, str], path: Path) -> str:
    if path not in cache:
        try:
            cache[path] = files.read_text(path)
        except BriefingError:
            cache[path] = ""
    return cache[path]

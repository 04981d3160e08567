"""Which input line is behind a problem found after composing (a Pandoc warning, a
refused file, something the sanitiser would remove).

The composed document records, for every position, the template line that wrote it
(Composed.origin_of_line, Chapter.origin): a position is mapped, not searched for. Where
a later tool names text rather than a position (a URL, a citation key, an attribute),
that text is found in the chapter that printed it and mapped the same way; when the
template printed a value from the data, the data line that holds it is named instead.
"""

from __future__ import annotations

import contextlib
import functools
import html.entities
import re
from pathlib import Path

from briefing.compose.document import Composed
from briefing.errors import BriefingError, Problem, ResourceError
from briefing.model.project import ANALYSIS_NAME, Project
from briefing.outputs import pandoc, sanitise


def located(exc: ResourceError, composed: Composed) -> BriefingError:
    """A refused file or URL, at the chapter line that asked for it."""
    where = chapter_of(exc.resource, composed) if exc.resource else None
    first = exc.problems[0]
    return BriefingError([Problem(first.message, *(where or (first.path, first.line)),
                                  first.hint), *exc.problems[1:]])


def fail_on(warnings: list[dict], composed: Composed, stage: str) -> None:
    """Stop on Pandoc's warnings that mean a wrong document, each at the template line
    behind it."""
    bad = pandoc.fatal(warnings)
    if not bad:
        return
    problems = []
    for message in bad:
        # (pandoc.fatal picked the message by its type)
        text = message.get("pretty") or message.get("message") or message["type"]
        tex = pandoc.raw_tex(message)
        needle = (tex.strip().splitlines()[0] if tex and tex.strip() else None) or message.get(
            "key") or message.get("path") or message.get("resource") or ""
        where = chapter_of(needle, composed) if needle else None
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


def chapter_of(needle: str, composed: Composed) -> tuple[Path, int | None] | None:
    """Which chapter template line wrote this URL or key (Composed.origin_of)."""
    return composed.origin_of(needle)


def refuse(violations: list[sanitise.Violation], project: Project,
           composed: Composed) -> None:
    """Stop on anything the sanitiser would remove, naming the input line that wrote it."""
    problems: dict = {}
    for violation in violations:
        where: tuple[Path | None, int | None] = (
            _written_by(violation.needles, project, composed) or (None, None))
        problems.setdefault(where, Problem(
            f"{violation.message} would reach the outputs", *where,
            "outputs carry no script, event handler or remote load: links go to https:, "
            "http:, mailto: or #anchors; attributes are id, class, lang, style (widths and "
            "alignment) and data-*"))
    if problems:
        raise BriefingError(list(problems.values()))


def _written_by(needles: tuple[str, ...], project: Project,
                composed: Composed) -> tuple[Path, int | None] | None:
    """The input line that wrote a piece of output: the chapter template line, or the
    data, setting or catalogue line when the template printed a value from there.
    Markup is written in the chapters: every needle is looked for there before any in the
    other inputs, where a weaker one (a word the value shares) would name a wrong line."""
    lines = [n.strip().splitlines()[0] for n in needles if n.strip()]
    for needle in lines:
        for chapter in composed.chapters:
            found = _find(chapter.markdown, needle)
            if found is None:
                continue
            at, size = found
            if not chapter.literal(at):  # a value the template printed: find its source
                source = _in_inputs(_contexts(chapter.markdown, at, size), project)
                if source:
                    return source
            return chapter.origin(at)
    return _in_inputs(lines, project)


def _find(text: str, needle: str) -> tuple[int, int] | None:
    """Where the needle stands in Markdown text, and how long it is there: as it is, or
    written with character references (`&#106;`, `&colon;`) or backslash escapes, which
    Pandoc decodes before the sanitiser sees the output."""
    at = text.find(needle)
    if at >= 0:
        return at, len(needle)
    if "&" not in text and "\\" not in text:
        return None
    found = _spelled(needle).search(text)
    return (found.start(), found.end() - found.start()) if found else None


@functools.lru_cache(maxsize=256)
def _spelled(needle: str) -> re.Pattern[str]:
    """A pattern for every way Markdown can write the needle's characters."""
    return re.compile("".join(_ways(char) for char in needle))


def _ways(char: str) -> str:
    code = ord(char)
    ways = [re.escape(char), f"&#0*{code};", f"(?i:&#x0*{code:x};)"]
    ways += [re.escape(f"&{name}") for name in _entity_names().get(char, ())]
    if char.isascii() and not char.isalnum() and not char.isspace():
        ways.append(re.escape("\\" + char))  # Markdown's backslash escape
    return "(?:" + "|".join(ways) + ")"


@functools.cache
def _entity_names() -> dict[str, list[str]]:
    """Each character's HTML5 named references (`colon;`), as Pandoc reads them."""
    names: dict[str, list[str]] = {}
    for name, value in html.entities.html5.items():
        if name.endswith(";") and len(value) == 1:
            names.setdefault(value, []).append(name)
    return names


def _contexts(text: str, at: int, size: int) -> list[str]:
    """The needle with ever less of the text around it on its line, widest first: the same
    words may stand in several inputs, the widest match names the one that was printed."""
    start, end = text.rfind("\n", 0, at) + 1, text.find("\n", at)
    end = len(text) if end < 0 else end
    return [text[max(start, at - k):min(end, at + size + k)] for k in (60, 30, 15, 0)]


def _in_inputs(needles: list[str], project: Project) -> tuple[Path, int] | None:
    """The first line of the settings, catalogues, seeds or analysis that holds a needle
    (each needle, best first, in every file before the next)."""
    paths = [project.config_path, *sorted(project.locale_dir.glob("*.po")),
             *sorted(project.seeds_dir.glob("*.y*ml")), project.root / ANALYSIS_NAME]
    texts = []
    for path in paths:
        with contextlib.suppress(BriefingError):
            texts.append((path, project.inputs.read_text(path).splitlines()))
    for needle in needles:
        for path, lines in texts:
            for number, line in enumerate(lines, 1):
                if _find(line, needle) is not None:
                    return path, number
    return None


def notes(warnings: list[dict], composed: Composed, stage: str) -> list[Problem]:
    """Pandoc's other warnings, for the author to see: each once, at the template line
    behind it where one can be found."""
    bad = {id(m) for m in pandoc.fatal(warnings)}
    found: dict[tuple, Problem] = {}
    for message in warnings:
        if id(message) in bad:
            continue
        text = message.get("pretty") or message.get("message") or str(message.get("type"))
        where: tuple[Path | None, int | None] = (None, None)
        if isinstance(message.get("line"), int) and str(message.get("source", "")).endswith(
                "briefing.md"):
            where = composed.origin_of_line(message["line"]) or (None, None)
            text = re.sub(r" at \S*briefing\.md line \d+ column \d+", "", text)
        problem = Problem(f"pandoc ({stage}): {text}", *where,
                          "shown as a warning; --strict makes it an error")
        found.setdefault((problem.message, str(problem.path), problem.line), problem)
    return list(found.values())

"""The one caller of Pandoc. Every Pandoc argument lives here.

Pandoc always runs with --sandbox: readers and writers may read only the files
named on the command line, so a chapter cannot pull /etc/passwd or a URL into
the output. Pandoc's JSON log is read back so that warnings (an unknown citation,
a resource it could not fetch) fail the build instead of scrolling past.

pypandoc-binary ships the pandoc binary and pypandoc finds it; we run it ourselves
because pypandoc's convert functions take no timeout and no resource limits, and
a pathological chapter (10,000 nested lists) keeps Pandoc busy for minutes.
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from briefing import TEMPLATES
from briefing.errors import BriefingError, ResourceError
from briefing.runtime import limits

# Markdown without raw HTML and raw blocks: no text from a template, a data field, a
# setting or a catalogue becomes markup; '<script>' prints as the word it is. What Pandoc
# writes is then its own markup, which sanitise.py checks against its allow-list.
READER = "markdown-raw_html-raw_attribute"
FATAL_LOG_TYPES = {"CiteprocWarning", "CouldNotFetchResource", "CouldNotLoadResource",
                   "ReferenceNotFound", "DuplicateIdentifier", "CouldNotParseYamlMetadata",
                   "YamlWarning", "InlineNotRendered", "BlockNotRendered"}


class PandocError(ResourceError):
    """Pandoc exited non-zero; `resource` names what it refused to fetch, if anything."""

    def __init__(self, stage: str, detail: str, markdown: Path):
        match = re.search(r"Could not fetch resource:? (\S+)", detail) or re.search(
            r"(?:resource|file) (\S+) (?:not found|could not be)", detail)
        resource = match.group(1).strip("'\"") if match else None
        hint = ("images and files must be inside the project; URLs are not fetched"
                if resource else "the composed Markdown is kept in build/.work")
        message = (f"pandoc refused to load {resource!r} while making {stage}"
                   if resource else f"pandoc failed while making {stage}: {detail}")
        super().__init__(message, resource, hint)
        self.problems[0].path = markdown


@dataclass
class Inputs:
    markdown: Path
    bibliography: Path
    csl: Path
    workdir: Path
    epoch: int
    seconds: float = 120
    memory_mib: float = 1024

    @property
    def resolved(self) -> Path:
        """The resolved JSON AST every writer reads (ast.py)."""
        return self.workdir / "briefing.json"


def _environment(epoch: int, resources: Path | None) -> dict[str, str]:
    """SOURCE_DATE_EPOCH fixes Pandoc's dates; BRIEFING_RESOURCES tells our Lua filter
    which images it may embed. (Metadata would leak the absolute path into the DOCX's
    custom properties.)"""
    env = {k: v for k, v in os.environ.items() if k != "BRIEFING_RESOURCES"}
    env["SOURCE_DATE_EPOCH"] = str(epoch)
    if resources is not None:
        env["BRIEFING_RESOURCES"] = str(resources)
    return env


@functools.cache
def binary() -> str:
    import pypandoc  # imported here: the CLI's --help should not pay for it

    try:
        return pypandoc.get_pandoc_path()
    except OSError:
        raise BriefingError.at("pandoc not found", None, None,
                               "reinstall with 'make' (pypandoc-binary ships pandoc)") from None


FILTERS = TEMPLATES


def _limits(inputs: Inputs, log: Path) -> list[str]:
    return [
        f"--log={log}",
        # Pandoc's own heap limit: an address-space limit does not suit the GHC runtime,
        # which reserves a large address range up front. -F1.5: the old generation may
        # grow to 1.5x its live data before a major collection, not 2x: the EPUB writer on
        # the 200-chapter corpus peaks at 468 MiB instead of 645, in the same time.
        "+RTS", f"-M{int(inputs.memory_mib)}m", "-F1.5", "-RTS",
    ]


def _resolving(inputs: Inputs) -> list[str]:
    """What the resolve run does, once for every format: to the citations alone, or to the
    whole document when they cannot be resolved apart (ast.py)."""
    return [
        "--citeproc",
        # After citeproc, which it needs to have run: names, URLs, reference languages.
        f"--lua-filter={FILTERS / 'typography.lua'}",
        f"--bibliography={inputs.bibliography}",
        f"--csl={inputs.csl}",
        "--metadata=link-citations:true",
        "--metadata=link-bibliography:true",
    ]


def _writing() -> list[str]:
    """What every writer adds to the resolved document. tables.lua and changes.lua ask
    which format they write (only screens get scrolling tables; <ins> in HTML, underline
    in Word), so they run here, not in the resolve run; they touch tables and the
    changelog's marked words only, which citeproc and typography.lua leave as they are."""
    return [f"--lua-filter={FILTERS / 'tables.lua'}", f"--lua-filter={FILTERS / 'changes.lua'}",
            f"--lua-filter={FILTERS / 'outline.lua'}", "--toc", "--toc-depth=2",
            "--number-sections"]


# What each run is called in a message: the output format, or what the run does.
_LABELS = {"read": "reading the Markdown", "resolve": "citations"}


def _label(stage: str) -> str:
    return _LABELS.get(stage, stage.upper())


def _run(inputs: Inputs, to: str, output: Path, extra: list[str], stage: str,
         resources: Path | None = None, source: Path | None = None,
         reader: str = "json", log: Path | None = None) -> list[dict]:
    log = log or inputs.workdir / f"pandoc-{stage}.log.json"
    log.unlink(missing_ok=True)
    source = source or inputs.resolved
    cmd = [binary(), "--sandbox", f"--from={reader}", f"--to={to}", f"--output={output}",
           *_limits(inputs, log), *extra, str(source)]
    done = limits.run(cmd, stage=f"pandoc ({_label(stage)})", subject=inputs.markdown,
                      seconds=inputs.seconds, setting="pandoc_seconds",
                      env=_environment(inputs.epoch, resources))
    killed = limits.signal_name(done.returncode)
    if killed == "SIGXFSZ":  # the file-size limit: as good as a full disk
        raise BriefingError.at(f"pandoc ({_label(stage)}) cannot write: file too large", output,
                               None, "check free disk space and that build/ is a writable "
                               "directory")
    if killed:
        raise BriefingError.at(f"pandoc ({_label(stage)}) was stopped by {killed}",
                               inputs.markdown, None, "if it was not you, look for runaway "
                               "content; see [limits] in briefing.toml")
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace")
        if "Heap exhausted" in detail:
            raise limits.memory_error(f"pandoc ({_label(stage)})", inputs.markdown,
                                      inputs.memory_mib, "pandoc_memory_mib")
        written = re.search(r"(resource exhausted|No space left|Permission denied|"
                            r"File too large|read-only file system)", detail, re.I)
        if written:
            raise BriefingError.at(f"pandoc ({_label(stage)}) cannot write: {written.group(1)}",
                                   output, None, "check free disk space and that build/ is a "
                                   "writable directory")
        if re.search(r"Citeproc|\bCSL\b|citation element", detail):
            raise BriefingError.at(f"pandoc cannot use the CSL style: {_tail(detail)}",
                                   inputs.csl, None, "use a style from the CSL styles "
                                   "repository (https://github.com/citation-style-language/"
                                   "styles)")
        raise PandocError(stage, _tail(detail), inputs.markdown)
    return _read_log(log)


def _tail(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " ".join(lines[-2:]) if lines else "unknown error"


def _read_log(log: Path) -> list[dict]:
    """Pandoc's warnings, plus raw TeX it dropped (logged only as INFO): a chapter's LaTeX
    would silently vanish from every output we make."""
    try:
        return [m for m in json.loads(log.read_text("utf-8"))
                if m.get("verbosity") == "WARNING" or raw_tex(m) is not None]
    except (OSError, ValueError):
        return []


def raw_tex(message: dict) -> str | None:
    """The TeX source of a 'Not rendering RawInline/RawBlock (Format "tex")' message."""
    if message.get("type") not in ("InlineNotRendered", "BlockNotRendered"):
        return None
    content = (message.get("contents") or {}).get("c") or []
    if len(content) == 2 and str(content[0]).lower() in ("tex", "latex", "context"):
        return str(content[1])
    return None


def fatal(messages: list[dict]) -> list[dict]:
    """Warnings that mean a wrong document (as opposed to cosmetic notes)."""
    return [m for m in messages if m.get("type") in FATAL_LOG_TYPES]


def read(inputs: Inputs, source: Path, output: Path, typography: Path | None = None
         ) -> list[dict]:
    """A chapter's (or the whole document's) Markdown -> Pandoc's JSON AST. Its warnings
    name the file read; the caller maps their lines into the composed document. With
    `typography` (a metadata file: the names and languages, and `briefing-citations-later`)
    typography.lua marks the text as it is read, citations apart (ast.py)."""
    extra = [] if typography is None else [f"--metadata-file={typography}",
                                           f"--lua-filter={FILTERS / 'typography.lua'}"]
    return _run(inputs, "json", output, extra, "read", source=source, reader=READER,
                log=output.with_suffix(".log.json"))  # reads run side by side: a log each


def relocated(messages: list[dict], source: Path, target: Path, lines: int) -> list[dict]:
    """Messages about a part read alone (`source`), as positions in the whole document
    (`target`), whose line `lines + 1` the part's first line is."""
    out = []
    for message in messages:
        message = dict(message)
        if message.get("source") == str(source) and isinstance(message.get("line"), int):
            line = message["line"] + lines
            message["pretty"] = str(message.get("pretty", "")).replace(
                f" at {source} line {message['line']} ", f" at {target} line {line} ")
            message["source"], message["line"] = str(target), line
        out.append(message)
    return out


def resolve(inputs: Inputs, source: Path, output: Path) -> list[dict]:
    """A JSON AST (the citations alone, or the whole document) -> the same with citations
    and the bibliography resolved and typography marked."""
    return _run(inputs, "json", output, _resolving(inputs), "resolve", source=source)


def to_html(inputs: Inputs, template: Path, source: Path | None = None,
            output: Path | None = None) -> tuple[str, list[dict]]:
    """The HTML page of the resolved document (or of `source`, the shell pages.py splices
    its chapters into)."""
    output = output or inputs.workdir / "briefing.html"
    extra = [*_writing(), "--standalone", f"--template={template}", "--section-divs",
             "--wrap=none"]
    warnings = _run(inputs, "html5", output, extra, "html", source=source)
    return output.read_text("utf-8"), warnings


def html_chapter(inputs: Inputs, source: Path, output: Path, offset: int) -> list[dict]:
    """One chapter's <section> as the page's body has it (pages.py): numbered from
    `offset`, without the page around it. Chapters are written side by side: a log each."""
    extra = [f"--lua-filter={FILTERS / 'tables.lua'}", f"--lua-filter={FILTERS / 'changes.lua'}",
             f"--lua-filter={FILTERS / 'outline.lua'}", "--number-sections",
             f"--number-offset={offset}", "--section-divs", "--wrap=none"]
    return _run(inputs, "html5", output, extra, "html", source=source,
                log=output.with_suffix(".log.json"))


def write(inputs: Inputs, to: str, output: Path, stage: str, standalone: bool = True
          ) -> list[dict]:
    """The resolved document in one of Pandoc's text writers (`to`, e.g. plain), with
    what every writer adds and nothing of a format's own: a format that needs no more
    is its module alone (model/formats.py)."""
    return _run(inputs, to, output, [*_writing(), *(["--standalone"] if standalone else [])],
                stage)


def to_docx(inputs: Inputs, output: Path, resources: Path) -> list[dict]:
    extra = [*_writing(), f"--lua-filter={FILTERS / 'resources.lua'}",
             f"--lua-filter={FILTERS / 'colophon.lua'}"]
    return _run(inputs, "docx", output, extra, "docx", resources)


def to_epub(inputs: Inputs, output: Path, resources: Path,
            cover: Path | None = None) -> list[dict]:
    extra = [*_writing(), "--split-level=1", "--epub-title-page=true",
             f"--lua-filter={FILTERS / 'resources.lua'}",
             f"--lua-filter={FILTERS / 'colophon.lua'}"]
    if cover is not None:
        extra.append(f"--epub-cover-image={cover}")
    return _run(inputs, "epub3", output, extra, "epub", resources)

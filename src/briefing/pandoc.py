"""The one caller of Pandoc (through pypandoc). Every Pandoc argument lives here.

Pandoc always runs with --sandbox: readers and writers may read only the files
named on the command line, so a chapter cannot pull /etc/passwd or a URL into
the output. Pandoc's JSON log is read back so that warnings (an unknown citation,
a resource it could not fetch) fail the build instead of scrolling past.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import BriefingError, ResourceError

MEMORY_LIMIT = "1024m"  # Pandoc's heap; the real briefing needs a few dozen MiB
FATAL_LOG_TYPES = {"CiteprocWarning", "CouldNotFetchResource", "CouldNotLoadResource",
                   "ReferenceNotFound", "DuplicateIdentifier", "CouldNotParseYamlMetadata",
                   "YamlWarning"}


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


@contextlib.contextmanager
def _environment(epoch: int, resources: Path | None):
    """pypandoc passes os.environ to Pandoc: SOURCE_DATE_EPOCH fixes its dates, and
    BRIEFING_RESOURCES tells our Lua filter which images it may embed. (Metadata would
    leak the absolute path into the DOCX's custom properties.)"""
    wanted = {"SOURCE_DATE_EPOCH": str(epoch),
              "BRIEFING_RESOURCES": str(resources) if resources else None}
    saved = {key: os.environ.get(key) for key in wanted}
    for key, value in wanted.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


FILTERS = Path(__file__).parent / "templates"


def _common(inputs: Inputs, log: Path) -> list[str]:
    return [
        f"--lua-filter={FILTERS / 'paragraphs.lua'}",
        "--citeproc",
        f"--bibliography={inputs.bibliography}",
        f"--csl={inputs.csl}",
        "--metadata=link-citations:true",
        "--metadata=link-bibliography:true",
        "--toc",
        "--toc-depth=2",
        "--number-sections",
        f"--log={log}",
        "+RTS", f"-M{MEMORY_LIMIT}", "-RTS",
    ]


def _run(inputs: Inputs, to: str, output: Path, extra: list[str], stage: str,
         resources: Path | None = None) -> list[dict]:
    import pypandoc  # imported here: the CLI's --help should not pay for it

    logging.getLogger("pypandoc").setLevel(logging.CRITICAL)  # we read Pandoc's JSON log

    log = inputs.workdir / f"pandoc-{stage}.log.json"
    log.unlink(missing_ok=True)
    args = _common(inputs, log) + extra
    with _environment(inputs.epoch, resources):
        try:
            pypandoc.convert_file(str(inputs.markdown), to, format="markdown",
                                  extra_args=args, outputfile=str(output), sandbox=True)
        except RuntimeError as exc:
            raise PandocError(stage, _tail(exc), inputs.markdown) from None
        except OSError as exc:
            raise BriefingError.at(f"cannot run pandoc: {exc}", None, None,
                                   "reinstall with 'make' (pypandoc-binary ships pandoc)") from None
    return _read_log(log)


def _tail(exc: Exception) -> str:
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return " ".join(lines[-2:]) if lines else "unknown error"


def _read_log(log: Path) -> list[dict]:
    try:
        return [m for m in json.loads(log.read_text("utf-8")) if m.get("verbosity") == "WARNING"]
    except (OSError, ValueError):
        return []


def fatal(messages: list[dict]) -> list[dict]:
    """Warnings that mean a wrong document (as opposed to cosmetic notes)."""
    return [m for m in messages if m.get("type") in FATAL_LOG_TYPES]


def to_html(inputs: Inputs, template: Path) -> tuple[str, list[dict]]:
    output = inputs.workdir / "briefing.html"
    extra = ["--standalone", f"--template={template}", "--section-divs", "--wrap=none"]
    warnings = _run(inputs, "html5", output, extra, "html")
    return output.read_text("utf-8"), warnings


def to_docx(inputs: Inputs, output: Path, resources: Path) -> list[dict]:
    extra = [f"--lua-filter={FILTERS / 'resources.lua'}"]
    return _run(inputs, "docx", output, extra, "docx", resources)


def to_epub(inputs: Inputs, output: Path, resources: Path,
            cover: Path | None = None) -> list[dict]:
    extra = ["--split-level=1", "--epub-title-page=true",
             f"--lua-filter={FILTERS / 'resources.lua'}"]
    if cover is not None:
        extra.append(f"--epub-cover-image={cover}")
    return _run(inputs, "epub3", output, extra, "epub", resources)


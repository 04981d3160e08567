"""Errors a user can fix. Each names the file, the line (or key) and a hint.

The CLI is the only place that prints them; anything that is not a BriefingError
reaching the CLI is a bug in briefing, not in the user's input.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from briefing.terminal import safe


@dataclass
class Problem:
    """One thing wrong with one input: where, what, and how to fix it."""

    message: str
    path: Path | str | None = None
    line: int | None = None
    hint: str | None = None

    def where(self, root: Path | None = None) -> str:
        if self.path is None:
            return "briefing"
        path = Path(self.path)
        if root is not None:
            # Without following links first: a link inside the project is named as such.
            # Never resolve: a link loop would raise, and a link is named as it stands.
            with contextlib.suppress(ValueError):
                path = Path(os.path.abspath(path)).relative_to(os.path.abspath(root))
        return f"{path}:{self.line}" if self.line else str(path)

    def format(self, root: Path | None = None) -> str:
        """`path:line: error: message` and `  hint: ...`, each one line: a file name or a
        text from the inputs can neither act on the terminal nor forge a line."""
        text = f"{safe(self.where(root))}: error: {safe(self.message)}"
        if self.hint:
            text += f"\n  hint: {safe(self.hint)}"
        return text


class BriefingError(Exception):
    """One or more problems with the project's inputs; the build stops."""

    def __init__(self, problems: Problem | list[Problem]):
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__(self.format())

    @classmethod
    def at(cls, message: str, path: Path | str | None = None, line: int | None = None,
           hint: str | None = None) -> BriefingError:
        return cls(Problem(message, path, line, hint))

    def format(self, root: Path | None = None) -> str:
        return "\n".join(p.format(root) for p in self.problems)


class ResourceError(BriefingError):
    """A file or URL a chapter refers to was refused; `resource` says which, so the build
    can name the chapter line that refers to it."""

    def __init__(self, message: str, resource: str | None, hint: str):
        self.resource = resource
        super().__init__(Problem(message, None, None, hint))


class Collector:
    """Gathers problems so a loader can report all of them, not just the first."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, message: str, path: Path | str | None = None, line: int | None = None,
            hint: str | None = None) -> None:
        self.problems.append(Problem(message, path, line, hint))

    def extend(self, error: BriefingError) -> None:
        self.problems.extend(error.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise BriefingError(self.problems)


def line_of_offset(data: bytes | str, offset: int) -> int:
    """1-based line number of a character or byte offset."""
    if isinstance(data, bytes):
        return data.count(b"\n", 0, offset) + 1
    return data.count("\n", 0, offset) + 1

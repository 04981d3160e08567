"""Is each seed still a copy of its source file? `briefing source add` records the file
its paragraphs came from (`source.file`) and that file's SHA-256 (`source.sha256`); a
file edited since means the paragraphs, and so every quote checked against them, may no
longer say what the source says. A warning (an error with --strict), at the seed's line.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from briefing import files
from briefing.errors import BriefingError, Problem
from briefing.model.sources import ArgumentBase


def stale(base: ArgumentBase, root: Path) -> list[Problem]:
    found = []
    for source in base.sources.values():
        if source.file is None:
            continue
        where = base.where[("source-file", source.id)]
        # A command to paste: each value from the seed quoted for the shell.
        refresh = (f"briefing source add {shlex.quote(source.file)} --key "
                   f"{shlex.quote(source.key)} --update "
                   "(rewrites the paragraphs and the digest, keeps actors and claims)")
        path = root / source.file
        if Path(source.file).is_absolute() or not files.within(
                os.path.abspath(path), os.path.abspath(root)):
            found.append(Problem(f"source.file {source.file!r} is outside the project",
                                 where.path, where.line,
                                 "copy the file into sources/ and name it relative to the "
                                 "project, e.g. sources/article.html"))
            continue
        try:
            digest = files.digest(path, root)
        except BriefingError as exc:
            found.append(Problem(f"source file {source.file}: {exc.problems[0].message}",
                                 where.path, where.line,
                                 "restore the file, or remove source.file and source.sha256 "
                                 "if the project no longer keeps the text"))
            continue
        if source.sha256 is None:
            found.append(Problem(f"source {source.id!r} names its file but not its digest",
                                 where.path, where.line, f"record it with: {refresh}"))
        elif digest != source.sha256:
            found.append(Problem(
                f"{source.file} has changed since its paragraphs were copied into this seed "
                f"(sha256 {digest[:12]}…, recorded {source.sha256[:12]}…)", where.path,
                where.line, f"check the quotes against the new text; refresh with: {refresh}"))
    return found

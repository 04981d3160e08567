"""`briefing export`: the argument exports alone, without rendering the document (a
command above the recipe, as release is).

The same files a build with these formats writes (build/<name>[.<edition>].<suffix>,
the default edition's also under the plain name), from the same checked model, under
build/'s lock and all at once: a refused export leaves build/ as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from briefing import recipe
from briefing.errors import BriefingError
from briefing.outputs.arguments import base
from briefing.outputs.arguments.output import WRITERS
from briefing.runtime import writing

NAMES = list(WRITERS)


def made(root: Path, names: list[str], editions: list[str] | None, allow_missing: bool,
         allow_stale: bool) -> dict[Path, bytes]:
    """Each format of each edition chosen: path in build/ -> bytes. A missing or stale
    translation is refused as by `briefing build` (unless allowed: then marked)."""
    loaded = recipe.load(root)
    model = loaded.model
    chosen = model.editions(editions)
    refused = ([] if allow_missing else [g.problem() for g in model.gaps(chosen)]) + (
        [] if allow_stale else model.stale(chosen))
    if refused:
        raise BriefingError(refused)
    files: dict[Path, bytes] = {}
    for edition in chosen:
        arguments = base.make(model, loaded.localised(edition))
        for name in names:
            data = WRITERS[name](arguments)
            for path in loaded.project.outputs(name, edition):
                files[path] = data
    return files


def export(root: Path, names: list[str], editions: list[str] | None, allow_missing: bool,
           allow_stale: bool, step: Callable[[str], None]) -> dict[str, Path]:
    """Write them into build/, together or not at all."""
    build = writing.BuildDir(root / "build")
    with writing.locked(build, step):
        files = made(root, names, editions, allow_missing, allow_stale)
        return writing.write_outputs(build.path, files)

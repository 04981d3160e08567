"""`briefing watch`: what to watch and when to build. The build, and what it prints, is
the caller's (cli.py, the only place that prints): `watch` calls it once the watcher is
set up and again after every saved change, until interrupted.

    each real folder of the project, build/ aside, no link followed (a link to / had
    watchfiles watch the whole disk) -> the first build -> a change (not in build/, not a
    hidden file) -> build -> ...; a folder added is watched from then on
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

import watchfiles

from briefing.errors import BriefingError
from briefing.model import yamlfile
from briefing.outputs.pdf import workers

VANISHED = 3  # folders gone between listing and watching, in a row, before giving up


def watch(root: Path, debounce: int, build: Callable[[], None]) -> None:
    """Call build() once the watcher is set up (so that an edit saved during the first
    build is not missed), then after each change; a folder added is watched from then on
    (watching starts again, and builds once). The WeasyPrint workers stay between builds
    and stop when watching does (Ctrl-C, SIGTERM, an exit); a YAML file saved unchanged
    is not parsed again. Returns only by an exception: KeyboardInterrupt, or a
    BriefingError when the project cannot be watched."""
    first, vanished = True, 0
    with workers.kept_warm(), yamlfile.remembered():
        while True:
            try:
                for changes in watchfiles.watch(
                        *folders(root), watch_filter=lambda change, path: relevant(root, path),
                        debounce=debounce, recursive=False, ignore_permission_denied=True,
                        raise_interrupt=True, yield_on_timeout=True, rust_timeout=500):
                    vanished = 0
                    if first or changes:
                        first = False
                        build()
                    if added_folder(changes):
                        first = True
                        break
            except FileNotFoundError as exc:  # a folder went between listing and watching
                vanished += 1
                if vanished > VANISHED:
                    raise _cannot_watch(root, exc) from None
            except OSError as exc:
                raise _cannot_watch(root, exc) from None


def relevant(root: Path, path: str) -> bool:
    """A change the build may care about. Named as it stands, never resolved: a link
    (even a loop, or one to outside the project) is a change like any other, and the
    build reports what is wrong with it."""
    try:
        rel = Path(os.path.abspath(path)).relative_to(root)
    except ValueError:
        return False
    return rel.parts[:1] != ("build",) and not rel.name.startswith(".")


def folders(root: Path) -> list[Path]:
    """What is watched: each real folder of the project, one by one (watchfiles'
    recursive watch follows links), build/ aside. No link is followed, at the start or
    later."""
    found = []
    for folder, dirs, _ in os.walk(root):  # never into a link; unreadable: skipped
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if here != root or d != "build")
        found.append(here)
    return found


def added_folder(changes: Iterable[tuple[watchfiles.Change, str]]) -> bool:
    return any(change == watchfiles.Change.added and os.path.isdir(path)
               and not os.path.islink(path) for change, path in changes)


def _cannot_watch(root: Path, exc: OSError) -> BriefingError:
    return BriefingError.at(f"cannot watch the project: {exc}", root, None,
                            "make its folders readable (on Linux, if the limit of watches is "
                            "reached, raise fs.inotify.max_user_watches)")

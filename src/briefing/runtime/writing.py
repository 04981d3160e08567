"""Writing into build/: build/ holds only regular files and folders briefing made.

A link or a special file anywhere in it stops the build before anything there is opened,
written or deleted; every path a build creates, writes, renames or deletes is checked to
lie inside build/. Outputs are written to temporary files and renamed into place only
when every output of the build exists (all or nothing), under a lock so that two builds
of one project never interleave.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from briefing.errors import BriefingError
from briefing.files import _kind, regular_file, within


class BuildDir:
    """build/: where briefing writes, and nothing else."""

    def __init__(self, path: Path):
        self.path = path

    @property
    def real(self) -> str:
        return os.path.realpath(self.path)

    def prepare(self) -> None:
        """Create build/ if needed; refuse it if it is a link or not a folder."""
        if self.path.is_symlink():
            raise BriefingError.at("build/ is a symbolic link", self.path, None,
                                   "outputs are written inside the project only; make build/ "
                                   "a directory")
        if os.path.lexists(self.path) and not self.path.is_dir():
            raise BriefingError.at("build/ is not a folder", self.path, None,
                                   "remove it; briefing makes build/ itself")
        self.path.mkdir(exist_ok=True)

    def check_tree(self) -> None:
        """No link and no special file anywhere in build/: each would make a write, a
        cache clean-up or a read go somewhere else. Nothing is followed on the way."""
        stack = [self.path]
        while stack:
            folder = stack.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError as exc:
                raise BriefingError.at(f"cannot read folder: {exc.strerror}", folder, None,
                                       "make build/ a readable folder") from None
            for entry in entries:
                path = Path(entry.path)
                if entry.is_symlink():
                    raise BriefingError.at(
                        "a symbolic link inside build/", path, None,
                        "remove it: briefing neither follows nor deletes links in build/, "
                        "which holds only what it writes")
                if entry.is_dir(follow_symlinks=False):
                    stack.append(path)
                elif not entry.is_file(follow_symlinks=False):
                    mode = entry.stat(follow_symlinks=False).st_mode
                    raise BriefingError.at(f"{_kind(mode)} inside build/", path, None,
                                           "remove it: build/ holds only what briefing "
                                           "writes")

    def inside(self, path: Path) -> Path:
        """`path` if it lies in build/ (its folder resolved, itself not a link)."""
        parent = os.path.realpath(path.parent)
        if not within(parent, self.real) or path.is_symlink():
            raise BriefingError.at("refused to write outside build/", path, None,
                                   "this is a bug in briefing; please report it")
        return path

    def fresh(self, path: Path) -> None:
        """Empty (or create) a scratch folder inside build/, following no link."""
        self.inside(path)
        if path.is_symlink() or (os.path.lexists(path) and not path.is_dir()):
            raise BriefingError.at("a link or a file where briefing keeps a scratch folder",
                                   path, None, "remove it")
        if path.is_dir():
            shutil.rmtree(path)  # rmtree never follows links inside the tree
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BriefingError.at(f"cannot create {path}: {exc.strerror}", path, None,
                                   "make sure build/ is a writable directory") from None

    def remove(self, path: Path) -> None:
        """Delete one regular file in build/; a link or anything else is left alone."""
        with contextlib.suppress(OSError):
            if regular_file(self.inside(path)):
                path.unlink()


def write_new(path: Path, data: bytes) -> None:
    """Write a file that must not be a link (O_NOFOLLOW), replacing what was there."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


LOCK_NAME = ".build.lock"


def _write_error(exc: OSError, build_dir: Path) -> BriefingError:
    where = Path(exc.filename) if exc.filename else build_dir
    reason = exc.strerror or str(exc)
    reason = reason[:1].lower() + reason[1:]  # "file too large", as Pandoc's are told
    return BriefingError.at(f"cannot write: {reason}", where, None,
                            "check free disk space and that build/ is a writable directory")


def _remove_stale_temporaries(build_dir: BuildDir) -> None:
    """Temporary outputs left by a build that was killed before it could rename them."""
    for temp in sorted(build_dir.path.glob(".*.tmp")):
        build_dir.remove(temp)


def write_outputs(build_dir: Path, rendered: dict[Path, bytes]) -> dict[str, Path]:
    """Every output to a temporary file in build/ first; only when all exist are they
    renamed into place, and if a rename fails the ones already renamed are put back:
    the outputs of a build land together or not at all."""
    build = BuildDir(build_dir)
    temps: dict[Path, Path] = {}
    try:
        for target, data in rendered.items():
            if os.path.lexists(target) and not regular_file(target):
                raise BriefingError.at(f"{target.name} exists and is not a regular file", target,
                                       None, "remove it; briefing writes regular files only")
            build.inside(target)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                        dir=build_dir)
            temps[target] = Path(name)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(name, 0o644)
        _commit(temps)
    except BaseException as exc:  # also Ctrl-C: no temporary file is left behind
        for temp in temps.values():
            with contextlib.suppress(OSError):
                temp.unlink()
        if isinstance(exc, OSError):
            raise BriefingError.at(f"cannot write outputs: {exc.strerror}", build_dir,
                                   None, "check free disk space and that build/ is writable"
                                   ) from None
        raise
    _sync_dir(build_dir)  # the renames survive a crash or power cut
    return {target.name: target for target in temps}


def _commit(temps: dict[Path, Path]) -> None:
    """Rename every temporary file onto its target, all or none: the previous outputs are
    kept under a second name (a hard link) until every rename has succeeded."""
    backups: dict[Path, Path] = {}
    done: list[Path] = []
    try:
        for target in temps:
            if os.path.lexists(target):
                backup = target.with_name(f".{target.name}.{os.getpid()}.old.tmp")
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(backup)
                try:
                    os.link(target, backup)
                except OSError:  # no hard links here: a copy serves as well
                    shutil.copy2(target, backup)
                backups[target] = backup
        for target, temp in temps.items():
            os.replace(temp, target)
            done.append(target)
    except BaseException:
        for target in reversed(done):
            with contextlib.suppress(OSError):
                if target in backups:
                    os.replace(backups.pop(target), target)
                else:
                    os.unlink(target)
        raise
    finally:
        for backup in backups.values():
            with contextlib.suppress(OSError):
                os.unlink(backup)


def _sync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def locked(build_dir: BuildDir, step: Callable[[str], None]) -> Iterator[None]:
    """Hold build/.build.lock: a second build of the same project waits for the first, so
    build/.work and the outputs are never written by two processes at once. build/ is
    checked (no link, no special file) before anything in it is opened."""
    from filelock import FileLock, Timeout

    lock_path = build_dir.path / LOCK_NAME
    try:
        build_dir.prepare()
        if os.path.lexists(lock_path) and not regular_file(lock_path):
            raise BriefingError.at("the build lock is not a regular file", lock_path, None,
                                   "remove it: briefing neither follows nor deletes links in "
                                   "build/")
        lock = FileLock(lock_path)
        try:
            lock.acquire(blocking=False)
        except Timeout:
            step("Waiting for another build of this project to finish")
            lock.acquire()
    except OSError as exc:
        raise _write_error(exc, build_dir.path) from None
    try:
        build_dir.check_tree()  # no link, no special file: before anything in it is opened
        _remove_stale_temporaries(build_dir)
        yield
    except OSError as exc:  # reading errors are BriefingErrors already: this is a write
        raise _write_error(exc, build_dir.path) from None
    finally:
        lock.release()

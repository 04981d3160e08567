"""Writing into build/: build/ holds only regular files and folders briefing made.

A link or a special file anywhere in it stops the build before anything there is opened,
written or deleted; every path a build creates, writes, renames or deletes is checked to
lie inside build/. Outputs are written to temporary files and renamed into place only
when every output of the build exists (all or nothing), under a lock so that two builds
of one project never interleave.

The project's own files (a seed, a release record, a catalogue, a schema) are written
through one door too, ProjectWrite: no link is followed on the way, no temporary can be
planted, and a batch of files lands together or not at all.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
    return BriefingError.at(f"cannot write: {reason(exc)}", where, None,
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


# --- Project files outside build/: one door for every command that writes one ------------
#
# `source add`, `release`, `schema --write`, `translations update` and `new` write an
# author's files, where a shared project may hold planted links. Each write here: every
# folder from the project root down opened without following a link (made if missing),
# the file written to a fresh temporary of a random name created exclusively beside it,
# and renamed over a target that is a regular file or nothing, then checked to be the
# file written. A batch of files lands together or not at all.

_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
WRITE_HINT = "check free disk space and that the folder is writable"


@dataclass
class _Staged:
    target: Path  # as the command named it (for messages)
    folder: int  # the open folder it goes into
    temp: str  # the temporary's name in that folder
    identity: tuple[int, int]  # (device, inode) of the temporary: what the target must be
    backup: str | None = None  # the previous file under a second name, until all renamed


class ProjectWrite:
    """Files written into a project (not build/), all or nothing: `stage` each, then
    `commit`; `abort` (or an error in either) leaves the project as it was, including
    the folders made on the way."""

    def __init__(self, root: Path):
        self.root = Path(os.path.abspath(root))
        self._folders: dict[Path, int] = {}
        self._made: list[tuple[int, str]] = []  # folders made (parent fd, name), in order
        self._staged: list[_Staged] = []

    def __enter__(self) -> ProjectWrite:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()

    # -- folders ---------------------------------------------------------------------

    def folder(self, path: Path, create: bool = True) -> int | None:
        """The open folder `path`, each step from the project root down a real folder
        (never a link); missing ones are made if `create`, else None is returned."""
        path = Path(os.path.abspath(path))
        if path in self._folders:
            return self._folders[path]
        if path == self.root:
            try:
                fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except OSError as exc:
                raise BriefingError.at(f"cannot open the project folder: {reason(exc)}",
                                       self.root, None, "name a folder you can write to"
                                       ) from None
        else:
            if not within(str(path), str(self.root)):
                raise BriefingError.at("refused to write outside the project", path, None,
                                       "this is a bug in briefing; please report it")
            parent = self.folder(path.parent, create)
            child = None if parent is None else self._open_child(parent, path, create)
            if child is None:
                return None
            fd = child
        self._folders[path] = fd
        return fd

    def _open_child(self, parent: int, path: Path, create: bool) -> int | None:
        try:
            return os.open(path.name, _FOLDER_FLAGS, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                return None
        except OSError as exc:
            raise self._not_a_folder(parent, path, exc) from None
        try:
            os.mkdir(path.name, 0o777, dir_fd=parent)
            self._made.append((parent, path.name))
        except FileExistsError:
            pass  # made meanwhile: opened and checked below like any other
        except OSError as exc:
            raise BriefingError.at(f"cannot create the folder: {reason(exc)}", path, None,
                                   WRITE_HINT) from None
        try:  # a link put there meanwhile is refused here
            return os.open(path.name, _FOLDER_FLAGS, dir_fd=parent)
        except OSError as exc:
            raise self._not_a_folder(parent, path, exc) from None

    def _not_a_folder(self, parent: int, path: Path, exc: OSError) -> BriefingError:
        try:
            mode = os.stat(path.name, dir_fd=parent, follow_symlinks=False).st_mode
        except OSError:
            return BriefingError.at(f"cannot open the folder: {reason(exc)}", path, None,
                                    WRITE_HINT)
        if stat.S_ISLNK(mode):
            return BriefingError.at(
                f"a symbolic link {self._leads(path)}, where briefing writes into a folder",
                path, None, "make it a real folder of the project: briefing never writes "
                "through a link")
        return BriefingError.at(f"{_what(mode)}, where briefing writes into a folder", path,
                                None, "move it away: briefing makes this folder and writes "
                                "files in it")

    def _leads(self, link: Path) -> str:
        real = os.path.realpath(link)
        if not os.path.exists(real):
            return "to nothing (a broken link)"
        if not within(real, os.path.realpath(self.root)):
            return "to a folder outside the project"
        return "to another folder"

    # -- files -----------------------------------------------------------------------

    def check(self, path: Path) -> None:
        """Would `path` be written? Its folders real (those that exist), the file a
        regular one or none. Nothing is made or written: a check before long work."""
        folder = self.folder(path.parent, create=False)
        if folder is not None:
            self._target_mode(folder, path)

    def _target_mode(self, folder: int, path: Path) -> int | None:
        """The permission bits of the file at `path` if it is a regular file, None if
        there is none; anything else (a link, a folder, a pipe) is refused."""
        try:
            info = os.stat(path.name, dir_fd=folder, follow_symlinks=False)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise cannot_write(exc, path) from None
        if stat.S_ISLNK(info.st_mode):
            raise BriefingError.at("a symbolic link, where briefing writes a file", path, None,
                                   "remove the link (or put the file itself in its place): "
                                   "briefing never writes through a link")
        if not stat.S_ISREG(info.st_mode):
            raise BriefingError.at(f"{_what(info.st_mode)}, where briefing writes a file", path,
                                   None, "remove it: briefing writes a regular file here")
        return stat.S_IMODE(info.st_mode)

    def stage(self, path: Path, data: bytes, mode: int | None = None) -> None:
        """Write `data` to a temporary beside `path`; the file keeps its permissions (a
        new one gets `mode`, else the umask's)."""
        path = Path(os.path.abspath(path))
        folder = self.folder(path.parent)
        assert folder is not None  # made if missing
        kept = self._target_mode(folder, path)
        temp = f".{path.name[:40]}.{secrets.token_hex(8)}.tmp"  # within NAME_MAX
        try:
            fd = os.open(temp, _TEMP_FLAGS, 0o666, dir_fd=folder)
        except OSError as exc:
            raise cannot_write(exc, path) from None
        staged = _Staged(path, folder, temp, (0, 0))
        self._staged.append(staged)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                if kept is not None or mode is not None:
                    os.fchmod(out.fileno(), kept if kept is not None else int(mode or 0))
                os.fsync(out.fileno())
                info = os.fstat(out.fileno())
        except OSError as exc:
            raise cannot_write(exc, path) from None
        staged.identity = (info.st_dev, info.st_ino)

    def commit(self) -> None:
        """Rename every temporary onto its file, all or none: a file replaced is kept
        under a second name until every rename has succeeded."""
        done: list[_Staged] = []
        try:
            for staged in self._staged:  # each target still a regular file or nothing
                staged.backup = self._backup(staged)
            for staged in self._staged:
                name = staged.target.name
                try:
                    os.replace(staged.temp, name, src_dir_fd=staged.folder,
                               dst_dir_fd=staged.folder)
                except OSError as exc:
                    raise cannot_write(exc, staged.target) from None
                done.append(staged)
                self._verify(staged)
        except BaseException:
            for staged in reversed(done):
                with contextlib.suppress(OSError):
                    if staged.backup is None:
                        os.unlink(staged.target.name, dir_fd=staged.folder)
                    else:
                        os.replace(staged.backup, staged.target.name,
                                   src_dir_fd=staged.folder, dst_dir_fd=staged.folder)
                staged.backup = None  # put back, or (if that failed) kept, never deleted
            self.abort()
            raise
        for staged in self._staged:  # the previous files are no longer needed
            if staged.backup is not None:
                with contextlib.suppress(OSError):
                    os.unlink(staged.backup, dir_fd=staged.folder)
        for folder in set(self._folders.values()):
            with contextlib.suppress(OSError):
                os.fsync(folder)  # the renames survive a crash or power cut
        self._staged, self._made = [], []
        self._close()

    def _backup(self, staged: _Staged) -> str | None:
        """The file about to be replaced, under a second (random, exclusive) name."""
        name = staged.target.name
        mode = self._target_mode(staged.folder, staged.target)
        if mode is None:
            return None
        backup = f".{name[:40]}.{secrets.token_hex(8)}.old.tmp"
        try:
            os.link(name, backup, src_dir_fd=staged.folder, dst_dir_fd=staged.folder,
                    follow_symlinks=False)
            return backup
        except OSError:  # no hard links here: a copy serves as well
            pass
        try:
            source = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                             dir_fd=staged.folder)
            with os.fdopen(source, "rb") as old:
                data = old.read()
            copy = os.open(backup, _TEMP_FLAGS, 0o600, dir_fd=staged.folder)
            with os.fdopen(copy, "wb") as out:
                out.write(data)
                os.fchmod(out.fileno(), mode)  # as it was, if it is put back
            return backup
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(backup, dir_fd=staged.folder)
            raise cannot_write(exc, staged.target) from None

    def _verify(self, staged: _Staged) -> None:
        """The file now at the target is the temporary written, not something swapped in."""
        try:
            info = os.stat(staged.target.name, dir_fd=staged.folder, follow_symlinks=False)
            same = stat.S_ISREG(info.st_mode) and (info.st_dev, info.st_ino) == staged.identity
        except OSError:
            same = False
        if not same:
            raise BriefingError.at("changed while briefing wrote it", staged.target, None,
                                   "another program is writing in the project: let it finish, "
                                   "then run the command again")

    def abort(self) -> None:
        """Remove every temporary and backup, and the folders made, and let go."""
        for staged in self._staged:
            for name in (staged.temp, staged.backup):
                if name:
                    with contextlib.suppress(OSError):
                        os.unlink(name, dir_fd=staged.folder)
        for parent, name in reversed(self._made):
            with contextlib.suppress(OSError):
                os.rmdir(name, dir_fd=parent)  # only if still empty
        self._staged, self._made = [], []
        self._close()

    def _close(self) -> None:
        for fd in self._folders.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._folders = {}


def write_files(root: Path, contents: dict[Path, bytes]) -> None:
    """Write files into the project at `root`, together or not at all (see ProjectWrite)."""
    with ProjectWrite(root) as batch:
        for path, data in contents.items():
            batch.stage(path, data)


def write_file(root: Path, path: Path, data: bytes, mode: int | None = None) -> None:
    """Write one file into the project at `root` (see ProjectWrite)."""
    with ProjectWrite(root) as batch:
        batch.stage(path, data, mode)


def check_writable(root: Path, *paths: Path) -> None:
    """Refuse now what writing `paths` later would refuse (a link, a special file, a
    folder that is not one), so that a command stops before its long work."""
    batch = ProjectWrite(root)
    try:
        for path in paths:
            batch.check(path)
    finally:
        batch.abort()


def _what(mode: int) -> str:
    return "a file" if stat.S_ISREG(mode) else _kind(mode)


def cannot_write(exc: OSError, path: Path) -> BriefingError:
    return BriefingError.at(f"cannot write: {reason(exc)}", path, None, WRITE_HINT)


def reason(exc: OSError) -> str:
    """The reason in lower case ("file too large"), as Pandoc's failures are told."""
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]

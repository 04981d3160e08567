"""What this machine made: a per-user key that signs the cache and the manifest.

build/ travels with a project (an archive, a shared folder, a repository that committed
it), so nothing in it is evidence of anything: a cache entry or a manifest is used only
when it carries a MAC made with a key that never leaves this user's account. A project
that ships build/.cache/ or build/.cache/manifest.json gets a cold build, as if build/
were absent: the entries fail their MAC and are removed.

Why a MAC and not a cache outside the project: the cache stays where authors expect it
(deleting build/ clears it; two checkouts never share or fight over one), nothing is
written beside a project but one 32-byte key, and one rule covers every stage.

The key is `$XDG_CACHE_HOME/briefing/key` (default `~/.cache/briefing/key`): 32 random
bytes, made once, mode 0600 in a 0700 folder, owned by this user. A key that is not
ours alone (another owner, group or world bits, a link, a wrong size) is never used;
nor is one that cannot be made (no home, a read-only home): then the build signs with a
key of its own process, so nothing from an earlier run is trusted and nothing is lost
but speed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import stat
from pathlib import Path

KEY_BYTES = 32


def key_path() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if not base or not os.path.isabs(base):  # the XDG spec: a relative value is ignored
        home = os.environ.get("HOME", "").strip()
        if not home or not os.path.isabs(home):
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "briefing" / "key"


def _ours_alone(info: os.stat_result, kind: int, mode: int) -> bool:
    return (stat.S_IFMT(info.st_mode) == kind and info.st_uid == os.geteuid()
            and stat.S_IMODE(info.st_mode) & ~mode == 0)


def _read(path: Path) -> bytes | None:
    """The key at `path` if it is ours alone (a regular file, not a link, 0600, this
    user's, 32 bytes), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        if not _ours_alone(os.fstat(handle.fileno()), stat.S_IFREG, 0o600):
            return None
        data = handle.read(KEY_BYTES + 1)
    return data if len(data) == KEY_BYTES else None


def _make(path: Path) -> bytes | None:
    """Make the key: written whole under a random name, then linked into place, so two
    builds starting at once agree on one key and none reads half of one."""
    folder = path.parent
    with contextlib.suppress(FileExistsError):
        folder.parent.mkdir(parents=True, exist_ok=True)
        os.mkdir(folder, 0o700)
    info = os.lstat(folder)
    if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid():
        os.chmod(folder, 0o700)  # ours: made private, whoever loosened it
    elif not _ours_alone(info, stat.S_IFDIR, 0o700):
        return None
    temporary = folder / f".key.{os.getpid()}.{os.urandom(8).hex()}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another build made it first: use theirs
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return _read(path)


@functools.cache
def key() -> bytes:
    """This user's key; a key of this process alone when there is none to be had."""
    path = key_path()
    if path is not None:
        with contextlib.suppress(OSError):
            found = _read(path)
            if found is None and not os.path.lexists(path):
                found = _make(path)
            if found is not None:
                return found
    return os.urandom(KEY_BYTES)


def sign(*parts: bytes | str) -> bytes:
    """HMAC-SHA256 of length-prefixed parts under this user's key."""
    mac = hmac.new(key(), b"briefing-trust-1\n", hashlib.sha256)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        mac.update(len(data).to_bytes(8, "big"))
        mac.update(data)
    return mac.digest()


def verify(mac: bytes, *parts: bytes | str) -> bool:
    return hmac.compare_digest(mac, sign(*parts))

"""A content-addressed cache of stage outputs under build/.cache.

Each entry is stored under the SHA-256 of everything its stage reads: the stage's text
inputs, the bytes of the files it embeds, the tool's identity and the engine's own code
and templates. An entry is a MAC of its stage, key and payload under this user's key
(runtime/trust.py) followed by the payload: an entry this user's builds did not write
(shipped with the project, made on another machine, corrupt or truncated) is removed and
rebuilt, never used. Deleting the directory is always safe; a hit returns exactly the
bytes a cold build would make.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import os
import tempfile
from pathlib import Path

from briefing import ENGINE_DIR
from briefing.runtime import trust

FORMAT = b"briefing-cache-1\n"
MAC_BYTES = 32


def digest(*parts: bytes | str) -> str:
    """SHA-256 over length-prefixed parts, so ('ab', 'c') and ('a', 'bc') differ."""
    h = hashlib.sha256(FORMAT)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@functools.cache
def engine() -> str:
    """The engine's code, templates, stylesheets and fonts: any change invalidates all."""
    files = sorted(p for p in ENGINE_DIR.rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts)
    return digest(*(f"{p.relative_to(ENGINE_DIR)}:{file_digest(p)}" for p in files))


@functools.cache
def tool(name: str, path: str | None = None) -> str:
    """A tool's identity: its package version, and for a binary its size and mtime."""
    parts = [name]
    with contextlib.suppress(importlib.metadata.PackageNotFoundError):
        parts.append(importlib.metadata.version(name))
    if path:
        with contextlib.suppress(OSError):
            stat = os.stat(path)
            parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


class Cache:
    def __init__(self, build_dir: Path):
        self.dir = build_dir / ".cache"
        self.hits: list[str] = []
        self.misses: list[str] = []
        self.used: set[Path] = set()

    def _path(self, stage: str, key: str) -> Path:
        return self.dir / stage / key[:2] / key

    def get(self, stage: str, key: str) -> bytes | None:
        path = self._path(stage, key)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses.append(stage)
            return None
        stored, payload = data[:MAC_BYTES], data[MAC_BYTES:]
        if not trust.verify(stored, "cache", stage, key, payload):  # not ours: drop it
            with contextlib.suppress(OSError):
                path.unlink()
            self.misses.append(stage)
            return None
        self.hits.append(stage)
        self.used.add(path)
        with contextlib.suppress(OSError):
            os.utime(path)  # recency, for prune()
        return payload

    def put(self, stage: str, key: str, payload: bytes) -> None:
        """Store an entry atomically; a cache that cannot be written is only slower."""
        path = self._path(stage, key)
        try:
            # Never write through a link: each folder from build/ down is created, or
            # found, as a real folder before anything is made inside it (the build also
            # refuses links in build/ before it starts, but one can appear during it).
            folder = self.dir.parent
            if folder.is_symlink():
                return
            folder.mkdir(parents=True, exist_ok=True)
            for part in (".cache", stage, key[:2]):
                folder = folder / part
                if folder.is_symlink():
                    return
                folder.mkdir(exist_ok=True)
                if folder.is_symlink() or not folder.is_dir():
                    return
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(trust.sign("cache", stage, key, payload) + payload)
            os.replace(name, path)
            self.used.add(path)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(name)

    def through(self, stage: str, key: str, make) -> bytes:
        """The cached bytes for key, or make() them and keep them."""
        found = self.get(stage, key)
        if found is not None:
            return found
        made = make()
        self.put(stage, key, made)
        return made

    def prune(self, keep: int = 4) -> None:
        """Keep this build's entries and the `keep` most recent others of each stage."""
        if not self.dir.is_dir():
            return
        for temp in self.dir.glob("*/*/.*.tmp"):  # left by a build that was killed
            with contextlib.suppress(OSError):
                temp.unlink()
        for stage in self.dir.iterdir():
            if stage.is_symlink() or not stage.is_dir():
                continue  # build.py refuses links in build/ before it starts; never follow
            entries = [p for p in stage.glob("*/*") if not p.parent.is_symlink()
                       and not p.is_symlink() and p.is_file() and p not in self.used]
            entries.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
            for old in entries[keep:]:
                with contextlib.suppress(OSError):
                    old.unlink()

"""Every file briefing reads from a project (every layer reads through here).

An input must resolve inside the project (a link is followed only when its target is
inside too, and a linked folder is treated like a linked file), must be a regular file,
opened non-blocking so that a named pipe cannot hang the build, and must fit its size
limit. The text must be UTF-8 without characters that no output can carry. Writing into
build/ is runtime/writing.py.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import BriefingError, line_of_offset

MIB = 1024 * 1024
# Characters no output can carry, or that change a line's meaning in an export: C0 and C1
# controls (but tab, LF and CR), line and paragraph separators, and the Unicode
# noncharacters (XML 1.0, and so EPUB, forbids U+FFFE and U+FFFF).
_NONCHARACTERS = "\ufdd0-\ufdef\ufffe\uffff" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(1, 17))
FORBIDDEN_RE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029{_NONCHARACTERS}]")
NEWLINE_RE = re.compile(r"[\r\n\t]")


def forbidden(text: str, single_line: bool = False) -> re.Match | None:
    """The first character that no output can carry (or, for a one-line text such as a
    title, a line break or tab), else None."""
    found = FORBIDDEN_RE.search(text)
    if found is None and single_line:
        found = NEWLINE_RE.search(text)
    return found


def describe(char: str) -> str:
    names = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab",
             "\u2028": "a line separator (U+2028)", "\u2029": "a paragraph separator (U+2029)"}
    if char in names:
        return names[char]
    if (ord(char) & 0xFFFE) == 0xFFFE or 0xFDD0 <= ord(char) <= 0xFDEF:
        return f"the noncharacter U+{ord(char):04X}"
    return f"control character U+{ord(char):04X}"


@dataclass(frozen=True)
class Inputs:
    """Where a project's inputs may come from (`root`) and how large one may be."""

    root: Path
    limit: int  # bytes
    setting: str = "limits.input_mib"

    def read_bytes(self, path: Path, limit: int | None = None) -> bytes:
        return read_bytes(path, self.root, limit or self.limit, self.setting)

    def read_text(self, path: Path, limit: int | None = None) -> str:
        return read_text(path, self.root, limit or self.limit, self.setting)

    def digest(self, path: Path) -> str:
        return digest(path, self.root)


def real_path(path: Path, root: Path | None) -> str:
    """The path with every link resolved; refused unless it lies inside `root`."""
    try:
        real = os.path.realpath(path, strict=True)
    except FileNotFoundError:
        raise BriefingError.at("file not found", path) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BriefingError.at("a symbolic link loop", path, None,
                                   "replace the link with the file itself") from None
        raise BriefingError.at(f"cannot read file: {exc.strerror}", path) from None
    if root is not None and not within(real, os.path.realpath(root)):
        raise BriefingError.at(
            "a link to a file outside the project", path, None,
            "copy the file (or folder) into the project: links are followed only when "
            "they point inside it")
    return real


def within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _open_regular(path: Path, root: Path | None) -> tuple[int, os.stat_result]:
    real = real_path(path, root)
    try:
        # Non-blocking: opening a named pipe with no writer would otherwise wait forever.
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise BriefingError.at(f"cannot read file: {exc.strerror}", path) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise BriefingError.at(f"{_kind(info.st_mode)}, not a regular file", path, None,
                               "inputs are plain files; replace it with one")
    return fd, info


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def read_bytes(path: Path, root: Path | None = None, limit: int | None = None,
               setting: str = "limits.input_mib") -> bytes:
    """A regular file's bytes, after the checks above; `limit` in bytes."""
    fd, info = _open_regular(path, root)
    with os.fdopen(fd, "rb") as handle:
        if limit is not None and info.st_size > limit:
            if setting == "limits.image_mib":
                raise BriefingError.at(
                    f"image is {info.st_size / MIB:.1f} MiB and passes {setting} "
                    f"({limit / MIB:g} MiB)", path, None,
                    f"is this the right file? An image for print needs a few MiB; if it "
                    f"does need more, raise {setting} in briefing.toml")
            line = handle.read(limit).count(b"\n") + 1  # where the limit is crossed
            raise BriefingError.at(
                f"file is {info.st_size / MIB:.1f} MiB and passes {setting} "
                f"({limit / MIB:g} MiB) on this line", path, line,
                f"inputs are text; is this the right file? If it is, raise {setting} in "
                "briefing.toml")
        data = handle.read(limit + 1 if limit is not None else -1)
    if limit is not None and len(data) > limit:  # grew while we read it
        raise BriefingError.at(f"file passes {setting} ({limit / MIB:g} MiB)", path, None,
                               f"raise {setting} in briefing.toml")
    return data


def read_text(path: Path, root: Path | None = None, limit: int | None = None,
              setting: str = "limits.input_mib") -> str:
    """A UTF-8 input file; a bad byte or a character no output can carry is an error
    naming its line."""
    data = read_bytes(path, root, limit, setting)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BriefingError.at(
            f"invalid UTF-8 byte 0x{data[exc.start]:02x}", path,
            line_of_offset(data, exc.start), "save the file as UTF-8") from None
    bad = forbidden(text)
    if bad:
        raise BriefingError.at(f"{describe(bad.group())} in file", path,
                               line_of_offset(text, bad.start()),
                               "remove it (a stray byte from a binary file or a bad paste?)")
    return text


def digest(path: Path, root: Path | None = None) -> str:
    """SHA-256 of a regular file, read in blocks (for the cache and the no-op check)."""
    fd, _ = _open_regular(path, root)
    h = hashlib.sha256()
    with os.fdopen(fd, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def regular_file(path: str | Path) -> bool:
    """Is this a regular file (not following a link at the last step)? Never raises."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def check_folder(path: Path, root: Path, what: str) -> None:
    """A project folder (chapters/, seeds/ ...) must not lead outside the project."""
    if not os.path.lexists(path):
        return
    try:
        real = os.path.realpath(path, strict=True)
    except OSError:
        raise BriefingError.at(f"{what} is a broken link or a link loop", path, None,
                               f"make {what} a folder inside the project") from None
    if not within(real, os.path.realpath(root)):
        raise BriefingError.at(f"{what} is a link to a folder outside the project", path, None,
                               f"make {what} a folder inside the project; links are followed "
                               "only when they point inside it")
    if not os.path.isdir(real):
        raise BriefingError.at(f"{what} is not a folder", path, None,
                               f"make {what} a folder")





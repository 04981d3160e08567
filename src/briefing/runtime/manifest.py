"""The no-op rebuild: what the last successful build read and wrote.

When no input, no engine file and no output has changed since, the build has nothing to
do: it says so and returns without parsing anything. The inputs are whatever the recipe
says it read (the model's Project.input_paths() and the images the documents use); this
module knows no stage.

The manifest is signed (runtime/trust.py) with this user's key: one shipped with a
project is not evidence that the outputs beside it are a build's of this user, so it
means: build. (A copy of the user's own project, outputs and all, stays up to date.)
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
from pathlib import Path

from briefing import files
from briefing.errors import BriefingError
from briefing.runtime import cache, trust, writing


class Manifest:
    """What the last successful build read and wrote. When no input, no engine file and
    no output has changed since, the build has nothing to do: it says so and returns,
    without parsing anything (the no-op rebuild an author gets after saving nothing)."""

    def __init__(self, root: Path, context: dict):
        """`context`: what else the outputs depend on (the request, the engine, the names
        in the input folders): any change there means a build."""
        self.root = root
        self.path = root / "build" / ".cache" / "manifest.json"
        self.context = {"engine": cache.engine(),
                        "epoch": os.environ.get("SOURCE_DATE_EPOCH", ""), **context}
        self.saved: dict = {}

    def up_to_date(self) -> bool:
        """True only if the manifest is whole and every input and output it names is the
        same regular file it was. Any doubt (a malformed manifest, a name that is not a
        plain path inside the project, a link, a named pipe) means: build."""
        try:
            signed = files.read_json(self.path, self.root, 64 * files.MIB)
        except (BriefingError, ValueError, RecursionError):
            return False
        saved = self._verified(signed)
        if saved is None:
            return False
        inputs, outputs = saved.get("inputs"), saved.get("outputs")
        if saved.get("context") != self.context or not isinstance(inputs, dict) or not (
                isinstance(outputs, dict) and outputs):
            return False
        try:
            for rel, recorded in inputs.items():
                if not _plain_relative(rel):
                    return False
                path = self.root / rel
                stat = os.lstat(path)
                if [stat.st_size, stat.st_mtime_ns] != recorded[:2] and (
                        files.digest(path, self.root) != recorded[2]):
                    return False
            for name, digest in outputs.items():
                path = self.root / "build" / name
                if "/" in name or name.startswith(".") or not files.regular_file(path) or (
                        files.digest(path, self.root) != digest):
                    return False
        except (BriefingError, OSError, TypeError, IndexError, ValueError):
            return False
        self.saved = saved
        return True

    def _signature(self, state: dict) -> bytes:
        return trust.sign("manifest", json.dumps(state, sort_keys=True, ensure_ascii=True))

    def _verified(self, signed: object) -> dict | None:
        """The recorded state, if this user's builds of this folder wrote it."""
        if not isinstance(signed, dict) or set(signed) != {"state", "mac"}:
            return None
        state, mac = signed["state"], signed["mac"]
        if not isinstance(state, dict) or not isinstance(mac, str):
            return None
        try:
            given = bytes.fromhex(mac)
        except ValueError:
            return None
        return state if hmac.compare_digest(given, self._signature(state)) else None

    def outputs(self) -> dict[str, Path]:
        return {name: self.root / "build" / name for name in self.saved["outputs"]}

    def record(self, paths: list[Path], written: dict[str, Path]) -> None:
        """Remember the inputs read (`paths`; those outside the project or not regular
        files are skipped) and the outputs written."""
        root = os.path.realpath(self.root)
        inputs = {}
        for path in paths:
            with contextlib.suppress(BriefingError, OSError):
                real = files.real_path(path, self.root)  # inside the project, or skipped
                if files.regular_file(real):
                    stat = os.stat(real)
                    inputs[os.path.relpath(real, root)] = [
                        stat.st_size, stat.st_mtime_ns, files.digest(Path(real), self.root)]
        state = {"context": self.context, "inputs": inputs,
                 "outputs": {p.name: files.digest(p) for p in written.values()}}
        with contextlib.suppress(OSError, BriefingError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp = writing.BuildDir(self.root / "build").inside(self.path.with_suffix(".tmp"))
            signed = {"state": state, "mac": self._signature(state).hex()}
            writing.write_new(temp, json.dumps(signed, indent=1, sort_keys=True).encode("utf-8"))
            os.replace(temp, self.path)


def _plain_relative(rel: object) -> bool:
    """A manifest's file name: relative, inside the project, no '..' step."""
    return isinstance(rel, str) and bool(rel) and not os.path.isabs(rel) and (
        ".." not in Path(rel).parts)

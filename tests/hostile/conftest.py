"""The world a hostile case runs in: a secret outside the project, a marker file that
injected code would create, and a listener on 127.0.0.1 that must never be called."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import copy_project

SECRET = "HOSTILE-SECRET-51c0ffee"


@dataclass
class World:
    outside: Path  # a directory next to, not inside, the project
    secret: Path
    marker: Path
    port: int
    hits: list[int]
    victim: Path  # a folder of 15 files outside the project that nothing may touch


@pytest.fixture
def world(tmp_path: Path, listener):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text(SECRET + "\n")
    victim = outside / "victim"
    victim.mkdir()
    for i in range(15):
        (victim / f"file-{i:02d}.txt").write_text(f"victim file {i}\n")
    port, hits = listener
    return World(outside, secret, outside / "pwned-marker", port, hits, victim)


@pytest.fixture
def project(tmp_path: Path, built_real: Path) -> Path:
    """A fresh copy of the real briefing with its good outputs already in build/."""
    return copy_project(built_real, tmp_path / "project", with_build=True)

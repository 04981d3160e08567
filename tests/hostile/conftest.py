"""The world a hostile case runs in: a secret outside the project, a marker file that
injected code would create, and a listener on 127.0.0.1 that must never be called."""

from __future__ import annotations

import socket
import threading
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


@pytest.fixture
def world(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text(SECRET + "\n")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.1)
    hits: list[int] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            hits.append(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield World(outside, secret, outside / "pwned-marker", server.getsockname()[1], hits)
    stop.set()
    thread.join(timeout=2)
    server.close()


@pytest.fixture
def project(tmp_path: Path, built_real: Path) -> Path:
    """A fresh copy of the real briefing with its good outputs already in build/."""
    return copy_project(built_real, tmp_path / "project", with_build=True)

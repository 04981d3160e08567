"""Fixtures of the fast tier: a fresh copy of the minimal project for each test (the
fixture itself is never changed), and a careful way to edit one of its files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import FIXTURES, copy_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(FIXTURES / "minimal", tmp_path / "project")


@pytest.fixture
def edit() -> Callable[[Path, str, str], None]:
    """Replace text that must stand exactly once in the file (so an edit never silently
    misses and leaves the test checking the unchanged project)."""

    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text("utf-8")
        assert text.count(old) == 1, f"{old!r} is not in {path.name} exactly once"
        path.write_text(text.replace(old, new), "utf-8")

    return replace

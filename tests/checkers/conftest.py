"""The third-party checkers users trust, run on both editions of the real briefing.

They come from Debian (chromium, qpdf, poppler-utils, libreoffice-writer-nogui, Java) and
npm (DAISY Ace, axe-core, the Nu HTML Checker, pinned in package-lock.json), installed by
`make test`. A machine without one skips its tests with the reason shown in pytest's
summary (-ra); under CI=true a missing checker fails instead, so CI never passes by not
looking (tools.need). The browser fixture is the session's one (tests/conftest.py).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from .tools import NODE, ROOT, chromium, java, need  # noqa: F401 - for the test modules

EDITIONS = ("en", "nl")


@pytest.fixture(scope="session")
def outputs(built_real: Path) -> Path:
    """The build/ folder of the real briefing, both editions."""
    return built_real / "build"


@pytest.fixture(scope="session")
def unpacked(outputs: Path, tmp_path_factory) -> dict[str, Path]:
    """Each edition's EPUB, unzipped (to open its XHTML in a browser)."""
    found = {}
    for edition in EDITIONS:
        folder = tmp_path_factory.mktemp(f"epub-{edition}")
        with zipfile.ZipFile(outputs / f"briefing.{edition}.epub") as epub:
            epub.extractall(folder)
        found[edition] = folder
    return found

"""The third-party checkers users trust, run on both editions of the real briefing.

They come from Debian (chromium, qpdf, poppler-utils, libreoffice-writer-nogui, Java) and
npm (DAISY Ace, axe-core, the Nu HTML Checker, pinned in package-lock.json), installed by
`make test`. A machine without one skips its tests with the reason shown in pytest's
summary (-ra); under CI=true a missing checker fails instead, so CI never passes by not
looking.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE = ROOT / "node_modules"
EDITIONS = ("en", "nl")


def need(name: str, found: str | Path | None, how: str) -> str:
    """The path of a checker, or a skip (a failure in CI) that says how to install it."""
    if found and (shutil.which(str(found)) or Path(found).exists()):
        return shutil.which(str(found)) or str(found)
    message = f"{name} is not installed ({how}); `make test` installs it"
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; under CI=true every checker must run")
    pytest.skip(message)


def chromium() -> str:
    return need("chromium", shutil.which("chromium") or shutil.which("chromium-browser"),
                "Debian package chromium")


def java() -> str:
    return need("java", "java", "Debian package default-jre-headless")


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


@pytest.fixture(scope="session")
def browser():
    path = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=path,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield launched
        launched.close()

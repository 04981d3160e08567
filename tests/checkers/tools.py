"""Where the third-party checkers are, or a visible skip (a failure under CI=true)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE = ROOT / "node_modules"


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

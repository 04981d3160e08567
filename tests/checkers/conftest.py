"""The third-party checkers users trust, run on every document a reader gets: both editions
of the real briefing (report and brief), and the second-style fixture (tests/fixtures/styled:
its own logo, colours, fonts, US Letter, continuous chapters; report and brief).

They come from Debian (chromium, qpdf, poppler-utils, libreoffice-writer-nogui, Java) and
npm (DAISY Ace, axe-core, the Nu HTML Checker, pinned in package-lock.json), installed by
`make test`. A machine without one skips its tests with the reason shown in pytest's
summary (-ra); under CI=true a missing checker fails instead, so CI never passes by not
looking (tools.need). The browser fixture is the session's one (tests/conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .tools import NODE, ROOT, chromium, java, need  # noqa: F401 - for the test modules

EDITIONS = ("en", "nl")

# Each document read by the checkers: its id in the test names -> (the built project's
# fixture, the outputs' stem in its build/). The flagship's editions carry the content
# checks too (the map, its tables, its languages); the styled fixture is there for its look.
DOCUMENTS = {
    "en": ("built_real", "briefing.en"),
    "nl": ("built_real", "briefing.nl"),
    "styled": ("built_styled", "briefing"),
}
# Every PDF: the reports and the briefs (the format "brief", PDF only).
PDFS = {
    **DOCUMENTS,
    "en-brief": ("built_real", "briefing.en.brief"),
    "nl-brief": ("built_real", "briefing.nl.brief"),
    "styled-brief": ("built_styled", "briefing.brief"),
}


def output(request: pytest.FixtureRequest, table: dict[str, tuple[str, str]], which: str,
           suffix: str) -> Path:
    """The file of document `which` with `suffix`, its project built on first use (a run
    of only the flagship's cases never builds the styled fixture)."""
    fixture, stem = table[which]
    return request.getfixturevalue(fixture) / "build" / f"{stem}{suffix}"


@pytest.fixture(scope="session")
def outputs(built_real: Path) -> Path:
    """The build/ folder of the real briefing, both editions."""
    return built_real / "build"

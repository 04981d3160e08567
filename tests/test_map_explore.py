"""Exploring the argument base in the HTML without a script (issue 35): a link to a
claim (#claim-<id>, as the map in words and the exports' IRIs give) lands on it and
marks it, on a phone and a desktop alike, and the page never widens past the screen."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.parametrize("width", [390, 1280])
def test_a_claim_arrived_at_is_marked(built_minimal: Path, browser, width: int):
    page = browser.new_page(viewport={"width": width, "height": 844})
    try:
        page.goto((built_minimal / "build" / "briefing.html").as_uri() + "#claim-aim-trust")
        marked = page.evaluate("""() => {
            const style = (id) => getComputedStyle(document.getElementById(id));
            const box = document.getElementById('claim-aim-trust').getBoundingClientRect();
            return [style('claim-aim-trust').outlineStyle,
                    style('claim-press-confusion').outlineStyle,
                    box.top >= 0 && box.top < innerHeight,
                    document.documentElement.scrollWidth];
        }""")
    finally:
        page.close()
    assert marked == ["solid", "none", True, width]

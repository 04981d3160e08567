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


CLAIM_IDS = "() => [...document.querySelectorAll('[id^=\"claim-\"]')].map(e => e.id)"


@pytest.mark.parametrize("width", [390, 1280])
def test_every_box_of_the_map_is_a_link_that_lands_on_its_claim(built_real: Path, browser,
                                                                 width: int):
    """The flagship's page: the map is inline, each box a link; clicking it (as a reader
    taps it, the map scrolled into view in its box) lands on that claim, marked."""
    page = browser.new_page(viewport={"width": width, "height": 844})
    try:
        page.goto((built_real / "build" / "briefing.en.html").as_uri())
        links = page.evaluate("() => [...document.querySelectorAll('#fig-map svg a')]"
                              ".map(a => [a.getAttribute('href'), a.getAttribute('aria-label')])")
        claims = set(page.evaluate(CLAIM_IDS))
        assert len(links) >= 20, links
        for n, (href, label) in enumerate(links):
            assert href[1:] in claims and label, (href, label)
            page.locator("#fig-map svg a").nth(n).click()
            landed = page.evaluate("""(id) => {
                const claim = document.getElementById(id), box = claim.getBoundingClientRect();
                return [location.hash, getComputedStyle(claim).outlineStyle,
                        box.top >= -1 && box.top < innerHeight,
                        document.documentElement.scrollWidth];
            }""", href[1:])
            assert landed == [href, "solid", True, width], (href, landed)
    finally:
        page.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_every_claim_is_reached_by_keyboard_from_the_map(built_real: Path, browser,
                                                         width: int):
    """Tab from the map's box onwards: the map's links, then the outline of every claim by
    perspective (its parts' titles too), reach every claim of the page, each focused link
    on the screen when focused."""
    page = browser.new_page(viewport={"width": width, "height": 844})
    try:
        page.goto((built_real / "build" / "briefing.en.html").as_uri())
        claims = set(page.evaluate(CLAIM_IDS))
        page.evaluate("() => document.querySelector('#fig-map').closest('.scroll-box')"
                      ".focus()")
        reached: set[str] = set()
        summaries = 0
        for _ in range(len(claims) * 12):
            page.keyboard.press("Tab")
            focused = page.evaluate("""() => {
                const a = document.activeElement, r = a.getBoundingClientRect();
                return [a.localName, a.getAttribute('href') || '',
                        r.bottom > 0 && r.top < innerHeight && r.right > 0
                        && r.left < innerWidth];
            }""")
            summaries += focused[0] == "summary"
            if focused[1].startswith("#claim-"):
                assert focused[2], f"{focused[1]} is focused out of sight"
                reached.add(focused[1][1:])
            if claims <= reached:
                break
    finally:
        page.close()
    assert len(claims) >= 30 and claims <= reached, sorted(claims - reached)
    assert summaries >= 3  # each perspective's part: its title takes the focus


def test_every_box_of_the_epub_map_leads_to_its_claim(built_real: Path, browser, tmp_path):
    """In the EPUB the map is inline in its chapter and each box links to the document
    that holds the claim; Chromium (as an EPUB reading system's engine) follows it there."""
    import re
    import zipfile

    with zipfile.ZipFile(built_real / "build" / "briefing.en.epub") as epub:
        epub.extractall(tmp_path)
        opf = epub.read("EPUB/content.opf").decode("utf-8")
    text = tmp_path / "EPUB" / "text"
    holders = [d for d in sorted(text.glob("*.xhtml")) if "<svg" in d.read_text("utf-8")]
    assert len(holders) == 1, holders
    assert re.search(rf'<item [^>]*properties="svg" href="text/{holders[0].name}"', opf)
    assert not list((tmp_path / "EPUB" / "media").glob("*.svg"))  # the picture file: gone
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto(holders[0].as_uri())
        links = page.evaluate("() => [...document.querySelectorAll('svg a')].map(a => "
                              "a.getAttribute('xlink:href') || a.getAttribute('href'))")
        assert len(links) >= 20
        for n, link in enumerate(links):
            document, _, anchor = link.partition("#")
            assert anchor.startswith("claim-")
            assert f'id="{anchor}"' in (text / (document or holders[0].name)).read_text("utf-8")
            page.goto(holders[0].as_uri())
            page.locator("svg a").nth(n).click()
            page.wait_for_url(f"**/{document or holders[0].name}#{anchor}")
            assert page.evaluate("(id) => !!document.getElementById(id)", anchor)
    finally:
        page.close()

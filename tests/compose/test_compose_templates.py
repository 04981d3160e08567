"""Chapter templates in Jinja2's sandbox: a mistake stops the build at its template line,
and what a template writes is mapped back to the line that wrote it."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing import recipe
from briefing.compose import document
from briefing.errors import BriefingError


def compose(root: Path) -> document.Composed:
    loaded = recipe.load(root)
    lang = loaded.localised(loaded.project.default_edition)
    return document.compose_edition(loaded.model, loaded.prepared, lang)


def extra_chapter(root: Path, line3: str) -> Path:
    path = root / "chapters" / "02-extra.md.j2"
    path.write_text(f"# Extra {{#extra}}\n\n{line3}\n", "utf-8")
    return path


@pytest.mark.parametrize(("line3", "message"), [
    ("Text {{ claim_count }}.", "template error: 'claim_count' is undefined"),
    ("Text {{ ''.__class__ }}.",
     "template error: access to attribute '__class__' of 'str' object is unsafe."),
    ("{% include '../briefing.toml' %}", "template error: template '../briefing.toml' not found"),
], ids=["undefined", "sandbox-escape", "include-outside"])
def test_a_template_mistake_is_an_error_at_its_line(project: Path, line3: str, message: str):
    path = extra_chapter(project, line3)
    with pytest.raises(BriefingError) as caught:
        compose(project)
    (problem,) = caught.value.problems
    assert problem.message.startswith(message)
    assert (problem.path, problem.line) == (path, 3)


@pytest.mark.parametrize(("line3", "message", "hint"), [
    ("{{ timeline[0].when }}", "template error: timeline entry has no attribute 'when'",
     "did you mean 'title'? its attributes: id, title, text, cite, labels, beyond_sources, "
     "links; see docs/format.md#eventview"),
    ("{{ perspectives[0].titel }}", "template error: perspective has no attribute 'titel'",
     "did you mean 'title'? its attributes: id, title, short, key_point, summary, claims, "
     "sources, voices, evidence, open_questions, questions; "
     "see docs/format.md#perspectiveview"),
    ("{{ claims['aim-trusts'].label }}", "template error: claims has no key 'aim-trusts'",
     "did you mean 'aim-trust'? its keys: aim-trust, press-confusion; "
     "see docs/format.md#template-variables"),
    ("{{ relations[0].from }}", "template error: relation has no attribute 'from'",
     "did you mean 'source'? its attributes: source, target, type, ours, scheme, note; "
     "see docs/format.md#relation"),
    ("{{ timeline.title }}", "template error: timeline is a list and has no attribute 'title'",
     "loop over it ({% for item in timeline %}) or take one (timeline[0]); "
     "see docs/format.md#eventview"),
], ids=["renamed-attribute", "misspelt-attribute", "missing-key", "data-name", "list"])
def test_a_misspelt_name_is_told_the_names_that_exist(project: Path, line3: str,
                                                      message: str, hint: str):
    path = extra_chapter(project, line3)
    with pytest.raises(BriefingError) as caught:
        compose(project)
    (problem,) = caught.value.problems
    assert (problem.message, problem.hint) == (message, hint)
    assert (problem.path, problem.line) == (path, 3)


def test_an_undefined_variable_lists_the_variables_closest_first(project: Path):
    extra_chapter(project, "{{ claimz | length }}")
    with pytest.raises(BriefingError) as caught:
        compose(project)
    (problem,) = caught.value.problems
    assert problem.message == "template error: 'claimz' is undefined"
    assert problem.hint.startswith("did you mean 'claims'? the variables: claims, ")
    assert problem.hint.endswith("; see docs/format.md#template-variables")
    listed = problem.hint.split(": ", 1)[1].split(";")[0].split(", ")
    assert {"perspectives", "timeline", "argument_map", "_"} <= set(listed)
    assert "compose.py" not in problem.hint


def test_a_syntax_error_stops_loading_before_anything_renders(project: Path):
    path = extra_chapter(project, "Text {% if %}.")
    with pytest.raises(BriefingError) as caught:
        recipe.load(project)
    (problem,) = caught.value.problems
    assert problem.message.startswith("template syntax error:")
    assert (problem.path, problem.line) == (path, 3)


def test_each_piece_of_output_maps_back_to_the_template_line_that_wrote_it(project: Path):
    chapter = compose(project).chapters[0]
    template = project / "chapters" / "01-overview.md.j2"
    text = chapter.markdown
    assert chapter.path == template
    wanted = {  # text -> its template line
        "# The press reading": 2,                  # template text, from a loop
        "Some media took": 4,                      # a value printed on line 4
        "::: {.claim #claim-aim-trust}": 7,
        "**A1.**": 8,
        "> [“waar de overheid": 11,
    }
    for needle, line in wanted.items():
        assert chapter.origin(text.index(needle)) == (template, line), needle
    # Text copied from the template is told apart from values it printed.
    assert chapter.literal(text.find("# The press reading"))
    assert not chapter.literal(text.find("Some media took"))


def test_raw_html_beside_a_constant_expression_is_still_refused_at_its_line(project: Path):
    path = extra_chapter(project, "Stars: {{ '*' }}.\n\n<div>raw</div>")
    with pytest.raises(BriefingError) as caught:
        compose(project)
    (problem,) = caught.value.problems
    assert problem.message == "raw HTML <div> is not allowed in a chapter"
    assert (problem.path, problem.line) == (path, 5)

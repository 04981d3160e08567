"""Checks on what templates wrote, each naming the template line behind the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing import recipe
from briefing.compose import checks, document
from briefing.compose.templates import Chapter
from briefing.errors import BriefingError, Collector
from briefing.model.config import load
from briefing.model.settings import Limits


def written(path: Path, markdown: str) -> Chapter:
    """A chapter whose text is all the template's own, from its line 1 on."""
    path.write_text(markdown, "utf-8")
    return Chapter(path, markdown, [(0, path, 1, True)])


def output_problems(chapter: Chapter, bounds: Limits | None = None) -> list:
    problems = Collector()
    checks.check_output(chapter, bounds or Limits(), problems)
    return problems.problems


def test_raw_html_in_a_template_is_refused_at_its_line(tmp_path: Path):
    path = tmp_path / "01-a.md.j2"
    (problem,) = output_problems(written(path, "# A\n\nFine text.\n\nThen <div>x</div>.\n"))
    assert problem.message == "raw HTML <div> is not allowed in a chapter"
    assert (problem.path, problem.line) == (path, 5)
    # The same characters escaped, in code, or printed from data are text, not markup.
    assert output_problems(written(path, "A \\<div> and `<div>` in code.\n")) == []
    data = "Quoted: <div>x</div>.\n"
    assert output_problems(Chapter(path, data, [(0, path, 1, False)])) == []


def test_a_raw_block_and_an_endless_paragraph_are_refused(tmp_path: Path):
    path = tmp_path / "01-a.md.j2"
    (raw,) = output_problems(written(path, "# A\n\n```{=html}\n<b>x</b>\n```\n"))
    assert (raw.message, raw.line) == ("a raw {=html} block is not allowed in a chapter", 3)
    (long,) = output_problems(written(path, "# A\n\n" + "word " * 40 + "\n"),
                              Limits(paragraph_chars=100))
    assert long.message.startswith("a paragraph of 201 characters, more than "
                                   "limits.paragraph_chars (100)")
    assert long.line == 3


def test_an_unknown_citation_key_is_refused_at_its_template_line(project: Path):
    path = project / "chapters" / "02-more.md.j2"
    chapter = written(path, "# More\n\nAs [@derksen2016sociaalkrediat, para. 2] says.\n")
    with pytest.raises(BriefingError) as caught:
        checks.check_citations([chapter], {"derksen2016sociaalkrediet": 1}, load(project))
    (problem,) = caught.value.problems
    assert problem.message == ("citation key 'derksen2016sociaalkrediat' is not in "
                               "bib/briefing.bib")
    assert (problem.path, problem.line) == (path, 3)
    assert problem.hint == "did you mean 'derksen2016sociaalkrediet'?"


def test_a_misspelt_locator_label_is_refused(project: Path):
    path = project / "chapters" / "02-more.md.j2"
    chapter = written(path, "# More\n\nAs [@derksen2016sociaalkrediet, parra. 2] says.\n")
    with pytest.raises(BriefingError) as caught:
        checks.check_citations([chapter], {"derksen2016sociaalkrediet": 1}, load(project))
    (problem,) = caught.value.problems
    assert problem.message == ("unknown locator label 'parra.' in citation of "
                               "'derksen2016sociaalkrediet'")
    assert problem.line == 3
    good = written(path, "As [@derksen2016sociaalkrediet, paras. 1, 2] says.\n")
    assert checks.check_citations([good], {"derksen2016sociaalkrediet": 1},
                                  load(project)) == {"derksen2016sociaalkrediet"}


def test_a_claim_no_chapter_shows_is_refused_at_its_seed(project: Path, edit):
    edit(project / "chapters" / "01-overview.md.j2", "{% for c in p.claims %}",
         "{% for c in p.claims if c.id != 'press-confusion' %}")
    loaded = recipe.load(project)
    with pytest.raises(BriefingError) as caught:
        document.compose_edition(loaded.model, loaded.prepared,
                                 loaded.localised(loaded.project.default_edition))
    (problem,) = caught.value.problems
    assert problem.message == "claim 'press-confusion' appears in no chapter, comparison or map"
    assert (problem.path, problem.line) == (project / "seeds" / "derksen.yaml", 26)

"""The argument base: quotes verbatim, references resolved, ids unique across files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefing.errors import BriefingError
from briefing.model import sources


def load_seeds(project: Path) -> sources.ArgumentBase:
    return sources.load(project / "seeds", ["press", "aim"],
                        {"derksen2016sociaalkrediet": 1}, project / "bib" / "briefing.bib")


def refused(project: Path) -> list:
    with pytest.raises(BriefingError) as caught:
        load_seeds(project)
    return caught.value.problems


def test_the_seeds_resolve_into_one_base(project: Path):
    base = load_seeds(project)
    claim = base.claims["press-confusion"]
    (citation,) = base.citations(claim)
    assert (citation.source.id, citation.para, citation.pandoc) == (
        "derksen2016", 1, "@derksen2016sociaalkrediet, para. 1")
    assert base.reporter(claim).id == "marco-derksen"
    assert base.where[("claim", "aim-trust")].line == 36


def test_a_misquote_is_refused_at_the_quote_with_the_closest_passage(project: Path, edit):
    seed = project / "seeds" / "derksen.yaml"
    edit(seed, 'text: "waar de overheid aan werkt"', 'text: "waar de regering aan werkt"')
    (problem,) = refused(project)
    assert problem.message == ("misquote: the quote of claim 'press-confusion' is not verbatim "
                               "in paragraph 1 of 'derksen2016'")
    assert (problem.path, problem.line) == (seed, 34)
    assert "waar de overheid aan werkt" in problem.hint


def test_quote_marks_and_line_breaks_do_not_make_a_misquote(project: Path, edit):
    # The paragraph has typographic quotes (‘sociaal krediet’) and one space where the
    # quote has a line break and three spaces.
    edit(project / "seeds" / "derksen.yaml", 'text: "waar de overheid aan werkt"',
         "text: \"een nieuw\\nsysteem voor beoordeling van   'sociaal krediet'\"")
    assert load_seeds(project).claims["press-confusion"].quote.text == (
        "een nieuw\nsysteem voor beoordeling van   'sociaal krediet'")


def test_an_unknown_actor_is_refused_with_the_nearest_id(project: Path, edit):
    seed = project / "seeds" / "derksen.yaml"
    edit(seed, "holders: [chinese-government]", "holders: [chinese-goverment]")
    (problem,) = refused(project)
    assert problem.message == "unknown actor 'chinese-goverment'"
    assert (problem.path, problem.line, problem.hint) == (
        seed, 40, "did you mean 'chinese-government'?")


def test_a_claim_id_used_in_two_files_names_both_places(project: Path):
    first = project / "seeds" / "derksen.yaml"
    second = project / "seeds" / "zz-copy.yaml"
    shutil.copy(first, second)
    second.write_text(second.read_text("utf-8").replace("id: derksen2016\n", "id: copy\n")
                      .replace("id: marco-derksen", "id: marco").replace(
                          "id: chinese-government", "id: government"), "utf-8")
    problems = refused(project)
    duplicate = [p for p in problems if p.message.startswith("duplicate claim id")]
    assert [(p.message, p.path, p.line) for p in duplicate] == [
        ("duplicate claim id 'press-confusion' (first defined at derksen.yaml:26)", second, 26),
        ("duplicate claim id 'aim-trust' (first defined at derksen.yaml:36)", second, 36)]

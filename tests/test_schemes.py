"""Argument schemes and their critical questions (issue 34): each resolver answers from the
data or leaves the question open, a scheme the catalogue lacks is an error at its line, a
project adds schemes of its own, `check --questions` lists the open ones at their lines,
and the flagship's appendix lists exactly the open questions of its data, in both
editions. The small fixture: press-confusion is Marco Derksen's own words (his role
recorded), aim-trust the government's as Derksen reports it (no role, no quote), and
aim-trust undercuts press-confusion; a second seed adds Derksen's second-post, which
supports aim-trust from another source."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from briefing import recipe
from briefing.compose.views import released_labels, views
from briefing.errors import BriefingError, Collector
from briefing.model import load, schemes
from conftest import FIXTURES, copy_project, run_cli, second_seed

SECOND = second_seed("""
  - from: second-post
    to: aim-trust
    type: supports
    scheme: sign""")


def project(tmp_path: Path, second: bool = True, scheme: str = "expert-opinion") -> Path:
    """The fixture with both its claims naming `scheme` (and, with `second`, a second
    source whose claim supports aim-trust)."""
    root = copy_project(FIXTURES / "minimal", tmp_path / "project")
    seed = root / "seeds" / "derksen.yaml"
    text = seed.read_text("utf-8")
    for kind in ("kind: fact", "kind: interpretation"):
        text = text.replace(f"    {kind}\n", f"    {kind}\n    scheme: {scheme}\n", 1)
    seed.write_text(text, "utf-8")
    if second:
        (root / "seeds" / "second.yaml").write_text(SECOND, "utf-8")
    return root


def base_of(root: Path):
    problems = Collector()
    model = load.load(root, problems)
    problems.raise_if_any()
    return model.base


# (resolver, press-confusion answered, aim-trust answered): with the second source.
RESOLVED = [
    ("role", True, False),  # Derksen's role is recorded; the government's is not
    ("quote", True, False),  # Derksen's own words; aim-trust has no quote
    ("first-hand", True, False),  # Derksen reports his own claim; the government's he relays
    ("contested", True, False),  # aim-trust undercuts press-confusion; nothing attacks aim-trust
    ("supported", False, True),  # second-post supports aim-trust
    ("other-voices", False, True),  # second-post is Derksen's, aim-trust the government's
    ("independent-sources", False, True),  # aim-trust and its support cite two sources
]


@pytest.mark.parametrize(("resolver", "press", "aim"), RESOLVED)
def test_each_resolver_answers_from_the_data(tmp_path, resolver, press, aim):
    base = base_of(project(tmp_path))
    assert schemes.answered(resolver, base.claims["press-confusion"], base) is press
    assert schemes.answered(resolver, base.claims["aim-trust"], base) is aim


def test_without_the_second_source_its_resolvers_find_nothing(tmp_path):
    base = base_of(project(tmp_path, second=False))
    aim = base.claims["aim-trust"]
    assert not any(schemes.answered(r, aim, base)
                   for r in ("supported", "other-voices", "independent-sources"))


def test_a_question_without_resolver_stays_open(tmp_path):
    base = base_of(project(tmp_path))
    stake = [a for a in schemes.asked(base, base.catalogue) if a.question.id == "stake"]
    assert [a.claim for a in stake] == ["press-confusion", "aim-trust"]
    assert not any(a.answered for a in stake)


def test_the_catalogue_is_complete_in_both_languages():
    catalogue = schemes.engine()
    assert set(catalogue.schemes) == {
        "expert-opinion", "witness-testimony", "position-to-know", "analogy",
        "cause-to-effect", "consequences", "sign", "popular-opinion"}
    for scheme in catalogue.schemes.values():
        texts = [scheme.name, *(q.text for q in scheme.questions)]
        assert all(isinstance(t, dict) and t.get("en") and t.get("nl") for t in texts)
        assert len({q.id for q in scheme.questions}) == len(scheme.questions)
    resolvers = {q.resolver for s in catalogue.schemes.values() for q in s.questions}
    assert resolvers - {None} == set(schemes.RESOLVERS)  # every resolver is used


def test_an_unknown_scheme_fails_at_its_line(tmp_path):
    root = project(tmp_path, second=False, scheme="expert-opinon")
    result = run_cli(root, "check")
    lines = (root / "seeds" / "derksen.yaml").read_text("utf-8").splitlines()
    line = lines.index("    scheme: expert-opinon") + 1
    assert result.code == 1 and "Traceback" not in result.err
    assert (f"seeds/derksen.yaml:{line}: error: unknown scheme 'expert-opinon'\n"
            "  hint: did you mean 'expert-opinion'?") in result.err


def test_a_project_adds_schemes_of_its_own(tmp_path):
    root = project(tmp_path, second=False, scheme="official-figure")
    (root / "schemes.yaml").write_text(
        "schemes:\n"
        "  - id: official-figure\n"
        "    name: argument from an official figure\n"
        "    questions:\n"
        "      - id: who-counted\n"
        "        text: Who counted, and how?\n"
        "      - id: quoted\n"
        "        text: Is the figure quoted?\n"
        "        resolver: quote\n", "utf-8")
    base = base_of(root)
    found = [(a.claim, a.question.id, a.answered) for a in schemes.asked(base, base.catalogue)]
    assert found == [("press-confusion", "who-counted", False), ("press-confusion", "quoted", True),
                     ("aim-trust", "who-counted", False), ("aim-trust", "quoted", False)]


def test_a_project_scheme_may_not_take_an_engine_id(tmp_path):
    root = project(tmp_path, second=False)
    (root / "schemes.yaml").write_text(
        "schemes:\n  - id: sign\n    name: ours\n    questions:\n"
        "      - id: q\n        text: Why?\n", "utf-8")
    with pytest.raises(BriefingError) as caught:
        base_of(root)
    [problem] = caught.value.problems
    assert (problem.path.name, problem.line) == ("schemes.yaml", 2)
    assert problem.message == "scheme 'sign' is one of the engine's"


def test_check_questions_lists_the_open_ones_at_their_lines(tmp_path):
    root = project(tmp_path)
    result = run_cli(root, "check", "--questions")
    assert result.code == 0, result.err
    lines = (root / "seeds" / "derksen.yaml").read_text("utf-8").splitlines()
    first = lines.index("    scheme: expert-opinion") + 1
    listed = [line for line in result.out.splitlines() if line.startswith("seeds/")]
    assert listed[0] == (f"seeds/derksen.yaml:{first}: press-confusion, argument from expert "
                         "opinion: Do other experts say the same, or the opposite?")
    base = base_of(root)
    every = schemes.asked(base, base.catalogue)
    assert len(listed) == sum(not a.answered for a in every)
    assert any(line.startswith("seeds/second.yaml:") and "second-post → aim-trust, argument "
               "from a sign" in line for line in listed)
    assert (f"{len(listed)} critical question(s) left open by the sources, of {len(every)} "
            "asked") in result.out


def plain(text: str) -> str:
    """Text as compared: entities read, typographic apostrophes straight, spaces single."""
    return re.sub(r"\s+", " ", html.unescape(text).replace("’", "'")).strip()


@pytest.mark.parametrize("edition", ["en", "nl"])
def test_the_appendix_lists_exactly_the_open_questions(built_real, edition):
    """The flagship's appendix, as its HTML prints it: one item per claim and scheme, with
    the questions the data leave open, and nothing else."""
    loaded = recipe.load(built_real)
    model = loaded.model
    lang = loaded.localised(model.project.edition(edition))
    claims, _ = views(model.project, model.base, lang,
                      released_labels(model.earlier, model.project.default_edition.id))
    expected = set()
    for claim in claims.values():
        for target in dict.fromkeys(q.target for q in claim.open_questions):
            asked = [q for q in claim.open_questions if q.target == target]
            head = claim.label + (f" → {claims[target].label}" if target else "")
            expected.add(plain(f"{head}, {asked[0].scheme}: "
                               + " ".join(q.text for q in asked)))
    assert len(expected) > 10  # the flagship names schemes on most of its findings' claims
    page = (built_real / "build" / f"briefing.{edition}.html").read_text("utf-8")
    section = page[page.index('id="appendix-open-questions"'):]
    end = section.find("<h1", section.index("</h1>"))  # the next chapter
    section = section[:end] if end > 0 else section
    items = {plain(re.sub(r"<[^>]+>", "", item))
             for item in re.findall(r"<li>(.*?)</li>", section, re.S)}
    assert items == expected


def test_the_record_keeps_each_claims_scheme_by_its_printed_name(tmp_path):
    """So the changelog names a scheme added or changed as the appendix does."""
    from briefing.compose import snapshot

    loaded = recipe.load(project(tmp_path, second=False, scheme="sign"))
    lang = loaded.localised(loaded.model.project.default_edition)
    claims = snapshot.snapshot(loaded.model, lang)["claims"]
    assert claims["press-confusion"].scheme == "argument from a sign"
    assert claims["aim-trust"].scheme == "argument from a sign"


@pytest.mark.parametrize(("text", "line", "message", "hint"), [
    ("", 1, "file is empty", "schemes.yaml holds a 'schemes:' list; remove the file if you "
     "add none"),
    ("- a\n", 1, "schemes.yaml must be a mapping with a 'schemes:' list", None),
    ("schemes:\n  - id: mine\n    name: mine\n    questions:\n      - id: q\n"
     "        text: Why?\n        resolver: magic\n", 7,
     "schemes[mine].questions[q].resolver: Input should be 'independent-sources', 'other-voices', "
     "'role', 'quote', 'first-hand', 'contested' or 'supported'", "got 'magic'"),
    ("schemes:\n  - id: mine\n    name: mine\n    questions:\n      - id: q\n"
     "        text: Why?\n      - id: q\n        text: How?\n", 7,
     "question 'q' twice in scheme 'mine'", "each question of a scheme has an id of its own"),
], ids=["empty", "a-list", "unknown-resolver", "question-twice"])
def test_a_broken_schemes_file_is_one_message_at_its_line(tmp_path, text, line, message,
                                                           hint):
    root = project(tmp_path, second=False)
    (root / "schemes.yaml").write_text(text, "utf-8")
    result = run_cli(root, "check")
    assert result.code == 1 and "Traceback" not in result.err
    assert f"schemes.yaml:{line}: error: {message}\n" in result.err
    if hint:
        assert f"  hint: {hint}\n" in result.err

"""How sure a finding is (issue 34): the vocabulary in both editions, the confidence the
two ratings give, and each rule that holds a rating to the data, with a failing and a
passing case on the small fixture (one source, two claims: press-confusion is Marco
Derksen's own, aim-trust the government's as Derksen reports it, and aim-trust undercuts
press-confusion). The rules' messages are read from the real CLI where a user sees them."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.compose.language import ENGINE_LOCALE, WORDS
from briefing.errors import BriefingError, Collector
from briefing.model import confidence, load
from briefing.model.catalogues import load_catalogue
from conftest import FIXTURES, copy_project, digests, run_cli, second_seed


def finding(ident: str, claims: str, rating: str | None) -> str:
    text = (f"  - id: {ident}\n    title: {ident.title()}\n    text: A finding.\n"
            f"    claims: {claims}\n")
    if rating is not None:
        evidence, agreement = rating.split("/")
        text += (f"    confidence:\n      evidence: {evidence}\n      agreement: {agreement}\n"
                 "      reason: Because the data say so.\n")
    return text


def project(tmp_path: Path, points: list[str], relations: str = "[]",
            source: Path = FIXTURES / "minimal") -> Path:
    """The fixture with three key points (plain ones rated medium/medium on
    press-confusion), `points` in the first places, and the second source; from `source`
    with its build/ when that is a built copy."""
    root = copy_project(source, tmp_path / "project", with_build=True)
    plain = [finding(f"plain-{i}", "[press-confusion]", "medium/medium") for i in range(3)]
    analysis = root / "analysis.yaml"
    body = "".join(points + plain[len(points):])
    analysis.write_text("key_points:\n" + body + analysis.read_text("utf-8"), "utf-8")
    (root / "seeds" / "second.yaml").write_text(second_seed(relations),
                                                "utf-8")
    return root


def loaded(root: Path) -> tuple[list[str], list[str]]:
    """(errors, warnings) of loading the project, each as `file:line: message`."""
    problems = Collector()
    try:
        model = load.load(root, problems)
        warnings = model.warnings
    except BriefingError as exc:
        problems.extend(exc)
        warnings = []
    show = [f"{p.path.name}:{p.line}: {p.message}" for p in problems.problems]
    return show, [f"{w.path.name}:{w.line}: {w.message}" for w in warnings]


def line_of(root: Path, text: str, after: str = "") -> int:
    """The line of the first `text` after the line holding `after`."""
    lines = (root / "analysis.yaml").read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines[start:], start) if text in line) + 1


def test_the_confidence_follows_from_the_two_ratings():
    table = {(e, a): confidence.level(confidence.Rating(evidence=e, agreement=a, reason="r"))
             for e in confidence.EVIDENCE for a in confidence.AGREEMENT}
    assert table[("limited", "low")] == "very low"
    assert table[("limited", "high")] == table[("robust", "low")] == "medium"
    assert table[("medium", "medium")] == "medium"
    assert table[("robust", "high")] == "very high"
    assert set(table.values()) == set(confidence.LEVELS)


def test_the_vocabulary_is_complete_in_both_editions():
    """Every phrase and the legend in the engine's Dutch catalogue, each its own words."""
    problems = Collector()
    dutch = load_catalogue(ENGINE_LOCALE / "nl.po", problems)
    assert not problems.problems
    wanted = [*confidence.msgids(), WORDS["confidence_legend_title"],
              WORDS["confidence_legend"], WORDS["changes_field_confidence"]]
    found = {msgid: dutch.messages.get(msgid) for msgid in wanted}
    assert all(found.values()), [m for m, t in found.items() if not t]
    assert found["medium confidence"] == "gemiddelde zekerheid"
    assert found["robust evidence"] == "robuust bewijs"
    assert found["high agreement"] == "hoge overeenstemming"
    assert len(set(found.values())) == len(found)  # no two ratings with one Dutch phrase
    assert "IPCC" in found[WORDS["confidence_legend"]]


def test_robust_on_one_source_fails_at_its_line(tmp_path):
    root = project(tmp_path, [finding("bold", "[press-confusion, aim-trust]", "robust/medium")])
    (root / "seeds" / "second.yaml").unlink()
    result = run_cli(root, "check")
    line = line_of(root, "evidence: robust")
    assert result.code == 1 and "Traceback" not in result.err
    assert (f"analysis.yaml:{line}: error: key point 'bold' is rated robust evidence, but "
            "its claims cite one source only (derksen2016)") in result.err
    assert ("hint: robust evidence needs independent sources: rate it medium or limited, or "
            "rest it on claims of another source too") in result.err


def test_robust_on_one_source_fails_the_build_and_leaves_build_as_it_was(tmp_path,
                                                                         built_minimal):
    root = project(tmp_path, [finding("bold", "[press-confusion, aim-trust]", "robust/medium")],
                   source=built_minimal)
    (root / "seeds" / "second.yaml").unlink()
    before = digests(root / "build")
    result = run_cli(root, "build")
    assert result.code == 1 and "Traceback" not in result.err
    errors = [line for line in result.err.splitlines() if ": error: " in line]
    assert errors == [f"analysis.yaml:{line_of(root, 'evidence: robust')}: error: key point "
                      "'bold' is rated robust evidence, but its claims cite one source only "
                      "(derksen2016)"]
    assert "  hint: robust evidence needs independent sources" in result.err
    assert digests(root / "build") == before


def test_robust_on_one_voice_fails(tmp_path):
    root = project(tmp_path, [finding("bold", "[press-confusion, second-post]", "robust/low")])
    errors, _ = loaded(root)
    assert errors == [f"analysis.yaml:{line_of(root, 'evidence: robust')}: key point 'bold' "
                      "is rated robust evidence, but its claims are held by one voice only "
                      "(marco-derksen)"]


def test_robust_on_two_sources_and_two_voices_passes(tmp_path):
    root = project(tmp_path, [finding("bold", "[press-confusion, aim-trust, second-post]",
                                      "robust/low")])
    assert loaded(root) == ([], [])


def test_high_agreement_with_an_unanswered_undercut_warns(tmp_path):
    root = project(tmp_path, [finding("sure", "[press-confusion]", "medium/high")])
    line = line_of(root, "agreement: high")
    result = run_cli(root, "check")
    assert result.code == 0
    assert (f"analysis.yaml:{line}: warning: key point 'sure' is rated high agreement, but "
            "claim 'aim-trust' undercuts claim 'press-confusion' it rests on, and nothing in "
            "the data answers it") in result.err
    strict = run_cli(root, "check", "--strict")
    assert strict.code == 1 and f"analysis.yaml:{line}: error: key point 'sure'" in strict.err


def test_high_agreement_with_the_undercut_answered_passes(tmp_path):
    answer = "[{from: second-post, to: aim-trust, type: attacks}]"
    root = project(tmp_path, [finding("sure", "[press-confusion]", "medium/high")], answer)
    assert loaded(root) == ([], [])


def test_reported_speech_alone_above_medium_warns(tmp_path):
    root = project(tmp_path, [finding("relayed", "[aim-trust]", "medium/high")])
    assert loaded(root)[1] == [
        f"analysis.yaml:{line_of(root, 'confidence:')}: key point 'relayed' is rated high "
        "confidence, but every claim it rests on reaches us as reported speech"]


def test_reported_speech_at_medium_passes_and_first_hand_may_be_higher(tmp_path):
    root = project(tmp_path, [finding("relayed", "[aim-trust]", "medium/medium"),
                              finding("own", "[second-post]", "medium/high")])
    assert loaded(root) == ([], [])


def test_a_key_point_without_rating_warns(tmp_path):
    root = project(tmp_path, [finding("unrated", "[press-confusion]", None)])
    assert loaded(root) == ([], [f"analysis.yaml:{line_of(root, '- id: unrated')}: key point "
                                 "'unrated' has no confidence rating"])


def test_a_finding_with_no_claims_fails(tmp_path):
    root = project(tmp_path, [finding("empty", "[]", "limited/low")])
    result = run_cli(root, "check")
    line = line_of(root, "claims: []")
    assert result.code == 1 and "Traceback" not in result.err
    assert f"analysis.yaml:{line}: error: " in result.err and "key_points" in result.err


@pytest.mark.parametrize("word", ["strong", "Robust", ""])
def test_a_rating_outside_the_vocabulary_fails(tmp_path, word):
    root = project(tmp_path, [finding("odd", "[press-confusion]", f"{word}/medium")])
    errors, _ = loaded(root)
    assert len(errors) == 1 and errors[0].startswith(
        f"analysis.yaml:{line_of(root, 'evidence:')}: ")
    assert "'limited', 'medium' or 'robust'" in errors[0]


def _rated(confidence_text: str) -> dict:
    return {"key_points": {"bold": {"title": "Bold", "text": "A finding.", "claims": ["c"],
                                    "cite": [], "confidence": confidence_text}}}


def test_a_changed_rating_shows_in_the_diff_and_the_changelog(tmp_path):
    """What a record keeps of a rating is the printed phrase and reason: a change of it is a
    change of the key point, named as its confidence, word by word."""
    from briefing import recipe
    from briefing.compose import changelog, changes
    from briefing.model import releases

    old = {"en": _rated("medium confidence (medium evidence, medium agreement). Two posts.")}
    new = {"en": _rated("low confidence (limited evidence, medium agreement). Two posts.")}
    [change] = changes.compare(old, new, "en")["en"]
    assert (change.kind, change.id, change.what) == ("key-point-changed", "bold", "confidence")
    text = changes.as_text({"en": [change]}, "1.0", "working")
    assert "(confidence) [-medium-] {+low+} confidence [-(medium-] {+(limited+} evidence" in text
    root = copy_project(FIXTURES / "minimal", tmp_path / "project")
    loaded = recipe.load(root)
    lang = loaded.localised(loaded.model.project.default_edition)
    record = releases.Record(format=releases.FORMAT, version="1.0", date="2026-11-23",
                             digest="0" * 64, editions={})
    section = changelog.section([change], [releases.Release(record, Path("r/1.0.json"))], "",
                                lang)
    assert "- Bold (confidence): [medium]{.del} [low]{.ins} confidence" in section
    # A record from before ratings holds none: the rating added is a change too.
    [added] = changes.compare({"en": _rated("")}, new, "en")["en"]
    assert (added.kind, added.what, added.old) == ("key-point-changed", "confidence", "")


@pytest.mark.parametrize("edition", ["en", "nl"])
def test_the_flagship_prints_every_rating_with_the_legend(built_real, edition):
    """Both editions: each key point's confidence, ratings and reason, from its data, and
    the legend that says what the words mean and whose scale they follow."""
    import html
    import re

    from briefing import recipe

    loaded = recipe.load(built_real)
    model = loaded.model
    lang = loaded.localised(model.project.edition(edition))
    words = lang.words
    page = (built_real / "build" / f"briefing.{edition}.html").read_text("utf-8")
    start = page.index('id="key-points"')
    shown = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", page[start:page.index(
        'id="introduction"', start)]))).replace("’", "'")
    points = model.analysis.key_points
    assert len(points) == 5 and all(k.confidence is not None for k in points)
    for point in points:
        rating = point.confidence
        assert rating is not None
        level = confidence.level(rating)
        printed = (f"{words.confidence[level].capitalize()} ({words.evidence[rating.evidence]}, "
                   f"{words.agreement[rating.agreement]}). ")
        reason = re.sub(r"\s+", " ", lang.text(rating.reason)).replace("’", "'")
        assert printed + reason in shown, point.id
    legend = re.sub(r"\s+", " ", words.labels["confidence_legend"]).replace("’", "'")
    assert f"{words.labels['confidence_legend_title']} {legend}" in shown
    assert "IPCC" in legend


# Each rule's failing case as a user meets it: `briefing build --strict` on the built small
# fixture stops at the rating's line with one message and a hint, and build/ stays as it was.
# (name, key points, the line's marker, message, the hint's start)
FAILING = [
    ("robust-one-voice", [finding("bold", "[press-confusion, second-post]", "robust/low")],
     "evidence: robust", "key point 'bold' is rated robust evidence, but its claims are held "
     "by one voice only (marco-derksen)", "robust evidence needs more than one voice"),
    ("high-agreement-unanswered", [finding("sure", "[press-confusion]", "medium/high")],
     "agreement: high", "key point 'sure' is rated high agreement, but claim 'aim-trust' "
     "undercuts claim 'press-confusion' it rests on, and nothing in the data answers it",
     "rate the agreement medium or low"),
    ("reported-above-medium", [finding("relayed", "[aim-trust]", "medium/high")],
     "confidence:", "key point 'relayed' is rated high confidence, but every claim it rests on "
     "reaches us as reported speech", "reported speech gives at most medium confidence"),
    ("unrated", [finding("unrated", "[press-confusion]", None)], "- id: unrated",
     "key point 'unrated' has no confidence rating", "add 'confidence:' with evidence"),
]


@pytest.mark.parametrize(("points", "marker", "message", "hint"),
                         [case[1:] for case in FAILING], ids=[case[0] for case in FAILING])
def test_each_rule_fails_a_strict_build_at_its_line(tmp_path, built_minimal, points, marker,
                                                    message, hint):
    root = project(tmp_path, points, source=built_minimal)
    before = digests(root / "build")
    result = run_cli(root, "build", "--strict")
    assert result.code == 1 and "Traceback" not in result.err
    errors = [line for line in result.err.splitlines() if ": error: " in line]
    assert errors == [f"analysis.yaml:{line_of(root, marker)}: error: {message}"]
    assert f"  hint: {hint}" in result.err
    assert digests(root / "build") == before

"""A perspective's label letter and claim order (`letter`, `order` in briefing.toml),
through the real CLI on a one-edition project from `briefing new`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import run_cli


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("labels")
    made = run_cli(base, "new", str(base / "p"), "--perspective", "civil-liberties:Civil "
                   "liberties groups", "--perspective", "public-safety:The police")
    assert made.code == 0, made.err
    root = base / "p"
    seed = root / "seeds" / "example.yaml"  # a second claim for civil-liberties, last
    seed.write_text(seed.read_text("utf-8").replace("\n# How claims bear", """\
  - id: another-reading
    perspective: civil-liberties
    kind: interpretation
    statement:
      en: "Another reading of the same words."
    holders:
      - maria-lind
    cites:
      - 2

# How claims bear""", 1), "utf-8")
    return root


def _set(project: Path, lines: str) -> None:
    toml = project / "briefing.toml"
    text = re.sub(r"\n(letter|order) = .*", "", toml.read_text("utf-8"))
    toml.write_text(text.replace("[perspectives.civil-liberties]\n",
                                 f"[perspectives.civil-liberties]\n{lines}\n"), "utf-8")


def test_the_letter_and_the_order_make_the_labels(project):
    _set(project, 'letter = "L"\norder = ["another-reading"]')
    built = run_cli(project, "build", "--format", "html")
    assert built.code == 0, built.err
    html = (project / "build" / "briefing.html").read_text("utf-8")
    labels = dict(re.findall(r'id="claim-([a-z-]+)"(?:(?!id="claim-).)*?<strong>([A-Z]+\d+)'
                             r"\.</strong>", html, re.S))
    assert labels["another-reading"] == "L1"
    assert labels["lind-quieter-safer"] == "L2"
    assert html.index('id="claim-another-reading"') < html.index(
        'id="claim-lind-quieter-safer"')


@pytest.mark.parametrize(("lines", "message", "hint"), [
    ('letter = "B"', "perspectives.civil-liberties.letter 'B' is the background's",
     "give each perspective a letter of its own (B is the background's)"),
    ('order = ["lind-quieter-safe"]', "perspectives.civil-liberties.order names "
     "'lind-quieter-safe', which is not one of its claims", "did you mean "
     "'lind-quieter-safer'?"),
], ids=["letter_of_the_background", "order_with_a_typo"])
def test_a_wrong_letter_or_order_is_an_error_at_its_line(project, lines, message, hint):
    _set(project, lines)
    line = (project / "briefing.toml").read_text("utf-8").split("\n").index(lines) + 1
    checked = run_cli(project, "check")
    assert checked.code == 1
    assert f"briefing.toml:{line}: error: {message}\n  hint: {hint}\n" in checked.err
    assert "Traceback" not in checked.err

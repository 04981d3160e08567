"""Numbers kept across releases, and renumbered only on purpose (issue 28), end to end on
the small fixture with the real `briefing release`, `cite` and `build`:

- 1.0, then 1.1 with a paragraph inserted at the top of each chapter and a claim added:
  every number and claim label of 1.0 is kept, the new ones get letters and the next
  free number;
- 2.0 released with --renumber: numbers by place again, each old number an anchor of
  its own (v1.1-p1.0a), the record saying what each paragraph continues, and a citation
  of 1.0 or 1.1 followed to today's number;
- --renumber without a new major version is refused.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import FIXTURES, copy_project, run_cli

INSERTED = "A paragraph inserted above the summary of chapter {{ loop.index }}."


def set_version(project: Path, version: str) -> None:
    toml = project / "briefing.toml"
    toml.write_text(re.sub(r'(?m)^version = ".*"$', f'version = "{version}"',
                           toml.read_text("utf-8")), "utf-8")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")


def record(project: Path, version: str) -> dict:
    return json.loads((project / "releases" / f"{version}.json").read_text("utf-8"))


def numbers(project: Path) -> dict[str, str]:
    """Printed number -> anchor, from the standalone HTML."""
    page = (project / "build" / "briefing.html").read_text("utf-8")
    return {number: ident for ident, number in
            re.findall(r'<a id="([^"]+)" class="pnum" href="#[^"]+"[^>]*>¶([^<]+)</a>', page)}


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    project = copy_project(FIXTURES / "minimal", tmp_path_factory.mktemp("renumber") / "p")
    result = run_cli(project, "release", "1.0", "--no-tag")
    assert result.code == 0, result.err
    edit(project / "chapters" / "01-overview.md.j2", "{{ p.summary }} See",
         f"{INSERTED}\n\n{{{{ p.summary }}}} See")
    edit(project / "seeds" / "derksen.yaml", "relations:\n", """  - id: press-new
    perspective: press
    kind: interpretation
    statement: The press doubted the stated aim.
    holders: [marco-derksen]
    cites: [2]
relations:
""")
    set_version(project, "1.1")
    result = run_cli(project, "release", "1.1", "--no-tag")
    assert result.code == 0, result.err
    return project


def test_a_new_release_keeps_every_number_and_label(history: Path):
    old = {p["label"]: p for p in record(history, "1.0")["editions"]["en"]["paragraphs"]}
    new = {p["label"]: p for p in record(history, "1.1")["editions"]["en"]["paragraphs"]}
    assert set(old) < set(new)
    # The inserted paragraphs above ¶1.1 and ¶2.1; the new claim's, after ¶1.3, its place.
    assert sorted(set(new) - set(old)) == ["1.0a", "1.4", "2.0a"]
    assert all(new[label]["was"] == old[label]["id"] == f"p{label}" for label in old)
    assert all(p["id"] == f"p{p['label']}" for p in new.values())
    before = record(history, "1.0")["editions"]["en"]["claims"]
    after = record(history, "1.1")["editions"]["en"]["claims"]
    assert all(after[cid]["label"] == claim["label"] for cid, claim in before.items())
    taken = {c["label"] for c in before.values() if c["label"].startswith("P")}
    assert after["press-new"]["label"] == f"P{len(taken) + 1}"  # the next, not a reused one


def test_renumbering_needs_a_new_major_version(history: Path, tmp_path: Path):
    project = copy_project(history, tmp_path / "p")
    set_version(project, "1.2")
    result = run_cli(project, "release", "1.2", "--renumber", "--no-tag")
    assert result.code == 1 and "Traceback" not in result.err
    assert "briefing.toml:6: error: --renumber needs a new major version: 1.2 follows 1.1" \
        in result.err, result.err
    assert not (project / "releases" / "1.2.json").exists()


@pytest.fixture(scope="module")
def renumbered(history: Path, tmp_path_factory) -> Path:
    project = copy_project(history, tmp_path_factory.mktemp("renumbered") / "p")
    set_version(project, "2.0")
    result = run_cli(project, "release", "2.0", "--renumber", "--no-tag")
    assert result.code == 0, result.err
    return project


def test_a_renumbered_release_numbers_by_place_and_keeps_the_old_numbers_as_anchors(
        renumbered: Path):
    made = record(renumbered, "2.0")
    assert made["renumbered"] is True
    paragraphs = made["editions"]["en"]["paragraphs"]
    by_was = {p["was"]: p["label"] for p in paragraphs}
    assert by_was["p1.0a"] == "1.1" and by_was["p1.1"] == "1.2"
    assert numbers(renumbered)["1.1"] == "p1.1"
    page = (renumbered / "build" / "briefing.html").read_text("utf-8")
    before_first = page[:page.index('class="pnum" href="#p1.1"')]
    assert 'id="v1.1-p1.0a" class="pnum-alias"' in before_first[-300:]
    assert 'id="v1.0-p1.1"' in page and 'id="v1.1-p1.1"' in page


@pytest.mark.parametrize(("version", "number", "now"), [
    ("1.0", "1.1", "1.2"), ("1.1", "1.0a", "1.1"), ("1.1", "2.0a", "2.1"), ("2.0", "1.2", "1.2")])
def test_a_citation_of_an_old_version_resolves_today(renumbered: Path, version, number, now):
    result = run_cli(renumbered, "cite", "--paragraph", number, "--version", version)
    assert result.code == 0, result.err
    assert result.out.startswith(f"¶{number} of version {version} (")
    assert f" is ¶{now} in version 2.0 (" in result.out and f"anchor #p{now}" in result.out
    assert result.out.rstrip().endswith(f", ¶{now}.")


def test_a_number_that_was_never_printed_is_an_error(renumbered: Path):
    result = run_cli(renumbered, "cite", "--paragraph", "9.9", "--version", "1.0")
    assert result.code == 1 and "releases/1.0.json: error: version 1.0 has no ¶9.9" in \
        result.err


def test_the_changelog_lists_the_paragraphs_and_a_renumbering_s_map(history: Path,
                                                                   renumbered: Path):
    added = (history / "build" / "briefing.html").read_text("utf-8")
    section = added[added.index('id="changes-paragraphs"'):]
    assert "Paragraphs added" in section and 'href="#p1.0a">¶1.0a</a>' in section
    page = (renumbered / "build" / "briefing.html").read_text("utf-8")
    section = page[page.index('id="changes-paragraphs"'):]
    assert "Paragraphs renumbered" in section
    assert '¶1.0a → <a href="#p1.1">¶1.1</a>' in section
    assert '¶1.1 → <a href="#p1.2">¶1.2</a>' in section

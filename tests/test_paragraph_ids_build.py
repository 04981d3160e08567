"""Paragraph numbers across a release, end to end (real Pandoc and WeasyPrint): a
paragraph inserted above another after release 1.0 leaves the other its number, anchor
and citation, so a citation or a link made to 1.0 lands on the same words; the new
paragraph gets a number never given out (the one before it and a letter); an
incremental build with the release equals a cold one, byte for byte."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import pytest

from briefing import recipe
from briefing.model import releases
from briefing.outputs import sanitise
from conftest import FIXTURES, copy_project, digests, run_cli

PARAGRAPH_RE = re.compile(r'<p><a id="([^"]+)" class="pnum" href="#\1"[^>]*>¶([^<]*)</a>'
                          r'<span class="pcite"><span class="pcite-label">([^<]*)</span>'
                          r'([^<]*)</span>(.*?)</p>', re.S)
INSERTED = "A paragraph inserted above the summary of chapter {{ loop.index }}."


def _paragraphs(project: Path) -> dict[str, tuple[str, str, str]]:
    """Anchor -> (number shown, citation shown when followed, visible words), from the
    standalone HTML."""
    page = (project / "build" / "briefing.html").read_text("utf-8")
    return {m[1]: (m[2], htmllib.unescape(m[3] + m[4]),
                   htmllib.unescape(re.sub(r"<[^>]+>", "", m[5])).strip())
            for m in PARAGRAPH_RE.finditer(page)}


def _release(project: Path, version: str) -> recipe.Built:
    """Build, and record the build's paragraphs (Job.paragraphs, Job.retired) as the
    release `version`, as `briefing release` does."""
    built = recipe.build(project)
    editions = {ident: releases.Edition(paragraphs=built.paragraphs[ident],
                                        retired=built.retired[ident])
                for ident in built.paragraphs}
    record = releases.Record(format=releases.FORMAT, version=version,
                             date="2025-01-15", digest=releases.digest(editions),
                             editions=editions)
    path = releases.path_for(project, version)
    path.parent.mkdir(exist_ok=True)
    path.write_text(releases.dump(record), "utf-8")
    return built


def _edit(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text("utf-8")
    assert text.count(old) == 1, f"fixture changed: {old!r}"
    path.write_text(text.replace(old, new), "utf-8")


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> tuple[Path, dict, dict]:
    """The minimal project released as 1.0, then made 1.1 with a paragraph inserted at
    the top of each chapter and built again (its cache warm from 1.0's build)."""
    project = copy_project(FIXTURES / "minimal", tmp_path_factory.mktemp("released") / "p")
    built = _release(project, "1.0")
    assert [p.id for ps in built.paragraphs.values() for p in ps]  # it has numbered ones
    before = _paragraphs(project)
    _edit(project, "briefing.toml", 'version = "1.0"', 'version = "1.1"')
    _edit(project, "chapters/01-overview.md.j2", "{{ p.summary }} See",
          f"{INSERTED}\n\n{{{{ p.summary }}}} See")
    result = run_cli(project, "build")
    assert result.code == 0, result.err
    return project, before, _paragraphs(project)


def test_without_a_release_the_anchors_are_the_numbers(released):
    _, before, _ = released
    assert before and all(ident == f"p{number}" for ident, (number, _, _) in before.items())


def test_an_inserted_paragraph_leaves_the_others_their_numbers(released):
    _, before, after = released
    for ident, (number, citation, words) in before.items():
        assert ident in after, f"#{ident} no longer exists"
        assert after[ident][0] == number == ident[1:], f"#{ident} is printed otherwise"
        assert after[ident][2] == words, f"#{ident} now points at other words"
        assert after[ident][1] == citation.replace("Version 1.0", "Version 1.1")


def test_the_inserted_paragraph_has_a_number_never_given_out(released):
    _, before, after = released
    new = {ident: value for ident, value in after.items() if ident not in before}
    assert len(new) == 2 and all(words.startswith("A paragraph inserted above")
                                 for _, _, words in new.values())
    # Each is the first of its chapter, above ¶1.1 and ¶2.1: the chapter's 0 and a letter.
    assert {ident: number for ident, (number, _, _) in new.items()} == {"p1.0a": "1.0a",
                                                                        "p2.0a": "2.0a"}


def test_each_paragraph_shows_its_citation_with_its_number(released):
    _, _, after = released
    number, citation, _ = after["p1.1"]
    assert citation.startswith("Cite this paragraph: ")
    assert "Version 1.1" in citation and citation.endswith(f", ¶{number}.")


def test_the_page_stays_inert_and_every_format_builds(released):
    project, _, _ = released
    page = (project / "build" / "briefing.html").read_text("utf-8")
    parts = sanitise.split_page(page)
    assert parts is not None and sanitise.walk_html(parts[2], "standalone") == []
    assert "<script" not in page and not re.search(r"\son\w+\s*=", page)
    assert (project / "build" / "briefing.pdf").read_bytes().startswith(b"%PDF")
    epub = project / "build" / "briefing.epub"
    import zipfile

    with zipfile.ZipFile(epub) as archive:
        text = "".join(archive.read(n).decode("utf-8") for n in archive.namelist()
                       if n.endswith(".xhtml"))
    assert 'id="p1.0a"' in text and 'id="p1.1"' in text


def test_an_incremental_build_with_a_release_equals_a_cold_one(released, tmp_path: Path):
    project, _, _ = released
    incremental = digests(project / "build")
    cold = copy_project(project, tmp_path / "cold")  # the same inputs, releases/ too
    assert (cold / "releases" / "1.0.json").is_file() and not (cold / "build").exists()
    result = run_cli(cold, "build")
    assert result.code == 0, result.err
    assert digests(cold / "build") == incremental


def test_a_changed_record_alone_changes_the_numbers(released, tmp_path: Path):
    """The numbers come from the record: with the same chapters, another record gives
    other numbers, in the incremental build as in a cold one (no cached stage keeps the
    old ones)."""
    source, _, _ = released
    project = copy_project(source, tmp_path / "p", with_build=True)
    path = project / "releases" / "1.0.json"
    record = releases.Record.model_validate_json(path.read_text("utf-8"))
    editions = {ident: edition.model_copy(update={"paragraphs": [
        p.model_copy(update={"id": "p7.7", "label": "7.7"}) if p.id == "p1.1" else p
        for p in edition.paragraphs]}) for ident, edition in record.editions.items()}
    changed = record.model_copy(update={"editions": editions,
                                        "digest": releases.digest(editions)})
    path.write_text(releases.dump(changed), "utf-8")
    result = run_cli(project, "build")
    assert result.code == 0, result.err
    after = _paragraphs(project)
    assert after["p7.7"][0] == "7.7"  # the summary, under the record's number for it
    assert after["p1.1"][2].startswith("A paragraph inserted")  # 1.1 was never given out
    cold = copy_project(project, tmp_path / "cold")
    assert run_cli(cold, "build").code == 0
    assert digests(cold / "build") == digests(project / "build")


SHOWN = """() => [...document.querySelectorAll('.pcite')]
    .filter(cite => cite.getBoundingClientRect().height > 0)
    .map(cite => [cite.previousElementSibling.id, cite.textContent])"""


def test_following_a_number_shows_that_paragraph_s_citation_alone(released, browser):
    """In a real browser, with the page's own policy (no script runs in it): the
    citation shows under the paragraph that is the target, and under no other."""
    project, _, after = released
    page = browser.new_page()
    try:
        page.goto((project / "build" / "briefing.html").as_uri())
        hidden = page.evaluate(SHOWN)
        page.goto((project / "build" / "briefing.html").as_uri() + "#p1.1")
        linked = page.evaluate(SHOWN)
        page.click('a.pnum[href="#p1.0a"]')
        clicked = page.evaluate(SHOWN)
    finally:
        page.close()
    assert hidden == []
    assert linked == [["p1.1", after["p1.1"][1]]]
    assert [ident for ident, _ in clicked] == ["p1.0a"]

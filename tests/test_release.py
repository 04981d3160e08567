"""briefing release and briefing diff, end to end on the small fixture project in a git
repository (the real command, the real Pandoc and WeasyPrint): the record and the tag,
the refusals, the changelog in every format, the diff, and a release's commit building
the same bytes again."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest

from conftest import FIXTURES, copy_project, run_cli

GIT_ENV = {"GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org",
           "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}


def git(project: Path, *args: str) -> str:
    import os

    return subprocess.run(["git", "-C", str(project), *args], check=True, text=True,
                          capture_output=True, env={**os.environ, **GIT_ENV}).stdout


def commit_all(project: Path, message: str) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", message)


def set_version(project: Path, version: str, date: str) -> None:
    toml = project / "briefing.toml"
    text = re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', toml.read_text("utf-8"))
    text = re.sub(r"(?m)^date = .*$", f"date = {date}", text)
    toml.write_text(text, "utf-8")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), "utf-8")


SUMMARY_1_0 = "The first version."
SUMMARY_1_1 = "Says that the government's aim was stated, and how the press read it."


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """The fixture released as 1.0, then changed (a claim reworded, a claim added, a
    relation added, a claim's stance, a timeline entry, a glossary entry, a question and a
    reference) and released as 1.1, each with its summary of why."""
    project = copy_project(FIXTURES / "minimal", tmp_path_factory.mktemp("release") / "p")
    (project / ".gitignore").write_text("build/\n")
    toml = project / "briefing.toml"
    edit(toml, 'version = "1.0"\n', f'version = "1.0"\nchanges = "{SUMMARY_1_0}"\n')
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "1.0")
    result = run_cli(project, "release", "1.0", env=GIT_ENV)
    assert result.code == 0, result.err
    assert "recorded releases/1.0.json; committed and tagged v1.0" in result.err
    edit(toml, f'changes = "{SUMMARY_1_0}"\n', "")
    seed = project / "seeds" / "derksen.yaml"
    edit(seed, "statement: The government says the system should improve mutual trust in "
               "society.", "statement: The government said the system should improve "
               "mutual trust between strangers.")
    edit(seed, "relations:\n", """  - id: press-trust
    perspective: press
    kind: interpretation
    statement: The press doubted the stated aim.
    holders: [marco-derksen]
    cites: [2]
relations:
  - from: press-trust
    to: aim-trust
    type: attacks
""")
    edit(seed, "    holders: [chinese-government]\n    cites: [2]\n",
         "    holders: [chinese-government]\n    cites: [2]\n    stance: evidence\n")
    analysis = project / "analysis.yaml"
    edit(analysis, "The planned start of the state system.",
         "The planned start of the national system.")
    edit(analysis, "definition: A company's credit score.",
         "definition: Alibaba's credit score.")
    edit(analysis, "text: Which system is meant?", "text: Which of the two systems is meant?")
    edit(project / "bib" / "briefing.bib", "  langid       = {dutch},",
         "  translator   = {Doe, Jane},\n  langid       = {dutch},")
    set_version(project, "1.1", "2025-02-20")
    edit(toml, 'version = "1.1"\n', f'version = "1.1"\nchanges = "{SUMMARY_1_1}"\n')
    commit_all(project, "1.1")
    result = run_cli(project, "release", "1.1", env=GIT_ENV)
    assert result.code == 0, result.err
    return project


def test_release_records_and_tags(released: Path):
    record = json.loads((released / "releases" / "1.0.json").read_text("utf-8"))
    assert record["version"] == "1.0" and record["date"] == "2025-01-15"
    assert record["commit"] == git(released, "rev-parse", "v1.0^").strip()
    en = record["editions"]["en"]
    assert set(en["claims"]) == {"press-confusion", "aim-trust"}
    assert en["claims"]["aim-trust"]["statement"].startswith("The government says")
    assert en["paragraphs"] and all(p["id"] == f"p{p['label']}" for p in en["paragraphs"])
    assert {"briefing.pdf", "briefing.epub"} <= set(record["outputs"])
    assert git(released, "tag", "--list").split() == ["v1.0", "v1.1"]
    assert "Release 1.1" in git(released, "log", "-1", "--format=%s", "v1.1")


def test_release_twice_backwards_or_unnamed_fails(released: Path, tmp_path: Path):
    again = run_cli(released, "release", "1.1", env=GIT_ENV)
    assert again.code != 0 and "version 1.1 is already released" in again.err
    assert "Traceback" not in again.err
    set_version(released, "0.9", "2025-02-20")
    try:
        back = run_cli(released, "release", "0.9", env=GIT_ENV)
        assert back.code != 0 and "lower than the last release, 1.1" in back.err
        other = run_cli(released, "release", "1.2", env=GIT_ENV)
        assert other.code != 0 and "briefing.toml says version '0.9', not '1.2'" in other.err
        assert "briefing.toml:" in other.err  # the file and line to change
    finally:
        set_version(released, "1.1", "2025-02-20")
    assert sorted(p.name for p in (released / "releases").iterdir()) == ["1.0.json", "1.1.json"]


def test_release_of_uncommitted_inputs_fails(tmp_path: Path):
    project = copy_project(FIXTURES / "minimal", tmp_path / "p")
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "first")
    edit(project / "seeds" / "derksen.yaml", "Test relation.", "Test relation, edited.")
    result = run_cli(project, "release", "1.0", env=GIT_ENV)
    assert result.code != 0 and "inputs are not committed" in result.err
    assert not (project / "releases").exists()


def test_release_records_its_summary_and_every_kind_of_item(released: Path):
    record = json.loads((released / "releases" / "1.1.json").read_text("utf-8"))
    assert record["format"] == 3 and record["summary"] == {"en": SUMMARY_1_1}
    en = record["editions"]["en"]
    assert en["claims"]["aim-trust"]["stance"] == "evidence"
    assert en["claims"]["aim-trust"]["reporter"] == "marco-derksen"
    assert en["glossary"]["sesame-credit"]["definition"] == "Alibaba's credit score."
    assert en["references"]["derksen2016sociaalkrediet"]["fields"]["translator"] == "Doe, Jane"
    assert set(en["perspectives"]) == {"press", "aim"} and set(en["questions"]) == {"which"}
    first = json.loads((released / "releases" / "1.0.json").read_text("utf-8"))
    assert first["summary"] == {"en": SUMMARY_1_0}


def test_a_summary_edited_by_hand_breaks_the_digest(released: Path, tmp_path: Path):
    project = copy_project(released, tmp_path / "p")
    edit(project / "releases" / "1.1.json", SUMMARY_1_1, "Something else.")
    result = run_cli(project, "diff", "1.0", "1.1")
    assert result.code == 1 and "Traceback" not in result.err
    assert re.search(r"releases/1\.1\.json:\d+: error: the record's digest does not match its "
                     r"content: it was edited by hand", result.err), result.err


def test_diff_names_each_change_once(released: Path):
    result = run_cli(released, "diff", "1.0", "1.1", "--json")
    assert result.code == 0, result.err
    found = json.loads(result.out)["editions"]["en"]
    kinds = sorted(c["kind"] for c in found if not c["kind"].startswith("paragraph-"))
    assert kinds == ["claim-added", "claim-changed", "claim-reworded", "event-changed",
                     "question-changed", "reference-changed", "relation-added",
                     "term-changed"]
    stance = next(c for c in found if c["kind"] == "claim-changed")
    assert stance["fields"] == [["stance", "position", "evidence"]]
    # Between two releases the numbered paragraphs are compared too: the new claim's, and
    # the reworded claim's.
    paragraphs = [c for c in found if c["kind"].startswith("paragraph-")]
    assert [c["kind"] for c in paragraphs] == ["paragraph-added", "paragraph-reworded"]
    assert "The press doubted the stated aim." in paragraphs[0]["new"]
    assert ["insert", "said"] in paragraphs[1]["words"]
    reworded = next(c for c in found if c["kind"] == "claim-reworded")
    assert ["insert", "said"] in reworded["words"] and ["delete", "says"] in reworded["words"]
    text = run_cli(released, "diff", "1.0", "1.1").out
    assert "{+said+}" in text and "[-says-]" in text
    # The working tree is 1.1: nothing changed since.
    assert json.loads(run_cli(released, "diff", "1.1", "--json").out)["editions"]["en"] == []
    unknown = run_cli(released, "diff", "0.5")
    assert unknown.code != 0 and "no release '0.5'" in unknown.err


GROUPS = ("Claims added", "Claims reworded", "Claims changed otherwise", "Relations added",
          "Timeline entries changed", "Questions for policy changed",
          "Glossary entries changed", "References changed")
LEGEND = "How to read this list:"


def _plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_changelog_in_every_format(released: Path):
    """The summary first, the versions released, the legend, then each group; inserted
    and deleted words are <ins> and <del> in HTML and EPUB (not <u>, which reads as a
    link), underline and strikethrough in Word."""
    build = released / "build"
    page = (build / "briefing.html").read_text("utf-8")
    section = page[page.index('<section id="changes"'):]
    section = section[:section.index("</section>")]
    text = _plain(section)
    assert ("This updates version 1.0 of 15 January 2025. " + SUMMARY_1_1.replace("'", "’")
            + " Versions released Version 1.0 of 15 January 2025: " + SUMMARY_1_0) in text
    assert LEGEND in text and all(group in text for group in GROUPS)
    assert text.index(SUMMARY_1_1.replace("'", "’")) < text.index(LEGEND) < text.index(
        "Claims added")
    assert '<a href="#claim-aim-trust">' in section and "<ins>said</ins>" in section
    assert "<del>says</del>" in section and "<u>" not in section
    assert "<ins>national</ins>" in section and "A1: stance: position evidence" in text
    assert re.search(r"translator: <ins>(<span class=\"name\">)?Doe(</span>)?, Jane</ins>",
                     section)
    assert '<a href="#claim-press-trust">' in section  # the claim added, linked
    assert 'id="changes-paragraphs"' in section  # where the numbered paragraphs go
    epub = zipfile.ZipFile(build / "briefing.epub")
    xhtml = "".join(epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
    assert "What changed in this version" in xhtml and "15 January 2025" in xhtml
    assert "<ins>said</ins>" in xhtml and "<del>says</del>" in xhtml and LEGEND in xhtml
    assert "ins {" in epub.read(next(n for n in epub.namelist() if n.endswith(".css"))).decode()
    docx = zipfile.ZipFile(build / "briefing.docx").read("word/document.xml").decode()
    assert "What changed in this version" in docx and LEGEND in docx
    assert re.search(r'<w:r><w:rPr><w:u w:val="single" /></w:rPr><w:t[^>]*>said</w:t>', docx)
    assert re.search(r"<w:r><w:rPr><w:strike /></w:rPr><w:t[^>]*>says</w:t>", docx)
    assert "<w:ins " not in docx  # not Word's tracked changes
    with pikepdf.open(build / "briefing.pdf") as pdf:
        titles = [item.title for item in pdf.open_outline().root]
    assert "What changed in this version" in titles
    text = " ".join(subprocess.run(["pdftotext", str(build / "briefing.pdf"), "-"],
                                   check=True, capture_output=True, text=True).stdout.split())
    assert "This updates version 1.0 of 15 January 2025." in text
    assert SUMMARY_1_1.replace("'", "’") in text and LEGEND in text
    assert all(group in text for group in GROUPS)


def test_paragraph_of_1_0_keeps_its_anchor_in_1_1(released: Path):
    old = json.loads((released / "releases" / "1.0.json").read_text())["editions"]["en"]
    new = json.loads((released / "releases" / "1.1.json").read_text())["editions"]["en"]
    ids_then = {p["id"] for p in old["paragraphs"]}
    assert ids_then <= {p["id"] for p in new["paragraphs"]} | set(new["retired"])
    assert len({p["id"] for p in new["paragraphs"]}) == len(new["paragraphs"])


def test_release_commit_builds_the_same_bytes(released: Path, tmp_path: Path):
    record = json.loads((released / "releases" / "1.0.json").read_text("utf-8"))
    again = tmp_path / "again"
    again.mkdir()
    archive = subprocess.run(["git", "-C", str(released), "archive", "v1.0"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(again)], input=archive, check=True)
    assert run_cli(again, "build").code == 0
    built = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in (again / "build").iterdir() if p.is_file() and p.name[0] != "."}
    assert built == record["outputs"]


def test_build_warns_when_a_released_version_changed(released: Path, tmp_path: Path):
    project = copy_project(released, tmp_path / "p")
    assert "was released" not in run_cli(project, "build").err  # 1.1 as released
    edit(project / "seeds" / "derksen.yaml", "The press doubted the stated aim.",
         "The press doubted the aim.")
    result = run_cli(project, "build")
    assert result.code == 0
    assert "version 1.1 was released, but the argument base has changed since" in result.err
    assert "briefing.toml:" in result.err and "briefing diff 1.1" in result.err
    strict = run_cli(project, "build", "--strict")
    assert strict.code != 0 and "was released" in strict.err


def test_unchanged_claims_keep_their_anchors(released: Path):
    """A claim's anchor is its id: every claim of 1.0 still in 1.1 is found at the same
    #claim-<id> in 1.1's outputs, and the changelog links there."""
    old = json.loads((released / "releases" / "1.0.json").read_text())["editions"]["en"]
    new = json.loads((released / "releases" / "1.1.json").read_text())["editions"]["en"]
    kept = set(old["claims"]) & set(new["claims"])
    assert kept == {"press-confusion", "aim-trust"}
    page = (released / "build" / "briefing.html").read_text("utf-8")
    epub = zipfile.ZipFile(released / "build" / "briefing.epub")
    xhtml = "".join(epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml"))
    for cid in kept:
        assert page.count(f'id="claim-{cid}"') == 1 and f'id="claim-{cid}"' in xhtml


def test_release_refuses_a_tag_that_exists(tmp_path: Path):
    project = copy_project(FIXTURES / "minimal", tmp_path / "p")
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "first")
    git(project, "tag", "v1.0")
    result = run_cli(project, "release", "1.0", env=GIT_ENV)
    assert result.code != 0 and "the git tag v1.0 exists already" in result.err
    assert not (project / "releases").exists()

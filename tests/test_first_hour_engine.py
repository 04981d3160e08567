"""The first hour of a new author, the engine's side (issue 30): the small frictions of
the new-author review, each as the author meets it, in-process on the minimal fixture."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from briefing import release
from briefing.errors import BriefingError
from briefing.model import config


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
                        "HOME": str(repo), "PATH": "/usr/bin:/bin"})


def _two_editions(project: Path, second: str = "de", language: str = "de-DE") -> None:
    """The minimal fixture as English and another edition (each heading its own id)."""
    toml = project / "briefing.toml"
    toml.write_text(toml.read_text("utf-8").replace('language = "en-GB"\n', "").replace(
        'identifier = "urn:uuid:00000000-0000-4000-8000-000000000001"\n', "")
        + '\n[editions.en]\nlanguage = "en-GB"\nidentifier = "urn:uuid:e1"\n'
        f'\n[editions.{second}]\nlanguage = "{language}"\nidentifier = "urn:uuid:e2"\n',
        "utf-8")
    chapter = project / "chapters" / "01-overview.md.j2"
    chapter.write_text(chapter.read_text("utf-8").replace(
        "# {{ p.title }}", "# {{ p.title }} {#{{ p.id }}}"), "utf-8")


def test_release_names_the_uncommitted_file_whole(project: Path):
    """Friction 15: `release` said 'riefing.toml' (the first letter lost)."""
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "first")
    toml = project / "briefing.toml"
    toml.write_text(toml.read_text("utf-8") + "\n", "utf-8")
    (project / "seeds" / "new one.yaml").write_text("# a name with a blank\n", "utf-8")
    with pytest.raises(BriefingError) as exc:
        release._check_clean(config.load(project), project)
    [problem] = exc.value.problems
    assert problem.message == "inputs are not committed (2 changed, e.g. briefing.toml)"
    assert problem.path == project / "briefing.toml"


def test_a_missing_engine_word_names_its_empty_entry(project: Path):
    """Friction 14: an engine word a new language lacks, whose entry the catalogue holds
    with an empty msgstr, is named at that entry's line (it said only 'add it to
    locale/de.po')."""
    from briefing import recipe

    _two_editions(project)
    (project / "locale").mkdir()
    (project / "locale" / "de.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: de-DE\\n"\n"Content-Type: text/plain; charset=utf-8\\n"'
        '\n\nmsgid "fact"\nmsgstr ""\n', "utf-8")
    checked = recipe.check(project, allow_missing=True)
    [fact] = [w for w in checked.warnings if "the engine's word 'fact'" in w.message]
    assert (fact.where(project), fact.hint) == (
        "locale/de.po:6", "write its msgstr at locale/de.po:6: the de-DE text")
    [other] = [w for w in checked.warnings if "the engine's word 'value judgement'" in w.message]
    assert (other.where(project), other.hint) == (
        "locale/de.po", "briefing has no de catalogue with it: add it to locale/de.po")


@pytest.mark.parametrize(("text", "line", "message"), [
    ("claims:\n  - id: a\n    cites: [1]\n  - id: b\n   - id: c\n", 5,
     "invalid YAML: this line's indentation fits no key or list above it (the block it "
     "breaks begins on line 2)"),
    ("source:\n  id: x\n  key: y\n  - stray\n", 4,
     "invalid YAML: this line's indentation fits no key or list above it (the block it "
     "breaks begins on line 2)"),
    ("source:\n  title: Policing: a study\n", 2, "invalid YAML: a ': ' where no key can begin"),
    ("a: [1, 2\nb: 3\n", 1, "invalid YAML: expected ',' or ']', but got ':' (noticed on line 2)"),
], ids=["indented-item", "item-in-a-mapping", "colon-in-text", "unclosed-bracket"])
def test_a_yaml_error_leads_with_the_line_to_fix(tmp_path: Path, text: str, line: int,
                                                message: str):
    """Friction 13: a line indented wrongly was reported at the start of the list it broke
    (line 120 for a mistake on line 123), in the parser's words; an unclosed bracket is
    still named where it opened."""
    from briefing.model import yamlfile

    path = tmp_path / "seed.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(BriefingError) as exc:
        yamlfile.load(path)
    [problem] = exc.value.problems
    assert (problem.line, problem.message) == (line, message)
    assert problem.hint


def test_translations_update_quiet_prints_nothing(project: Path):
    """Friction 21: `translations update -q` printed its summary all the same."""
    from conftest import run_cli

    _two_editions(project, "nl", "nl-NL")
    quiet = run_cli(project, "translations", "update", "-q")
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "")
    assert (project / "locale" / "nl.po").is_file()  # it did its work
    told = run_cli(project, "translations", "update")
    assert told.code == 0 and "locale/nl.po: 0 message(s) added" in told.out + told.err


def test_a_new_three_language_briefing_with_hyphenated_ids_drafts_with_its_map(
        tmp_path: Path):
    """Frictions 1 and 4, as the author met them: `new` with perspective ids that hold a
    hyphen and three languages, then a draft (`build --allow-missing`): the map's DOT
    once broke on the hyphen, and the German draft's EPUB and DOCX lost the map. The DOCX
    here (the EPUB makes a PDF for its cover, seconds more; every format of a draft, the
    EPUB's map too: tests/test_any_id)."""
    import sys
    import zipfile

    from conftest import run_cli

    made = subprocess.run(
        [sys.executable, "-m", "briefing.cli", "new", str(tmp_path / "fr"),
         "--edition", "en,nl,de", "--perspective", "civil-liberties:Civil liberties groups",
         "--perspective", "public-safety:The public-safety case",
         "--perspective", "regulatory-middle:A regulatory middle ground"],
        capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "fr"
    draft = run_cli(project, "build", "--allow-missing", "--format", "docx")
    assert draft.code == 0, draft.err
    assert "Traceback" not in draft.err
    build = project / "build"
    for edition in ("en", "nl", "de"):
        with zipfile.ZipFile(build / f"briefing.{edition}.docx") as packed:
            assert any(n.endswith(".svg") for n in packed.namelist()), edition
    with zipfile.ZipFile(build / "briefing.de.docx") as packed:
        assert b"[NOT TRANSLATED]" in packed.read("word/document.xml")
    dot = (build / ".work" / "argument-map.dot").read_text("utf-8")
    assert 'subgraph "cluster_civil-liberties"' in dot


def test_a_misspelt_key_is_one_message_with_did_you_mean(project: Path, edit):
    """Friction 21: 'txet' for 'text' said what it meant, and also that 'text' was
    missing: one mistake, now one message, at the misspelt key's line; the claim named
    by its id (it was 'claims.0', an index from 0)."""
    from briefing import recipe

    edit(project / "seeds" / "derksen.yaml", '      text: "waar', '      txet: "waar')
    with pytest.raises(BriefingError) as exc:
        recipe.check(project)
    assert [(p.where(project), p.message, p.hint) for p in exc.value.problems] == [
        ("seeds/derksen.yaml:34", "unknown key 'claims[press-confusion].quote.txet'",
         "did you mean 'claims[press-confusion].quote.text'?")]

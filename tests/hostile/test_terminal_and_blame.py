"""Nothing from the inputs reaches the terminal raw, every suggested command is safe to
paste, and a sanitiser refusal is blamed on the chapter line that wrote it (issue 27;
review of 2026-12-06, findings #10, #11 and #24).

Each case runs the real `briefing` in a child process on a copy of the small fixture
project (the flagship only where a second edition is needed) and reads its output as
bytes: no character a terminal obeys (C0/C1 controls, ESC, DEL, CR, bidi controls, line
separators, undecodable bytes) other than the newlines of the output's own format; the
escaped form is shown instead. A failing command leaves build/ and everything outside the
project byte-identical. A suggested command is taken from the output and run with bash.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, copy_project

from .test_hostile_inputs import tree_digests, untouchable

VENV_BIN = Path(sys.executable).parent  # where this venv's `briefing` is
CHAPTER = "chapters/01-overview.md.j2"
SEED = "seeds/derksen.yaml"
HINT = "  hint: "
# What the review's finding #10 planted in a file name: erase the line, write the
# clipboard (OSC 52), return to the line's start, print a forged verdict, hide the rest.
PLANTED = "\x1b[2K\x1b]52;c;cHduZWQ=\x07\rFAKE all good\x1b[8m"
PLANTED_SHOWN = r"\x1b[2K\x1b]52;c;cHduZWQ=\x07\rFAKE all good\x1b[8m"


def run(project: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.run([sys.executable, "-m", "briefing.cli", "--project", str(project),
                           *args], capture_output=True, env=env, timeout=600)


def shown(data: bytes) -> str:
    """The output as a terminal gets it; bytes that are not UTF-8 become surrogates."""
    return data.decode("utf-8", "surrogateescape")


def obeyed(data: bytes) -> list[str]:
    """Every character in the output that a terminal would act on rather than show:
    controls (C0, DEL, C1), format characters (bidi controls among them), line and
    paragraph separators, undecodable bytes. Newlines are the output's own."""
    return [f"U+{ord(c):04X}" for c in shown(data) if c != "\n" and unicodedata.category(c)
            in ("Cc", "Cf", "Cs", "Zl", "Zp") and c not in "\u200c\u200d"]


def errors_of(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": error: " in line]


def state(project: Path, world) -> tuple[dict, dict]:
    """build/'s outputs, and every file outside build/ (the project's inputs, the planted
    world next to the project): what a command that fails or only reports may not change."""
    return tree_digests(project / "build"), untouchable(project, world.outside)


def _one_error(err: str, expected: str) -> None:
    assert "Traceback" not in err
    assert errors_of(err) == [expected], err
    lines = err.splitlines()
    assert lines[lines.index(expected) + 1].startswith(HINT), err


# --- #10: nothing reaches the terminal raw ----------------------------------------------

def test_a_seed_file_name_cannot_write_the_clipboard_or_forge_a_line(minimal, world):
    """#10a: the file name of a seed with bad YAML is printed escaped."""
    project = minimal
    (project / "seeds" / f"x{PLANTED}.yaml").write_text("source: [\n", "utf-8")
    before = state(project, world)
    checked = run(project, "check")
    assert checked.returncode == 1
    assert obeyed(checked.stderr) == [] and obeyed(checked.stdout) == []
    assert b"\x1b" not in checked.stderr and b"\x07" not in checked.stderr
    assert b"\r" not in checked.stderr
    _one_error(shown(checked.stderr), f"seeds/x{PLANTED_SHOWN}.yaml:2: error: invalid YAML: "
               "expected the node content, but found '<stream end>'")
    assert state(project, world) == before


def test_c1_csi_bidi_override_and_undecodable_bytes_in_a_file_name(minimal, world):
    """Not in the review: U+009B (a one-byte CSI on some terminals), a right-to-left
    override ("Trojan source"), a line separator and bytes that are not UTF-8."""
    project = minimal
    name = os.fsencode(project / "seeds") + b"/x\xc2\x9b2J\xe2\x80\xaeevil\xe2\x80\xa8\xff.yaml"
    with open(name, "wb") as out:
        out.write(b"source: [\n")
    before = state(project, world)
    checked = run(project, "check")
    assert checked.returncode == 1
    assert obeyed(checked.stderr) == [] and obeyed(checked.stdout) == []
    _one_error(shown(checked.stderr), r"seeds/x\x9b2J\u202eevil\u2028\udcff.yaml:2: error: "
               "invalid YAML: expected the node content, but found '<stream end>'")
    assert state(project, world) == before


def _release_with_planted_statement(project: Path) -> str:
    """Release 1.0 of the project (no git), then put a removed claim whose statement holds
    the planted escapes in its record, written with JSON escapes and re-signed, as the
    review's #10b did."""
    from briefing.model import releases

    done = run(project, "--quiet", "release", "1.0", "--no-tag")
    assert done.returncode == 0, shown(done.stderr)
    path = project / "releases" / "1.0.json"
    record = json.loads(path.read_text("utf-8"))
    claims = record["editions"]["en"]["claims"]
    statement = "\x1b]52;c;cHduZWQ=\x07\x1b[2K\rFAKE \x00 \u009b2J\u202eevil"
    claims["zz-removed"] = dict(claims["aim-trust"], label="Z9", statement=statement)
    record["digest"] = releases.digest(record["editions"])
    path.write_text(json.dumps(record, ensure_ascii=True, indent=1, sort_keys=True) + "\n",
                    "utf-8")
    return statement


def test_a_release_record_cannot_act_on_the_terminal_through_diff(minimal: Path, world):
    """#10b: `briefing diff 1.0`, as text and as JSON, over a record whose statement holds
    escapes. The record may be refused at load (control characters); either way nothing
    is printed raw, and a printed change shows the escapes or is the same JSON string."""
    statement = _release_with_planted_statement(minimal)
    before = state(minimal, world)
    text, as_json = run(minimal, "diff", "1.0"), run(minimal, "diff", "1.0", "--json")
    for result in (text, as_json):
        assert obeyed(result.stdout) == [] and obeyed(result.stderr) == []
        assert "Traceback" not in shown(result.stderr)
    if text.returncode == 1:  # refused at load: one clean message at the record
        assert as_json.returncode == 1
        for result in (text, as_json):
            found = errors_of(shown(result.stderr))
            assert len(found) == 1 and found[0].startswith("releases/1.0.json"), found
    else:
        assert text.returncode == as_json.returncode == 0, shown(as_json.stderr)
        assert (r"claim-removed        Z9: \x1b]52;c;cHduZWQ=\x07\x1b[2K\rFAKE \x00 \x9b2J"
                r"\u202eevil") in shown(text.stdout)
        changes = json.loads(as_json.stdout)["editions"]["en"]
        assert [c["old"] for c in changes if c["id"] == "zz-removed"] == [statement]
    assert state(minimal, world) == before


def test_cite_prints_a_bidi_override_in_the_title_escaped(minimal, world):
    """Not in the review: briefing.toml refuses control characters in a title, not the
    bidi controls; `briefing cite` prints them escaped in every format, and its CSL JSON
    stays JSON that reads back as the title."""
    project = minimal
    config = project / "briefing.toml"
    title = "Fixture \u202eBriefing\u2066 x\u2069 \u200f"
    text = config.read_text("utf-8")
    assert text.count('title = "Fixture Briefing"') == 1
    config.write_text(text.replace('title = "Fixture Briefing"',
                                   f"title = {json.dumps(title)}"), "utf-8")
    before = state(project, world)
    for fmt in ("text", "bibtex", "ris", "csl-json", "cff"):
        cited = run(project, "cite", "--format", fmt)
        assert cited.returncode == 0, shown(cited.stderr)
        assert obeyed(cited.stdout) == [] and obeyed(cited.stderr) == [], fmt
        assert r"Fixture \u202eBriefing\u2066 x\u2069 \u200f" in shown(cited.stdout), fmt
        if fmt == "csl-json":
            assert json.loads(cited.stdout)[0]["title"].startswith(title)
    assert "\n" in shown(run(project, "cite", "--format", "bibtex").stdout).strip()
    assert state(project, world) == before


# --- #11: a suggested command is safe to paste ------------------------------------------

def paste(command: str, project: Path) -> subprocess.CompletedProcess[str]:
    """Run a command as a user who pasted it into bash in the project would."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(["bash", "-c", command], cwd=project, capture_output=True,
                          text=True, env=env, timeout=600)


@pytest.mark.parametrize("name", [
    "sources/nos.txt;touch PASTED-RAN;#",  # the review's
    "sources/$(touch PASTED-RAN).txt",
    "sources/`touch PASTED-RAN`.txt",
    "sources/it's'; touch PASTED-RAN; #.txt",  # quotes inside the quoting
], ids=["semicolon", "command-substitution", "backticks", "single-quotes"])
def test_the_refresh_command_runs_no_other_command(minimal, world, name):
    """#11: a seed whose source file has changed: the warning's refresh command, pasted
    into bash, refreshes that file (or fails) and never runs what its name holds."""
    project = minimal
    source = project / name
    source.parent.mkdir(exist_ok=True)
    source.write_text("The first paragraph.\n\nThe second paragraph.\n", "utf-8")
    seed = project / SEED
    text = seed.read_text("utf-8")
    seed.write_text(text.replace("  language: nl\n", f"  language: nl\n  file: "
                                 f"{json.dumps(name)}\n  sha256: \"{'0' * 64}\"\n", 1), "utf-8")
    before = state(project, world)
    checked = run(project, "check")
    err = shown(checked.stderr)
    assert checked.returncode == 0, err
    assert obeyed(checked.stderr) == [] and state(project, world) == before
    found = re.search(r"refresh with: (briefing source add .*? --update) \(rewrites", err)
    assert found, err
    pasted = paste(found.group(1), project)
    assert not (project / "PASTED-RAN").exists() and not (world.outside / "PASTED-RAN").exists()
    assert pasted.returncode in (0, 1) and "Traceback" not in pasted.stderr, pasted.stderr
    assert shlex.split(found.group(1)) == ["briefing", "source", "add", name, "--key",
                                           "derksen2016sociaalkrediet", "--update"]
    # What the refresh may change: the seed, and nothing outside the project.
    after = state(project, world)
    changed = {p for p in set(before[1]) | set(after[1]) if before[1].get(p) != after[1].get(p)}
    assert changed <= {str(seed)} and after[0] == before[0], changed


def test_the_confirm_command_runs_no_other_command_and_confirms(tmp_path, world):
    """Not in the review: a stale translation in a seed whose file name holds shell
    syntax. `briefing check` names the --confirm command; pasted into bash it confirms
    exactly that translation and runs nothing else."""
    project = copy_project(ROOT, tmp_path / "project")
    name = "seeds/nos;touch${IFS}PASTED-RAN;# big brother.yaml"  # and a space
    hostile = project / name
    (project / "seeds" / "nos-2018-big-brother.yaml").rename(hostile)
    recorded = run(project, "translations", "update")  # recorded under its new name
    assert recorded.returncode == 0, shown(recorded.stderr)
    text = hostile.read_text("utf-8")
    assert text.count("buying a ticket for a year.") == 1
    hostile.write_text(text.replace("buying a ticket for a year.",
                                    "buying a ticket for two years."), "utf-8")
    checked = run(project, "check")
    err = shown(checked.stderr)
    assert checked.returncode == 1 and obeyed(checked.stderr) == []
    found = re.findall(r"run `(briefing translations update --confirm [^`]*)`", err)
    assert len(found) == 1, err
    before = untouchable(project, world.outside)
    pasted = paste(found[0], project)
    assert not (project / "PASTED-RAN").exists() and not (tmp_path / "PASTED-RAN").exists()
    assert pasted.returncode == 0, pasted.stderr
    assert "1 confirmed" in pasted.stdout, pasted.stdout
    place, _, line = shlex.split(found[0])[-1].rpartition(":")
    assert place == name
    assert hostile.read_text("utf-8").splitlines()[int(line) - 1].lstrip().startswith("nl:")
    after = untouchable(project, world.outside)
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    assert changed == {str(project / "locale" / "nl.texts.json")}, changed
    assert run(project, "check").returncode == 0


def test_the_next_command_of_new_runs_no_other_command(tmp_path, world):
    """Not in the review: `briefing new` into a folder whose name holds shell syntax
    suggests `cd DIR && briefing build`; pasted, it builds that project and runs nothing
    else."""
    name = "brief;touch PASTED-RAN;#"
    made = subprocess.run([sys.executable, "-m", "briefing.cli", "new", name,
                           "--edition", "en"], cwd=tmp_path, capture_output=True, timeout=600)
    err = shown(made.stderr)
    assert made.returncode == 0 and obeyed(made.stderr) == [], err
    found = re.search(r"next: (cd .*? && briefing build) ", err)
    assert found, err
    pasted = paste(found.group(1), tmp_path)
    assert not (tmp_path / "PASTED-RAN").exists() and not (tmp_path / name / "PASTED-RAN"
                                                          ).exists()
    assert pasted.returncode == 0, pasted.stderr
    assert (tmp_path / name / "build" / "briefing.pdf").is_file()


# --- #24: problems blamed on the chapter line that wrote them ----------------------------

def test_a_plain_task_list_builds_in_every_format(minimal: Path):
    """Pandoc writes a task list as <label><input type="checkbox">: no script, nothing
    loaded, no form to send; allowed, and shown in every format."""
    chapter = minimal / CHAPTER
    chapter.write_text(chapter.read_text("utf-8") + "\n- [ ] a task still to do\n"
                       "- [x] a task done\n", "utf-8")
    built = run(minimal, "--quiet", "build")
    assert built.returncode == 0, shown(built.stderr)
    build = minimal / "build"
    page = (build / "briefing.html").read_text("utf-8")
    assert re.search(r'<label><input type="checkbox"[^>]*>a task still to do', page)
    with zipfile.ZipFile(build / "briefing.epub") as epub:
        xhtml = "".join(epub.read(n).decode("utf-8") for n in epub.namelist()
                        if n.endswith(".xhtml"))
    assert "<label><input" in xhtml and "a task still to do" in xhtml
    with zipfile.ZipFile(build / "briefing.docx") as docx:
        assert "a task still to do" in docx.read("word/document.xml").decode("utf-8")
    text = subprocess.run(["pdftotext", str(build / "briefing.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "a task still to do" in text and "a task done" in text


BLAMED = [
    # (the line added to the chapter, the message the build prints for it)
    # The review's: rel= and as= on one line are one error at that line.
    pytest.param('[x](https://e.org){rel="preload" as="image"}',
                 "the attribute rel= on <a>", id="rel-and-as"),
    pytest.param('[x](https://e.org){as="image"}', "the attribute as= on <a>", id="as"),
    pytest.param("[x](&#106;avascript:alert(1))",
                 "the address 'javascript:alert(1)' in <a href=>", id="decimal-reference"),
    pytest.param("[x](javascript&colon;alert(1))",
                 "the address 'javascript:alert(1)' in <a href=>", id="named-reference"),
    # Not in the review: a hexadecimal reference and a backslash escape; an attribute
    # whose value is a word the perspectives' summaries print into the same chapter.
    pytest.param("[x](&#x6A;avascript&#x3A;alert(1))",
                 "the address 'javascript:alert(1)' in <a href=>", id="hex-reference"),
    pytest.param(r"[x](javascript\:alert(1))",
                 "the address 'javascript:alert(1)' in <a href=>", id="backslash-escape"),
    pytest.param('[x](https://e.org){rel="system"}', "the attribute rel= on <a>",
                 id="value-also-in-data"),
]


@pytest.mark.parametrize("line, message", BLAMED)
def test_a_refused_link_is_blamed_on_the_chapter_line(minimal, world, line, message):
    """#24: each is refused at the chapter line that wrote it, not at a seed or catalogue
    line that shares a word with it, and not without a place. An image word above it
    (the value of as=) must not draw the blame either."""
    project = minimal
    chapter = project / CHAPTER
    text = chapter.read_text("utf-8") + "\nThe system shows an image here.\n\n" + line + "\n"
    chapter.write_text(text, "utf-8")
    number = text.split("\n").index(line) + 1
    before = state(project, world)
    built = run(project, "--quiet", "build")
    assert built.returncode == 1
    _one_error(shown(built.stderr),
               f"{CHAPTER}:{number}: error: {message} would reach the outputs")
    assert state(project, world) == before

"""Every command that writes a project file goes through one door (runtime/writing.py):
`source add` (and `--update`), `release`, `schema --write`, `translations update`, `new`,
and `make proof` in build/; `watch` never follows a link out of the project.

Each case of the review of 2026-12-06 (#3 #4 #5 #13 #18 #19 #21 #25) runs the real command
in a child process, with a planted link at the temporary's name, at the target's name or
in place of its folder, and a case per class the review does not list. A refusal is exit
1 with one `file: error: message` and a hint, no traceback; after it the project's files
(build/ too) and everything outside the project are as they were, byte for byte, and no
temporary is left. A plant that a random temporary name makes harmless leaves the command
to succeed without writing through it.
"""

from __future__ import annotations

import hashlib
import os
import queue
import resource
import shlex
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import bibtexparser
import pytest
from ruamel.yaml import YAML

from briefing.errors import BriefingError
from briefing.runtime import writing
from conftest import FIXTURES, Result, copy_project, run_cli

KEY = "council2025debate"
SOURCE = ("The council debated car-free streets on Monday.\n\n"
          "Shops asked for deliveries before ten.\n")
VICTIM = b"VICTIM-ORIGINAL\n"


# --- The world: a project, a folder next to it, and what may not change ------------------

@pytest.fixture
def small(tmp_path: Path) -> Path:
    """The minimal fixture, without outputs (the commands here build nothing)."""
    return copy_project(FIXTURES / "minimal", tmp_path / "project")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder next to the project: a victim file and an empty folder."""
    folder = tmp_path / "outside"
    (folder / "empty").mkdir(parents=True)
    (folder / "victim.txt").write_bytes(VICTIM)
    return folder


def state(*tops: Path) -> dict[str, tuple]:
    """Every entry under each folder, links and special files as such (never followed or
    opened), regular files by content and modification time."""
    found: dict[str, tuple] = {}
    for top in tops:
        for folder, dirs, names in os.walk(top):
            for name in [*dirs, *names]:
                path = Path(folder) / name
                info = path.lstat()
                if stat.S_ISLNK(info.st_mode):
                    found[str(path)] = ("link", os.readlink(path))
                elif stat.S_ISDIR(info.st_mode):
                    found[str(path)] = ("folder", stat.S_IMODE(info.st_mode))
                elif not stat.S_ISREG(info.st_mode):
                    found[str(path)] = ("special", info.st_mode)
                else:
                    found[str(path)] = (hashlib.sha256(path.read_bytes()).hexdigest(),
                                        info.st_mtime_ns, stat.S_IMODE(info.st_mode))
    return found


def refused(result: Result, where: str, message: str) -> None:
    """Exit 1, one message naming the place, and a hint; no traceback. Progress lines
    ('· Building ...') aside."""
    assert result.code == 1, result.err
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    lines = [line for line in result.err.splitlines() if not line.startswith("· ")]
    assert lines[0] == f"{where}: error: {message}", result.err
    assert len(lines) == 2 and lines[1].startswith("  hint: ") and len(lines[1]) > 12, (
        result.err)


def temporaries(project: Path) -> list[str]:
    """Temporaries the door makes (.<name>.<random>.tmp) or its backups, left behind."""
    return sorted(str(p.relative_to(project)) for p in project.rglob(".*.tmp")
                  if not p.is_symlink())


def run_in(folder: Path, *args: str, preexec=None) -> Result:
    """The real command run from `folder` (as `briefing schema --write schemas` is)."""
    proc = subprocess.run([sys.executable, "-m", "briefing.cli", *args], cwd=folder,
                          capture_output=True, text=True, timeout=600, preexec_fn=preexec,
                          env={k: v for k, v in os.environ.items()
                               if k != "SOURCE_DATE_EPOCH"})
    return Result(proc.returncode, proc.stdout, proc.stderr)


# --- source add (#3, #13) ------------------------------------------------------------------

def add(project: Path, given: Path, *more: str) -> Result:
    return run_cli(project, "source", "add", str(given), "--key", KEY, "--language", "en",
                   "--title", "Council debate", *more)


@pytest.fixture
def given(tmp_path: Path) -> Path:
    """The source text, in a downloads folder outside the project."""
    path = tmp_path / "downloads" / "report.txt"
    path.parent.mkdir()
    path.write_text(SOURCE, "utf-8")
    return path


def test_source_add_never_writes_through_a_planted_temporary_link(small, outside, given):
    """#3: sources/.report.txt.tmp was a link the copy followed; the kept copy became a
    link to the outside file, which held the source. Temporaries are made afresh now."""
    (small / "sources").mkdir()
    plant = small / "sources" / ".report.txt.tmp"
    plant.symlink_to(outside / "victim.txt")
    before = state(outside)
    result = add(small, given)
    assert result.code == 0, result.err
    assert state(outside) == before
    kept = small / "sources" / "report.txt"
    assert stat.S_ISREG(kept.lstat().st_mode) and kept.read_bytes() == given.read_bytes()
    assert os.readlink(plant) == str(outside / "victim.txt")  # left alone, never followed
    assert temporaries(small) == []


SOURCE_PLANTS = [
    # The kept copy's own name a link out of the project (the review tried the temporary).
    pytest.param("sources/report.txt", "victim", "sources/report.txt",
                 "a symbolic link, where briefing writes a file", id="kept_copy_a_link_out"),
    pytest.param("sources/report.txt", "fifo", "sources/report.txt",
                 "a named pipe (FIFO), where briefing writes a file", id="kept_copy_a_fifo"),
    # sources/ a link to a folder inside the project: read, never written through.
    pytest.param("sources", "inside-folder", "sources",
                 "a symbolic link to another folder, where briefing writes into a folder",
                 id="sources_a_link_to_a_folder_inside"),
    pytest.param("sources", "empty", "sources",
                 "sources/ is a link to a folder outside the project",
                 id="sources_a_link_out"),
    # The stub goes to a bibliography that is a link (inside the project: it is read,
    # not written through): nothing at all is written, not the seed, not the copy.
    pytest.param("bib/briefing.bib", "inside-file", "bib/briefing.bib",
                 "a symbolic link, where briefing writes a file", id="bib_a_link_inside"),
]


@pytest.mark.parametrize(("name", "kind", "where", "message"), SOURCE_PLANTS)
def test_source_add_refuses_a_link_or_a_special_file_where_it_writes(
        small, outside, given, name, kind, where, message):
    plant(small, outside, name, kind)
    before = state(small, outside)
    refused(add(small, given), where, message)
    assert state(small, outside) == before


def plant(project: Path, outside: Path, name: str, kind: str) -> None:
    """Put a link (or a named pipe) at `name` in the project: to the victim file or the
    empty folder outside, to a copy of what was there inside the project, or a FIFO."""
    path = project / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "inside-folder" or kind == "inside-file":
        keep = project / "elsewhere" / path.name
        keep.parent.mkdir(exist_ok=True)
        if os.path.lexists(path):
            path.rename(keep)
        elif kind == "inside-folder":
            keep.mkdir()
        else:
            keep.write_text("")
        path.symlink_to(os.path.relpath(keep, path.parent))
        return
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(outside / ("victim.txt" if kind == "victim" else kind))


def test_a_bibliography_linked_out_of_the_project_gets_no_stub(small, outside, given):
    """The stub append (open(bib, "a")) followed a link; the bibliography is read inside
    the project only, and written through the door."""
    bib = small / "bib" / "briefing.bib"
    (outside / "refs.bib").write_bytes(bib.read_bytes())
    bib.unlink()
    bib.symlink_to(outside / "refs.bib")
    before = state(small, outside)
    result = add(small, given)
    assert result.code == 1 and "Traceback" not in result.err, result.err
    assert "bib/briefing.bib" in result.err and "outside the project" in result.err
    assert state(small, outside) == before


TRICKY = "debate}, author = {Evil Author}, url = {javascript:alert(1)}, x = {a\\b$(touch PASTED)'"


def test_a_file_name_with_bibtex_and_shell_specials_injects_nothing(small, tmp_path):
    """#13: the name went unescaped into the stub's note (new author, year, url fields)
    and unquoted into the seed header's refresh command."""
    given = tmp_path / "downloads" / f"{TRICKY}.txt"
    given.parent.mkdir()
    given.write_text(SOURCE, "utf-8")
    result = add(small, given)
    assert result.code == 0, result.err
    library = bibtexparser.parse_string((small / "bib" / "briefing.bib").read_text("utf-8"))
    assert not library.failed_blocks
    entry = next(e for e in library.entries if e.key == KEY)
    assert sorted(entry.fields_dict) == ["langid", "note", "title"]
    assert "Evil Author" in entry["note"]  # the name is kept, as text
    seed = small / "seeds" / f"{KEY}.yaml"
    data = YAML(typ="safe").load(seed.read_text("utf-8"))
    assert data["source"]["file"] == f"sources/{TRICKY}.txt"
    command = next(line for line in seed.read_text("utf-8").splitlines()
                   if line.startswith("#   briefing source add"))
    assert shlex.split(command[4:]) == ["briefing", "source", "add", f"sources/{TRICKY}.txt",
                                        "--key", KEY, "--update"]


@pytest.mark.parametrize(("name", "what"), [
    pytest.param("a\nb.txt", "a line break", id="line_break"),
    pytest.param("a\x1b[2Kb.txt", "control character U+001B", id="escape"),
])
def test_a_file_name_on_two_lines_or_with_a_control_character_is_refused(
        small, tmp_path, name, what):
    """#13: a line break in the name broke the seed's header comment into YAML lines."""
    given = tmp_path / "downloads" / name
    given.parent.mkdir()
    given.write_text(SOURCE, "utf-8")
    before = state(small)
    result = add(small, given)
    assert result.code == 1 and "Traceback" not in result.err, result.err
    assert f"error: the file's name holds {what}\n  hint: rename the file" in result.err, (
        result.err)
    assert state(small) == before


# --- source add --update (#4) --------------------------------------------------------------

@pytest.fixture
def added(small: Path, given: Path) -> Path:
    """The project with the source added, and the file changed since."""
    result = add(small, given)
    assert result.code == 0, result.err
    given.write_text(SOURCE + "\nA paragraph added later.\n", "utf-8")
    return small


def update(project: Path, given: Path) -> Result:
    return run_cli(project, "source", "add", str(given), "--key", KEY, "--update")


def test_update_never_writes_through_a_planted_temporary_link(added, outside, given):
    """#4: seeds/.<seed>.tmp was a link Path.write_text followed; the outside file got the
    seed's text and the seed became a link to it."""
    plant = added / "seeds" / f".{KEY}.yaml.tmp"
    plant.symlink_to(outside / "victim.txt")
    before = state(outside)
    result = update(added, given)
    assert result.code == 0, result.err
    assert "(changed or new: 3)" in result.err
    assert state(outside) == before
    seed = added / "seeds" / f"{KEY}.yaml"
    assert stat.S_ISREG(seed.lstat().st_mode)
    assert '3: "A paragraph added later."' in seed.read_text("utf-8")
    assert (added / "sources" / "report.txt").read_bytes() == given.read_bytes()
    assert temporaries(added) == []


@pytest.mark.parametrize(("name", "kind", "where", "message"), [
    # The seed itself a link to a file inside the project: read, never written through.
    pytest.param(f"seeds/{KEY}.yaml", "inside-file", f"seeds/{KEY}.yaml",
                 "a symbolic link, where briefing writes a file", id="seed_a_link_inside"),
    pytest.param("seeds", "inside-folder", "seeds",
                 "a symbolic link to another folder, where briefing writes into a folder",
                 id="seeds_a_link_to_a_folder_inside"),
])
def test_update_refuses_a_link_where_it_writes_and_writes_nothing(
        added, outside, given, name, kind, where, message):
    """Nothing at all: the kept copy in sources/ is not refreshed either."""
    plant(added, outside, name, kind)
    before = state(added, outside)
    refused(update(added, given), where, message)
    assert state(added, outside) == before


# --- release (#5, #18) ---------------------------------------------------------------------

def releases_plant(project: Path, outside: Path, kind: str) -> None:
    folder = project / "releases"
    if kind == "link-out":
        folder.symlink_to(outside / "empty")
    elif kind == "dangling":
        folder.symlink_to(outside / "nowhere")
    elif kind == "file":
        folder.write_text("hi\n")
    elif kind == "link-inside":
        (project / "kept").mkdir()
        folder.symlink_to("kept")
    elif kind == "temporary":
        folder.mkdir()
        (folder / ".1.0.json.tmp").symlink_to(outside / "victim.txt")
    elif kind == "target":
        folder.mkdir()
        (folder / "1.0.json").symlink_to(outside / "victim.txt")


@pytest.mark.parametrize(("kind", "where", "message"), [
    pytest.param("link-out", "releases", "releases/ is a link to a folder outside the project",
                 id="releases_a_link_out"),  # 5
    pytest.param("dangling", "releases", "releases/ is a broken link or a link loop",
                 id="releases_a_broken_link"),  # 18
    pytest.param("file", "releases", "releases/ is not a folder",
                 id="releases_a_file"),  # 18
    pytest.param("link-inside", "releases",
                 "a symbolic link to another folder, where briefing writes into a folder",
                 id="releases_a_link_to_a_folder_inside"),
    pytest.param("temporary", "releases/.1.0.json.tmp",
                 "releases/.1.0.json.tmp is not a release record", id="temporary_planted"),
    pytest.param("target", "releases/1.0.json", "a link to a file outside the project",
                 id="record_a_link_out"),
])
def test_release_refuses_before_building_and_writes_nothing(minimal, outside, kind, where,
                                                            message):
    """#5: the record went into the folder releases/ linked to; #18: FileExistsError,
    exit 70. Refused before the build: build/ is as it was."""
    releases_plant(minimal, outside, kind)
    before = state(minimal, outside)
    result = run_cli(minimal, "release", "1.0", "--no-tag")
    refused(result, where, message)
    assert "Building" not in result.err  # stopped before the build
    assert state(minimal, outside) == before


@pytest.mark.parametrize(("kind", "message"), [
    pytest.param("link-out", "releases/ is a link to a folder outside the project", id="link_out"),
    pytest.param("dangling", "releases/ is a broken link or a link loop", id="broken_link"),
    pytest.param("file", "releases/ is not a folder", id="a_file"),
])
def test_build_and_check_refuse_a_releases_folder_that_is_not_one(minimal, outside, kind,
                                                                  message):
    """Not "no releases": a build would number paragraphs as if none had been made."""
    releases_plant(minimal, outside, kind)
    before = state(minimal, outside)
    for command in ("check", "build"):
        refused(run_cli(minimal, command), "releases", message)
    assert state(minimal, outside) == before


def test_release_writes_its_record_through_the_door(minimal, outside):
    before = state(outside)
    result = run_cli(minimal, "release", "1.0", "--no-tag")
    assert result.code == 0, result.err
    record = minimal / "releases" / "1.0.json"
    assert stat.S_ISREG(record.lstat().st_mode) and record.read_bytes().startswith(b"{")
    assert state(outside) == before
    assert temporaries(minimal) == []


# --- schema --write (#25) ------------------------------------------------------------------

SCHEMAS = ["analysis.schema.json", "briefing.schema.json", "seed.schema.json"]


@pytest.mark.parametrize(("name", "kind", "where", "message"), [
    pytest.param("schemas/seed.schema.json", "victim", "schemas/seed.schema.json",
                 "a symbolic link, where briefing writes a file", id="schema_a_link_out"),  # 25
    pytest.param("schemas", "empty", "schemas",
                 "a symbolic link to a folder outside the project, where briefing writes "
                 "into a folder", id="schemas_a_link_out"),
    pytest.param("schemas/briefing.schema.json", "fifo", "schemas/briefing.schema.json",
                 "a named pipe (FIFO), where briefing writes a file", id="schema_a_fifo"),
])
def test_schema_write_refuses_a_link_or_a_special_file(small, outside, name, kind, where,
                                                       message):
    """#25: a planted schemas/seed.schema.json link had the outside file overwritten.
    Run from the project, as an author does; none of the three is written."""
    plant(small, outside, name, kind)
    before = state(small, outside)
    refused(run_in(small, "schema", "--write", "schemas"), where, message)
    assert state(small, outside) == before


def test_schema_write_never_writes_through_a_planted_temporary_link(small, outside):
    (small / "schemas").mkdir()
    (small / "schemas" / ".seed.schema.json.tmp").symlink_to(outside / "victim.txt")
    before = state(outside)
    result = run_in(small, "schema", "--write", "schemas")
    assert result.code == 0, result.err
    assert state(outside) == before
    names = sorted(p.name for p in (small / "schemas").iterdir() if not p.is_symlink())
    assert names == SCHEMAS


# --- translations update -------------------------------------------------------------------

@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """A project from `briefing new` (two editions), with a sentence no catalogue has."""
    project = tmp_path_factory.mktemp("made") / "council"
    assert run_cli(project.parent, "new", str(project), "--edition", "en,nl").code == 0
    glossary = project / "chapters" / "06-glossary.md.j2"
    glossary.write_text(glossary.read_text("utf-8")
                        + '\n{{ _("A sentence added for this test.") }}\n', "utf-8")
    return project


@pytest.fixture
def council(made: Path, tmp_path: Path) -> Path:
    project = tmp_path / "council"
    copied = subprocess.run(["cp", "-a", str(made), str(project)])
    assert copied.returncode == 0
    return project


def test_translations_update_never_writes_through_a_planted_temporary_link(council, outside):
    (council / "locale" / ".nl.po.tmp").symlink_to(outside / "victim.txt")
    before = state(outside)
    result = run_cli(council, "translations", "update")
    assert result.code == 0, result.err
    assert result.out.startswith("locale/nl.po: 1 message(s) added"), result.out
    assert state(outside) == before
    po = council / "locale" / "nl.po"
    assert stat.S_ISREG(po.lstat().st_mode)
    assert 'msgid "A sentence added for this test."' in po.read_text("utf-8")
    assert temporaries(council) == []


@pytest.mark.parametrize(("name", "kind", "where", "message"), [
    pytest.param("locale/nl.po", "inside-file", "locale/nl.po",
                 "a symbolic link, where briefing writes a file", id="catalogue_a_link_inside"),
    pytest.param("locale", "inside-folder", "locale",
                 "a symbolic link to another folder, where briefing writes into a folder",
                 id="locale_a_link_to_a_folder_inside"),
])
def test_translations_update_refuses_a_link_where_it_writes(council, outside, name, kind,
                                                            where, message):
    """Before, the link was replaced by a file (or the folder it led to written into);
    now nothing is written, not the other edition's records either."""
    plant(council, outside, name, kind)
    before = state(council, outside)
    refused(run_cli(council, "translations", "update"), where, message)
    assert state(council, outside) == before


# --- new (#19) -----------------------------------------------------------------------------

SCAFFOLD = ["README.md", "analysis.yaml", "bib", "briefing.toml", "chapters", "schemas",
            "seeds", "sources"]  # one edition: no locale/


def test_new_in_a_clone_with_a_gitignore_makes_the_project_and_keeps_it(tmp_path):
    """#19: FileExistsError on .gitignore, exit 70, half a project left."""
    folder = tmp_path / "n1"
    (folder / ".git").mkdir(parents=True)
    (folder / ".gitignore").write_text("*.log\n")
    result = run_cli(tmp_path, "new", str(folder))
    assert result.code == 0, result.err
    assert "  .gitignore kept, with build/ added at its end\n" in result.err
    assert sorted(os.listdir(folder)) == sorted([".git", ".gitignore", *SCAFFOLD])
    assert (folder / ".gitignore").read_text() == (
        "*.log\n# Outputs only: `briefing build` writes them again.\nbuild/\n")
    checked = run_cli(folder, "check")
    assert checked.code == 0, checked.err


def test_new_keeps_a_gitignore_that_ignores_build_already_byte_for_byte(tmp_path):
    folder = tmp_path / "n2"
    folder.mkdir()
    (folder / ".gitignore").write_bytes(b"/build/\r\n*.pyc")
    before = state(folder)
    result = run_cli(tmp_path, "new", str(folder))
    assert result.code == 0, result.err
    assert "  .gitignore kept as it was (it ignores build/ already)\n" in result.err
    assert state(folder)[str(folder / ".gitignore")] == before[str(folder / ".gitignore")]


def small_files() -> None:
    """A full disk: every write past 16 KiB fails (EFBIG; Python ignores SIGXFSZ)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024, 16 * 1024))


@pytest.mark.parametrize("existing", [True, False], ids=["folder_with_gitignore", "no_folder"])
def test_new_that_fails_leaves_nothing_behind(tmp_path, existing):
    """All or nothing: the style file (the largest) cannot be written; the folder is as
    it was, or not there if briefing new was to make it."""
    folder = tmp_path / "n3" / "deeper"
    if existing:
        folder.mkdir(parents=True)
        (folder / ".gitignore").write_text("*.log\n")
    before = state(tmp_path)
    result = run_in(tmp_path, "new", str(folder), preexec=small_files)
    refused(result, "n3/deeper/bib/chicago-author-date.csl", "cannot write: file too large")
    assert state(tmp_path) == before


def test_new_whose_folder_cannot_be_made_says_so(tmp_path):
    """A read-only parent (as root, a read-only bind mount: root writes through modes)."""
    parent = tmp_path / "readonly"
    parent.mkdir()
    with read_only(parent) as why:
        result = run_in(tmp_path, "new", str(parent / "n4"))
        refused(result, "readonly/n4", f"cannot create the folder: {why}")
    assert os.listdir(parent) == []


class read_only:  # noqa: N801 - a context manager named for what it makes
    def __init__(self, folder: Path):
        self.folder = folder
        self.mounted = False

    def __enter__(self) -> str:
        if os.geteuid() != 0:
            self.folder.chmod(0o555)
            return "permission denied"
        self.mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(self.folder),
                                       str(self.folder)], capture_output=True).returncode == 0
        if not self.mounted:
            pytest.skip("running as root without permission to mount: cannot make a folder "
                        "unwritable here")
        return "read-only file system"

    def __exit__(self, *exc) -> None:
        if self.mounted:
            subprocess.run(["umount", str(self.folder)], check=False)
        else:
            self.folder.chmod(0o755)


FAIL_THIRD_MOVE = """
import os, sys
real, calls = os.rename, []
def rename(src, dst, *a, **k):
    calls.append(dst)
    if len(calls) == 3:
        raise OSError(28, "No space left on device", str(dst))
    return real(src, dst, *a, **k)
os.rename = rename
from briefing.cli import main
sys.argv = ["briefing", *sys.argv[1:]]
main()
"""


def test_new_that_fails_while_moving_in_puts_everything_back(tmp_path):
    """The project is complete in its hidden folder, translations recorded; the third
    piece cannot be moved into place: the two moved before go back, all is removed."""
    folder = tmp_path / "n5"
    (folder / ".git").mkdir(parents=True)
    (folder / ".gitignore").write_text("*.log\n")
    before = state(tmp_path)
    proc = subprocess.run([sys.executable, "-c", FAIL_THIRD_MOVE, "new", "n5"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    result = Result(proc.returncode, proc.stdout, proc.stderr)
    refused(result, "n5/bib", "cannot write: no space left on device")
    assert state(tmp_path) == before


# --- watch (#21) ---------------------------------------------------------------------------

def watches(pid: int) -> int:
    """How many inotify watches the process holds (its fdinfo lists one line each)."""
    count = 0
    for info in Path(f"/proc/{pid}/fdinfo").iterdir():
        try:
            count += sum(line.startswith("inotify wd:")
                         for line in info.read_text().splitlines())
        except OSError:
            continue
    return count


def test_watch_with_a_link_to_the_root_watches_the_project_only(minimal):
    """#21: watchfiles followed a link to / (PermissionError traceback); with a link to
    /usr it watched all of /usr. Now: one watch per real folder of the project (build/
    aside), also when a link out is made while watching."""
    (minimal / "rootlink").symlink_to("/")
    (minimal / "chapters" / "usrlink").symlink_to("/usr")
    folders = 0
    for top, dirs, _ in os.walk(minimal):  # as `watch` lists them: no link, no build/
        dirs[:] = [d for d in dirs if Path(top) != minimal or d != "build"]
        folders += 1
    proc = subprocess.Popen([sys.executable, "-m", "briefing.cli", "--project", str(minimal),
                             "watch", "--debounce", "100"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: queue.Queue = queue.Queue()
    seen: list[str] = []
    def pump() -> None:
        assert proc.stderr is not None
        with proc.stderr:  # closed at the child's end, before the test lets go of it
            for line in proc.stderr:
                lines.put(line)

    threading.Thread(target=pump, daemon=True).start()

    def wait_for(text: str) -> bool:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                continue
            if text in seen[-1]:
                return True
        return False

    try:
        assert wait_for("watching for changes"), seen
        assert watches(proc.pid) == folders
        (minimal / "seeds" / "rootlink").symlink_to("/")  # made while watching
        chapter = minimal / "chapters" / "01-overview.md.j2"
        chapter.write_text(chapter.read_text("utf-8") + "\nOne more paragraph.\n", "utf-8")
        assert wait_for("watching for changes"), seen
        assert watches(proc.pid) == folders
        assert proc.poll() is None, seen
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert not any("Traceback" in line or "Error" in line for line in seen), seen


# --- make proof: build/proof/ -----------------------------------------------------------

def test_proof_refuses_a_link_in_build(minimal, outside):
    from briefing.outputs import proof

    folder = minimal / "build" / "proof"
    folder.mkdir()
    (folder / "page-001.png").symlink_to(outside / "victim.txt")
    before = state(minimal, outside)
    with pytest.raises(BriefingError, match="a symbolic link inside build/"):
        proof.proof(minimal / "build" / "briefing.pdf", folder)
    assert state(minimal, outside) == before


# --- The door itself, in-process -----------------------------------------------------------

def test_a_rename_that_fails_half_way_puts_every_file_back(tmp_path, monkeypatch):
    root = tmp_path / "project"
    (root / "seeds").mkdir(parents=True)
    (root / "seeds" / "a.yaml").write_bytes(b"old a")
    (root / "seeds" / "a.yaml").chmod(0o600)
    before = state(root)
    real, calls = os.replace, []

    def replace(src, dst, **kw):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        return real(src, dst, **kw)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(BriefingError, match="cannot write: input/output error"):
        writing.write_files(root, {root / "seeds" / "a.yaml": b"new a",
                                   root / "bib" / "new.bib": b"new b"})
    monkeypatch.setattr(os, "replace", real)
    assert state(root) == before  # a.yaml's bytes, mode and time; bib/ made, then removed
    writing.write_file(root, root / "seeds" / "a.yaml", b"newer")
    assert (root / "seeds" / "a.yaml").read_bytes() == b"newer"
    assert stat.S_IMODE((root / "seeds" / "a.yaml").stat().st_mode) == 0o600  # kept


def test_without_hard_links_the_file_put_back_is_a_copy_of_it(tmp_path, monkeypatch):
    """A file system without hard links: the previous file is kept as a copy, and put
    back with its bytes and permissions when a later rename fails."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "a.po").write_bytes(b"old a")
    (root / "a.po").chmod(0o640)
    real = os.replace

    def no_link(*args, **kw):
        raise OSError(1, "Operation not permitted")

    def replace(src, dst, **kw):
        if dst == "b.po":
            raise OSError(28, "No space left on device")
        return real(src, dst, **kw)

    monkeypatch.setattr(os, "link", no_link)
    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(BriefingError, match="cannot write: no space left on device"):
        writing.write_files(root, {root / "a.po": b"new a", root / "b.po": b"new b"})
    assert sorted(os.listdir(root)) == ["a.po"]
    assert (root / "a.po").read_bytes() == b"old a"
    assert stat.S_IMODE((root / "a.po").stat().st_mode) == 0o640


def test_the_door_refuses_a_path_outside_its_root(tmp_path):
    with pytest.raises(BriefingError, match="refused to write outside the project"):
        writing.write_file(tmp_path / "project", tmp_path / "elsewhere.txt", b"x")
    assert not (tmp_path / "elsewhere.txt").exists()

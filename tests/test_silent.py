"""Nothing left out silently: each case a new author met without a word is now a warning
with its file (an error with --strict), and one run reports every problem at once."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT, copy_project, run_cli


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": warning: " in line]


def test_a_missing_analysis_yaml_is_a_warning(minimal: Path) -> None:
    (minimal / "analysis.yaml").unlink()
    checked = run_cli(minimal, "check")
    assert checked.code == 0, checked.err
    assert any(w.startswith("analysis.yaml: warning: no analysis.yaml")
               for w in _warnings(checked.err)), checked.err
    assert "check passed with 1 warning(s)" in checked.err
    strict = run_cli(minimal, "check", "--strict")
    assert strict.code == 1
    assert "analysis.yaml: error: no analysis.yaml" in strict.err


def test_a_chapter_not_listed_in_build_chapters_is_a_warning(minimal: Path) -> None:
    config = minimal / "briefing.toml"
    config.write_text(config.read_text("utf-8") + '\n[build]\nchapters = ["01-overview"]\n',
                      "utf-8")
    (minimal / "chapters" / "02-outlook.md.j2").write_text("# Outlook\n\nAhead.\n", "utf-8")
    checked = run_cli(minimal, "check")
    assert checked.code == 0, checked.err
    line = len(config.read_text("utf-8").splitlines())
    assert (f"briefing.toml:{line}: warning: chapters/02-outlook.md.j2 is not listed in "
            "build.chapters, so it is left out") in checked.err
    assert "add '02-outlook' to build.chapters" in checked.err
    assert run_cli(minimal, "build", "--strict").code == 1


def test_a_chapter_that_renders_empty_is_a_warning(minimal: Path) -> None:
    (minimal / "chapters" / "02-empty.md.j2").write_text(
        "{% for c in background %}{{ c.statement }}{% endfor %}\n", "utf-8")
    checked = run_cli(minimal, "check")
    assert checked.code == 0, checked.err
    assert "chapters/02-empty.md.j2: warning: the chapter renders empty" in checked.err
    assert run_cli(minimal, "check", "--strict").code == 1


def test_one_run_reports_a_translation_gap_and_a_citation_error_together(tmp_path: Path) -> None:
    project = copy_project(ROOT, tmp_path / "real")
    chapter = project / "chapters" / "10-sources.md.j2"
    added = "\n{% trans %}See [@nobody2099].{% endtrans %}\n"
    chapter.write_text(chapter.read_text("utf-8") + added, "utf-8")
    checked = run_cli(project, "check")
    assert checked.code == 1
    assert "citation key 'nobody2099' is not in bib/briefing.bib" in checked.err, checked.err
    assert re.search(r"no 'nl' (text|translation)", checked.err), checked.err


def test_global_options_work_after_the_subcommand(minimal: Path) -> None:
    # --project, -q and --debug given after `check` or `build`, as the README shows them.
    import subprocess
    import sys

    for args in (["check", "--project", str(minimal)], ["check", "-C", str(minimal), "-q"],
                 ["build", "--debug", "--project", str(minimal)]):
        proc = subprocess.run([sys.executable, "-m", "briefing.cli", *args],
                              capture_output=True, text=True, timeout=600, cwd=minimal.parent)
        assert proc.returncode == 0, (args, proc.stderr)
        assert "No such option" not in proc.stderr
    quiet = subprocess.run([sys.executable, "-m", "briefing.cli", "check", "-q", "-C",
                            str(minimal)], capture_output=True, text=True, timeout=600)
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""


def test_a_no_op_build_says_nothing_was_written(minimal: Path) -> None:
    assert run_cli(minimal, "build").code == 0
    again = run_cli(minimal, "build")
    assert again.code == 0
    assert "nothing written: the" in again.err and "wrote build/" not in again.err


def test_check_of_a_one_edition_project_says_it_passed(minimal: Path) -> None:
    checked = run_cli(minimal, "check")
    assert checked.code == 0
    assert checked.err.strip().splitlines()[-1].startswith("check passed")


def test_an_empty_folder_is_shown_the_way_to_start(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli(empty, "build")
    assert result.code == 1
    assert "briefing.toml: error: no briefing.toml here" in result.err
    assert "to start a new briefing: briefing new DIR" in result.err
    started = run_cli(tmp_path, "init", str(tmp_path / "started"))  # as other tools say it
    assert started.code == 0, started.err
    assert (tmp_path / "started" / "briefing.toml").is_file()

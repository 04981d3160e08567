"""Every external step is bounded: a limit that is hit is one clear error naming the
stage, the input and the setting, and the previous outputs stay. The limits are set
absurdly low here so that the real briefing hits them with the real tools."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import copy_project, digests, run_cli

LIMITS = [
    # Pandoc's first run reads the chapters: the limit stops it there.
    ("pandoc_seconds = 0.01", r"build/\.work/briefing\.md: error: pandoc \(reading the "
                              r"Markdown\) did not "
                              r"finish within 0\.01 s", "limits.pandoc_seconds"),
    ("pandoc_memory_mib = 16", r"build/\.work/briefing\.md: error: pandoc \(reading the "
                               r"Markdown\) ran out of "
                               r"memory \(limit 16 MiB\)", "limits.pandoc_memory_mib"),
    # WeasyPrint lays the book out part by part: the message names the part's HTML file.
    ("weasyprint_seconds = 0.5", r"build/\.work/parts/\d{3}-[\w-]+\.html: error: WeasyPrint "
                                 r"\(PDF\) did not finish within 0\.5 s",
     "limits.weasyprint_seconds"),
    ("weasyprint_memory_mib = 120", r"build/\.work/parts/\d{3}-[\w-]+\.html: error: WeasyPrint "
                                    r"\(PDF\) failed", "limits.weasyprint_memory_mib"),
    ("layout_seconds = 0.001", r"build/\.work/argument-map\.dot: error: graphviz-pure \(argument "
                               r"map\) did not finish within 0\.001 s", "limits.layout_seconds"),
]


@pytest.mark.parametrize(("setting", "message", "hint"), LIMITS,
                         ids=[s.split(" =")[0] for s, _, _ in LIMITS])
def test_a_limit_hit_is_one_clear_error(tmp_path: Path, built_real: Path, setting, message,
                                         hint):
    project = copy_project(built_real, tmp_path / "project", with_build=True)
    before = digests(project / "build")
    with (project / "briefing.toml").open("a", encoding="utf-8") as config:
        config.write(f"\n[limits]\n{setting}\n")
    result = run_cli(project, "--quiet", "build")
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 2, result.err
    assert re.match(message, lines[0]), result.err
    assert hint in lines[1], result.err
    assert digests(project / "build") == before


def test_the_default_limits_leave_the_real_briefing_far_inside(built_real: Path):
    """The shipped defaults: the real briefing builds (the session fixture) and its
    composed Markdown is a small fraction of the Markdown budget."""
    from briefing.model.settings import Limits

    markdown = (built_real / "build" / ".work" / "briefing.md").stat().st_size
    assert markdown * 20 < Limits().markdown_mib * 1024 * 1024

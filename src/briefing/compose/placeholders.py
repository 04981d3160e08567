"""Scaffold text left in place: the words `briefing new` wrote for the author to replace
("Your organisation", "An example summary: say here …"), found in the author's files. A
warning in check and build, so an error with --strict and in `release`: a briefing
published with them would print them on its cover."""

from __future__ import annotations

import os
from pathlib import Path

from briefing.errors import BriefingError, Problem
from briefing.model.project import ANALYSIS_NAME, Project

# The beginnings of the scaffold's replace-me texts, in every language `briefing new`
# writes (authoring/words.py; tests/test_first_hour.py keeps the two in step).
MARKERS = (
    "An example briefing: replace it with your own",
    "Een voorbeeldbriefing: vervang haar door uw eigen briefing",
    "Your organisation",
    "Uw organisatie",
    "An example key point: replace it",
    "Een voorbeeldkernpunt: vervang het",
    "An example summary: say here",
    "Een voorbeeldsamenvatting: zeg hier",
    "This is an example briefing, made by briefing new.",
    "Dit is een voorbeeldbriefing, gemaakt door briefing new.",
    "This chapter is plain Markdown (chapters/",
    "Dit hoofdstuk is gewone Markdown (chapters/",
)


def find(project: Project) -> list[Problem]:
    """A warning at each line of briefing.toml, analysis.yaml and the chapters that holds
    scaffold text (the seeds are left alone: the example source is a source)."""
    paths = [project.config_path, project.root / ANALYSIS_NAME]
    top = project.chapters_dir
    for folder, dirs, names in os.walk(top, followlinks=False):
        dirs.sort()
        paths += [Path(folder) / name for name in sorted(names)
                  if name.endswith((".md", ".j2"))]
    found = []
    for path in paths:
        if not os.path.isfile(path) or os.path.islink(path):
            continue
        try:
            text = project.inputs.read_text(path)
        except BriefingError:
            continue  # a file that cannot be read is reported where it is loaded
        for number, line in enumerate(text.splitlines(), 1):
            marker = next((m for m in MARKERS if m in line), None)
            if marker is not None and not line.lstrip().startswith(("#", "{##")):
                found.append(Problem(
                    f"scaffold text left in place: “{marker}”", path, number,
                    "replace it with your own words (briefing new wrote it as an example); "
                    "`briefing check --strict` and `briefing release` refuse it"))
    return found

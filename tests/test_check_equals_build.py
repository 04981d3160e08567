"""`briefing check` finds everything `briefing build` finds before rendering, in one run
(issue 30): both run the same checks (compose/checks.py's lists), every problem
collected.

Driven by the hostile cases (tests/hostile/cases.py), in-process. Each case names the
file, line and words build reports (test_hostile_inputs runs the real build for each):
check must report them. Where it does not, build runs until it would start rendering
(recipe._render_all stubbed): when it fails there, check has missed what build finds,
and the test fails; when it renders, the case is one for the renderers, and skipped.

Every case takes a check of the flagship (2-3 s): the suite runs a fixed share of them,
chosen by a digest of the id, and every image case (what check used to pass); with
BRIEFING_EVERY_CASE=1 it runs all (167, about 7 minutes on one core: all passed on
6 December 2026)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from briefing import recipe
from briefing.errors import BriefingError
from conftest import ROOT, copy_project
from hostile.cases import CASES, Case
from hostile.conftest import World
from hostile.test_hostile_inputs import expected_line

# Cases of an environment (a build/ that cannot be written or is a link, a full disk, a
# planted manifest or cache): not inputs that check reads.
INPUT_CASES = [c for c in CASES
               if not (c.setup or c.env or c.file == "build" or c.file.startswith("build/"))]


class Rendering(Exception):
    """Build reached rendering: it found nothing wrong before."""


def _where(exc: BriefingError, root: Path) -> list[tuple[str, int | None, str]]:
    return sorted({(p.where(root), p.line or 0, p.message) for p in exc.problems})


def _before_rendering(project: Path, monkeypatch) -> BriefingError | None:
    """What build reports before it renders (None: it got to rendering)."""
    def stop(*args, **kwargs):
        raise Rendering

    with monkeypatch.context() as patch:
        patch.setattr(recipe, "_render_all", stop)
        try:
            recipe.build(project, force=True)
        except BriefingError as exc:
            return exc
        except Rendering:
            return None
    raise AssertionError("build neither failed nor rendered")


@pytest.fixture(scope="module")
def flagship(tmp_path_factory) -> Path:
    """The flagship's inputs, unbuilt (check and build's first steps need no outputs)."""
    return copy_project(ROOT, tmp_path_factory.mktemp("flagship") / "project")


def _sample(cases: list[Case], share: int) -> list[Case]:
    """A fixed share of the cases (1 in `share`, chosen by a digest of the id: the same
    each run), and every case of an image."""
    if os.environ.get("BRIEFING_EVERY_CASE") == "1":
        return cases
    return [c for c in cases if "image" in c.id or "svg" in c.id
            or int(hashlib.sha256(c.id.encode()).hexdigest(), 16) % share == 0]


CHOSEN = _sample(INPUT_CASES, 24)


@pytest.mark.parametrize("case", CHOSEN, ids=[c.id for c in CHOSEN])
def test_check_reports_what_build_reports_before_rendering(case: Case, flagship: Path,
                                                            tmp_path: Path, monkeypatch):
    project = tmp_path / "project"
    shutil.copytree(flagship, project, symlinks=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret\n")
    case.mutate(project, World(outside, outside / "secret.txt", outside / "marker", 9, [],
                               outside))
    if case.limits:
        with (project / "briefing.toml").open("a", encoding="utf-8") as config:
            config.write("\n[limits]\n" + "".join(f"{k} = {v}\n"
                                                  for k, v in case.limits.items()))
    line = expected_line(project, case)
    checked: BriefingError | None = None
    try:
        recipe.check(project)
    except BriefingError as exc:
        checked = exc
        if any(p.where(project) == (f"{case.file}:{line}" if line else case.file)
               and case.message in p.message for p in exc.problems):
            return  # check names what build names
    built = _before_rendering(project, monkeypatch)
    if built is None:
        pytest.skip("build finds this case while rendering")
    assert checked is not None, f"check passed; build said:\n{built.format(project)}"
    assert set(_where(built, project)) <= set(_where(checked, project)), (
        f"build:\n{built.format(project)}\ncheck:\n{checked.format(project)}")


def test_check_names_every_problem_of_a_chapter_in_one_run(project: Path):
    """A missing image (which check used to pass and build refuse), an unknown citation
    key, raw HTML and an unknown locator: one run of check names all four, each at the
    template line that wrote it, and build refuses with the same four."""
    chapter = project / "chapters" / "01-overview.md.j2"
    lines = chapter.read_text("utf-8").count("\n")
    chapter.write_text(chapter.read_text("utf-8") + "\n![A figure](figures/none.png)\n\n"
                       "See [@nosuchkey].\n\n<b>bold</b>\n\n"
                       "[@derksen2016sociaalkrediet, parra. 2]\n", "utf-8")
    with pytest.raises(BriefingError) as checked:
        recipe.check(project)
    found = sorted((p.where(project), p.message) for p in checked.value.problems)
    name = "chapters/01-overview.md.j2"
    assert found == sorted([
        (f"{name}:{lines + 2}", "refused to load 'figures/none.png': no such file in the "
         "project"),
        (f"{name}:{lines + 4}", "citation key 'nosuchkey' is not in bib/briefing.bib"),
        (f"{name}:{lines + 6}", "raw HTML <b> is not allowed in a chapter"),
        (f"{name}:{lines + 8}", "unknown locator label 'parra.' in citation of "
         "'derksen2016sociaalkrediet'")]), found
    with pytest.raises(BriefingError) as built:
        recipe.build(project)
    assert sorted((p.where(project), p.message) for p in built.value.problems) == found

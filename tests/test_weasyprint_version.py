"""The PDF tagger (outputs/pdf/tags.py) builds on WeasyPrint 70.0's internals: any other
WeasyPrint installed is refused with one clear message before a PDF is laid out."""

from __future__ import annotations

import os
from importlib.metadata import version

import pytest

from briefing.errors import BriefingError
from briefing.outputs.pdf import tags
from conftest import digests, run_cli


def test_the_tagger_accepts_its_own_weasyprint_and_refuses_another():
    assert version("weasyprint") == tags.WEASYPRINT == "70.0"
    tags.check()
    tags.check("70.0")
    with pytest.raises(BriefingError) as caught:
        tags.check("71.0")
    assert caught.value.format() == (
        "briefing: error: WeasyPrint 71.0 is installed; briefing's tagged PDF needs "
        "WeasyPrint 70.0, whose internals it builds on\n"
        "  hint: install the versions briefing is locked to: run make in briefing's folder "
        "(or pip install --require-hashes -r requirements/lock.txt)")


def test_a_build_with_another_weasyprint_stops_with_one_message(minimal, tmp_path):
    # A WeasyPrint 71.0 as the package metadata tells it, first on the path: the real
    # one still imports, as it would after an upgrade the tagger does not know.
    fake = tmp_path / "site" / "weasyprint-71.0.dist-info"
    fake.mkdir(parents=True)
    (fake / "METADATA").write_text("Metadata-Version: 2.1\nName: weasyprint\nVersion: 71.0\n")
    before = digests(minimal / "build")
    path = os.pathsep.join(filter(None, [str(fake.parent), os.environ.get("PYTHONPATH")]))
    result = run_cli(minimal, "build", env={"PYTHONPATH": path})
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    said = [line for line in result.err.splitlines() if not line.startswith("· ")]  # progress
    assert said == [
        "briefing: error: WeasyPrint 71.0 is installed; briefing's tagged PDF needs "
        "WeasyPrint 70.0, whose internals it builds on",
        "  hint: install the versions briefing is locked to: run make in briefing's folder "
        "(or pip install --require-hashes -r requirements/lock.txt)"]
    assert digests(minimal / "build") == before

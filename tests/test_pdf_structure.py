"""The PDF as assistive technology and PDF readers see it: tagged, titled, with alt text."""

from __future__ import annotations

import pikepdf
import pytest

from briefing.model import config
from checkers.pdfua import elements


@pytest.fixture(scope="module")
def pdf(built_real):
    with pikepdf.open(built_real / "build" / "briefing.pdf") as document:
        yield document


def test_pdf_is_tagged_with_language_and_title_shown(pdf, built_real):
    root = pdf.Root
    assert "/StructTreeRoot" in root
    assert root.MarkInfo.Marked is True
    assert str(root.Lang) == config.load(built_real).default_edition.language == "en-GB"
    assert root.ViewerPreferences.DisplayDocTitle is True


def test_every_figure_has_alt_text(pdf):
    figures = [e for e in elements(pdf.Root.StructTreeRoot) if e.S == "/Figure"]
    assert figures, "the argument map should be tagged as a figure"
    for figure in figures:
        assert str(figure.get("/Alt", "")).strip(), figure


def test_headings_are_tagged_for_navigation(pdf):
    kinds = {str(e.S) for e in elements(pdf.Root.StructTreeRoot)}
    assert {"/H1", "/H2", "/P", "/Table"} <= kinds, kinds

"""Every PDF (the flagship's reports and briefs in both editions, the second-style fixture's
report and brief) as assistive technology reads it: PDF/UA-1 conditions of the Matterhorn
Protocol (our own check, pdfua.py: veraPDF cannot be installed here), qpdf's structural
check, and text extraction by poppler (copy, search and speech see whole words)."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest

from . import pdfua
from .conftest import EDITIONS, PDFS, need, output


@pytest.fixture(scope="module", params=list(PDFS))
def which(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def pdf(request, which: str):
    """Each PDF in turn, open once for all the checks on it."""
    with pikepdf.open(output(request, PDFS, which, ".pdf")) as document:
        yield document


@pytest.fixture(scope="module", params=EDITIONS)
def edition(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def report(outputs: Path, edition: str):
    """The flagship's report in each edition: its content has known languages and tables."""
    with pikepdf.open(outputs / f"briefing.{edition}.pdf") as document:
        yield document


@pytest.mark.parametrize("condition", list(pdfua.CHECKS), ids=[
    name.split(" ")[0] + "-" + "-".join(name.split(" ")[1:4]) for name in pdfua.CHECKS])
def test_matterhorn_condition_holds(pdf, condition: str) -> None:
    problems = pdfua.CHECKS[condition](pdf)
    assert not problems, f"{condition}: {len(problems)} problems, e.g. {problems[:5]}"


class _Languages(HTMLParser):
    """Elements of the page WeasyPrint lays out with a lang other than the document's."""

    def __init__(self):
        super().__init__()
        self.root, self.found = None, []

    def handle_starttag(self, tag, attrs):
        lang = dict(attrs).get("lang")
        if tag == "html":
            self.root = lang
        elif lang and lang != self.root:
            self.found.append(lang)


def test_every_passage_in_another_language_has_its_lang(report, outputs: Path,
                                                        edition: str):
    """11-006 (WCAG 3.1.2): each element marked with another language in the HTML (the
    Dutch quotations of the English edition, the English titles of the Dutch one) is a
    structure element with that /Lang."""
    work = outputs / (".work" if edition == "en" else f".work-{edition}") / "briefing.html"
    parser = _Languages()
    parser.feed(work.read_text("utf-8"))
    wanted: dict[str, int] = {}
    for lang in parser.found:
        wanted[lang] = wanted.get(lang, 0) + 1
    assert wanted, "the briefing quotes its sources in their language"
    have = pdfua.languages(report)
    for lang, count in wanted.items():
        assert have.get(lang, 0) >= count, (lang, count, have)


def test_one_table_element_per_table_with_row_and_column_headers(report, outputs: Path,
                                                                 edition: str):
    """A table broken over pages is one /Table; its header row is read once (15-003/5)."""
    html = (outputs / f"briefing.{edition}.html").read_text("utf-8")
    tables = [e for e in pdfua.elements(report.Root.StructTreeRoot) if str(e.S) == "/Table"]
    assert len(tables) == html.count("<table") >= 3
    scopes = [str((e.get("/A") or {}).get("/Scope")) for e in
              pdfua.elements(report.Root.StructTreeRoot) if str(e.S) == "/TH"]
    assert scopes.count("/Row") >= 6 and scopes.count("/Column") >= 9, scopes


def test_structure_is_one_part_not_one_per_page(pdf):
    kids = [str(k.S) for k in pdf.Root.StructTreeRoot.K[0].K]
    assert kids.count("/Part") == 1, kids


def test_qpdf_finds_no_structural_error(request, which: str):
    qpdf = need("qpdf", "qpdf", "Debian package qpdf")
    done = subprocess.run([qpdf, "--check", str(output(request, PDFS, which, ".pdf"))],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No syntax or stream encoding errors found" in done.stdout


def test_extracted_text_has_no_hyphen_the_word_does_not_have(pdf, request, which: str):
    """Line-end hyphenation stays on the page but not in the text: each hyphenated line's
    text carries /ActualText without its hyphen, which poppler (and screen readers) use."""
    pdftotext = need("pdftotext", "pdftotext", "Debian package poppler-utils")
    hyphenated = sum(
        1 for page in pdf.pages for operands, operator in pikepdf.parse_content_stream(page)
        if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary)
        and "/ActualText" in operands[1])
    if which in EDITIONS:  # the flagship's report: long enough to be sure to have some
        assert hyphenated >= 20, "the justified text is hyphenated: the check must see some"
    text = subprocess.run([pdftotext, str(output(request, PDFS, which, ".pdf")), "-"],
                          capture_output=True, text=True, check=True).stdout
    ends = re.findall(r"\w\u2010$", text, re.M)
    assert not ends, f"{len(ends)} lines end with a hyphen the word does not have"

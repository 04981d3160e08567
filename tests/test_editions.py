"""Two editions from one argument base: the real briefing in English and Dutch, built by
the real Pandoc and WeasyPrint, read back and compared with each other and with the
message catalogues; and the errors an author gets for a missing translation."""

from __future__ import annotations

import html as htmllib
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
import pytest
from babel.messages.pofile import read_po

import pdfread
from briefing import recipe as build
from briefing.compose import language as i18n
from briefing.model import sources
from conftest import ROOT, copy_project, flagship_date, run_cli

EDITIONS = ("en", "nl")
FORMATS = ("pdf", "epub", "docx", "html")


def _html(project: Path, edition: str) -> str:
    return (project / "build" / f"briefing.{edition}.html").read_text("utf-8")


def _text(page: str, drop_dutch: bool = False) -> str:
    """The visible text of an HTML page, on one line; optionally without the passages
    marked lang="nl" (the English edition quotes the Dutch sources in their words)."""
    body = page[page.index("<body"):]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r'<span class="name">([^<]*)</span>', r"\1", body)  # names are inline
    if drop_dutch:
        body = re.sub(r'<span lang="nl"[^>]*>.*?</span>', " ", body, flags=re.S)
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", body))
    return sources.normalise(text.replace("\u00ad", ""))


def _catalogue(path: Path) -> list[tuple[str, str]]:
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    return [(m.id, m.string) for m in catalogue if m.id and isinstance(m.id, str)]


def _phrases(message: str) -> list[str]:
    """The literal runs of a message at least four words long: its placeholders,
    citations and Markdown removed (what a reader would see of it, in pieces)."""
    plain = re.sub(r"%\(\w+\)s|\[@[^\]]*\]|@\w+|[*_`\[\]{}#|\\]|\(#[^)]*\)", "\x00", message)
    runs = [sources.normalise(run) for run in plain.replace("%%", "%").split("\x00")]
    return [run.strip(" .,;:()") for run in runs if len(run.split()) >= 4]


@pytest.fixture(scope="module")
def loaded(built_real):
    return build.load(built_real).model


def test_both_editions_and_the_default_names_are_built(built_real):
    out = built_real / "build"
    for edition in EDITIONS:
        for fmt in FORMATS:
            assert (out / f"briefing.{edition}.{fmt}").stat().st_size > 1000, (edition, fmt)
    # build/briefing.pdf and friends are the default edition (briefing.toml: build.edition).
    for fmt in (*FORMATS, "bib", "ris", "json"):
        assert (out / f"briefing.{fmt}").read_bytes() == (out / f"briefing.en.{fmt}").read_bytes()
    assert (out / "briefing.nl.pdf").read_bytes() != (out / "briefing.en.pdf").read_bytes()


def test_every_claim_appears_in_both_editions_in_its_language(built_real, loaded):
    for edition in EDITIONS:
        page = _html(built_real, edition)
        text = _text(page)
        for claim in loaded.base.claims.values():
            assert f'id="claim-{claim.id}"' in page, (edition, claim.id)
            assert sources.normalise(claim.statement[edition]) in text, (edition, claim.id)


def test_quotes_stand_in_their_own_words_and_are_translated_only_in_english(built_real,
                                                                             loaded):
    english, dutch = _text(_html(built_real, "en")), _text(_html(built_real, "nl"))
    quoted = [c for c in loaded.base.claims.values() if c.quote]
    assert len(quoted) > 20
    for claim in quoted:
        original = sources.normalise(claim.quote.text)
        assert original in english and original in dutch, claim.id
        rendering = sources.normalise(claim.quote.translation["en"])
        assert rendering in english, claim.id
        assert rendering not in dutch, claim.id
    assert "Our translation" in english and "Onze vertaling" not in dutch


def test_no_english_words_in_the_dutch_edition_and_no_dutch_in_the_english(built_real):
    """Check the built text against the catalogues: no msgid of a translated message (the
    English wording) in the Dutch edition, no msgstr (the Dutch) in the English one."""
    english = _text(_html(built_real, "en"), drop_dutch=True)
    dutch = _text(_html(built_real, "nl"))
    messages = _catalogue(ROOT / "locale" / "nl.po") + _catalogue(i18n.ENGINE_LOCALE / "nl.po")
    assert len(messages) > 60
    long_checked = 0
    for msgid, msgstr in messages:
        if msgid == msgstr:
            continue
        for phrase in _phrases(msgid):
            long_checked += 1
            assert phrase not in dutch, f"English in the Dutch edition: {phrase!r}"
        for phrase in _phrases(msgstr):
            assert phrase not in english, f"Dutch in the English edition: {phrase!r}"
    assert long_checked > 40
    # Short messages (headings, labels) are checked where they stand: as whole headings.
    heads = {edition: {" ".join(re.sub(r"<[^>]+>", "", h).split()) for h in re.findall(
        r"<h[1-6][^>]*>(.*?)</h[1-6]>", _html(built_real, edition), flags=re.S)}
        for edition in EDITIONS}
    heads = {e: {re.sub(r"^[\d.]+\s*", "", h) for h in hs} for e, hs in heads.items()}
    short = [(i, s) for i, s in messages if i != s and len(i.split()) < 4 and "%" not in i]
    assert len(short) > 15
    for msgid, msgstr in short:
        assert msgid not in heads["nl"], msgid
        assert msgstr not in heads["en"], msgstr
    # The engine's words in print: the footer and the contents page of each PDF.
    en_pdf = pdfread.texts(built_real / "build" / "briefing.en.pdf")
    nl_pdf = pdfread.texts(built_real / "build" / "briefing.nl.pdf")
    assert f"Pagina 3 van {len(nl_pdf)}" in nl_pdf[2]
    assert f"Page 3 of {len(en_pdf)}" in en_pdf[2]
    nl_all = " ".join(nl_pdf)
    assert "Page " not in nl_all and "Contents" not in nl_all
    assert "Inhoud" in nl_all


def test_paragraph_numbers_and_anchors_are_the_same_in_both_editions(built_real):
    ids = {e: re.findall(r'\bid="([^"]+)"', _html(built_real, e)) for e in EDITIONS}
    assert ids["en"] == ids["nl"]
    assert sum(1 for i in ids["en"] if re.fullmatch(r"p\d+\.\d+", i)) > 40
    # The standalone HTML links each number to its anchor (html.cite_paragraphs).
    numbers = {e: re.findall(r'<a id="(p[\w.-]+)" class="pnum" href="#\1"', _html(built_real, e))
               for e in EDITIONS}
    assert numbers["en"] == numbers["nl"] and len(numbers["en"]) > 40


def test_dutch_conventions_citations_dates_and_metadata(built_real):
    dutch, english = _text(_html(built_real, "nl")), _text(_html(built_real, "en"))
    # CSL locale nl-NL: "z.d." (zonder datum) where the English style says "n.d.".
    assert "NOS, z.d." in dutch and "n.d." not in dutch
    assert "NOS, n.d." in english
    assert flagship_date("nl") in dutch and flagship_date("en") in english
    assert '<html lang="nl-NL"' in _html(built_real, "nl")
    assert '<html lang="en-GB"' in _html(built_real, "en")
    with pikepdf.open(built_real / "build" / "briefing.nl.pdf") as pdf:
        assert str(pdf.Root.Lang) == "nl-NL"
        assert str(pdf.docinfo["/Title"]).startswith("Burgers op punten")
    with pikepdf.open(built_real / "build" / "briefing.en.pdf") as pdf:
        assert str(pdf.Root.Lang) == "en-GB"
    with zipfile.ZipFile(built_real / "build" / "briefing.nl.epub") as archive:
        opf = archive.read(next(n for n in archive.namelist() if n.endswith(".opf")))
        assert b"<dc:language>nl-NL</dc:language>" in opf
        assert b"urn:uuid:2b89e2c7-c816-4f03-a0e9-c6fc5c594b3f" in opf


def test_the_dutch_epub_passes_epubcheck(built_real):
    if shutil.which("java") is None:
        pytest.fail("java is needed for epubcheck; `make` installs it")
    epub = built_real / "build" / "briefing.nl.epub"
    result = subprocess.run([sys.executable, "-m", "epubcheck", str(epub)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stdout and "WARNING" not in result.stdout, result.stdout


def test_each_edition_cites_itself(built_real):
    result = run_cli(built_real, "cite", "--edition", "nl", "--format", "bibtex")
    assert result.code == 0, result.err
    assert "Burgers op punten" in result.out and "langid = {dutch}" in result.out
    english = run_cli(built_real, "cite", "--format", "bibtex")
    assert "Scoring Citizens" in english.out and "langid = {british}" in english.out


# --- Missing translations: errors with file, line and key --------------------------------

@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(ROOT, tmp_path / "project")


def _drop_dutch_statement(project: Path, claim: str) -> int:
    """Remove the `nl:` text of one claim's statement; return the statement's line."""
    path = project / "seeds" / "nos-2018-big-brother.yaml"
    lines = path.read_text("utf-8").split("\n")
    start = lines.index(f"  - id: {claim}")
    statement = next(i for i in range(start, len(lines)) if lines[i].strip() == "statement:")
    nl = next(i for i in range(statement, len(lines)) if lines[i].strip().startswith("nl:"))
    end = nl + 1
    while lines[end].startswith("        "):
        end += 1
    del lines[nl:end]
    path.write_text("\n".join(lines), "utf-8")
    return statement + 1


def _drop_message(project: Path, msgid: str) -> None:
    path = project / "locale" / "nl.po"
    text = path.read_text("utf-8")
    entry = re.search(rf'\n(#[^\n]*\n)*msgid "{re.escape(msgid)}"\nmsgstr "[^"]*"\n', text)
    assert entry, msgid
    path.write_text(text.replace(entry.group(), "\n"), "utf-8")


def test_a_missing_translation_stops_the_build_with_file_line_and_key(project):
    line = _drop_dutch_statement(project, "privacy-travel-ban")
    result = run_cli(project, "build", "--edition", "nl")
    assert result.code == 1
    assert (f"seeds/nos-2018-big-brother.yaml:{line}: error: no 'nl' text for "
            "claims[privacy-travel-ban].statement") in result.err, result.err
    assert "hint: add 'nl:' under 'statement'" in result.err
    assert "Traceback" not in result.err
    assert not (project / "build" / "briefing.nl.pdf").exists()
    # The English edition has every text it needs, so it still builds.
    english = run_cli(project, "build", "--edition", "en", "--format", "html")
    assert english.code == 0, english.err
    assert (project / "build" / "briefing.en.html").is_file()
    assert not (project / "build" / "briefing.nl.html").exists()


def test_check_lists_every_gap_of_an_edition_at_once(project):
    line = _drop_dutch_statement(project, "scs-2020-plan")
    _drop_message(project, "Comparison")
    toml = project / "briefing.toml"
    toml.write_text(re.sub(r'\nsubtitle\.nl = "[^"]*"', "", toml.read_text("utf-8")), "utf-8")
    result = run_cli(project, "check", "--edition", "nl")
    assert result.code == 1
    err = result.err
    assert f"seeds/nos-2018-big-brother.yaml:{line}: error: no 'nl' text for " \
           "claims[scs-2020-plan].statement" in err, err
    template_line = next(i for i, text in enumerate(
        (project / "chapters" / "06-comparison.md.j2").read_text("utf-8").split("\n"), 1)
        if '_("Comparison")' in text)
    assert (f"chapters/06-comparison.md.j2:{template_line}: error: no 'nl' text for the "
            "message 'Comparison'") in err, err
    assert "hint: add it to locale/nl.po" in err
    assert re.search(r"briefing\.toml:\d+: error: no 'nl' text for document\.subtitle", err), err
    assert err.count("error:") == 3, err
    # The English edition is complete.
    assert run_cli(project, "check", "--edition", "en").code == 0


def test_allow_missing_builds_a_draft_with_visible_markers(project):
    _drop_dutch_statement(project, "privacy-travel-ban")
    _drop_message(project, "Comparison")
    result = run_cli(project, "build", "--edition", "nl", "--format", "html", "--allow-missing")
    assert result.code == 0, result.err
    text = _text((project / "build" / "briefing.nl.html").read_text("utf-8"))
    assert f"{i18n.MARKER.strip()} From May of the year in which the article" in text
    assert f"{i18n.MARKER.strip()} Comparison" in text
    checked = run_cli(project, "check", "--edition", "nl", "--allow-missing")
    assert checked.code == 0 and checked.err.count("warning: no 'nl' text") == 2, checked.err


def test_a_translation_that_drops_a_citation_is_refused_at_its_line(project):
    path = project / "locale" / "nl.po"
    text = path.read_text("utf-8")
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("msgstr") and "[@" in line)
    lines[at] = re.sub(r"\s*\[@[^\]]*\]", "", lines[at], count=1)
    path.write_text("\n".join(lines), "utf-8")
    result = run_cli(project, "check")
    assert result.code == 1
    assert re.search(rf"locale/nl\.po:{at + 1}: error: translation of .* changes its placeholders",
                     result.err), result.err


def test_a_heading_without_an_id_is_refused_when_there_are_editions(project):
    path = project / "chapters" / "08-questions.md.j2"
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"\{#questions-for-policy\}", "", text, count=1), "utf-8")
    result = run_cli(project, "check")
    assert result.code == 1
    assert re.search(r"chapters/08-questions\.md\.j2:1: error: a heading without an explicit "
                     r"id", result.err), result.err


def test_an_unknown_edition_key_is_an_error_not_a_silent_gap(project):
    path = project / "analysis.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("\n      nl: >-", "\n      nk: >-", 1), "utf-8")
    result = run_cli(project, "check")
    assert result.code == 1
    assert re.search(r"analysis\.yaml:\d+: error: .*unknown edition 'nk'", result.err), result.err


def test_template_text_outside_gettext_is_a_warning_at_its_line(project):
    """Typed straight into a chapter, a sentence would be printed in English in the Dutch
    edition too: a warning at its line, an error with --strict."""
    path = project / "chapters" / "05-receptor.md.j2"
    text = path.read_text("utf-8")
    assert text.count("\n{{ perspective_sources(p) }}") == 1
    path.write_text(text.replace("\n{{ perspective_sources(p) }}",
                                 "\nSee also [@zwart2012receptor].\n\n"
                                 "{{ perspective_sources(p) }}"), "utf-8")
    line = path.read_text("utf-8").split("\n").index("See also [@zwart2012receptor].") + 1
    shown = (f"chapters/05-receptor.md.j2:{line}: warning: text outside _() or {{% trans %}} "
             "is printed in every edition: \"See also [@zwart2012receptor].\"")
    checked = run_cli(project, "check")
    assert checked.code == 0, checked.err
    assert shown in checked.err.splitlines(), checked.err
    assert "hint: wrap it as {{ _(\"…\") }}" in checked.err
    assert "and translate it in locale/nl.po" in checked.err
    strict = run_cli(project, "check", "--strict")
    assert strict.code == 1
    assert shown.replace(": warning: ", ": error: ") in strict.err.splitlines(), strict.err
    built = run_cli(project, "build", "--edition", "nl", "--format", "html")
    assert built.code == 0, built.err
    assert shown in built.err.splitlines(), built.err
    # What the warning is about: the Dutch edition prints the English sentence.
    assert re.search(r"See also \( ?Zwart 2012 ?\) ?\.", _text(_html(project, "nl")))

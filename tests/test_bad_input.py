"""Bad input: one clear message naming file and line, exit 1, no traceback, outputs kept.

Each case mutates one file of a built copy of the minimal fixture project, runs the
real `briefing build`, and checks the exact place and text of the error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import digests, run_cli


@dataclass
class Case:
    id: str
    file: str
    mutate: Callable[[str], str]
    line: int | None  # None: the line of the marker text in the mutated file
    message: str
    marker: str = ""
    hint: str = ""
    binary: bytes | None = None
    where: str = ""  # the file the error names, when it is not the mutated one


def replace(old: str, new: str) -> Callable[[str], str]:
    def apply(text: str) -> str:
        assert old in text, f"fixture changed: {old!r} not found"
        return text.replace(old, new, 1)
    return apply


def append(extra: str) -> Callable[[str], str]:
    return lambda text: text + extra


CASES = [
    Case("yaml_syntax_error", "seeds/derksen.yaml",
         replace("  language: nl\n", "  language: [nl\n"), None,
         "invalid YAML", marker="language: [nl"),
    Case("yaml_tab_indentation", "seeds/derksen.yaml",
         replace("  - id: chinese-government\n", "\t- id: chinese-government\n"), None,
         "invalid YAML", marker="\t- id: chinese-government", hint="spaces, not tabs"),
    Case("yaml_duplicate_key", "seeds/derksen.yaml",
         replace("  language: nl\n", "  language: nl\n  language: en\n"), None,
         'duplicate key "language"', marker="language: en", hint="remove or rename"),
    Case("yaml_python_tag", "seeds/derksen.yaml",
         replace("    kind: organisation\n",
                 "    kind: !!python/object/apply:os.system ['touch pwned']\n"), None,
         "YAML tag", marker="!!python/object"),
    Case("yaml_unknown_key", "seeds/derksen.yaml",
         replace("  reporter: marco-derksen\n", "  reporter: marco-derksen\n  reportr: x\n"),
         None, "unknown key 'source.reportr'", marker="reportr: x"),
    Case("yaml_dangling_actor", "seeds/derksen.yaml",
         replace("    holders: [chinese-government]\n", "    holders: [chinese-govt]\n"), None,
         "unknown actor 'chinese-govt'", marker="holders: [chinese-govt]",
         hint="did you mean 'chinese-government'?"),
    Case("misquote", "seeds/derksen.yaml",
         replace('text: "waar de overheid aan werkt"', 'text: "waar de regering aan werkt"'),
         None, "misquote", marker="waar de regering aan werkt",
         hint='closest passage: "waar de overheid aan werkt"'),
    Case("seed_invalid_utf8", "seeds/derksen.yaml", lambda t: t, 7,
         "invalid UTF-8 byte 0xff", binary=b"reporter: marco-derksen\xff"),
    Case("bibtex_unbalanced_braces", "bib/briefing.bib",
         append("\n@online{broken,\n  title = {Unclosed,\n  date = {2020}\n"), None,
         "BibTeX entry cannot be parsed", marker="@online{broken,"),
    Case("bibtex_duplicate_key", "bib/briefing.bib",
         append("\n@online{derksen2016sociaalkrediet,\n  author = {X, Y},\n  title = {T},\n"
                "  date = {2016}\n}\n"), None,
         "duplicate citation key 'derksen2016sociaalkrediet' (first entry on line 1)",
         marker="@online{derksen2016sociaalkrediet,\n  author = {X"),
    Case("bibtex_non_utf8", "bib/briefing.bib", lambda t: t, 3,
         "invalid UTF-8 byte 0xe9", binary=b"  title        = {Caf\xe9},"),
    Case("bibtex_malformed_doi", "bib/briefing.bib",
         append("\n@article{baddoi,\n  author = {Doe, Jane},\n  title = {T},\n  year = {2001},\n"
                "  journaltitle = {J},\n  doi = {doi:10.1/x}\n}\n"), None,
         "malformed DOI 'doi:10.1/x'", marker="@article{baddoi,"),
    Case("bibtex_malformed_url", "bib/briefing.bib",
         append("\n@online{badurl,\n  author = {Doe, Jane},\n  title = {T},\n  year = {2001},\n"
                "  url = {www.example.org}\n}\n"), None,
         "malformed URL 'www.example.org'", marker="@online{badurl,"),
    Case("bibtex_missing_journal", "bib/briefing.bib",
         append("\n@article{nojournal,\n  author = {Doe, Jane},\n  title = {T},\n"
                "  year = {2001}\n}\n"), None, "has no journal", marker="@article{nojournal,"),
    Case("bibtex_missing_author", "bib/briefing.bib",
         append("\n@online{noauthor,\n  title = {T},\n  year = {2001}\n}\n"), None,
         "has no author or organisation", marker="@online{noauthor,"),
    Case("bibtex_missing_title", "bib/briefing.bib",
         append("\n@article{notitle,\n  author = {Doe, Jane},\n  year = {2001},\n"
                "  journaltitle = {J}\n}\n"), None, "has no title", marker="@article{notitle,"),
    Case("toml_syntax_error", "briefing.toml",
         replace('version = "1.0"\n', 'version = "1.0\n'), 6, "invalid TOML"),
    Case("toml_unknown_key", "briefing.toml",
         replace('title = "Fixture Briefing"\n', 'titel = "Fixture Briefing"\n'), 3,
         "unknown key 'document.titel'", hint="did you mean 'document.title'?"),
    Case("config_missing_chapter", "briefing.toml",
         append('\n[build]\nchapters = ["01-overveiw"]\n'), None,
         "chapter '01-overveiw' does not exist", marker='chapters = ["01-overveiw"]',
         hint="did you mean '01-overview'?"),
    Case("config_chapter_twice", "briefing.toml",
         append('\n[build]\nchapters = ["01-overview", "01-overview"]\n'), None,
         "listed twice", marker='chapters = ["01-overview", "01-overview"]'),
    Case("template_syntax_error", "chapters/01-overview.md.j2",
         append("\n{% for x in perspectives %}\nno end\n"), None,
         "template syntax error", marker="no end"),
    Case("template_undefined_variable", "chapters/01-overview.md.j2",
         append("\n{{ documnet.title }}\n"), None,
         "'documnet' is undefined", marker="{{ documnet.title }}"),
    Case("template_sandbox_escape", "chapters/01-overview.md.j2",
         append("\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n"), None,
         "template error", marker="__subclasses__"),
    Case("template_include_outside", "chapters/01-overview.md.j2",
         append('\n{% include "../briefing.toml" %}\n'), None,
         "not found", marker="{% include"),
    Case("unknown_citation_key_in_template", "chapters/01-overview.md.j2",
         append("\nAs shown [@nobody2020, p. 3].\n"), None,
         "citation key 'nobody2020' is not in bib/briefing.bib", marker="@nobody2020"),
    Case("unknown_locator_label", "chapters/01-overview.md.j2",
         append("\nSee [@derksen2016sociaalkrediet, parra. 4].\n"), None,
         "unknown locator label 'parra.' in citation of 'derksen2016sociaalkrediet'",
         marker="parra. 4", hint="use a citeproc label"),
    Case("unknown_citation_key_in_seed", "seeds/derksen.yaml",
         replace("  key: derksen2016sociaalkrediet\n", "  key: derksen2016sociaal\n"), None,
         "citation key 'derksen2016sociaal' is not in", marker="key: derksen2016sociaal\n",
         hint="did you mean 'derksen2016sociaalkrediet'?"),
    Case("template_invalid_utf8", "chapters/01-overview.md.j2", lambda t: t, 2,
         "invalid UTF-8 byte 0xfe", binary=b"bad \xfe byte"),
    Case("orphan_claim", "chapters/01-overview.md.j2",
         replace("::: {.claim #claim-{{ c.id }}}", "::: {.claim}"), 26,
         "claim 'press-confusion' appears in no chapter, comparison or map",
         hint="mark it 'orphan: true'", where="seeds/derksen.yaml"),
    Case("quote_too_long", "seeds/derksen.yaml",
         replace('text: "waar de overheid aan werkt"',
                 'text: "' + " ".join(["woord"] * 51) + '"'), None,
         "has 51 words (at most 50)", marker='text: "woord'),
    Case("quote_paragraph_not_cited", "seeds/derksen.yaml",
         replace("    cites: [1]\n    quote:", "    cites: [2]\n    quote:"), None,
         "is from paragraph 1, which the claim does not cite", marker="      para: 1\n",
         hint="add 1 to the claim's cites"),
    Case("quote_in_another_paragraph", "seeds/derksen.yaml",
         replace("      para: 1\n", "      para: 2\n"), None,
         "the quote of claim 'press-confusion' is in paragraph 1 of 'derksen2016', not in "
         "paragraph 2", marker="      para: 2\n",
         hint="these words are in paragraph 1: set para: 1"),
    Case("paragraph_numbers_gap", "seeds/derksen.yaml",
         replace("    2: >-\n", "    3: >-\n"), None,
         "paragraphs must be numbered 1..n without gaps", marker="  paragraphs:"),
    Case("duplicate_claim_id", "seeds/derksen.yaml",
         replace("  - id: aim-trust\n", "  - id: press-confusion\n"), None,
         "duplicate claim id 'press-confusion' (first defined at derksen.yaml:26)",
         marker="  - id: press-confusion\n    perspective: aim"),
    Case("relation_to_unknown_claim", "seeds/derksen.yaml",
         replace("    to: press-confusion\n", "    to: press-confusoin\n"), None,
         "unknown claim 'press-confusoin'", marker="to: press-confusoin",
         hint="did you mean 'press-confusion'?"),
    Case("perspective_without_claims", "seeds/derksen.yaml",
         replace("    perspective: aim\n", "    perspective: press\n"), 21,
         "perspective 'aim' has no claims", where="briefing.toml"),
    Case("analysis_unknown_claim", "analysis.yaml",
         replace("    claims: [press-confusion, aim-trust]\n",
                 "    claims: [press-confusion, aim-trsut]\n"), None,
         "unknown claim 'aim-trsut'", marker="claims: [press-confusion, aim-trsut]",
         hint="did you mean 'aim-trust'?"),
    Case("analysis_missing_cell", "analysis.yaml",
         replace("      aim:\n        text: Trust in society.\n        claims: [aim-trust]\n", ""),
         None, "comparison 'aim' has no cell for perspective 'aim'", marker="    cells:"),
    Case("analysis_duplicate_key", "analysis.yaml",
         replace("    title: The aim it sees\n", "    title: The aim it sees\n    title: Again\n"),
         None, 'duplicate key "title"', marker="title: Again"),
    Case("csl_not_csl", "bib/style.csl", lambda t: "<html><body>not a style</body></html>\n",
         1, "not a CSL style"),
]


def _line_of(text: str, marker: str) -> int:
    index = text.index(marker)
    return text.count("\n", 0, index) + 1 + (0 if not marker.startswith("\n") else 1)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_clear_error_and_keeps_outputs(minimal: Path, case: Case):
    before = digests(minimal / "build")
    assert {"briefing.pdf", "briefing.epub"} <= set(before)
    path = minimal / case.file
    text = case.mutate(path.read_text("utf-8"))
    if case.binary is not None:
        lines = text.split("\n")
        lines.insert(case.line - 1, "")
        data = "\n".join(lines).encode("utf-8")
        head = b"\n".join(data.split(b"\n")[: case.line - 1])
        tail = b"\n".join(data.split(b"\n")[case.line:])
        path.write_bytes(head + b"\n" + case.binary + b"\n" + tail)
    else:
        path.write_text(text, "utf-8")
    expected_line = case.line if case.line is not None else _line_of(text, case.marker)

    result = run_cli(minimal, "build")

    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    where = case.where or case.file
    assert f"{where}:{expected_line}: error: " in result.err, result.err
    assert case.message in result.err, result.err
    if case.hint:
        assert f"hint: {case.hint}" in result.err or case.hint in result.err, result.err
    assert digests(minimal / "build") == before
    assert not (minimal / "pwned").exists()

"""The one .po reader (model/catalogues.py): Babel's read_po behind a strict layer, so
that what Babel would misread is an error at its line, and what it reads keeps the
lines a message about it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.errors import BriefingError, Collector
from briefing.model import catalogues

HEADER = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n')


def load(tmp_path: Path, body: str) -> tuple[catalogues.Catalogue, list]:
    path = tmp_path / "nl.po"
    path.write_text(HEADER + body, "utf-8")
    problems = Collector()
    found = catalogues.load_catalogue(path, problems)
    return found, [(p.message, p.line) for p in problems.problems]


@pytest.mark.parametrize(("body", "message", "line"), [
    # Babel reads these as something else: 'Kern' less a letter, 'u', no entry at all.
    ('msgid "Key points"\nmsgstr "Kern\n', "invalid PO file: not a comment", 7),
    ('msgid "Key points"\nmsgstr "Kern\\u0007"\n', "invalid PO file: unknown escape \\u", 7),
    ('msgstr "Kern"\n', "invalid PO file: msgstr without a msgid before it", 6),
    ('msgid "Key points"\nmsgstr\t"Kern"\n', "invalid PO file: not a comment", 7),
    ('msgid "Key points"\nmsgstr "Kern"\n\nmsgid "Key points"\nmsgstr "Punten"\n',
     "the message 'Key points' is given twice (first on line 6)", 9),
    ('#~ msgidd "x"\n', "invalid PO file: not a keyword with a quoted string", 6),
], ids=["unterminated", "unknown_escape", "stray_msgstr", "tab", "twice", "obsolete_typo"])
def test_what_babel_would_misread_is_an_error_at_its_line(tmp_path: Path, body, message,
                                                          line):
    _, problems = load(tmp_path, body)
    assert len(problems) == 1 and problems[0][0].startswith(message), problems
    assert problems[0][1] == line


def test_babel_reads_the_translations_with_their_lines_and_previous_msgids(tmp_path: Path):
    found, problems = load(tmp_path, (
        'msgid "Key points"\nmsgstr ""\n"Kern"\n"punten"\n\n'
        '#, fuzzy\n#| msgid "Old text"\nmsgid "New text"\nmsgstr "Oude tekst"\n\n'
        'msgid "Empty"\nmsgstr ""\n\n'
        'msgid "%(n)s of them"\nmsgstr ""\n"50% van %(n)s"\n'))
    assert found.messages == {"Key points": "Kernpunten", "%(n)s of them": "50% van %(n)s"}
    assert found.lines == {"Key points": 6, "%(n)s of them": 19}
    assert found.stale["New text"] == catalogues.Fuzzy(13, "Old text", "Oude tekst")
    assert found.empty == {"Empty": 16}
    # The msgstr's line, which Babel does not keep, for a translation that cannot be used.
    assert problems == [("the msgstr is not a valid format string (unsupported format "
                         "character 'v' (0x76) at index 4)", 20)]


def test_a_header_babel_would_act_on_is_checked_before_babel_reads(tmp_path: Path):
    text = HEADER.replace("nplurals=2", "nplurals=200000000") + (
        'msgid "one apple"\nmsgid_plural "many apples"\nmsgstr[0] "een appel"\n')
    with pytest.raises(BriefingError) as caught:
        catalogues.read(text, tmp_path / "nl.po")
    (problem,) = caught.value.problems
    assert (problem.message, problem.line) == (
        "nplurals=200000000: a language has 1 to 6 plural forms", 4)

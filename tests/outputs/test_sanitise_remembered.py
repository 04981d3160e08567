"""The sanitiser remembers what it found clean (outputs/sanitise.py): an unchanged section
of the page or file of the EPUB is not checked again, and a violation is found every time."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.outputs import sanitise
from briefing.runtime.cache import Cache

PAGE = ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<title>T</title>\n</head>\n<body>\n<main>\n'
        '<section id="a" class="level1">\n<h1>A</h1>\n<p>{a}</p>\n</section>\n'
        '<section id="b" class="level1">\n<h1>B</h1>\n<p>{b}</p>\n</section>\n'
        '</main>\n</body>\n</html>\n')


def _counted(monkeypatch) -> list[str]:
    seen: list[str] = []
    check = sanitise.check
    monkeypatch.setattr(sanitise, "check",
                        lambda text, kind: seen.append(text) or check(text, kind))
    return seen


def test_an_unchanged_section_is_not_checked_again(tmp_path: Path, monkeypatch) -> None:
    store, seen = Cache(tmp_path), _counted(monkeypatch)
    assert sanitise.check_page(PAGE.format(a="one", b="two"), store) == []
    assert any("one" in text for text in seen) and any("two" in text for text in seen)
    seen.clear()
    assert sanitise.check_page(PAGE.format(a="one", b="changed"), store) == []
    assert [text for text in seen if "<h1>" in text] == [
        '<section id="b" class="level1">\n<h1>B</h1>\n<p>changed</p>\n</section>']


@pytest.mark.parametrize("run", [1, 2])
def test_a_violation_is_found_every_time(tmp_path: Path, run: int) -> None:
    store = Cache(tmp_path)
    bad = PAGE.format(a='<a href="javascript:alert(1)">x</a>', b="two")
    for _ in range(run):
        found = sanitise.check_page(bad, store)
        assert found and "javascript:alert(1)" in found[0].message


def test_an_epub_file_found_clean_is_remembered(tmp_path: Path, monkeypatch) -> None:
    store, seen = Cache(tmp_path), _counted(monkeypatch)
    document = (b'<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/'
                b'xhtml"><head><title>T</title></head><body><p>x</p></body></html>')
    assert sanitise.check_xhtml(document, store) == []
    assert sanitise.check_xhtml(document, store) == [] and len(seen) == 1

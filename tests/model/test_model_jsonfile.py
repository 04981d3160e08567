"""The one bounded JSON reader (files.parse_json) every JSON input goes through (release
records, locale/*.texts.json, build/.cache/manifest.json), and the one nesting scanner
JSON and TOML share (files.too_deep): each refusal a BriefingError at its line, never a
RecursionError or a value Python cannot hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefing import files
from briefing.errors import BriefingError
from briefing.model import config, tomlfile
from briefing.runtime.manifest import Manifest

PATH = Path("x.json")


def refusal(text: str) -> tuple[int | None, str]:
    with pytest.raises(BriefingError) as caught:
        files.parse_json(text, PATH, "the hint")
    (problem,) = caught.value.problems
    assert problem.hint == "the hint"
    return problem.line, problem.message


@pytest.mark.parametrize(("text", "line", "message"), [
    ("[" * 200_000 + "]" * 200_000, 1, "arrays or objects nested more than 32 levels deep"),
    ('{"a":\n' + '[\n' * 40 + "]" * 40 + "}", 33,  # '{' and 32 '[': the 33rd level
     "arrays or objects nested more than 32 levels deep"),
    ('{"a": 1,\n "b": NaN}', 2, "NaN is not a JSON number"),
    ('{"a": 1,\n "b": -Infinity}', 2, "-Infinity is not a JSON number"),
    ('{"a": "1e999",\n "b": 1e999}', 2, "the number 1e999 is too large"),
    ('{"a":\n -' + "1" * 41 + "}", 2, "an integer of 41 digits"),
    ('{"a": {"b": 1},\n "c": {"b": 2,\n "b": 3}}', 3, "a key given twice in one object"),
    ('["ok",\n "\\ud800"]', 2, "a lone surrogate U+D800 in a string (written \\ud800)"),
    ('["ok",\n "\\udfff\\ud800"]', 2, "a lone surrogate U+DFFF in a string (written \\udfff)"),
    ('[\n"\\u001b[2K"]', 2, "control character U+001B in a string (written \\u001b)"),
    ('["\\u0085"]', 1, "control character U+0085 in a string (written \\u0085)"),
    ('["\\ud83f\\udfff"]', 1,
     "the noncharacter U+1FFFF in a string (written \\ud83f\\udfff)"),
    ('{"a": 1,\n "b": }', 2, "not valid JSON: Expecting value"),
])
def test_what_json_loads_would_take_but_an_input_may_not_hold(text, line, message):
    assert refusal(text) == (line, message)


def test_what_an_input_may_hold_is_read_as_json_reads_it():
    text = json.dumps({"a": ["[[[[", "\\u001b", "\u00e9\U0001F600", 12345678901234567890,
                             1.5e300, None, True], "{{": {"b": "]]]]"}}, indent=1)
    assert files.parse_json(text, PATH) == json.loads(text)
    assert files.parse_json(text.replace("\\u00e9", "\u00e9"), PATH) == json.loads(text)


def test_the_nesting_scanner_skips_json_strings_and_toml_strings_and_comments():
    assert files.too_deep('["[[[[[[[[[[", "\\"[[[[[[[["]', 2) is None
    assert files.too_deep("[[\n[\n[]]]]", 2) == 2
    toml = ('a = "[[[[[[[[[["\nb = \'[[[[[[[[\'\n# [[[[[[[[[[\nc = """\n[[[[[[[[[\n"""\n'
            "d = [[[\n  1]]]\n")
    assert files.too_deep(toml, 3, files.TOML_SKIP) is None
    assert files.too_deep(toml, 2, files.TOML_SKIP) == 7


def test_briefing_toml_nested_past_its_bound_is_an_error_at_the_line(tmp_path: Path):
    """tomlfile.py reads TOML through the same scanner: 100,000 '[' in briefing.toml."""
    (tmp_path / "briefing.toml").write_text('[document]\ntitle = "[[[["\nx = '
                                            + "[" * 100_000 + "]" * 100_000 + "\n", "utf-8")
    with pytest.raises(BriefingError) as caught:
        config.load(tmp_path)
    (problem,) = caught.value.problems
    assert (problem.line, problem.message) == (
        3, f"arrays or tables nested more than {tomlfile.MAX_DEPTH} levels deep")


def test_the_line_of_a_value_is_found_by_its_place():
    text = json.dumps({"a": [1, {"b": {"c": [10, 20, {"d": "x"}]}}], "e": {"f": None}},
                      indent=1)
    lines = text.splitlines()

    def line(loc):
        return lines[files.json_line(text, loc) - 1].strip()

    assert line(("a", 1, "b", "c", 2, "d")) == '"d": "x"'
    assert line(("a", 1, "b", "c", 1)) == "20,"
    assert line(("e", "f")) == '"f": null'
    assert line(("e", "missing")) == '"e": {'  # the deepest place found
    assert files.json_line(text, ()) == 1


def test_a_manifest_nested_5000_deep_means_build(project: Path):
    """Review #16: RecursionError is no ValueError; the manifest is only a shortcut."""
    manifest = project / "build" / ".cache" / "manifest.json"
    manifest.parent.mkdir(parents=True)
    manifest.write_text("[" * 5000 + "]" * 5000, "utf-8")
    assert Manifest(project, {}).up_to_date() is False

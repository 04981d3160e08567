"""Safe YAML: plain data with the line of every value, or an error at the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing import files
from briefing.errors import BriefingError
from briefing.model import yamlfile


def load_text(tmp_path: Path, text: str) -> yamlfile.YamlDoc:
    path = tmp_path / "seed.yaml"
    path.write_text(text, "utf-8")
    return yamlfile.load(path)


def refused(tmp_path: Path, text: str):
    with pytest.raises(BriefingError) as caught:
        load_text(tmp_path, text)
    (problem,) = caught.value.problems
    assert Path(problem.path).name == "seed.yaml"
    return problem


def test_values_are_plain_data_and_keep_their_lines(tmp_path: Path):
    doc = load_text(tmp_path, "source:\n  id: a\n  when: 2016-10-22\nclaims:\n  - id: one\n"
                              "  - id: two\n    cites: [3]\n")
    assert doc.data == {"source": {"id": "a", "when": "2016-10-22"},
                        "claims": [{"id": "one"}, {"id": "two", "cites": [3]}]}
    assert doc.line(("source", "when")) == 3
    assert doc.line(("claims", 1, "cites")) == 7
    assert doc.line(("claims", 1, "no-such-key")) == 6  # the nearest parent


def test_a_duplicate_key_is_refused_with_both_lines(tmp_path: Path):
    problem = refused(tmp_path, "a: 1\nb: 2\na: 3\n")
    assert problem.message == 'found duplicate key "a" (first defined on line 1)'
    assert problem.line == 3


@pytest.mark.parametrize(("text", "message", "line"), [
    ("x: 1\ny:\n  <<: {a: 1}\n  b: 2\n", "YAML merge keys (<<) are not allowed", 3),
    ("base: &b\n  a: 1\nother: *b\n", "YAML anchors and aliases are not allowed", 1),
    ("x: 1\ncmd: !!python/object/apply:os.system [ls]\n",
     "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed", 2),
    ("x: 1\nwhen: 2012-02-30\n",
     "invalid YAML: '2012-02-30' is not a real date (day is out of range for month)", 2),
], ids=["merge-key", "anchor", "python-tag", "impossible-date"])
def test_what_a_seed_never_needs_is_refused_at_its_line(tmp_path: Path, text, message, line):
    problem = refused(tmp_path, text)
    assert (problem.message, problem.line) == (message, line)


def test_nesting_past_the_bound_is_refused_before_the_parser_recurses(tmp_path: Path):
    depth = yamlfile.MAX_DEPTH + 5
    problem = refused(tmp_path, "a: 1\nb: " + "[" * depth + "]" * depth + "\n")
    assert f"nested more than {yamlfile.MAX_DEPTH} levels deep" in problem.message
    assert problem.line == 2


def test_the_depth_scanner_is_the_json_one_with_each_lines_block_depth():
    text = "a:\n  b:\n    - c: [[1]]  # [[[ a comment\n    - 'd [[['\n"
    # Line 3: block depth 4 (three indentations and a "- ") plus two brackets.
    assert [yamlfile.too_deep(text, most) for most in (4, 5, 6)] == [3, 3, None]
    assert files.too_deep("[[1]]", 1) == 1  # the same function without block depth

"""Under `briefing watch` (yamlfile.remembered) a YAML file whose text did not change is
not parsed again: the model is the same as a fresh load's, and errors are reported alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing import recipe
from briefing.errors import BriefingError
from briefing.model import yamlfile


def _counting(monkeypatch) -> list[str]:
    parsed: list[str] = []
    parse = yamlfile._parse

    def counted(path: Path, text: str) -> yamlfile.YamlDoc:
        parsed.append(path.name)
        return parse(path, text)

    monkeypatch.setattr(yamlfile, "_parse", counted)
    return parsed


def _markdown(loaded: recipe.Loaded) -> dict[str, str]:
    editions = loaded.model.editions(None)
    return {ident: one.markdown
            for ident, one in recipe._compose_all(loaded, editions, False).items()}


def test_an_unchanged_file_is_not_parsed_again_and_loads_the_same(project: Path, monkeypatch):
    parsed = _counting(monkeypatch)
    seeds = sorted((project / "seeds").glob("*.yaml"))
    fresh = recipe.load(project)
    with yamlfile.remembered():
        recipe.load(project)
        parsed.clear()
        again = recipe.load(project)
        assert parsed == []
        assert again.model.base == fresh.model.base
        assert again.model.analysis == fresh.model.analysis
        assert _markdown(again) == _markdown(fresh)
        seeds[0].write_text(seeds[0].read_text("utf-8") + "\n# a comment\n", "utf-8")
        recipe.load(project)
        assert parsed == [seeds[0].name]


def test_the_data_given_out_cannot_change_what_the_next_load_gets(tmp_path: Path):
    path = tmp_path / "a.yaml"
    path.write_text("a:\n  - 1\n  - 2\n", "utf-8")
    with yamlfile.remembered():
        first = yamlfile.load(path)
        first.data["a"].append(3)
        second = yamlfile.load(path)
        assert second.data == {"a": [1, 2]} and second.line(("a", 1)) == 3


def test_a_broken_file_gives_the_same_error_every_time(tmp_path: Path):
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\n", "utf-8")
    with yamlfile.remembered():
        yamlfile.load(path)
        path.write_text("a: 1\na: 2\n", "utf-8")
        errors = []
        for _ in range(2):
            with pytest.raises(BriefingError) as caught:
                yamlfile.load(path)
            errors.append(caught.value.format(tmp_path))
    with pytest.raises(BriefingError) as fresh:
        yamlfile.load(path)
    assert errors[0] == errors[1] == fresh.value.format(tmp_path)
    assert "duplicate key" in errors[0]
    path.write_text("a: 1\n", "utf-8")
    assert yamlfile.load(path).data == {"a": 1}

"""The JSON Schemas and docs/format.md, generated from the models and the template views:
checked with a real validator against the flagship's files and the minimal fixture's, a
table of bad documents each refused for its reason, and the committed docs equal to what
the code writes now."""

from __future__ import annotations

import copy
import dataclasses
import json
import tomllib
from pathlib import Path

import jinja2
import jsonschema_rs
import pytest
from ruamel.yaml import YAML

from briefing.compose import formatdoc, reference
from briefing.compose.context import FILTERS, FUNCTIONS, TemplateContext
from briefing.compose.templates import environment
from briefing.model import config
from briefing.model import schema as schemas
from briefing.model.settings import IDENT

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
REGENERATE = "regenerate them with `make docs` and commit the result"


def plain(value):
    """As an editor sees a file: TOML dates as strings, YAML's numbered keys as strings."""
    return json.loads(json.dumps(value, default=str))


def read(path: Path):
    if path.suffix == ".toml":
        return plain(tomllib.loads(path.read_text("utf-8")))
    return plain(YAML(typ="safe").load(path.read_text("utf-8")))


def errors(name: str, document) -> list[str]:
    validator = jsonschema_rs.validator_for(schemas.schema(name), validate_formats=True)
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}"
            for e in validator.iter_errors(document)]


def project_files() -> list[tuple[str, Path]]:
    found = []
    for root in (ROOT, MINIMAL):
        found += [("settings", root / "briefing.toml"), ("analysis", root / "analysis.yaml")]
        found += [("seed", seed) for seed in sorted((root / "seeds").glob("*.yaml"))]
    return found


def test_the_schemas_accept_a_new_projects_files(tmp_path: Path):
    """What `briefing new` writes (the same files as its command, made in-process), with
    the schemas its files name on their first lines."""
    import datetime as dt

    from briefing.authoring import new

    made = tmp_path / "made"
    new.create(made, None, new.parse_editions([]), new.parse_perspectives([]),
               dt.date(2026, 1, 2))
    files = [("settings", made / "briefing.toml"), ("analysis", made / "analysis.yaml"),
             ("seed", made / "seeds" / "example.yaml")]
    for name, path in files:
        assert errors(name, read(path)) == [], path
        first = path.read_text("utf-8").splitlines()[0]
        named = first.split("schema", 1)[1].lstrip(":= ")
        written = json.loads((path.parent / named).read_text("utf-8"))
        assert written == schemas.schema(name), (path, named)


@pytest.mark.parametrize(("name", "path"), project_files(),
                         ids=lambda v: str(v.relative_to(ROOT)) if isinstance(v, Path) else v)
def test_the_schemas_accept_the_projects_own_files(name: str, path: Path):
    assert errors(name, read(path)) == []


def seed() -> dict:
    return read(MINIMAL / "seeds" / "derksen.yaml")


def settings() -> dict:
    return read(MINIMAL / "briefing.toml")


def bad_seed(change) -> dict:
    document = copy.deepcopy(seed())
    change(document)
    return document


BAD = [
    ("seed", bad_seed(lambda d: d["claims"][0].update(kind="opinion")),
     "claims/0/kind", "is not one of"),
    ("seed", bad_seed(lambda d: d["claims"][0].update(colour="red")),
     "claims/0", "Additional properties are not allowed ('colour' was unexpected)"),
    ("seed", bad_seed(lambda d: d["source"].update(paragraphs={"one": "text"})),
     "source/paragraphs", "does not match"),
    ("seed", bad_seed(lambda d: d["claims"][0].update(cites=["three"])),
     "claims/0/cites/0", "is not valid under any of the schemas"),
    ("seed", bad_seed(lambda d: d["claims"][0].update(statement={"EN": "x"})),
     "claims/0/statement", "is not valid under any of the schemas"),
    ("seed", bad_seed(lambda d: d["claims"][0].update(statement="  ")),
     "claims/0/statement", "is not valid under any of the schemas"),
    ("seed", bad_seed(lambda d: d["relations"].append({"from": "a", "type": "supports"})),
     "relations/1", "\"to\" is a required property"),
    ("settings", {**settings(), "colours": {}},
     "", "Additional properties are not allowed ('colours' was unexpected)"),
    ("settings", {**settings(), "perspectives": {"Press!": settings()["perspectives"]["press"]}},
     "perspectives", "Additional properties are not allowed"),
    ("settings", {**settings(), "limits": {"input_mib": 0}},
     "limits/input_mib", "less than or equal to the minimum"),
    ("settings", {**settings(), "build": {"formats": ["pdf", "odt"]}},
     "build/formats/1", "is not one of"),
    ("settings", {**settings(), "document": {**settings()["document"], "date": "15 Jan 2025"}},
     "document/date", "is not a \"date\""),
    ("analysis", {"questions": [{"id": "q", "text": "Why?", "claims": "aim-trust"}]},
     "questions/0/claims", "is not of type \"array\""),
    ("analysis", {"comparison": [{"id": "d", "title": "T", "cells": {"Press": {}}}]},
     "comparison/0/cells", "does not match"),
]


BAD_IDS = ["unknown-claim-kind", "unknown-claim-key", "paragraph-key-not-a-number",
           "cite-not-a-number", "edition-key-not-plain", "blank-text", "relation-without-to",
           "unknown-table", "perspective-id-not-plain", "limit-zero", "unknown-format",
           "date-not-a-date", "claims-not-a-list", "cell-key-not-plain"]


@pytest.mark.parametrize(("name", "document", "where", "message"), BAD, ids=BAD_IDS)
def test_the_schemas_refuse_a_bad_document_for_its_reason(name, document, where, message):
    found = errors(name, document)
    assert any(e.startswith(f"{where}: ") and message in e for e in found), found


@pytest.mark.parametrize("index", [0, 1, 2, 3, 5, 6], ids=lambda i: BAD_IDS[i])
def test_briefing_refuses_these_bad_seeds_too(index: int):
    """The schema adds no rule of its own here: each bad seed is a load error as well."""
    from pydantic import ValidationError

    from briefing.model.sources import SeedFile

    document = copy.deepcopy(BAD[index][1])
    paragraphs = document["source"]["paragraphs"]  # numbered keys, as YAML gives them
    document["source"]["paragraphs"] = {int(k) if k.isdigit() else k: v
                                        for k, v in paragraphs.items()}
    with pytest.raises(ValidationError):
        SeedFile.model_validate(document, context={"default_edition": "en"})


def keys(node, path=""):
    """(path, schema) of every key declared anywhere in a schema."""
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            yield f"{path}.{key}", value
        for key, value in node.items():
            yield from keys(value, f"{path}/{key}")
    elif isinstance(node, list):
        for value in node:
            yield from keys(value, path)


def test_every_key_of_every_file_has_a_description():
    missing = sorted({f"{name}: {path}" for name, found in schemas.schemas().items()
                      for path, value in keys(found) if not value.get("description")
                      and "$ref" not in value})
    assert not missing, ("keys without a description (add a docstring under the field): "
                         + ", ".join(missing))


def test_a_text_field_takes_a_string_or_one_per_edition():
    statement = schemas.schema("seed")["$defs"]["Claim"]["properties"]["statement"]
    assert statement["$ref"] == "#/$defs/Text"
    text = schemas.schema("seed")["$defs"]["Text"]
    assert [member["type"] for member in text["anyOf"]] == ["string", "object"]
    assert text["anyOf"][1]["propertyNames"] == {"pattern": IDENT}


def test_the_schemas_are_the_same_every_time():
    assert schemas.dumps(schemas.schemas()) == schemas.dumps(schemas.schemas())
    assert schemas.dumps({"b": 1, "a": 2}) == '{\n  "a": 2,\n  "b": 1\n}\n'


def test_the_committed_docs_are_what_the_code_generates():
    committed = ROOT / "docs" / "format.md"
    assert committed.read_text("utf-8") == formatdoc.markdown(), (
        f"docs/format.md is out of date with the models or the template views: {REGENERATE}")
    for spec in schemas.FILES:
        path = ROOT / "docs" / "schema" / spec.file_name
        assert path.read_text("utf-8") == schemas.dumps(schemas.schema(spec.name)), (
            f"docs/schema/{spec.file_name} is out of date with the models: {REGENERATE}")


def test_write_schemas_writes_the_three_files(tmp_path: Path):
    from briefing.authoring.schemas import write_schemas

    written = write_schemas(tmp_path / "schemas")
    assert [p.name for p in written] == [
        "briefing.schema.json", "seed.schema.json", "analysis.schema.json"]
    for path, spec in zip(written, schemas.FILES, strict=True):
        assert json.loads(path.read_text("utf-8")) == schemas.schema(spec.name)


def test_every_template_variable_and_attribute_is_described():
    undescribed = [f"variable {a.name}" for a in reference.variables() if not a.description]
    undescribed += [f"{d.cls.__name__}.{a.name}" for d in reference.classes()
                    for a in d.attributes if not a.description]
    undescribed += [d.cls.__name__ for d in reference.classes() if not d.description]
    assert not undescribed, ("add a docstring under each (compose/views.py), or a line to "
                             "compose/reference.py's ELSEWHERE: " + ", ".join(undescribed))


def test_no_description_is_kept_for_an_attribute_that_is_gone():
    names = {(d.cls, a.name) for d in reference.classes() for a in d.attributes}
    stale = [k for k in reference.ELSEWHERE if k[1] is not None and k not in names]
    assert not stale


def test_every_class_a_template_meets_is_described():
    """Each class a variable's type names, and each class its attributes name, in turn."""
    described = {cls.__name__ for cls in reference.TITLES}
    types = [a.type for a in reference.variables()]
    types += [a.type for d in reference.classes() for a in d.attributes]
    named = {word for kind in types for word in _words(kind) if word[0].isupper()}
    assert named - described <= {"Callable", "Text", "Name", "Rendering", "None"}


def _words(kind: str) -> list[str]:
    return "".join(c if c.isalnum() or c == "_" else " " for c in kind).split()


def test_the_documented_names_are_the_ones_templates_get(project: Path):
    env = environment(config.load(project), {})
    fields = {f.name for f in dataclasses.fields(TemplateContext)}
    assert set(env.globals) == set(FUNCTIONS)
    assert set(env.filters) - set(jinja2.defaults.DEFAULT_FILTERS) == set(FILTERS)
    assert not fields & set(FUNCTIONS)

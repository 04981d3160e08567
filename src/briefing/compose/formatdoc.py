"""docs/format.md: every key of every file an author writes, from the JSON Schemas (so
from the models), then everything a chapter template sees, from the template context and
the view classes. Written by `briefing schema --markdown` (`make docs`); a test keeps the
committed file equal to what this writes.
"""

from __future__ import annotations

import json
import re
from typing import Any

from briefing.compose import reference
from briefing.compose.context import FILTERS, FUNCTIONS
from briefing.model import formats
from briefing.model import schema as schemas

REGENERATE = "make docs (or: briefing schema --markdown > docs/format.md)"
HEADER = """# The format of a briefing project

Generated from the models and the template views by `briefing schema --markdown`
(`make docs`): do not edit. The same as JSON Schemas, for editors that complete and check
the files as you type: `docs/schema/` (`briefing schema --write DIR`).

- [Texts per edition](#texts-per-edition)
- [briefing.toml](#briefingtoml), and [the formats](#formats) it can ask for
- [seeds/&lt;source&gt;.yaml](#seedssourceyaml)
- [analysis.yaml](#analysisyaml)
- [Template variables](#template-variables), [filters and functions](#filters-and-functions)
  and [the objects templates see](#the-objects-templates-see)
"""


def markdown() -> str:
    found = {f.name: schemas.schema(f.name) for f in schemas.FILES}
    parts = [HEADER, _texts()]
    for spec in schemas.FILES:
        parts.append(_file(spec, found[spec.name]))
        if spec.name == "settings":
            parts.append(_formats())
    parts += [_variables(), _filters(), _objects()]
    return "\n".join(parts)


def _formats() -> str:
    """The format registry (model/formats.py) as a table: what build.formats and
    `--format` take, and the file each writes."""
    rows = []
    for fmt in formats.REGISTRY:
        where = f"`build/<name>.{fmt.suffix}`" if fmt.suffix else "printed by `briefing cite`"
        if fmt.kind == "citation":
            use = "`briefing cite --format`" + (", and written by every build"
                                                 if fmt.suffix else "")
        else:
            use = "`build.formats`, `--format`" + (" (default)" if fmt.default else "")
        needs = ", ".join(f"`{n}` (made, not written unless asked for)" for n in fmt.needs)
        rows.append("| " + " | ".join(_cell(c) for c in (
            f"`{fmt.name}`", where, use, needs, fmt.description)) + " |")
    return ("## Formats\n\nEvery file a build can write, from the format registry "
            "(`src/briefing/model/formats.py`). A briefing with several editions writes "
            "`build/<name>.<edition>.<suffix>` for each, and the default edition's also "
            "under the plain name.\n\n"
            "| format | file | named in | needs | what it is |\n"
            "| --- | --- | --- | --- | --- |\n" + "\n".join(rows) + "\n")


def _texts() -> str:
    rows = [f"- **{title}**: {description}" for title, description in schemas.TEXTS.values()]
    return ("## Texts per edition\n\n"
            "The type of every text a reader sees. In TOML a mapping is written "
            "`title.en = \"...\"`, `title.nl = \"...\"`; in YAML `title: {en: ..., nl: ...}`. "
            "A mapping's keys are edition ids (`[editions.<id>]` in briefing.toml).\n\n"
            + "\n".join(rows) + "\n")


def _file(spec: schemas.SchemaFile, found: dict[str, Any]) -> str:
    table = "table" if spec.name == "settings" else "mapping"
    out = [f"## {spec.describes}\n\n{_prose(found.get('description', ''))} JSON Schema: "
           f"`docs/schema/{spec.file_name}` (`briefing schema {spec.name}`).\n"]
    for path, node in _objects_in(found, found, ""):
        heading = f"`{path}`\n\n{_prose(node.get('description', ''))}" if path else "Top level"
        out.append(f"### {heading}\n")
        out.append("| key | type | default | allowed | description |\n"
                   "| --- | --- | --- | --- | --- |")
        required = set(node.get("required", ()))
        for key, prop in node.get("properties", {}).items():
            default = "**required**" if key in required else _default(prop)
            out.append("| " + " | ".join(_cell(c) for c in (
                f"`{key}`", _type(prop, found, table), default, _allowed(prop, found),
                prop.get("description") or _resolve(prop, found).get("description", ""),
            )) + " |")
        out.append("")
    return "\n".join(out)


def _objects_in(node: dict, root: dict, path: str) -> list[tuple[str, dict]]:
    """Each object with keys of the file, with its path (claims[].quote), in file order."""
    found = [(path, node)]
    for key, prop in node.get("properties", {}).items():
        for suffix, target in _children(prop, root):
            child = f"{path}.{key}{suffix}" if path else f"{key}{suffix}"
            found += _objects_in(target, root, child)
    return found


def _children(prop: dict, root: dict, suffix: str = "") -> list[tuple[str, dict]]:
    """The objects with keys a property holds, directly or in its lists and tables."""
    target = _resolve(prop, root)
    if target.get("properties"):
        return [(suffix, target)]
    found = []
    for member in target.get("anyOf", ()):
        found += _children(member, root, suffix)
    if isinstance(target.get("items"), dict):
        found += _children(target["items"], root, suffix + "[]")
    for value in target.get("patternProperties", {}).values():
        found += _children(value, root, suffix + ".<id>")
    if isinstance(target.get("additionalProperties"), dict):
        found += _children(target["additionalProperties"], root, suffix + ".<id>")
    return found


def _resolve(prop: dict, root: dict) -> dict:
    ref = prop.get("$ref", "")
    if ref.startswith("#/$defs/"):
        return root["$defs"][ref.removeprefix("#/$defs/")]
    return prop


def _type(prop: dict, root: dict, table: str) -> str:
    ref = prop.get("$ref", "").removeprefix("#/$defs/")
    if ref in {title for title, _ in schemas.TEXTS.values()}:
        return f"[{ref}](#texts-per-edition)"
    if ref:
        return table
    if "anyOf" in prop:
        kinds = [_type(m, root, table) for m in prop["anyOf"] if m.get("type") != "null"]
        return " or ".join(dict.fromkeys(kinds))
    kind = prop.get("type", "")
    if kind == "array":
        return f"list of {_type(prop.get('items', {}), root, table)}"
    if kind == "object":
        values: dict = prop.get("additionalProperties") or next(
            iter(prop.get("patternProperties", {}).values()), {})
        if "$ref" in values and _resolve(values, root).get("properties"):
            return f"one {table} per id"
        return f"{table} of {_type(values, root, table)}" if values else table
    if kind == "string" and prop.get("format") == "date":
        return "date"
    return {"string": "string", "integer": "integer", "number": "number",
            "boolean": "true/false"}.get(kind, kind or "any")


def _allowed(prop: dict, root: dict) -> str:
    """The constraints on a value, its list items and its union members."""
    found: list[str] = []
    todo = [prop]
    while todo:
        node = todo.pop(0)
        if "$ref" in node:  # a text (see its section) or a table (see its keys)
            continue
        if "enum" in node:
            found.append(", ".join(f"`{v}`" for v in node["enum"]))
        if "pattern" in node:
            found.append(f"matches `{node['pattern']}`")
        for key, sign in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"),
                          ("exclusiveMaximum", "<")):
            if key in node:
                found.append(f"{sign} {node[key]:,}".replace(",", " "))
        if node.get("minItems"):
            found.append(f"at least {node['minItems']} item{'s' * (node['minItems'] > 1)}")
        if node.get("minLength"):
            found.append("not empty")
        if node.get("minProperties"):
            found.append("not empty")
        if "propertyNames" in node:
            found.append(f"keys match `{node['propertyNames']['pattern']}`")
        for key in node.get("patternProperties", {}):
            found.append(f"keys match `{key}`")
        todo += node.get("anyOf", [])
        todo += [node["items"]] if isinstance(node.get("items"), dict) else []
    return "; ".join(dict.fromkeys(found))


def _default(prop: dict) -> str:
    if "default" not in prop:
        return ""
    value = prop["default"]
    if value is None:
        return "none"
    if isinstance(value, dict) and value:
        return "see its keys"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _cell(text: str) -> str:
    """Table cells: one line, and a | is not a column."""
    return _prose(" ".join(text.split())).replace("|", "\\|")


def _prose(text: str) -> str:
    """< and > outside `code` as entities: GitHub would take <id> for an HTML tag."""
    parts = text.split("`")
    return "`".join(p if i % 2 else p.replace("<", "&lt;").replace(">", "&gt;")
                    for i, p in enumerate(parts))


def _linked(kind: str) -> str:
    """A type with each class a template meets linked to its section."""
    anchors = {d.cls.__name__: d.anchor for d in reference.classes()}
    anchors.update({title: "texts-per-edition" for title, _ in schemas.TEXTS.values()})
    return re.sub(r"\b[A-Z][A-Za-z]+\b",
                  lambda m: f"[{m[0]}](#{anchors[m[0]]})" if m[0] in anchors else m[0], kind)


def _variables() -> str:
    rows = [f"| `{a.name}` | {_cell(_linked(a.type))} | {_cell(a.description)} |"
            for a in reference.variables()]
    return ("## Template variables\n\nWhat every chapter template (`chapters/NN-slug.md.j2`) "
            "sees, in the language of the edition being composed. A misspelt name stops the "
            "build with the names that exist.\n\n| variable | type | description |\n"
            "| --- | --- | --- |\n" + "\n".join(rows) + "\n")


def _filters() -> str:
    filters = [f"| `{name}` | filter | {_cell(text)} |" for name, text in FILTERS.items()]
    functions = [f"| `{name}` | function | {_cell(text)} |" for name, text in FUNCTIONS.items()]
    return ("## Filters and functions\n\nBesides Jinja2's own filters and tests (`join`, "
            "`length`, `default`, `selectattr`, ...). Templates run in Jinja2's sandbox: no "
            "name starting with `_` but `_` itself, no file outside `chapters/`. Comments are "
            "written `{## ... ##}`, so that Pandoc's `{#id}` stays as it is.\n\n"
            "| name | kind | description |\n| --- | --- | --- |\n"
            + "\n".join(filters + functions) + "\n")


def _objects() -> str:
    out = ["## The objects templates see\n"]
    for described in reference.classes():
        out.append(f"### {described.cls.__name__}\n\n_{described.title}_ (as errors call "
                   f"it): {_prose(described.description)}\n")
        out.append("| attribute | type | description |\n| --- | --- | --- |")
        out += [f"| `{a.name}` | {_cell(_linked(a.type))} | {_cell(a.description)} |"
                for a in described.attributes]
        out.append("")
    return "\n".join(out)

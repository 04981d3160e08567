"""The argument exports (issue 35): briefing's own JSON and the field's formats derived
from it, each read back the way its readers read it. In-process on the flagship's model
(no rendering) and on the minimal fixture; the CLI once, in a child process."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import urllib.parse
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import arguebuf
import jsonschema_rs
import networkx
import pytest
from pyld import jsonld
from pyld.documentloader.frozen import FrozenDocumentLoader
from tests.hostile.test_hostile_inputs import tree_digests

from briefing import recipe
from briefing.exporting import NAMES
from briefing.outputs.arguments import base, derived
from checkers.tools import NODE, need
from conftest import FIXTURES, ROOT, copy_project, run_cli


@pytest.fixture(scope="module")
def flagship() -> tuple[recipe.Loaded, dict[str, base.Arguments]]:
    loaded = recipe.load(ROOT)
    return loaded, {e.id: base.make(loaded.model, loaded.localised(e))
                    for e in loaded.project.editions}


@pytest.fixture(scope="module")
def english(flagship) -> base.Arguments:
    return flagship[1]["en"]


def test_the_base_json_is_valid_lossless_and_the_same_every_time(flagship):
    loaded, made = flagship
    seeds = loaded.model.base
    validator = jsonschema_rs.validator_for(base.schema())
    committed = json.loads((ROOT / "docs/schema/arguments.schema.json").read_text("utf-8"))
    assert committed == base.schema(), "regenerate: briefing export --schema > docs/schema/..."
    for edition, arguments in made.items():
        data = base.render(arguments)
        assert data == base.render(base.make(loaded.model, loaded.localised(
            loaded.project.edition(edition))))
        document = json.loads(data)
        validator.validate(document)
        assert [c["id"] for c in document["claims"]] == sorted(seeds.claims)
        assert len(document["relations"]) == len(seeds.relations)
        for claim in arguments.claims:
            seed = seeds.claims[claim.id]
            assert (claim.holders, claim.kind, claim.perspective, claim.reported_by) == (
                seed.holders, seed.kind, seed.perspective, seed.reported_by)
            assert claim.reporter == seeds.reporter(seed).id
            if seed.quote is not None:
                assert claim.quote is not None and claim.quote.text == seed.quote.text
                assert claim.quote.words_of == seed.quote.words_of
                # the offsets point at the quote in the source's stored text
                text = base.stored_text(next(s for s in arguments.sources
                                             if s.id == claim.source))
                assert claim.quote.start is not None and claim.quote.end is not None
                found = text[claim.quote.start:claim.quote.end]
                assert " ".join(found.split()) == " ".join(seed.quote.text.split()) or (
                    len(found.split()) == len(seed.quote.text.split()))
        assert {s.url for s in arguments.sources} >= {
            "https://www.nos.nl/artikel/2227440-big-brother-2-0-in-china-bepaalt-je-sociale-"
            "score-je-leven.html"}
    english, dutch = made["en"], made["nl"]
    assert [c.label for c in english.claims] == [c.label for c in dutch.claims]
    assert english.claims[0].statement != dutch.claims[0].statement  # each in its words
    translated = [c for c in english.claims if c.quote and c.quote.translation]
    assert translated and not any(c.quote and c.quote.translation for c in dutch.claims)


def _aif_counts(document: dict) -> Counter:
    return Counter(n["type"] for n in document["nodes"])


def test_aif_has_a_node_for_each_claim_relation_and_locution(english):
    document = json.loads(derived.aif(english))
    nodes = {n["nodeID"]: n for n in document["nodes"]}
    counts = _aif_counts(document)
    relations = Counter(r.type for r in english.relations)
    undercut = derived.links(english)
    assert counts["I"] == len(english.claims)
    assert counts["RA"] == relations["supports"]
    assert counts["CA"] == relations["attacks"] + sum(max(1, len(found))
                                                      for found in undercut.values())
    holders = sum(len(c.holders) for c in english.claims)
    assert counts["L"] == holders + len(english.claims)  # each holder's, and the reporter's
    for edge in document["edges"]:
        assert edge["fromID"] in nodes and edge["toID"] in nodes
    # An undercut is a CA on the RA of the support it undercuts.
    for rel in english.relations:
        if rel.type != "undercuts":
            continue
        attacked = [e["toID"] for e in document["edges"]
                    if e["fromID"].startswith(f"S:{rel.id}")]
        supports = [r for r in undercut[rel.id] if r.type == "supports"]
        if supports:
            assert {nodes[a]["type"] for a in attacked} <= {"RA", "CA"}
            assert f"S:{supports[0].id}" in attacked
        elif not undercut[rel.id]:
            assert attacked == [f"I:{rel.target}"]
    # Speaker and reporter: the holder's locution is reported in the reporter's.
    reported = next(c for c in english.claims if c.reporter not in c.holders)
    holder = f"L:{reported.id}:{reported.holders[0]}"
    reporting = [e["toID"] for e in document["edges"]
                 if e["fromID"] == f"L:{reported.id}:reported:{reported.reporter}"]
    assert any(nodes[r]["text"] == "Reporting" and {"fromID": r, "toID": holder} in [
        {"fromID": e["fromID"], "toID": e["toID"]} for e in document["edges"]]
        for r in reporting)


def test_arguebuf_reads_our_aif_and_xaif_with_the_same_counts(english):
    # arguebuf reads the argument layer (I-, RA-, CA-nodes and the edges between them) and
    # skips the dialogue layer (L, TA, YA), which it does not model.
    relations = Counter(r.type for r in english.relations)
    undercut = derived.links(english)
    undercuts = sum(max(1, len(found)) for found in undercut.values())
    schemes = {"RA": arguebuf.Support.DEFAULT, "CA": arguebuf.Attack.DEFAULT}
    for name, load in (("aif", arguebuf.load.aif), ("xaif", arguebuf.load.xaif)):
        document = json.loads(getattr(derived, name)(english))
        ours = document.get("AIF", document)
        kept = {n["nodeID"]: n["type"] for n in ours["nodes"] if n["type"] in ("I", "RA", "CA")}
        graph = load(document)
        assert {a.id: a.plain_text for a in graph.atom_nodes.values()} == {
            f"I:{c.id}": c.statement for c in english.claims}
        assert {s.id: s.scheme for s in graph.scheme_nodes.values()} == {
            ident: schemes[kind] for ident, kind in kept.items() if kind != "I"}
        kinds = Counter(type(s.scheme).__name__ for s in graph.scheme_nodes.values())
        assert kinds == {"Support": relations["supports"],
                         "Attack": relations["attacks"] + undercuts}
        assert {(e.source.id, e.target.id) for e in graph.edges.values()} == {
            (e["fromID"], e["toID"]) for e in ours["edges"]
            if e["fromID"] in kept and e["toID"] in kept}
        assert len(graph.edges) == 2 * len(graph.scheme_nodes)
        # each relation: from its source's claim (an undercut's CA may come in too), through
        # a scheme of its type, to its target's claim; an undercut's, to the scheme of a
        # relation its target bears on (or to the target where it bears on none)
        for rel in english.relations:
            nodes = [s for i, s in graph.scheme_nodes.items()
                     if i == f"S:{rel.id}" or i.startswith(f"S:{rel.id}:")]
            onto = {f"I:{rel.target}"} if rel.type != "undercuts" or not undercut[rel.id] else {
                i for i in graph.scheme_nodes for r in undercut[rel.id]
                if i == f"S:{r.id}" or i.startswith(f"S:{r.id}:")}
            assert len(nodes) == (len(onto) if rel.type == "undercuts" else 1)
            for node in nodes:
                assert isinstance(node.scheme, arguebuf.Support if rel.type == "supports"
                                  else arguebuf.Attack)
                assert {n.id for n in graph.incoming_nodes(node)
                        if isinstance(n, arguebuf.AtomNode)} == {f"I:{rel.source}"}
                [target] = graph.outgoing_nodes(node)
                assert target.id in onto


def test_graphml_is_a_graph_of_the_claims_and_relations(english):
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ET.fromstring(derived.graphml(english))
    keys = {k.get("id"): k.get("for") for k in root.findall("g:key", ns)}
    graph = root.find("g:graph", ns)
    assert graph is not None and graph.get("edgedefault") == "directed"
    nodes = {n.get("id"): n for n in graph.findall("g:node", ns)}
    edges = graph.findall("g:edge", ns)
    assert set(nodes) == {c.id for c in english.claims}
    assert len(edges) == len(english.relations)
    for edge in edges:
        assert edge.get("source") in nodes and edge.get("target") in nodes
        assert all(keys[d.get("key")] == "edge" for d in edge.findall("g:data", ns))
    types = Counter(e.find("g:data[@key='type']", ns).text for e in edges)  # type: ignore[union-attr]
    assert types == Counter(r.type for r in english.relations)


def test_networkx_reads_our_graphml_with_the_claims_and_relations(english):
    graph = networkx.read_graphml(io.BytesIO(derived.graphml(english)), edge_key_type=str,
                                  force_multigraph=True)  # keyed by our relation ids
    assert graph.is_directed()
    assert graph.number_of_nodes() == len(english.claims)
    assert graph.number_of_edges() == len(english.relations)
    assert {n: (d["label"], d["statement"]) for n, d in graph.nodes(data=True)} == {
        c.id: (c.label, c.statement) for c in english.claims}
    assert {(s, t, k): (d["type"], d["ours"]) for s, t, k, d in
            graph.edges(keys=True, data=True)} == {
        (r.source, r.target, r.id): (r.type, r.ours) for r in english.relations}


# JSON-LD processing loads no context from the network: pyld's frozen loader serves the
# W3C's Web Annotation context from a copy (tests/schemas/README.md) and refuses any other
# URL. Our schema.org JSON-LD needs none: its context is inline.
ANNO = "http://www.w3.org/ns/anno.jsonld"
LOADER = {"documentLoader": FrozenDocumentLoader(
    {ANNO: Path(__file__).parent / "schemas" / "anno.jsonld"})}
SCHEMA = "https://schema.org/"
OA = "http://www.w3.org/ns/oa#"


def test_pyld_expands_our_jsonld_to_schema_org(english):
    document = json.loads(derived.jsonld(english))
    expanded = jsonld.expand(document, LOADER)

    def same(ours, read):  # every term of ours a schema.org IRI in what pyld read, none lost
        if isinstance(ours, dict):
            assert set(read) == {k if k.startswith("@") else SCHEMA + k for k in ours}
            for key, value in ours.items():
                if key == "@type":
                    assert read[key] == [SCHEMA + value]
                elif key == "@id":
                    assert read[key] == value
                else:
                    same(value if isinstance(value, list) else [value], read[SCHEMA + key])
        elif isinstance(ours, list):
            assert len(read) == len(ours)
            for mine, theirs in zip(ours, read, strict=True):
                same(mine, theirs)
        else:
            assert read == {"@value": ours}

    same(document["@graph"], expanded)
    claims = [n for n in expanded if n["@type"] == [SCHEMA + "Claim"]]
    assert len(claims) == len(english.claims)


def test_pyld_expands_our_web_annotations_to_the_w3c_model(english):
    document = json.loads(derived.web_annotations(english))
    [collection] = jsonld.expand(document, LOADER)
    assert collection["@type"] == ["http://www.w3.org/ns/activitystreams#OrderedCollection"]
    [page] = collection["http://www.w3.org/ns/activitystreams#first"]
    [items] = page["http://www.w3.org/ns/activitystreams#items"]
    annotations = items["@list"]
    assert len(annotations) == sum(1 for c in english.claims if c.quote)
    sources = {s.id: s.url for s in english.sources}
    for claim, annotation in zip((c for c in english.claims if c.quote), annotations,
                                 strict=True):
        assert annotation["@id"] == f"{english.identifier}#quote-{claim.id}"
        assert annotation["@type"] == [OA + "Annotation"]
        assert annotation[OA + "hasBody"]
        specific, *link = annotation[OA + "hasTarget"]
        assert specific["@type"] == [OA + "SpecificResource"]
        assert [s["@id"] for s in specific[OA + "hasSource"]] == [
            sources[claim.source] or f"{english.identifier}#source-{claim.source}"]
        quote, position = specific[OA + "hasSelector"]
        assert quote["@type"] == [OA + "TextQuoteSelector"]
        assert {OA + "exact", OA + "prefix", OA + "suffix"} < set(quote)
        assert position["@type"] == [OA + "TextPositionSelector"]
        assert {OA + "start", OA + "end"} < set(position)
        assert [t["@id"] for t in link] == (
            [derived.text_fragment(sources[claim.source], quote[OA + "exact"][0]["@value"])]
            if sources[claim.source] else [])
    # JSON-LD drops a term its context does not define: compacted again, nothing is missing
    assert jsonld.compact([collection], ANNO, LOADER) == document


SCHEMA_TERMS = {"@id", "@type", "name", "text", "identifier", "inLanguage", "author", "url",
                "description", "appearance", "firstAppearance", "isPartOf", "creator",
                "position", "workTranslation", "keywords"}


def test_jsonld_says_each_claim_with_schema_org_terms(english):
    document = json.loads(derived.jsonld(english))
    assert document["@context"] == {"@vocab": "https://schema.org/"}
    graph = {node["@id"]: node for node in document["@graph"]}
    claims = [n for n in graph.values() if n["@type"] == "Claim"]
    assert len(claims) == len(english.claims)

    def walk(node):
        if isinstance(node, dict):
            assert set(node) <= SCHEMA_TERMS, set(node) - SCHEMA_TERMS
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document["@graph"])
    for claim in claims:
        assert claim["@id"] == f"{english.identifier}#claim-{claim['identifier']}"
        assert all(graph[a["@id"]]["@type"] in ("Person", "Organization")
                   for a in claim["author"])
        assert graph[claim["firstAppearance"]["@id"]]["@type"] == "Article"
        appearance = claim["appearance"]
        if appearance.get("@type") == "Quotation":
            assert graph[appearance["isPartOf"]["@id"]]["@type"] == "Article"
            assert appearance["creator"]["@id"] in graph


def test_web_annotations_anchor_each_quote_in_its_source(english):
    document = json.loads(derived.web_annotations(english))
    assert document["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert document["type"] == "AnnotationCollection"
    items = document["first"]["items"]
    assert len(items) == document["total"] == sum(1 for c in english.claims if c.quote)
    sources = {s.url: s for s in english.sources}
    for item in items:
        # the model's required fields: id, type, target (and the body we always give)
        assert item["id"] and item["type"] == "Annotation" and item["target"]
        target, link = item["target"]
        quote, position = target["selector"]
        assert quote["type"] == "TextQuoteSelector" and position["type"] == "TextPositionSelector"
        text = base.stored_text(sources[target["source"]])
        assert text[position["start"]:position["end"]] == quote["exact"]
        assert text[:position["start"]].endswith(quote["prefix"])
        assert text[position["end"]:].startswith(quote["suffix"])
        page, _, directive = link.partition("#:~:text=")
        assert page == target["source"]
        parts = [urllib.parse.unquote(p) for p in directive.split(",")]
        assert not re.search(r"[-&,]", directive.replace("%2D", "").replace(",", "", 1)
                             if len(parts) == 2 else directive)
        words = quote["exact"].split()
        assert parts == ([quote["exact"]] if len(words) <= 8 else
                         [" ".join(words[:4]), " ".join(words[-4:])])


def test_argdown_states_each_claim_once_and_each_relation(english):
    text = derived.argdown(english).decode("utf-8")
    labels = {c.label for c in english.claims}
    declared = re.findall(r"^\[([^\]]+)\]: ", text, re.M)
    assert sorted(declared) == sorted(labels)
    relations = Counter(r.type for r in english.relations)
    assert len(re.findall(r"^  \+> \[", text, re.M)) + len(
        re.findall(r"^\(1\) \[", text, re.M)) == relations["supports"]
    undercuts = len(re.findall(r"^  _> <", text, re.M)) + len(
        re.findall(r"^  -> \[[^\]]+\]  // undercuts", text, re.M))
    assert undercuts >= relations["undercuts"]
    assert not re.search(r"(?<!\\)#", "".join(
        line for line in text.splitlines() if line.startswith("[")))


def test_argdown_reads_our_argdown_with_the_same_statements_and_relations(english, tmp_path):
    # ARGDOWN_CLI: another install of @argdown/cli (package.json's is node_modules/.bin)
    argdown = need("Argdown", os.environ.get("ARGDOWN_CLI") or NODE / ".bin" / "argdown",
                   "npm: @argdown/cli in package.json")
    source = tmp_path / "map.argdown"
    source.write_bytes(derived.argdown(english))
    done = subprocess.run([argdown, "json", str(source), str(tmp_path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    read = json.loads((tmp_path / "map.json").read_text("utf-8"))
    statements = {title: next(m["text"] for m in s["members"] if m.get("text"))
                  for title, s in read["statements"].items()}
    assert statements == {c.label: " ".join(c.statement.split()) for c in english.claims}
    found = Counter(r["relationType"] for r in read["relations"])
    ours = Counter(r.type for r in english.relations)
    undercut = derived.links(english)
    inferences = {r.id for found in undercut.values() for r in found if r.type == "supports"}
    assert len(read["arguments"]) == len(inferences)
    assert found["support"] + len(inferences) == ours["supports"]
    assert found["undercut"] == sum(len([r for r in undercut[u.id] if r.type == "supports"])
                                    for u in english.relations if u.type == "undercuts")
    direct = sum(1 for u in english.relations if u.type == "undercuts"
                 and not any(r.type == "supports" for r in undercut[u.id]))
    assert found["attack"] == ours["attacks"] + direct


def test_export_writes_every_format_of_the_minimal_project(tmp_path):
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    done = run_cli(project, "export", "--format", "all")
    assert done.code == 0, done.err
    written = sorted(p.name for p in (project / "build").iterdir() if not p.name.startswith("."))
    assert written == sorted(f"briefing.{s}" for s in (
        "arguments.json", "aif.json", "xaif.json", "argdown", "graphml", "jsonld",
        "annotations.jsonld"))
    assert len(NAMES) == 7 and "Traceback" not in done.err
    data = json.loads((project / "build/briefing.arguments.json").read_text("utf-8"))
    assert [r["type"] for r in data["relations"]] == ["undercuts"]
    # a failed export writes nothing: an unknown edition is named
    before = tree_digests(project / "build")
    refused = run_cli(project, "export", "--format", "aif", "--edition", "xx")
    assert refused.code == 1 and "error:" in refused.err and "Traceback" not in refused.err
    assert tree_digests(project / "build") == before


def test_stdout_prints_one_format_of_one_edition():
    loaded = recipe.load(FIXTURES / "minimal")
    arguments = base.make(loaded.model, loaded.localised(loaded.project.editions[0]))
    assert derived.argdown(arguments).decode("utf-8").startswith("===\ntitle: \"Fixture")


def test_schema_file_is_what_export_schema_prints(tmp_path: Path):
    done = run_cli(tmp_path, "export", "--schema")
    assert done.code == 0
    assert json.loads(done.out) == json.loads(
        (ROOT / "docs/schema/arguments.schema.json").read_text("utf-8"))

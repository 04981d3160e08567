"""The field's formats, each derived from briefing-arguments (base.py) alone.

- AIF (AIFdb JSON) and xAIF: a claim is an I-node, a support an RA-node, an attack a
  CA-node. An undercut attacks the link between its target and what the target bears
  on: a CA-node on each RA (or CA) the target is the premise of; where the target bears
  on nothing, the CA is on the target itself (as an attack). Who says what is dialogue:
  each holder's locution (L-node) asserts the claim (YA "Asserting"); it reaches us in
  its reporter's locution (L-node, YA "Reporting" onto the holder's); a relation is a
  transition (TA) from the target's locution to the source's, anchoring its RA/CA
  (YA "Arguing" or "Disagreeing").
- Argdown: statements [P3] under their perspective's heading (background first);
  supports +>, attacks ->; an undercut is `_>` onto the argument <P3 to P5> (its
  premise-conclusion structure written out, which stands for that support), or ->
  where the target supports nothing.
- GraphML: claims as nodes, relations as edges, with their data.
- JSON-LD: schema.org Claim with author, appearance (the quotation in its article) and
  firstAppearance (the article); an inline context, so it expands without a network.
- W3C Web Annotations: a claim's quote anchored in its source (TextQuoteSelector with
  exact, prefix and suffix from the paragraph; TextPositionSelector in the stored text)
  and, where the source has a URL, a text-fragment link (#:~:text=) to the passage.
Bytes are deterministic: every list in a fixed order of ids.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET

from briefing.outputs.arguments.base import Arguments, Claim, Relation, Source, dump

AIF_TYPES = {"supports": "RA", "attacks": "CA", "undercuts": "CA"}
AIF_SCHEMES = {"supports": "Default Inference", "attacks": "Default Conflict",
               "undercuts": "Default Conflict"}
ILLOCUTIONS = {"supports": "Arguing", "attacks": "Disagreeing", "undercuts": "Disagreeing"}


# ---- AIF and xAIF ----------------------------------------------------------------------

class _Graph:
    def __init__(self, timestamp: str, stamped: bool):
        self.nodes: list[dict] = []
        self.edges: list[tuple[str, str]] = []
        self.timestamp, self.stamped = timestamp, stamped

    def node(self, ident: str, kind: str, text: str) -> str:
        found = {"nodeID": ident, "text": text, "type": kind}
        if self.stamped:
            found["timestamp"] = self.timestamp
        self.nodes.append(found)
        return ident

    def edge(self, source: str, target: str) -> None:
        self.edges.append((source, target))


def links(arguments: Arguments) -> dict[str, list[Relation]]:
    """What each undercut attacks: the relations its target is the premise of (none:
    the target itself)."""
    out: dict[str, list[Relation]] = {}
    for rel in arguments.relations:
        if rel.type == "undercuts":
            out[rel.id] = [r for r in arguments.relations
                           if r.source == rel.target and r.id != rel.id]
    return out


def _aif_graph(arguments: Arguments, stamped: bool) -> tuple[_Graph, list[dict], list[dict]]:
    graph = _Graph(f"{arguments.date} 00:00:00", stamped)
    actors = {a.id: a for a in arguments.actors}
    person = {aid: i + 1 for i, aid in enumerate(sorted(actors))}
    locutions: list[dict] = []
    said: dict[str, str] = {}  # claim id -> its first holder's locution
    for claim in arguments.claims:
        graph.node(f"I:{claim.id}", "I", claim.statement)
        reporter = f"L:{claim.id}:reported:{claim.reporter}"
        says = "says" if len(claim.holders) == 1 else "say"
        graph.node(reporter, "L", f"{actors[claim.reporter].name}: "
                   f"{', '.join(actors[h].name for h in claim.holders)} {says}: "
                   f"{claim.statement}")
        locutions.append({"nodeID": reporter, "personID": person[claim.reporter]})
        for holder in claim.holders:
            own = f"L:{claim.id}:{holder}"
            said.setdefault(claim.id, own)
            graph.node(own, "L", f"{actors[holder].name}: {claim.statement}")
            locutions.append({"nodeID": own, "personID": person[holder]})
            asserting = graph.node(f"YA:{claim.id}:{holder}", "YA", "Asserting")
            graph.edge(own, asserting)
            graph.edge(asserting, f"I:{claim.id}")
            if holder != claim.reporter:
                reporting = graph.node(f"YA:{claim.id}:{holder}:reported", "YA", "Reporting")
                graph.edge(reporter, reporting)
                graph.edge(reporting, own)
    for rel in arguments.relations:
        targets = _targets(arguments, rel, links(arguments), {})
        for index, target in enumerate(targets):
            ident = f"S:{rel.id}" + (f":{index + 1}" if len(targets) > 1 else "")
            graph.node(ident, AIF_TYPES[rel.type], AIF_SCHEMES[rel.type])
            graph.edge(f"I:{rel.source}", ident)
            graph.edge(ident, target)
            transition = graph.node(f"TA:{ident[2:]}", "TA", "Default Transition")
            graph.edge(said[rel.target], transition)
            graph.edge(transition, said[rel.source])
            anchor = graph.node(f"YA:{ident[2:]}", "YA", ILLOCUTIONS[rel.type])
            graph.edge(transition, anchor)
            graph.edge(anchor, ident)
    participants = []
    for aid in sorted(actors):
        first, _, last = actors[aid].name.partition(" ") if actors[aid].kind == "person" else (
            actors[aid].name, "", "")
        participants.append({"participantID": person[aid], "firstname": first,
                             "surname": last})
    return graph, locutions, participants


def _targets(arguments: Arguments, rel: Relation, undercut: dict[str, list[Relation]],
             made: dict[str, list[str]]) -> list[str]:
    """What a relation's S-nodes point at: the target's I-node; for an undercut, the
    S-nodes of the relations its target bears on by (one S-node per such target)."""
    if rel.id in made:
        return made[rel.id]
    made[rel.id] = [f"I:{rel.target}"]  # a cycle of undercuts ends at a claim
    found = []
    for link in undercut.get(rel.id, []):
        count = len(_targets(arguments, link, undercut, made))
        found += [f"S:{link.id}" + (f":{i + 1}" if count > 1 else "") for i in range(count)]
    made[rel.id] = found or [f"I:{rel.target}"]
    return made[rel.id]


def _edges(graph: _Graph) -> list[dict]:
    return [{"edgeID": f"E{i + 1}", "fromID": s, "toID": t}
            for i, (s, t) in enumerate(sorted(graph.edges))]


def aif(arguments: Arguments) -> bytes:
    """AIFdb JSON: nodes, edges, locutions, participants."""
    graph, locutions, participants = _aif_graph(arguments, stamped=True)
    return dump({"nodes": sorted(graph.nodes, key=lambda n: n["nodeID"]),
                 "edges": [{**e, "formEdgeID": None} for e in _edges(graph)],
                 "locutions": [{**loc, "timestamp": graph.timestamp} for loc in
                               sorted(locutions, key=lambda n: n["nodeID"])],
                 "participants": participants})


def xaif(arguments: Arguments) -> bytes:
    """xAIF: the AIF under "AIF", the sources' stored text under "text"."""
    graph, locutions, participants = _aif_graph(arguments, stamped=False)
    text = "\n\n".join(f"{s.title}\n\n" + "\n\n".join(p.text for p in s.paragraphs)
                       for s in arguments.sources)
    return dump({"AIF": {"nodes": sorted(graph.nodes, key=lambda n: n["nodeID"]),
                         "edges": _edges(graph),
                         "schemefulfillments": [],
                         "locutions": sorted(locutions, key=lambda n: n["nodeID"]),
                         "participants": participants},
                 "dialog": True, "OVA": {}, "text": text})


# ---- Argdown ---------------------------------------------------------------------------

_ARGDOWN_SPECIAL = "\\[]<>#*_@{}"


def _escape(text: str) -> str:
    """Argdown's markup characters in our words, escaped (a # would start a tag)."""
    text = " ".join(text.split())
    return "".join(f"\\{ch}" if ch in _ARGDOWN_SPECIAL else ch for ch in text)


def argdown(arguments: Arguments) -> bytes:
    """Argdown text: statements by perspective, then the relations claim by claim."""
    by_id = {c.id: c for c in arguments.claims}
    label = {c.id: c.label for c in arguments.claims}
    undercut = links(arguments)
    undercut_supports = {r.id for found in undercut.values() for r in found
                         if r.type == "supports"}
    out = ["===", f"title: {_yaml(arguments.title)}", f"lang: {arguments.language}", "===", ""]
    groups: list[tuple[str | None, str]] = [(p.id, p.title) for p in arguments.perspectives]
    for pid, title in [(None, "")] + groups:
        members = [c for c in arguments.claims if c.perspective == pid]
        if not members:
            continue
        if pid is not None:
            out += [f"# {_escape(title)}", ""]
        for claim in sorted(members, key=_place):  # no tag: Argdown keeps it in the text
            out += [f"[{claim.label}]: {_escape(claim.statement)}", ""]
    arguments_made = sorted(undercut_supports)
    for rid in arguments_made:
        rel = next(r for r in arguments.relations if r.id == rid)
        out += [f"<{_argument(label, rel)}>", "",
                f"(1) [{label[rel.source]}]", "----", f"(2) [{label[rel.target]}]", ""]
    for claim in sorted(arguments.claims, key=_place):
        lines = []
        for rel in (r for r in arguments.relations if r.source == claim.id):
            ours = "  // our reading" if rel.ours else ""
            if rel.type == "supports" and rel.id not in undercut_supports:
                lines.append(f"  +> [{label[rel.target]}]{ours}")
            elif rel.type == "attacks":
                lines.append(f"  -> [{label[rel.target]}]{ours}")
            elif rel.type == "undercuts":
                found = [r for r in undercut[rel.id] if r.type == "supports"]
                lines += [f"  _> <{_argument(label, r)}>{ours}" for r in found]
                if not found:  # no inference of the target's to undercut: an attack on it
                    lines.append(f"  -> [{label[rel.target]}]  // undercuts"
                                 + (", our reading" if rel.ours else ""))
        if lines:
            out += [f"[{by_id[claim.id].label}]", *lines, ""]
    return ("\n".join(out).rstrip("\n") + "\n").encode("utf-8")


def _argument(label: dict[str, str], rel: Relation) -> str:
    return f"{label[rel.source]} to {label[rel.target]}"


def _place(claim: Claim) -> tuple[str, int]:
    digits = len(claim.label) - len(claim.label.rstrip("0123456789"))
    return claim.label[:len(claim.label) - digits], int(claim.label[-digits:] or 0)


def _yaml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---- GraphML ---------------------------------------------------------------------------

GRAPHML = "http://graphml.graphdrawing.org/xmlns"
NODE_KEYS = ("label", "statement", "perspective", "kind", "stance", "holders", "reporter",
             "source", "quote")
EDGE_KEYS = ("type", "ours")


def graphml(arguments: Arguments) -> bytes:
    """GraphML: claims as nodes, relations as edges (an undercut ends at its target)."""
    ET.register_namespace("", GRAPHML)
    root = ET.Element(f"{{{GRAPHML}}}graphml")
    for name in NODE_KEYS:
        ET.SubElement(root, f"{{{GRAPHML}}}key", {"id": name, "for": "node",
                                                  "attr.name": name, "attr.type": "string"})
    for name in EDGE_KEYS:
        ET.SubElement(root, f"{{{GRAPHML}}}key", {
            "id": name, "for": "edge", "attr.name": name,
            "attr.type": "boolean" if name == "ours" else "string"})
    graph = ET.SubElement(root, f"{{{GRAPHML}}}graph", {"id": arguments.edition,
                                                        "edgedefault": "directed"})
    for claim in arguments.claims:
        node = ET.SubElement(graph, f"{{{GRAPHML}}}node", {"id": claim.id})
        values = {"label": claim.label, "statement": claim.statement,
                  "perspective": claim.perspective or "", "kind": claim.kind,
                  "stance": claim.stance, "holders": " ".join(claim.holders),
                  "reporter": claim.reporter, "source": claim.source,
                  "quote": claim.quote.text if claim.quote else ""}
        for name in NODE_KEYS:
            ET.SubElement(node, f"{{{GRAPHML}}}data", {"key": name}).text = values[name]
    for rel in arguments.relations:
        edge = ET.SubElement(graph, f"{{{GRAPHML}}}edge", {"id": rel.id, "source": rel.source,
                                                           "target": rel.target})
        ET.SubElement(edge, f"{{{GRAPHML}}}data", {"key": "type"}).text = rel.type
        ET.SubElement(edge, f"{{{GRAPHML}}}data", {"key": "ours"}).text = (
            "true" if rel.ours else "false")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# ---- JSON-LD (schema.org) --------------------------------------------------------------

SCHEMA_CONTEXT = {"@vocab": "https://schema.org/"}


def _iri(arguments: Arguments, kind: str, ident: str) -> str:
    return f"{arguments.identifier}#{kind}-{ident}"


def jsonld(arguments: Arguments) -> bytes:
    """schema.org Claims with their authors and where they appear."""
    sources = {s.id: s for s in arguments.sources}
    graph: list[dict] = []
    found: dict
    for actor in arguments.actors:
        found = {"@id": _iri(arguments, "actor", actor.id),
                 "@type": "Person" if actor.kind == "person" else "Organization",
                 "name": actor.name}
        if actor.role:
            found["description"] = actor.role
        graph.append(found)
    for source in arguments.sources:
        found = {"@id": _source_iri(arguments, source), "@type": "Article",
                 "identifier": source.key, "name": source.title,
                 "inLanguage": source.language,
                 "author": {"@id": _iri(arguments, "actor", source.reporter)}}
        if source.url:
            found["url"] = source.url
        graph.append(found)
    for claim in arguments.claims:
        article = {"@id": _source_iri(arguments, sources[claim.source])}
        found = {"@id": _iri(arguments, "claim", claim.id), "@type": "Claim",
                 "identifier": claim.id, "name": claim.label, "text": claim.statement,
                 "inLanguage": arguments.language,
                 "author": [{"@id": _iri(arguments, "actor", h)} for h in claim.holders],
                 "firstAppearance": article}
        if claim.quote is not None:
            speaker = claim.quote.words_of or claim.holders[0]
            quotation: dict = {"@type": "Quotation", "text": claim.quote.text,
                               "inLanguage": sources[claim.source].language,
                               "isPartOf": article,
                               "creator": {"@id": _iri(arguments, "actor", speaker)},
                               "position": claim.quote.para}
            if claim.quote.translation:
                quotation["workTranslation"] = {"@type": "Quotation",
                                                "text": claim.quote.translation,
                                                "inLanguage": arguments.language}
            found["appearance"] = quotation
        else:
            found["appearance"] = article
        found["keywords"] = [k for k in (claim.perspective, claim.kind) if k]
        graph.append(found)
    return dump({"@context": SCHEMA_CONTEXT, "@graph": graph})


def _source_iri(arguments: Arguments, source: Source) -> str:
    return source.url or _iri(arguments, "source", source.id)


# ---- W3C Web Annotations ---------------------------------------------------------------

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
AFFIX = 32  # characters of prefix and suffix, within the paragraph


def web_annotations(arguments: Arguments) -> bytes:
    """An AnnotationCollection: each quoted claim anchored in its source's passage."""
    sources = {s.id: s for s in arguments.sources}
    items = [_annotation(arguments, claim, sources[claim.source])
             for claim in arguments.claims if claim.quote is not None
             and claim.quote.start is not None]
    return dump({"@context": ANNO_CONTEXT, "id": f"{arguments.identifier}#annotations",
                 "type": "AnnotationCollection", "label": arguments.title,
                 "total": len(items),
                 "first": {"id": f"{arguments.identifier}#annotations-1",
                           "type": "AnnotationPage", "startIndex": 0, "items": items}})


def _annotation(arguments: Arguments, claim: Claim, source: Source) -> dict:
    quote = claim.quote
    assert quote is not None and quote.start is not None and quote.end is not None
    paragraph = next(p for p in source.paragraphs if p.para == quote.para)
    at, to = quote.start - paragraph.start, quote.end - paragraph.start
    exact = paragraph.text[at:to]
    body = [{"type": "TextualBody", "value": claim.statement, "format": "text/plain",
             "language": arguments.language, "purpose": "describing"},
            {"type": "TextualBody", "value": claim.label, "purpose": "tagging"}]
    if quote.translation:
        body.append({"type": "TextualBody", "value": quote.translation,
                     "format": "text/plain", "language": arguments.language,
                     "purpose": "describing"})
    target: dict = {
        "type": "SpecificResource",
        "source": source.url or f"{arguments.identifier}#source-{source.id}",
        "selector": [{"type": "TextQuoteSelector", "exact": exact,
                      "prefix": paragraph.text[max(0, at - AFFIX):at],
                      "suffix": paragraph.text[to:to + AFFIX]},
                     {"type": "TextPositionSelector", "start": quote.start,
                      "end": quote.end}]}
    targets: list = [target]
    if source.url:
        targets.append(text_fragment(source.url, exact))
    return {"id": _iri(arguments, "quote", claim.id), "type": "Annotation",
            "motivation": "describing", "created": f"{arguments.date}T00:00:00Z",
            "body": body, "target": targets}


def text_fragment(url: str, exact: str) -> str:
    """A link to the passage (#:~:text=), by its first and last words when long."""
    words = exact.split()
    directive = (_encode(exact) if len(words) <= 8 else
                 f"{_encode(' '.join(words[:4]))},{_encode(' '.join(words[-4:]))}")
    return f"{url.split('#', 1)[0]}#:~:text={directive}"


def _encode(text: str) -> str:
    """Percent-encoded for a text directive: its - , & too (they are its syntax)."""
    return urllib.parse.quote(text, safe="").replace("-", "%2D")

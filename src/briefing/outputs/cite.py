"""The briefing's own citation, in the formats students' reference managers read."""

from __future__ import annotations

import json
from types import SimpleNamespace

from briefing.compose.language import Localised
from briefing.model import formats
from briefing.model.project import Project
from briefing.model.texts import Edition, Localiser

# The citation formats of the registry (model/formats.py): those with a file name suffix
# are also written beside every build (citations.py).
FORMATS = tuple(formats.citations())


def facts(project: Project, lang: Localised) -> SimpleNamespace:
    """The document's citation facts in one edition's language, with its own language tag
    and identifier (each edition is a publication of its own)."""
    doc, edition, tr = project.config.document, lang.edition, lang.text
    return SimpleNamespace(
        title=tr(doc.title), subtitle=tr(doc.subtitle), organisation=tr(doc.organisation),
        authors=doc.author_names(), people=doc.authors, version=doc.version, date=doc.date,
        url=doc.url, series=tr(doc.series), number=doc.number, licence=doc.licence,
        language=edition.language, identifier=edition.identifier, keywords=tr.words(doc.keywords))


def _key(doc: SimpleNamespace) -> str:
    word = "".join(ch for ch in doc.title.split()[0].lower() if ch.isalnum()) or "briefing"
    org = "".join(ch for ch in doc.organisation.lower() if ch.isalnum())[:12] or "org"
    return f"{org}{doc.date.year}{word}"


def _braced(text: str) -> str:
    return text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")


# biblatex's language names (langid) for the languages of the editions.
BIBLATEX_LANGUAGES = {"en-GB": "british", "en-US": "american", "en": "english",
                      "nl": "dutch", "de": "ngerman", "fr": "french", "es": "spanish",
                      "it": "italian"}


def _langid(tag: str) -> str:
    return BIBLATEX_LANGUAGES.get(tag) or BIBLATEX_LANGUAGES.get(tag.split("-")[0], tag)


def _present(doc, **keys: str) -> dict[str, str]:
    """The optional facts the document has, each under the format's key for it
    (attribute=key), in the order given; a fact it lacks is left out."""
    return {key: getattr(doc, attribute) for attribute, key in keys.items()
            if getattr(doc, attribute)}


def render(project: Project, fmt: str, lang: Localised) -> str:
    doc = facts(project, lang)
    title = doc.title + (f": {doc.subtitle}" if doc.subtitle else "")
    if fmt == "bibtex":
        # Each name escaped like every other value: a brace in a name cannot end the field.
        author = " and ".join(_braced(a) for a in doc.authors) if doc.authors else (
            "{" + _braced(doc.organisation) + "}")
        fields = {"author": author, "title": title, "institution": doc.organisation,
                  "type": "Briefing", "version": doc.version, "date": doc.date.isoformat(),
                  "year": str(doc.date.year), "langid": _langid(doc.language),
                  # biblatex prints "URN: urn:uuid:..." from these two.
                  "eprint": doc.identifier, "eprinttype": "urn"}
        fields.update(_present(doc, url="url", series="series", number="number"))
        body = ",\n".join(f"  {k} = {{{v if k == 'author' else _braced(v)}}}"
                          for k, v in fields.items())
        return f"@techreport{{{_key(doc)},\n{body}\n}}\n"
    if fmt == "ris":
        lines = ["TY  - RPRT"]
        # RIS has no tag for a corporate author: its name goes in AU with a trailing comma,
        # the convention EndNote documents ("put a comma after the name"), so that it is
        # read as one name and not split into "project, The briefing".
        lines += [f"AU  - {a}" for a in doc.authors] or [f"AU  - {doc.organisation},"]
        lines += [f"TI  - {title}", f"PY  - {doc.date.year}",
                  f"DA  - {doc.date:%Y/%m/%d}", f"PB  - {doc.organisation}",
                  f"ET  - {doc.version}", f"LA  - {doc.language}", f"M1  - {doc.identifier}"]
        lines += [f"{tag}  - {value}" for tag, value in
                  _present(doc, url="UR", series="T3", number="SN").items()]
        return "\n".join(lines + ["ER  - ", ""])
    if fmt == "csl-json":
        item = {"id": _key(doc), "type": "report", "title": title,
                "author": [{"literal": a} for a in doc.authors] or [
                    {"literal": doc.organisation}],
                "publisher": doc.organisation, "version": doc.version, "genre": "Briefing",
                "issued": {"date-parts": [[doc.date.year, doc.date.month, doc.date.day]]},
                "language": doc.language, "number": doc.identifier}
        item.update(_present(doc, url="URL", series="collection-title",
                             number="collection-number", licence="license"))
        return json.dumps([item], ensure_ascii=False, indent=2) + "\n"
    if fmt == "cff":
        others = [(e, Localiser(e, project.default_edition.id)) for e in project.editions
                  if e.id != lang.edition.id]
        return _cff(doc, title, [(e, tr(project.config.document.title)) for e, tr in others])
    if fmt == "text":
        from briefing.compose.metadata import how_to_cite

        return how_to_cite(project, lang) + "\n"
    raise ValueError(fmt)


def _cff(doc: SimpleNamespace, title: str, others: list[tuple[Edition, str]]) -> str:
    """CITATION.cff (schema 1.2.0): this edition, with every other edition's identifier
    listed too. Strings are JSON-quoted, which is valid YAML."""
    q = lambda text: json.dumps(text, ensure_ascii=False)  # noqa: E731
    who = [_cff_person(person, q) for person in doc.people] or [
        f"  - name: {q(doc.organisation)}"]
    lines = ["cff-version: 1.2.0",
             'message: "If you cite this briefing, please cite it as below."',
             f"title: {q(title)}", "authors:", *who,
             f"version: {q(doc.version)}", f"date-released: {doc.date.isoformat()}"]
    if doc.keywords:
        lines += ["keywords:", *[f"  - {q(k)}" for k in doc.keywords]]
    lines += ["identifiers:", "  - type: other", f"    value: {q(doc.identifier)}",
              f"    description: {q(f'This edition ({doc.language})')}"]
    for edition, other_title in others:
        lines += ["  - type: other", f"    value: {q(edition.identifier)}",
                  f"    description: {q(f'{edition.language} edition: {other_title}')}"]
    if doc.url:
        lines.append(f"url: {q(doc.url)}")
    if doc.licence:
        lines.append(f"license: {q(doc.licence)}")
    lines += ["preferred-citation:", "  type: report", f"  title: {q(title)}", "  authors:",
              *["  " + w for w in who], "  institution:", f"    name: {q(doc.organisation)}",
              f"  year: {doc.date.year}", f"  date-published: {doc.date.isoformat()}",
              f"  version: {q(doc.version)}"]
    if doc.series:
        lines.append(f"  collection-title: {q(doc.series)}")
    if doc.number:
        lines.append(f"  number: {q(doc.number)}")
    return "\n".join(lines) + "\n"


def _cff_person(person, q) -> str:
    """A CFF author: a person with family and given names split at the last space (CFF
    has no field for a whole personal name), role-free; an ORCID and affiliation as CFF
    writes them."""
    if isinstance(person, str):
        return f"  - name: {q(person)}"
    given, _, family = person.name.rpartition(" ")
    lines = [f"  - family-names: {q(family)}"] + (
        [f"    given-names: {q(given)}"] if given else [])
    if person.orcid:
        lines.append(f"    orcid: {q('https://orcid.org/' + person.orcid)}")
    if person.affiliation:
        affiliation = person.affiliation if isinstance(person.affiliation, str) else next(
            iter(person.affiliation.values()))
        lines.append(f"    affiliation: {q(affiliation)}")
    return "\n".join(lines)

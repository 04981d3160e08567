"""The format registry: every file a build can write, named once, as data.

Everything that knows a format asks this list (as Sphinx derives its builders' names,
suffixes and docs from one registration): the settings' `build.formats`, the CLI's
`--format` choices (build and cite), the skeleton's `formats =`, the output file names
(Project.output), docs/format.md, and the outputs themselves: outputs.formats() imports
each format's Output class from the path named here. It lives in model/ because the
settings validate against it, and model/ may not import outputs/; it is data only.

Adding a format is one module under outputs/ with an Output class, and one line below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["document", "citation"]


@dataclass(frozen=True)
class Format:
    """One format: what an author names, where it goes, what it needs."""

    name: str          # as build.formats, `--format` and the Output's `name` say it
    suffix: str | None  # build/<name>[.<edition>].<suffix>; None: printed, never written
    output: str | None  # "module:Class" of its Output; None: `briefing cite` prints it only
    description: str   # for docs/format.md and --help
    kind: Kind = "document"  # a document is chosen (build.formats); a citation is
    #                          written beside every build that has a suffix
    default: bool = True     # in build.formats' default (documents)
    # Formats made first because this one uses their result (the EPUB's cover is the
    # PDF's first page): made whenever this one is, written only when asked for too.
    needs: tuple[str, ...] = ()


# In the order they are finished, which is also the order of their errors: the HTML
# first (its refusals name the input line), each format after those it needs.
REGISTRY: list[Format] = [
    Format("html", "html", "briefing.outputs.html:HtmlOutput",
           "one self-contained web page: opens anywhere, runs and loads nothing"),
    Format("pdf", "pdf", "briefing.outputs.pdf.book:PdfOutput",
           "the print PDF (tagged, PDF/UA), laid out by WeasyPrint"),
    Format("brief", "brief.pdf", "briefing.outputs.pdf.brief:BriefOutput",
           "the policy brief: a second PDF of two to four pages (key points on page one, "
           "the sections build.brief names, how to cite and the references)", default=False),
    Format("epub", "epub", "briefing.outputs.epub:EpubOutput",
           "EPUB 3 for e-readers, with the PDF's first page as its cover", needs=("pdf",)),
    Format("docx", "docx", "briefing.outputs.docx:DocxOutput",
           "Word, for pasting into a paper of one's own"),
    Format("txt", "txt", "briefing.outputs.text:TextOutput",
           "plain text: for a screen reader, an e-mail or a diff", default=False),
    # The argument base for other tools (outputs/arguments): made from the model alone.
    Format("arguments", "arguments.json", "briefing.outputs.arguments.output:ArgumentOutput",
           "the argument base as briefing's own lossless JSON (with a JSON Schema)",
           default=False),
    Format("aif", "aif.json", "briefing.outputs.arguments.output:ArgumentOutput",
           "the argument map in AIF (AIFdb JSON), as OVA and argument mining read it",
           default=False),
    Format("xaif", "xaif.json", "briefing.outputs.arguments.output:ArgumentOutput",
           "the argument map in xAIF, with the sources' text", default=False),
    Format("argdown", "argdown", "briefing.outputs.arguments.output:ArgumentOutput",
           "the argument map as Argdown text", default=False),
    Format("graphml", "graphml", "briefing.outputs.arguments.output:ArgumentOutput",
           "the argument map as a GraphML graph (yEd, Gephi, networkx)", default=False),
    Format("jsonld", "jsonld", "briefing.outputs.arguments.output:ArgumentOutput",
           "the claims as schema.org Claim in JSON-LD", default=False),
    Format("annotations", "annotations.jsonld",
           "briefing.outputs.arguments.output:ArgumentOutput",
           "the quotes as W3C Web Annotations anchored in their sources", default=False),
    Format("bibtex", "bib", "briefing.outputs.citations:CitationOutput",
           "the briefing's own citation in BibTeX", kind="citation"),
    Format("ris", "ris", "briefing.outputs.citations:CitationOutput",
           "the briefing's own citation in RIS (EndNote, Zotero)", kind="citation"),
    Format("csl-json", "json", "briefing.outputs.citations:CitationOutput",
           "the briefing's own citation in CSL JSON", kind="citation"),
    Format("text", None, None, "how to cite it, as the how-to-cite box says it",
           kind="citation"),
    Format("cff", None, None, "CITATION.cff (Citation File Format 1.2.0)", kind="citation"),
]


def check() -> None:
    """The registry is one list with no clash: names and file names each unique, and
    every need a format made before the one that needs it."""
    names = [f.name for f in REGISTRY]
    suffixes = [f.suffix for f in REGISTRY if f.suffix is not None]
    assert len(set(names)) == len(names), f"a format name twice: {names}"
    assert len(set(suffixes)) == len(suffixes), f"a file name ending twice: {suffixes}"
    for index, found in enumerate(REGISTRY):
        for need in found.needs:
            assert need in names[:index], f"{found.name} needs {need}, not listed before it"


def get(name: str) -> Format | None:
    return next((f for f in REGISTRY if f.name == name), None)


def documents() -> list[str]:
    """The formats `briefing build --format` and build.formats choose from."""
    return [f.name for f in REGISTRY if f.kind == "document"]


def defaults() -> list[str]:
    """build.formats' default: every document format marked default."""
    return [f.name for f in REGISTRY if f.kind == "document" and f.default]


def citations() -> list[str]:
    """The formats `briefing cite --format` prints."""
    return [f.name for f in REGISTRY if f.kind == "citation"]


def written(chosen: list[str]) -> list[str]:
    """What a build of `chosen` writes, in finishing order: the documents chosen and
    every citation with a file of its own."""
    return [f.name for f in REGISTRY if f.name in chosen or (
        f.kind == "citation" and f.suffix is not None)]


def made(chosen: list[str]) -> list[str]:
    """What a build of `chosen` makes, in finishing order: what it writes, and what
    those need (made alike for any subset, e.g. the PDF for the EPUB's cover)."""
    wanted = set(written(chosen))
    pending = list(wanted)
    while pending:
        found = get(pending.pop())
        for need in found.needs if found else ():
            if need not in wanted:
                wanted.add(need)
                pending.append(need)
    return [f.name for f in REGISTRY if f.name in wanted]


def suffix(name: str) -> str:
    """The file name ending of a format (its name, for a name the registry lacks)."""
    found = get(name)
    return found.suffix if found and found.suffix else name


def listed(names: list[str]) -> str:
    """'pdf', 'epub' or 'docx': as pydantic words the choices of a Literal."""
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"

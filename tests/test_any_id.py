"""No id is a trap: every id the schema allows works wherever it lands (issue 30).

The map's DOT in-process with graphviz-pure; then the whole build with ids drawn from the
schema's own patterns (bounded: each example is a real build)."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from types import SimpleNamespace

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from briefing.compose import argmap
from conftest import run_cli


def test_the_map_lays_out_perspective_ids_with_hyphens(tmp_path: Path):
    """A perspective id with a hyphen (legal: ^[a-z][a-z0-9-]{0,31}$) once wrote an
    unquoted `subgraph cluster_civil-liberties`, a DOT syntax error that broke every build."""
    perspectives = [SimpleNamespace(id="civil-liberties", title="Civil liberties"),
                    SimpleNamespace(id="x-9", title="Odd")]
    claims = {"a-1": SimpleNamespace(perspective="civil-liberties", label="C1", statement='a "b"'),
              "2-b": SimpleNamespace(perspective="x-9", label="X1", statement="c\\d"),
              "c": SimpleNamespace(perspective=None, label="B1", statement="e")}
    relations = [SimpleNamespace(source="a-1", target="2-b", type="attacks", ours=False),
                 SimpleNamespace(source="c", target="a-1", type="supports", ours=False)]
    source, shown = argmap.dot(claims, perspectives, relations)
    assert 'subgraph "cluster_civil-liberties"' in source
    amap = SimpleNamespace(source=source)
    svg = argmap.render(amap, tmp_path).read_text("utf-8")  # type: ignore[arg-type]
    # Each perspective is its own box (a cluster), as with ids without hyphens.
    assert svg.count('class="cluster"') == 3
    assert "<title>cluster_civil&#45;liberties</title>" in svg or \
        "<title>cluster_civil-liberties</title>" in svg
    # A perspective named "background" keeps its box apart from the background facts'.
    perspectives[1].id = claims["2-b"].perspective = "background"
    source, shown = argmap.dot(claims, perspectives, relations)
    amap = SimpleNamespace(source=source)
    svg = argmap.render(amap, tmp_path).read_text("utf-8")  # type: ignore[arg-type]
    assert svg.count('class="cluster"') == 3


# The schema's own patterns (model/settings.py IDENT, model/sources.py and analysis.py ID),
# and a citation key as Pandoc reads one after '@' (letters, digits, inner punctuation).
IDENT = r"[a-z][a-z0-9-]{0,31}"
ID = r"[a-z0-9][a-z0-9-]{0,40}"
KEY = r"[a-z][a-z0-9_:.-]{0,20}[a-z0-9]"
MINIMAL = Path(__file__).resolve().parent / "fixtures" / "minimal"
# Each id of the minimal fixture, as written in its files, with what it is.
SPOTS = {
    "perspective 1": ["[perspectives.press]", "      press:\n", "perspective: press\n"],
    "perspective 2": ["[perspectives.aim]", "      aim:\n", "perspective: aim\n"],
    "claim 1": ["press-confusion"],
    "claim 2": ["aim-trust"],
    "actor 1": ["marco-derksen"],
    "actor 2": ["chinese-government"],
    "source": ["id: derksen2016\n"],
    "key": ["derksen2016sociaalkrediet"],
    "dimension": ["  - id: aim\n"],
    "question": ["  - id: which\n"],
}


def with_ids(target: Path, ids: dict[str, str]) -> Path:
    """The minimal fixture copied to target with every id of SPOTS replaced (through
    placeholders first, so an id drawn that is another's old name is never replaced
    again), and two editions, ids["edition 1"] (English) and ids["edition 2"] (Dutch, left
    untranslated: a draft)."""
    shutil.copytree(MINIMAL, target)
    for path in sorted(p for p in target.rglob("*") if p.is_file()):
        text = path.read_text("utf-8")
        for n, spots in enumerate(SPOTS.values()):
            for spot in spots:
                text = text.replace(spot, spot.replace(_old(spot), f"\0{n}\0"))
        for n, what in enumerate(SPOTS):
            # Quoted in YAML, as an author quotes an id YAML would read as a number (9, 1e3).
            text = text.replace(f"\0{n}\0", f'"{ids[what]}"' if path.suffix == ".yaml"
                                else ids[what])
        path.write_text(text, "utf-8")
    # Several editions: each heading needs an id of its own, here the perspective's.
    chapter = target / "chapters" / "01-overview.md.j2"
    chapter.write_text(chapter.read_text("utf-8").replace(
        "# {{ p.title }}", "# {{ p.title }} {#perspective-{{ p.id }}}"), "utf-8")
    # The map, with a caption the Dutch draft leaves untranslated ("[NOT TRANSLATED] ...":
    # brackets in an image's text once hid the map from the EPUB and DOCX).
    (target / "chapters" / "02-map.md.j2").write_text(
        '# {{ _("Map") }} {#map}\n\n'
        '![{{ _("The claims") }}]({{ argument_map.path }}){#fig-map}\n', "utf-8")
    toml = target / "briefing.toml"
    toml.write_text(toml.read_text("utf-8").replace('language = "en-GB"\n', "").replace(
        'identifier = "urn:uuid:00000000-0000-4000-8000-000000000001"\n', "") +
                    f'\n[editions.{ids["edition 1"]}]\nlanguage = "en-GB"\n'
                    'identifier = "urn:uuid:00000000-0000-4000-8000-0000000000e1"\n'
                    f'\n[editions.{ids["edition 2"]}]\nlanguage = "nl-NL"\n'
                    'identifier = "urn:uuid:00000000-0000-4000-8000-0000000000e2"\n', "utf-8")
    return target


def _old(spot: str) -> str:
    """The id inside a spot: the word after 'id: ', 'perspective: ', '[perspectives.'."""
    return re.sub(r"^.*?(?:id: |perspective: |\[perspectives\.)|^\s*|[\]:]?\n?$", "", spot)


def _ids(pattern: str) -> st.SearchStrategy[str]:
    return st.from_regex(pattern, fullmatch=True)


def _two(pattern: str) -> st.SearchStrategy[tuple[str, str]]:
    return st.tuples(_ids(pattern), _ids(pattern)).filter(lambda ab: ab[0] != ab[1])


IDS = st.builds(
    lambda p, c, a, s, k, d, q, e: {
        "perspective 1": p[0], "perspective 2": p[1], "claim 1": c[0], "claim 2": c[1],
        "actor 1": a[0], "actor 2": a[1], "source": s, "key": k, "dimension": d,
        "question": q, "edition 1": e[0], "edition 2": e[1]},
    _two(IDENT), _two(ID), _two(ID), _ids(ID), _ids(KEY), _ids(IDENT), _ids(ID), _two(IDENT))
# The corners by hand: a hyphen in every id, a perspective named as the map's background
# box, digits first, hyphens last and doubled, the edition of a working folder's name.
CORNERS = {"perspective 1": "civil-liberties", "perspective 2": "background",
           "claim 1": "0-claim-", "claim 2": "9", "actor 1": "a--b", "actor 2": "x-",
           "source": "1-src", "key": "a:b.c-d_e", "dimension": "d-1", "question": "q--",
           "edition 1": "work", "edition 2": "x-1"}


@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(IDS)
@example(CORNERS)
def test_every_id_the_schema_allows_builds_every_format(ids: dict[str, str]):
    """The minimal fixture with ids drawn from the schema's patterns builds the map and
    every format (a real build each: few examples)."""
    with tempfile.TemporaryDirectory() as folder:
        project = with_ids(Path(folder) / "project", ids)
        result = run_cli(project, "build", "--allow-missing")
        assert result.code == 0, (ids, result.err)
        built = {p.name for p in (project / "build").iterdir()}
        for fmt in ("pdf", "epub", "docx", "html"):
            assert {f"briefing.{fmt}", f"briefing.{ids['edition 1']}.{fmt}",
                    f"briefing.{ids['edition 2']}.{fmt}"} <= built
        svg = (project / "build" / ".work" / argmap.SVG_NAME).read_text("utf-8")
        assert svg.count('class="cluster"') == 2, ids  # a box for each perspective
        for edition in (ids["edition 1"], ids["edition 2"]):
            # The map inside, in the draft edition too: a picture in the DOCX, inline in an
            # EPUB chapter (its boxes links to their claims).
            with zipfile.ZipFile(project / "build" / f"briefing.{edition}.docx") as z:
                assert any(n.endswith(".svg") for n in z.namelist()), (edition, "docx")
            with zipfile.ZipFile(project / "build" / f"briefing.{edition}.epub") as z:
                assert any(b'<a xlink:href="' in z.read(n) for n in z.namelist()
                           if n.endswith(".xhtml")), (edition, "epub")


def test_an_id_yaml_reads_as_a_number_says_to_quote_it(project: Path):
    """`id: 9` is the number 9 to YAML, not the id "9" the schema allows: the message says
    so, at the claim's line and at each place that names it."""
    from briefing import recipe
    from briefing.errors import BriefingError

    seed = project / "seeds" / "derksen.yaml"
    seed.write_text(seed.read_text("utf-8").replace("aim-trust", "9"), "utf-8")
    try:
        recipe.check(project)
    except BriefingError as exc:
        found = [(p.line, p.message, p.hint) for p in exc.problems]
    else:
        raise AssertionError("check passed an id YAML reads as a number")
    hint = 'YAML reads it as a number (got 9): put it in quotes as you wrote it, "9"'
    assert found == [(36, "claims[2].id: Input should be a valid string", hint),
                     (43, "relations[1].from: Input should be a valid string", hint)]


def test_an_edition_named_as_a_format_is_refused_before_it_overwrites(project: Path):
    """An edition's id is part of its file names: edition 'brief' and the default
    edition's brief would both be build/briefing.brief.pdf. Named at the edition's table,
    by check and by build, before anything is written."""
    from briefing import recipe
    from briefing.errors import BriefingError

    toml = project / "briefing.toml"
    toml.write_text(toml.read_text("utf-8").replace('language = "en-GB"\n', "").replace(
        'identifier = "urn:uuid:00000000-0000-4000-8000-000000000001"\n', "")
        + '\n[build]\nformats = ["pdf", "brief"]\n'
        '\n[editions.en]\nlanguage = "en-GB"\nidentifier = "urn:uuid:e1"\n'
        '\n[editions.brief]\nlanguage = "en-GB"\nidentifier = "urn:uuid:e2"\n', "utf-8")
    line = toml.read_text("utf-8").split("\n").index("[editions.brief]") + 1
    for run in (recipe.check, recipe.build):
        try:
            run(project)
        except BriefingError as exc:
            [problem] = exc.problems
        else:
            raise AssertionError(f"{run.__name__} passed two outputs of one name")
        assert (problem.where(project), problem.message) == (
            f"briefing.toml:{line}", "edition 'brief': build/briefing.brief.pdf would be both "
            "the pdf of edition 'brief' and the brief of edition 'en'")
    assert not (project / "build").exists() or not any((project / "build").glob("*.pdf"))

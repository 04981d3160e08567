"""Property tests: whatever bytes reach a loader, the answer is a valid model or a clean
BriefingError (file, message), never another exception.

Inputs are both arbitrary text and small random edits of real, valid files (deleted,
inserted and duplicated pieces), which reach far deeper into the loaders than noise.
Runs are derandomised so CI is repeatable; `HYPOTHESIS_PROFILE=deep` searches longer.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.errors import BriefingError
from briefing.model import bibliography, config, sources

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
SEED_TEXT = (FIXTURE / "seeds" / "derksen.yaml").read_text("utf-8")
BIB_TEXT = (FIXTURE / "bib" / "briefing.bib").read_text("utf-8")
CONFIG_TEXT = (FIXTURE / "briefing.toml").read_text("utf-8")

settings.register_profile("ci", max_examples=120, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=3000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Characters that matter to the formats under test, plus anything at all now and then.
SYNTAX = st.sampled_from(list("{}[]:,-#@%&*!|>'\"=\\\n\t ") + ["  ", "\n  - ", "\x00", "é",
                                                                "”", "0x", "\udcff"])
PIECE = st.one_of(SYNTAX, st.text(max_size=6))


@st.composite
def edited(draw, original: str) -> str:
    """The original with a few random deletions, insertions and duplications."""
    text = original
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif kind == "insert":
            text = text[:at] + draw(PIECE) + text[at:]
        else:
            end = min(len(text), at + draw(st.integers(1, 80)))
            text = text[:end] + text[at:end] + text[end:]
    return text


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate: invalid UTF-8 bytes


def any_text(original: str):
    return st.one_of(edited(original).map(_bytes), st.text(max_size=300).map(_bytes),
                     st.binary(max_size=200))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _write(path: Path, data: bytes | str) -> None:
    path.write_bytes(_bytes(data) if isinstance(data, str) else data)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=any_text(SEED_TEXT))
def test_seed_loader_gives_a_model_or_a_clean_error(scratch: Path, text: bytes) -> None:
    seeds = scratch / "seeds"
    shutil.rmtree(seeds, ignore_errors=True)
    seeds.mkdir()
    _write(seeds / "derksen.yaml", text)
    try:
        base = sources.load(seeds, ["press", "aim"], {"derksen2016sociaalkrediet": 1})
    except BriefingError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
        return
    assert base.sources and all(c.statement for c in base.claims.values())


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=any_text(BIB_TEXT))
def test_bibtex_loader_gives_a_model_or_a_clean_error(scratch: Path, text: bytes) -> None:
    path = scratch / "fuzz.bib"
    _write(path, text)
    try:
        bib = bibliography.load(path, 2_000)
    except BriefingError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
        return
    assert bib.keys
    for entry in bib.library.entries:  # what Pandoc gets: every field within the budget
        assert all(len(f.value) <= 2_000 for f in entry.fields)
    bib.for_pandoc()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=any_text(CONFIG_TEXT))
def test_config_loader_gives_a_model_or_a_clean_error(scratch: Path, text: bytes) -> None:
    root = scratch / "config"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(FIXTURE / "chapters", root / "chapters")
    (root / "bib").mkdir()
    _write(root / "briefing.toml", text)
    try:
        project = config.load(root)
    except BriefingError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
        return
    assert project.config.document.title and project.chapters


WORDS = st.text(alphabet=st.characters(categories=["L", "N"], max_codepoint=0x2FF),
                min_size=1, max_size=8)
PARAGRAPH = st.lists(st.one_of(WORDS, st.sampled_from(["‘", "’", "“", "”", ",", "."])),
                     min_size=1, max_size=40).map(" ".join)


def _quote_seed(paragraph: str, quote: str) -> str:
    return (
        "source:\n  id: src\n  key: key1\n  title: T\n  language: nl\n  reporter: a\n"
        f"  paragraphs:\n    1: {json.dumps(paragraph, ensure_ascii=False)}\n"
        "actors:\n  - id: a\n    name: A\n    kind: person\n"
        "claims:\n  - id: c\n    perspective: p\n    kind: fact\n    statement: S\n"
        "    holders: [a]\n    cites: [1]\n"
        f"    quote:\n      para: 1\n      text: {json.dumps(quote, ensure_ascii=False)}\n"
        "      translation: T\n")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paragraph=PARAGRAPH, data=st.data())
def test_quote_checker_accepts_every_true_quote(scratch: Path, paragraph: str, data) -> None:
    words = paragraph.split(" ")
    start = data.draw(st.integers(0, len(words) - 1))
    size = data.draw(st.integers(1, min(len(words) - start, 50)))
    quote = " ".join(words[start:start + size])
    if not quote.strip():
        return
    seeds = scratch / "quote"
    shutil.rmtree(seeds, ignore_errors=True)
    seeds.mkdir()
    (seeds / "s.yaml").write_text(_quote_seed(paragraph, quote), "utf-8")
    base = sources.load(seeds, ["p"], {"key1": 1})  # a true quote: no error at all
    assert base.claims["c"].quote.text.split() == quote.split()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paragraph=PARAGRAPH, quote=st.text(max_size=80))
def test_quote_checker_never_fails_uncleanly(scratch: Path, paragraph: str, quote: str) -> None:
    seeds = scratch / "quote-any"
    shutil.rmtree(seeds, ignore_errors=True)
    seeds.mkdir()
    _write(seeds / "s.yaml", _quote_seed(paragraph, quote))
    try:
        sources.load(seeds, ["p"], {"key1": 1})
    except BriefingError as exc:
        for problem in exc.problems:
            if problem.message.startswith("misquote"):
                # the hint shows a passage that really is in the paragraph
                shown = problem.hint.split('"', 1)[1].rsplit('"', 1)[0]
                assert sources.normalise(shown) in sources.normalise(paragraph)
        return
    assert sources.normalise(quote) in sources.normalise(paragraph)

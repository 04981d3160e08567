"""Heading identifiers renumbered as a whole read gives them (outputs/identifiers.py).

Every case is read by the real Pandoc, each chapter alone and the chapters joined, and
renumber() must give exactly the whole read's blocks, or None where a case says so (or
may, for the generated ones)."""

from __future__ import annotations

import json
import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import cache

import pypandoc
import pytest

from briefing.outputs import ast, identifiers

READER = "markdown-raw_html-raw_attribute"


@cache
def _json(text: str) -> bytes:
    return subprocess.run([pypandoc.get_pandoc_path(), f"--from={READER}", "--to=json"],
                          input=text.encode("utf-8"), capture_output=True, check=True).stdout


def _read(text: str) -> dict:
    return json.loads(_json(text))  # a fresh tree: renumber renames in place


def _chapters(texts: list[str]) -> list[str]:
    """Each chapter's text ending in a blank line, as the composed document's segments."""
    return [text.rstrip("\n") + "\n\n" for text in texts]


def _reads(texts: list[str]) -> tuple[list[dict], dict]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        *alone, whole = pool.map(_read, [*texts, "".join(texts)])
    return alone, whole


def _check(texts: list[str]) -> list[dict] | None:
    """renumber() over the chapters read alone; when it answers, the answer is the whole
    read's blocks, chapter by chapter. The chapters are ones ast.splittable lets through
    (renumber's callers ask it first), bar the cases that test what it leaves to renumber."""
    texts = _chapters(texts)
    alone, whole = _reads(texts)
    before = json.dumps(alone)
    result = identifiers.renumber(alone, texts)
    if result is None:
        assert json.dumps(alone) == before, "the chapters were changed, then refused"
    else:
        joined = [block for chapter in result for block in chapter["blocks"]]
        assert json.dumps(joined) == json.dumps(whole["blocks"])
    return result


def _ids(result: list[dict] | None) -> list[list[str]]:
    assert result is not None
    return [[b["c"][1][0] for b in chapter["blocks"] if b["t"] == "Header"]
            for chapter in result]


BENCH = "# Chapter {n}\n\n## Part 1\n\nText.\n\n## Part 2\n\nMore.\n\n## Claims\n\n- a\n"

EXACT = [
    ("bench_corpus", [BENCH.format(n=n) for n in range(1, 5)]),
    ("part_1_in_two", ["# A\n\n## Part 1\n", "# B\n\n## Part 1\n"]),
    ("part_1_in_four", [f"# C{n}\n\n## Part 1\n" for n in range(4)]),
    ("part_1_then_part_1_1", ["# A\n\n## Part 1\n", "# B\n\n## Part 1-1\n\n## Part 1\n"]),
    ("part_1_1_first", ["# A\n\n## Part 1-1\n", "# B\n\n## Part 1\n\n## Part 1\n",
                        "# C\n\n## Part 1\n"]),
    ("twice_in_one_chapter", ["# A\n\n## Notes\n", "# B\n\n## Notes\n\n## Notes\n"]),
    ("twice_then_suffixed", ["# A\n\n## Notes\n", "# B\n\n## Notes\n\n## Notes\n\n## Notes-1\n"]),
    ("auto_base_is_earlier_explicit", ["# A\n\n## Intro {#part-1}\n", "# B\n\n## Part 1\n"]),
    ("explicit_id_in_later_chapter_unique", ["# A\n\n## Part 1\n", "# B\n\n## Part 1 {#p1b}\n"]),
    ("explicit_kept_and_auto_renamed", ["# A\n\n## Claims\n",
                                        "# B {#b}\n\n## Claims {#claims-b}\n\n## Claims\n"]),
    ("unicode_and_punctuation", ["# Één — “Quoted”!\n\n## Über straße?\n",
                                 "# Één — “Quoted”!\n\n## Über straße?\n"]),
    ("smart_quotes", ["# It's 'here'\n", "# It's 'here'\n"]),
    ("setext", ["Part 1\n======\n\nPart 2\n------\n", "Part 1\n======\n\nPart 2 {#two}\n------\n"]),
    ("unnumbered", ["# Part 1 {.unnumbered}\n", "# Part 1 {-}\n\n# Part 1 {.x lang=en}\n"]),
    ("in_div", ["# A\n\n::: note\n## Part 1\n:::\n", "# B\n\n::: note\n## Part 1\n:::\n"]),
    ("in_block_quote", ["# A\n\n> ## Part 1\n", "# B\n\n> ## Part 1\n\n- ## Part 1\n"]),
    ("empty_heading", ["# A\n\n##\n", "# B\n\n##\n\n## Section\n"]),
    ("emphasis_and_code", ["# *Part* **1** `x`\n", "# *Part* **1** `x`\n"]),
    ("leading_digits", ["# 1 Introduction\n", "# 2 Introduction\n\n# 3.1 Introduction\n"]),
    ("closing_hashes", ["# Part 1 #\n", "# Part 1 ## {#p}\n\n# Part 1 ###\n"]),
    ("code_fence_with_hash_lines", ["# A\n\n```sh\n# Part 1\n```\n",
                                    "# B\n\n~~~\n# x {#y}\n~~~\n\n## A\n"]),
    ("three_deep", ["# X\n", "# X\n\n# X\n", "# X\n\n# X-1\n\n# X\n"]),
    ("level_seven", ["####### Deep\n", "####### Deep\n"]),
    ("nothing_repeated", ["# A\n\n## One\n", "# B\n\n## Two\n"]),
    ("in_list_items", ["# A\n\n1. ## Part 1\n", "# B\n\n1. ## Part 1\n2. > ## Part 1\n"]),
    ("latin_letters_twice", ["# Élan ß\n", "# Élan ß\n\n# Élan ß\n\n# Élan ß-1\n"]),
    ("setext_in_quote", ["# A\n\n> Part 1\n> ------\n", "# B\n\n> Part 1\n> ------\n"]),
    ("spans_and_divs_elsewhere", ["# A\n\n[x]{#s1}\n", "# A\n\n::: {#d2}\ny\n:::\n"]),
]

NONE = [
    ("explicit_duplicates_earlier_auto", ["# A\n\n## Part 1\n", "# B\n\n## Again {#part-1}\n"]),
    ("explicit_in_two_chapters", ["# A {#a}\n", "# B {#a}\n"]),
    ("duplicate_explicit_in_one_chapter", ["# A {#a}\n\n# B {#a}\n", "# C\n"]),
    ("link_to_renamed", ["# A\n\n## Part 1\n", "# B\n\n## Part 1\n\nSee [it](#part-1).\n"]),
    ("implicit_reference_to_renamed", ["# A\n\n## Part 1\n", "# B\n\n## Part 1\n\n[Part 1]\n"]),
    ("div_with_renamed_id", ["# A\n\n## Part 1\n",
                             "# B\n\n## Part 1\n\n::: {#part-1-1}\nx\n:::\n"]),
    ("span_with_old_id", ["# A\n\n## Part 1\n", "# B\n\n## Part 1\n\n[x]{#part-1}\n"]),
    ("div_id_in_two_chapters", ["# A\n\n::: {#d}\nx\n:::\n", "# B\n\n::: {#d}\ny\n:::\n"]),
    ("heading_in_note", ["# A\n\n## Part 1\n", "# B\n\nx[^1]\n\n[^1]:\n\n    ## Part 1\n"]),
    ("hash_in_paragraph", ["# A\n", "# A\n\ntext\n# not a heading\n"]),
    ("id_key_value", ["# A\n", "# A {id=a2}\n"]),
    ("odd_attributes", ["# A\n", "# A {#}\n"]),
    ("attributes_before_closing", ["# A\n", "# A {#x} ##\n"]),
    ("implicit_reference_kept_id", ["# Part 1 {#p}\n", "# Part 1\n\n[Part 1]\n"]),
    ("implicit_reference_to_a_list_heading", ["# A\n\n- ## Part 1\n", "# B\n\n[Part 1]\n"]),
    ("implicit_reference_forward_in_note", ["# A\n\nx[^n]\n\n[^n]: See [Part 1].\n",
                                            "# B\n\n> Part 1\n> ======\n"]),
    ("link_to_new_id", ["# A\n\n## Part 1\n", "# B\n\n## Part 1\n", "# C\n\n[b](#part-1-1)\n"]),
    ("greek_twice_in_a_chapter", ["# Δ\n", "# Δ\n\n# Δ\n"]),
    ("example_list_twice", ["# X\n", "# X\n\n# X\n\n(@a) one\n"]),
    ("headings_that_do_not_pair", ["# A\n\n## Hidden\n",
                                   "# B\n\n- a\n\n  ## Hidden\n\ntext\n# Not\n"]),
    ("ambiguous_with_link_in_heading", ["# X\n", "# X\n\n# [X](http://a.b)-1\n"]),
]


@pytest.mark.parametrize("texts", [t for _, t in EXACT], ids=[i for i, _ in EXACT])
def test_renumbered_as_read_whole(texts: list[str]) -> None:
    assert _check(texts) is not None


@pytest.mark.parametrize("texts", [t for _, t in NONE], ids=[i for i, _ in NONE])
def test_left_to_the_whole_read(texts: list[str]) -> None:
    assert _check(texts) is None


def test_the_bench_corpus_numbers_each_chapter_on() -> None:
    ids = _ids(_check([BENCH.format(n=n) for n in range(1, 4)]))
    assert ids[2] == ["chapter-3", "part-1-2", "part-2-2", "claims-2"]


def test_texts_and_chapters_must_pair() -> None:
    assert identifiers.renumber([{"blocks": []}], []) is None


def test_a_heading_count_that_disagrees_is_refused() -> None:
    alone = _read("# A\n\n# B\n\n")
    assert identifiers.renumber([alone, alone], ["# A\n\n", "# A\n\n# B\n\n"]) is None


POOL = [
    "## Part 1", "## Part 1", "## Part 1-1", "## Part 2", "## Claims", "## Claims {#claims}",
    "## Claims-1", "## Part 1 {#part-1-1}", "## Part 1 {-}", "##", "## Section",
    "## Section 1", "Part 1\n------", "> ## Part 1", "::: note\n## Part 1\n:::",
    "## Ünïcode — ok", "## Part 1 {#own-$}", "[x]{#span-$}", "## *Part* 1", "## Part.1",
    "## Élan", "## Élan", "## Élan-1", "1. ## Claims", "## Part 1-1-1", "## 2 Part 1",
    "[Part 1]", "[see](#part-1)", "[c](#claims-1)", "## Part 1 {#p}", "> Part 1\n> ======",
    "- ## Part 1", "## Part 1 ##", "## Part 1 ## {#q-$}", "```\n# Part 1\n```", "## Δ",
    "## Δ-1", "## 1", "## -1", "## x-0", "## x-01", "## x", "## X", "## x-1", "## x 1",
    "## x_1", "## x.1", "[x](#x-1)", "x[^n$]\n\n[^n$]: [Part 1] and \\[Claims\\]",
]


def test_generated_chapters() -> None:
    rng = random.Random(20)
    answered = 0
    for case in range(250):
        texts = []
        for chapter in range(rng.randint(2, 5)):
            body = [rng.choice(POOL).replace("$", f"{case}-{chapter}")
                    for _ in range(rng.randint(1, 5))]
            texts.append("\n\n".join([f"# Chapter {chapter}", *body]))
        if ast.splittable(_chapters(texts)):
            answered += _check(texts) is not None
    assert answered >= 80

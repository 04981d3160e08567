"""Template text outside _() and {% trans %}: with several editions it would be printed
untranslated in every one, so each such template line is a warning at its line; Markdown
and Pandoc syntax, labels and acronyms are not prose."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing import recipe
from briefing.compose import prose
from briefing.compose.templates import environment, read_templates
from briefing.model import config

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = Path("chapters/03-extra.md.j2")


@pytest.fixture(scope="module")
def env():
    project = config.load(ROOT)
    return environment(project, {})


def lint(env, source: str) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in prose.untranslated(env, {CHAPTER: source},
                                                            ["locale/nl.po"])]


@pytest.mark.parametrize(("source", "line", "shown"), [
    ("# {{ _('A') }} {#a}\n\nSee also [@zwart2012receptor].\n", 3,
     "See also [@zwart2012receptor]."),
    ("{{ x }}\n\nSee also {{ claims.c1.cite }}\n", 3, "See also …"),
    ("# Notes {#notes}\n", 1, "# Notes {#notes}"),
    ("{% for c in cs %}\n- {{ c.label }} and {{ c.other }}\n{% endfor %}\n", 2,
     "- … and …"),
    ("| {{ _('Question') }} | Answer |\n|---|---|\n", 1, "| … | Answer |"),
    (": Results by perspective {#tbl-x}\n", 1, ": Results by perspective {#tbl-x}"),
    ("[the map](#argument-map)\n", 1, "[the map](#argument-map)"),
    ("![A map of the sites](figures/map.png){width=50%}\n", 1,
     "![A map of the sites](figures/map.png){width=50%}"),
    ("{% macro m(c) %}\n**{{ c.label }}.** as reported by {{ c.name }}\n{% endmacro %}\n", 2,
     "**….** as reported by …"),
    ("{% if x %}\n{{ a }}\n{% else %}\nNo claims.\n{% endif %}\n", 4, "No claims."),
    ("[@key, para. 4]\n", 1, "[@key, para. 4]"),
    ("Okafor\n", 1, "Okafor"),
], ids=["sentence-with-citation", "after-an-expression", "heading", "in-a-loop",
        "table-header", "table-caption", "link-text", "image-alt-text", "in-a-macro",
        "else-branch", "citation-locator", "a-lone-name"])
def test_template_prose_is_reported_at_its_line(env, source: str, line: int, shown: str):
    assert lint(env, source) == [
        (line, f"text outside _() or {{% trans %}} is printed in every edition: \"{shown}\"")]


@pytest.mark.parametrize("source", [
    "# {{ _('Comparison') }} {#comparison}\n\n{% trans %}See also the map.{% endtrans %}\n",
    "{{ _('See also %(x)s', x=y) }} [@zwart2012receptor]\n",
    ": {{ _('Caption') }} {#tbl-comparison .row-headers}\n\n| {{ q }} | {{ a }} |\n"
    "|-----|------|\n| {{ b }} | {{ c }} ({{ d | join(', ') }}) |\n",
    "::: {.claim #claim-{{ c.id }}}\n**{{ c.label }}.** {{ c.statement | md }}\n:::\n",
    '> [“{{ q | md }}”]{lang="{{ c.language }}"}\\\n> [{{ t }}]{.translation} {{ cite }}\n',
    "[{{ label }}](#claim-{{ id }}); [{{ other }}][ref]\n\n[ref]: #claim-x\n",
    "{## A comment in words ##}\n<!-- an HTML comment\n   in words -->\n{{ x }}\n",
    "P{{ n }}, T2, EU, PDF, ¶ {{ n }}.\n",
    "```\ncode in words\n```\n`inline code` <https://example.org/a/path> &nbsp;\n",
    '{{ "Okafor" }} {{ x ~ " and " ~ y }}\n',
    "{{ x }}[^note]\n\n[^note]: {{ _('A note.') }}\n",
], ids=["trans-and-gettext", "citation-after-gettext", "comparison-table", "fenced-div",
        "quote-spans", "link-targets", "comments", "labels-and-acronyms", "code-and-urls",
        "expressions", "footnote-marks"])
def test_markup_labels_and_translated_text_are_not_reported(env, source: str):
    assert lint(env, source) == []


def test_the_warning_says_how_to_wrap_the_text(env):
    (problem,) = prose.untranslated(env, {CHAPTER: "See also the map.\n"}, ["locale/nl.po"])
    assert problem.format() == (
        "chapters/03-extra.md.j2:1: error: text outside _() or {% trans %} is printed in "
        "every edition: \"See also the map.\"\n"
        "  hint: wrap it as {{ _(\"…\") }} (a short text) or in {% trans %}…{% endtrans %} "
        "(a paragraph) and translate it in locale/nl.po; a name that reads the same in every "
        "edition can be written {{ \"…\" }}")


def test_a_syntax_error_is_left_to_the_template_parser(env):
    assert lint(env, "See also {% if %}\n") == []


def test_the_flagship_chapters_have_no_untranslated_text(env):
    project = config.load(ROOT)
    texts = read_templates(project)
    assert "_macros.md.j2" in texts
    assert prose.untranslated(env, {project.chapters_dir / n: t for n, t in texts.items()},
                              ["locale/nl.po"]) == []


def test_with_one_edition_template_text_is_simply_its_text(env, project: Path):
    chapter = project / "chapters" / "01-overview.md.j2"
    # The minimal project has one edition and a sentence typed into its chapter.
    assert [p.line for p in prose.untranslated(env, {chapter: chapter.read_text("utf-8")},
                                               ["locale/nl.po"])] == [4]
    assert not any("printed in every edition" in w.message
                   for w in recipe.load(project).model.warnings)

"""Values into Pandoc Markdown: data text stays text, citations carry their locators."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.compose.markdown import citation, join_names, md_escape, md_unescape


def test_every_markdown_special_in_data_is_escaped():
    assert md_escape("a *b* _c_ [d](e) <f> #g @h") == (
        r"a \*b\* \_c\_ \[d\](e) \<f\> \#g \@h")
    assert md_escape("x\\y `z` {w} ~v^ $u$ |t|") == r"x\\y \`z\` \{w\} \~v\^ \$u\$ \|t\|"
    assert md_escape("  two\n\tlines  ") == "two lines"  # one line of text, however written
    assert md_escape(2025) == "2025"


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",))))
def test_unescape_gives_back_the_text_that_was_escaped(text: str):
    escaped = md_escape(text)
    assert md_unescape(escaped) == " ".join(text.split())
    # No special character is left bare for Pandoc to read as markup.
    bare = escaped.replace("\\\\", "")
    for char in "`*_{}[]<>#@~^$|":
        assert bare.count(char) == bare.count("\\" + char)


def test_citations_group_paragraphs_per_work_with_the_editions_locators():
    refs = [("b", 2), ("a", 3), ("a", 1), ("a", 3)]
    assert citation(refs) == "[@b, para. 2; @a, paras. 1, 3]"
    assert citation([("a", 4)], ("par.", "par.")) == "[@a, par. 4]"
    assert join_names(["Ann", "Bo", "Cy"], "en") == "Ann, Bo en Cy"
    assert join_names(["Ann"]) == "Ann"

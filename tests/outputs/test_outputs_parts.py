"""The print page split into parts WeasyPrint can lay out one by one."""

from __future__ import annotations

from briefing.outputs.pdf import parts

HEAD = '<!DOCTYPE html>\n<html lang="en">\n<head>\n<title>T</title>\n</head>\n<body>'
PAGE = HEAD + """
<section class="cover"><h1>Cover</h1></section>
<nav id="toc"><a href="#one">One</a> <a href="#two">Two</a></nav>
<main>
<section id="one" class="level1"><h1>One</h1>
<section id="one-a" class="level2"><h2>One A</h2><p>See <a href="#two">two</a>.</p></section>
</section>
<section id="two" class="level1"><h1>Two</h1><p id="p2.1">Back to <a href="#one-a">A</a>.</p>
</section>
</main>
</body>
</html>
"""


def test_each_chapter_is_a_part_with_stand_ins_for_anchors_elsewhere():
    split = parts.split(PAGE)
    assert split is not None
    assert split.head == HEAD
    assert split.front_ids == {"toc"}
    one, two = split.chapters
    assert (one.name, one.ids) == ("one", {"one", "one-a"})
    assert (two.name, two.ids) == ("two", {"two", "p2.1"})
    assert split.owners() == {"toc": 0, "one": 1, "one-a": 1, "two": 2, "p2.1": 2}
    # A link to another part's anchor keeps a stand-in, so WeasyPrint keeps the link.
    assert '<span id="two"></span>' in one.html and '<span id="one"></span>' not in one.html
    assert '<span id="one-a"></span>' in two.html
    for part in (one, two):
        assert part.html.startswith(HEAD) and part.html.endswith("</body>\n</html>\n")
        assert part.html.count("<main>") == 1
    assert split.toc_targets() == ["one", "two"]
    front = split.front_html({"one": 3, "two": 5})
    assert '<a href="#one" data-page="3">' in front and '<a href="#two" data-page="5">' in front


def test_a_page_of_another_shape_is_not_split():
    assert parts.split(PAGE.replace("<main>\n", "").replace("</main>\n", "")) is None
    assert parts.split(PAGE.replace("</main>\n", "</main>\n<p>after</p>\n")) is None
    assert parts.split(PAGE.replace('<section id="two"', '<section id="two"><section')) is None

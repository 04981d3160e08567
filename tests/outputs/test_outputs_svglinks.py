"""The inline map's allow-list (outputs/svglinks.py): a drawing goes inline with its shapes,
text and inner links only; whatever else an SVG could carry is not copied."""

from __future__ import annotations

import base64

from briefing.outputs import inert, svglinks

HOSTILE = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
 width="100pt" height="50pt" viewBox="0 0 100 50" onload="alert(1)">
<script>alert(2)</script><style>svg { background: url(https://example.org/x.png) }</style>
<g id="node1" class="node"><title>claim-a</title>
<a xlink:href="#claim-a" xlink:title="A &lt;b&gt;claim&lt;/b&gt;"><path d="M0,0 L10,10" fill="red"
 onclick="alert(3)" style="fill: url(https://example.org/)"/><text x="1" y="2">P1</text></a>
<a xlink:href="javascript:alert(4)"><text x="1" y="2">P2</text></a>
<a xlink:href="#claim-gone"><text x="1" y="2">P3</text></a>
<foreignObject><div>html</div></foreignObject><image xlink:href="https://example.org/i.png"/>
</g></svg>"""


def test_only_shapes_text_and_inner_links_are_copied():
    out = svglinks.rebuild(HOSTILE, lambda f: f"#{f}" if f == "claim-a" else None,
                           {"role": "group", "aria-label": "A map"})
    assert out.startswith('<svg width="100pt" height="50pt" viewBox="0 0 100 50" '
                          'role="group" aria-label="A map">')
    assert '<a href="#claim-a" aria-label="P1: A &lt;b&gt;claim&lt;/b&gt;"><title>' in out
    assert out.count("<a ") == 1  # the javascript: link and the one to no anchor: unlinked
    assert ">P2</text>" in out and ">P3</text>" in out  # their shapes and text kept
    for gone in ("script", "style", "onload", "onclick", "example.org", "foreignObject",
                 "<image", "id=", "alert", "javascript"):
        assert gone not in out, gone
    assert inert.scan_markup(out, standalone=True) == []


def test_a_page_gets_only_its_linking_drawings_inline():
    plain = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0,0"/></svg>'
    encode = lambda svg: base64.b64encode(svg.encode()).decode()  # noqa: E731
    page = (f'<img src="data:image/svg+xml;base64,{encode(HOSTILE)}" class="natural-size" '
            f'alt="The map &amp; more"><img src="data:image/svg+xml;base64,{encode(plain)}" '
            'alt="A figure">')
    out = svglinks.inline_images(page, lambda f: "#" + f)
    assert out.count("<img ") == 1 and out.count("<svg ") == 1
    assert 'aria-label="The map &amp; more" class="natural-size"' in out
    assert '<a href="#claim-gone"' in out  # this page's href function keeps every anchor

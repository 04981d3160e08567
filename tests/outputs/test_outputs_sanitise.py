"""The allow-list every HTML output is checked against: nothing in an output runs."""

from __future__ import annotations

import pytest

from briefing.outputs import sanitise

PAGE = """<!DOCTYPE html>
<html lang="en-GB" data-doctitle="Fixture Briefing">
<head>
<meta charset="utf-8">
<title>Fixture Briefing</title>
</head>
<body>
{body}
</body>
</html>
"""
CLEAN = ('<main>\n<section id="one"><h1>One</h1>\n<p>See <a href="https://example.org/">the '
         'site</a>, <a href="#two">below</a> or <a href="mailto:a@example.org">write</a>.</p>\n'
         '<table><tr><td style="width: 50%; text-align: right">1</td></tr></table>\n'
         '<img src="figures/map.png" alt="A map"></section>\n</main>')


def test_a_clean_page_passes():
    assert sanitise.check_page(PAGE.format(body=CLEAN)) == []


@pytest.mark.parametrize(("body", "message", "needle"), [
    ('<p><span onclick="alert(1)">x</span></p>', "an event handler (onclick=) on <span>",
     "alert(1)"),
    ('<p><a href="java&#x09;script:alert(1)">x</a></p>',  # a tab the browser drops
     "the address 'java script:alert(1)' in <a href=>", "script:alert"),
    ('<p><img src="x.png" srcset="https://example.org/a.png 2x" alt=""></p>',
     "the attribute srcset= on <img>", "https://example.org/a.png 2x"),
    ("<script>alert(1)</script>", "the element <script>", "<script"),
], ids=["onclick", "javascript-obfuscated", "srcset", "script"])
def test_active_content_is_found_with_what_wrote_it(body: str, message: str, needle: str):
    found = sanitise.check_page(PAGE.format(body=CLEAN + body))
    assert [v.message for v in found] == [message]
    assert any(needle in n for n in found[0].needles)


def test_a_page_of_another_shape_is_refused_whole():
    (found,) = sanitise.check_page("<html><body><p>x</p></body></html>")
    assert found.message == "the HTML page does not have the template's shape"


def test_the_standalone_page_forbids_scripts_and_loads_and_keeps_the_text():
    page = PAGE.format(body=CLEAN).replace("<title>", '<script src="https://x.example/a.js">'
                                           "</script><title>")
    result = sanitise.standalone(page, "body { margin: 0 }\n")
    assert f'<meta http-equiv="Content-Security-Policy" content="{sanitise.CSP}">' in result
    assert "default-src 'none'" in sanitise.CSP
    assert "<script" not in result and "x.example" not in result
    assert '<a href="https://example.org/">the site</a>' in result
    assert result.startswith('<!DOCTYPE html>\n<html lang="en-GB">')

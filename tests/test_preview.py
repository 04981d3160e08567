"""`briefing preview`: build/'s outputs served on 127.0.0.1, read-only; each page reloads
after a build by a script that exists only in the response, allowed by its hash."""

from __future__ import annotations

import base64
import hashlib
import html
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing.errors import Problem
from briefing.runtime import serve
from conftest import copy_project, digests, run_cli
from test_watch import _reader, _wait_for

CHAPTER = Path("chapters") / "01-overview.md.j2"
SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)
META = re.compile(rb'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


def _get(port: int, path: str, host: str | None = None, method: str = "GET"
         ) -> tuple[int, dict[str, str], bytes]:
    """One request with the path exactly as given (no client-side normalising)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True)
        conn.putheader("Host", host or f"127.0.0.1:{port}")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def _source(code: bytes) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code).digest()).decode() + "'"


def _script_sources(policy: str) -> list[str]:
    found = [d.split()[1:] for d in policy.split(";") if d.split()[:1] == ["script-src"]]
    assert len(found) == 1, policy
    return found[0]


def test_an_html_page_is_served_with_its_reload_script_allowed_by_hash_alone(minimal):
    build = minimal / "build"
    before = digests(build)
    disk = (build / "briefing.html").read_bytes()
    with serve.serving(build, minimal) as preview:
        assert preview.server.server_address[0] == "127.0.0.1"
        status, headers, served = _get(preview.port, "/briefing.html")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    scripts = SCRIPT.findall(served)
    assert len(scripts) == 1 and b"EventSource" in scripts[0]
    # The header and the page's own meta allow exactly that script, and nothing else changed.
    assert _script_sources(headers["Content-Security-Policy"]) == [_source(scripts[0])]
    meta = META.findall(served)
    assert len(meta) == 1
    assert html.unescape(meta[0].decode()) == headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    original = META.search(disk)
    assert original is not None
    restored = META.sub(lambda m: original.group(0), served.replace(
        b"<script>" + scripts[0] + b"</script>", b""))
    assert restored == disk
    # build/ holds what the build wrote: no script, not a byte changed by serving it.
    assert b"<script" not in disk and digests(build) == before


def test_nothing_but_a_regular_file_directly_in_build_is_served(minimal, tmp_path):
    build = minimal / "build"
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret\n")
    (build / "leak.html").symlink_to(secret)
    (build / "inside.pdf").symlink_to(build / "briefing.pdf")  # a link, even inside
    os.mkfifo(build / "pipe.html")  # would block a reader that waits for a writer
    (build / "sub").mkdir()
    (build / "sub" / "x.html").write_text("<p>x</p>")
    (build / ".hidden.html").write_text("<p>x</p>")
    with serve.serving(build, minimal) as preview:
        port = preview.port
        refused = {path: _get(port, path)[::2] for path in (
            "/leak.html", "/inside.pdf", "/pipe.html", "/sub/x.html", "/sub", "/sub/",
            "/.hidden.html", "/.cache", "/.work/briefing.md", "/../briefing.toml",
            "/%2e%2e/briefing.toml", "/..%2fbriefing.toml", "//etc/passwd",
            "/briefing.toml", "/build/briefing.html", "/briefing.html%00", "/%2fetc%2fpasswd",
            f"/{secret}")}
        assert {path: code for path, (code, _) in refused.items()} == dict.fromkeys(refused, 404)
        assert not any(b"secret" in body for _, body in refused.values())
        # A name a rebinding DNS pointed here is not ours; a write is not served.
        assert _get(port, "/briefing.html", host="attacker.example")[0] == 421
        assert _get(port, "/briefing.html", method="POST")[0] == 501
        assert _get(port, "/briefing.pdf")[0] == 200


def test_the_status_page_shows_each_problem_escaped(minimal):
    build = minimal / "build"
    chapter = minimal / CHAPTER
    with serve.serving(build, minimal) as preview:
        preview.publish(False, [Problem("bad <script>alert(1)</script>\x1b[31m red", chapter, 7,
                                        "close the <b> tag")], 1.5)
        status, headers, page = _get(preview.port, "/")
    assert status == 200
    text = page.decode()
    assert ("<code>chapters/01-overview.md.j2:7: error: bad &lt;script&gt;alert(1)&lt;/script&gt;"
            "\\x1b[31m red</code><br>hint: close the &lt;b&gt; tag") in text
    assert "failed: the outputs below are the last good build" in text
    assert '<a href="/briefing.pdf">briefing.pdf</a>' in text
    scripts = SCRIPT.findall(page)
    assert len(scripts) == 1
    assert _script_sources(headers["Content-Security-Policy"]) == [_source(scripts[0])]


def test_the_events_tell_each_finished_build(minimal):
    with (serve.serving(minimal / "build", minimal) as preview,
          socket.create_connection(("127.0.0.1", preview.port), timeout=10) as conn):
        conn.sendall(f"GET /__events HTTP/1.1\r\nHost: 127.0.0.1:{preview.port}\r\n\r\n"
                     .encode())
        stream = conn.makefile("rb")

        def event() -> dict:
            for line in stream:
                if line.startswith(b"data: "):
                    return json.loads(line[6:])
            raise AssertionError("the event stream ended")

        first = event()
        assert first["ok"] is None
        preview.publish(True, [], 1.0)
        good = event()
        assert good["ok"] is True and good["generation"] != first["generation"]
        preview.publish(False, [Problem("broken", None)], 1.0)
        bad = event()
        assert bad["ok"] is False and bad["generation"] != good["generation"]
        stream.close()


def test_a_port_taken_is_one_message(minimal, listener):
    port, _ = listener
    before = digests(minimal / "build")
    result = run_cli(minimal, "preview", "--port", str(port))
    assert result.code == 1, result.err
    assert result.err.splitlines() == [
        f"briefing: error: cannot serve the preview on 127.0.0.1 port {port}: "
        "Address already in use",
        "  hint: choose another --port, or leave --port out to take a free one"]
    assert digests(minimal / "build") == before


def _until(page, expression: str, seconds: float) -> bool:
    """Poll a page from outside: Playwright's wait_for_function evaluates its predicate
    with eval() inside the page, which the page's CSP (rightly) refuses."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if page.evaluate(expression):
                return True
        except Error:  # the page went away under the question: it is reloading
            pass
        time.sleep(0.1)
    return False


def _listening(port: int) -> list[str]:
    """The local addresses listening on `port` (Linux /proc/net/tcp and tcp6)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as handle:
            for row in list(handle)[1:]:
                local, state = row.split()[1], row.split()[3]
                if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                    found.append(local.rsplit(":", 1)[0])
    return found


def test_a_save_reloads_the_page_and_a_broken_edit_keeps_the_last_good(minimal, browser,
                                                                         tmp_path):
    """The real command, the real build and Debian's Chromium: the page reloads itself
    after a save (its script allowed by the CSP: no violation), a broken edit leaves
    build/ as it was and shows its file:line on the status page, and build/ holds
    exactly what a one-shot build of the same inputs writes."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "briefing.cli", "--project", str(minimal), "preview",
         "--debounce", "100"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    stream = _reader(proc)
    page = None
    try:
        assert _wait_for(stream, lines, "briefing: preview at http://127.0.0.1:", 30), lines
        port = int(re.findall(r"127\.0\.0\.1:(\d+)/", lines[-1])[0])
        assert _listening(port) == ["0100007F"]  # 127.0.0.1, and no other address
        assert _wait_for(stream, lines, "watching for changes", 120), lines
        page = browser.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(f"http://127.0.0.1:{port}/briefing.html")
        page.evaluate("window.kept = 1")  # gone once the page has reloaded
        chapter = minimal / CHAPTER
        good = chapter.read_text("utf-8")
        chapter.write_text(good + "\nA paragraph added in preview.\n", "utf-8")
        assert _wait_for(stream, lines, "watching for changes", 120), lines
        assert _until(page, "!window.kept && document.body.innerText.includes("
                            "'A paragraph added in preview.')", 30)
        disk = (minimal / "build" / "briefing.html").read_bytes()
        assert b"A paragraph added in preview." in disk and b"<script" not in disk
        built = digests(minimal / "build")

        chapter.write_text(good + "\nA paragraph added in preview.\n{{ broken\n", "utf-8")
        assert _wait_for(stream, lines, "previous outputs kept", 120), lines
        page.wait_for_selector("#briefing-preview-failed", timeout=30_000)
        assert "A paragraph added in preview." in page.inner_text("body")
        status = _get(port, "/")[2].decode()
        assert re.search(r"<code>chapters/01-overview\.md\.j2:\d+: error: template syntax error",
                         status), status
        assert digests(minimal / "build") == built
        assert not [text for text in console if "Content Security Policy" in text], console
    finally:
        if page is not None:
            page.close()
        proc.terminate()
        proc.wait(timeout=30)
    assert "Traceback" not in "".join(lines)
    # The last good inputs built once, elsewhere, by `briefing build`: the same bytes.
    once = copy_project(minimal, tmp_path / "once")
    (once / CHAPTER).write_text(good + "\nA paragraph added in preview.\n", "utf-8")
    assert run_cli(once, "build").code == 0
    assert digests(once / "build") == built


@pytest.mark.parametrize("policy, expected", [
    ("default-src 'none'; script-src 'self'", "default-src 'none'; script-src X; "
     "connect-src 'self'"),
    ("default-src 'none'; connect-src *; img-src data:", "default-src 'none'; img-src data:; "
     "script-src X; connect-src 'self'"),
], ids=["script_src_replaced", "connect_src_replaced"])
def test_the_policy_is_amended_for_the_script_and_its_events_only(policy, expected):
    assert serve.amended(policy, "X") == expected

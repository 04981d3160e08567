"""The preview's local web server: build/'s outputs, read-only, and a page of the last build.

    GET /             the status page: the last build's problems, links to the outputs
    GET /NAME         a file directly in build/ (briefing.html, briefing.nl.pdf ...)
    GET /__events     server-sent events: one per finished build, {"generation", "ok"}

Bound to 127.0.0.1 only, and a request naming another host is refused (a web page cannot
reach it by DNS rebinding). Only regular files directly in build/ are served, opened
without following a link; hidden names (.cache, .work, the lock) and any other path are
404, and there is no directory listing. An HTML page gets a small script that reloads it
after each build; the script exists only in the response, allowed by the page's own CSP
amended with the script's sha256, so the files in build/ stay what a one-shot build
writes. The caller builds; this module only shows what it is told (`Preview.publish`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import http.server
import json
import os
import re
import secrets
import stat
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from briefing.errors import BriefingError, Problem
from briefing.terminal import safe

HOST = "127.0.0.1"
EVENTS = "/__events"
KEEP_ALIVE = 15.0  # seconds between comments on an idle event stream (proxies, dead peers)
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # an output's name: no folder, not hidden
TYPES = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf",
         ".epub": "application/epub+zip", ".json": "application/json",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".bib": "text/plain; charset=utf-8", ".ris": "text/plain; charset=utf-8",
         ".txt": "text/plain; charset=utf-8", ".md": "text/plain; charset=utf-8"}
CSP_META = re.compile(rb'<meta http-equiv="Content-Security-Policy" content="([^"]*)"\s*/?>',
                      re.IGNORECASE)
# The page's policy when it has none of its own: nothing but its inline styles and data.
BASE_POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
               "base-uri 'none'; form-action 'none'")
# Reloads the page when a build newer than the one it was served from has finished; after
# a failed build an output page keeps its text and shows a line pointing to the status page.
SCRIPT = """(function () {
  var served = %(generation)s, always = %(always)s;
  var events = new EventSource("%(events)s");
  events.onmessage = function (event) {
    var state = JSON.parse(event.data);
    if (state.generation === served) { return; }
    if (state.ok || always) { events.close(); location.reload(); return; }
    var note = document.getElementById("briefing-preview-failed");
    if (!note) {
      note = document.createElement("a");
      note.id = "briefing-preview-failed";
      note.href = "/";
      note.textContent = "The last build failed; this is the last good one. See the problems.";
      note.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:2147483647;" +
        "padding:.5em 1em;background:#b00020;color:#fff;font:16px sans-serif";
      document.body.appendChild(note);
    }
    served = state.generation;
  };
})();"""


def script(generation: str, always: bool) -> str:
    """The reload script for a page served at `generation` (the status page reloads after
    any build, `always`; an output page only after a good one)."""
    return SCRIPT % {"generation": json.dumps(generation), "always": json.dumps(always),
                     "events": EVENTS}


def digest(text: str) -> str:
    """A CSP source allowing exactly this inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def amended(policy: str, source: str) -> str:
    """`policy` allowing the script `source` ('sha256-…') and its event stream: script-src
    and connect-src set, every other directive as it was."""
    kept = [d.strip() for d in policy.split(";")
            if d.strip() and d.split()[0].lower() not in ("script-src", "connect-src")]
    return "; ".join([*kept, f"script-src {source}", "connect-src 'self'"])


def with_reload(page: bytes, generation: str) -> tuple[bytes, str]:
    """An HTML page as served: the reload script before </body>, the page's CSP meta
    amended to allow that script by its hash; returns (page, the policy for the header)."""
    code = script(generation, always=False)
    found = CSP_META.search(page)
    policy = amended(found.group(1).decode("utf-8", "replace") if found else BASE_POLICY,
                     digest(code))
    if found:
        meta = (b'<meta http-equiv="Content-Security-Policy" content="'
                + html.escape(policy).encode() + b'">')
        page = page[:found.start()] + meta + page[found.end():]
    tag = f"<script>{code}</script>".encode()
    end = page.lower().rfind(b"</body>")
    page = page[:end] + tag + page[end:] if end >= 0 else page + tag
    return page, policy


@dataclass
class State:
    """What the last finished build left: shown on the status page, told to the pages."""

    generation: str
    ok: bool | None = None            # None: the first build has not finished
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    finished: float = 0.0             # time.time() when it finished


class Preview:
    """The server and the state it shows, shared by the build (publish) and the server's
    threads (one per request; an event stream holds its thread while the page is open)."""

    def __init__(self, build_dir: Path, root: Path, port: int = 0, title: str = "briefing"):
        self.build_dir, self.root, self.title = build_dir, root, title
        self._session = secrets.token_hex(4)  # a page from an earlier session reloads
        self._count = 0
        self.state = State(self._generation())
        self._changed = threading.Condition()
        self._closing = False
        try:
            self.server = _Server((HOST, port), _Handler)
        except OSError as exc:
            raise BriefingError.at(
                f"cannot serve the preview on {HOST} port {port}: {exc.strerror or exc}", None,
                None, "choose another --port, or leave --port out to take a free one") from None
        self.server.preview = self
        self.port = self.server.server_address[1]
        self.url = f"http://{HOST}:{self.port}/"
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={"poll_interval": 0.2}, daemon=True,
                                        name="briefing-preview")

    def _generation(self) -> str:
        return f"{self._session}-{self._count}"

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self.server.shutdown()
        self.server.server_close()

    def publish(self, ok: bool, problems: list[Problem], seconds: float) -> None:
        """A build has finished: well (its warnings) or not (its errors; the outputs in
        build/ are the last good build's). Every open page is told."""
        with self._changed:
            self._count += 1
            self.state = State(self._generation(), ok, list(problems), seconds, time.time())
            self._changed.notify_all()

    def wait(self, generation: str | None, timeout: float) -> State | None:
        """The state once it is not `generation` (or after `timeout`, as it is); None once
        the server is closing."""
        with self._changed:
            self._changed.wait_for(lambda: self._closing or self.state.generation != generation,
                                   timeout)
            return None if self._closing else self.state

    def outputs(self) -> list[str]:
        """The files the server would serve: build/'s regular, visible files, by name."""
        with contextlib.suppress(OSError), os.scandir(self.build_dir) as found:
            return sorted(e.name for e in found if NAME.fullmatch(e.name)
                          and e.is_file(follow_symlinks=False))
        return []

    def read(self, name: str) -> bytes | None:
        """A file directly in build/, or None: not a plain name, hidden, a link (to
        anywhere), not a regular file (a pipe is not waited on), or unreadable."""
        if not NAME.fullmatch(name):
            return None
        try:
            folder = os.open(self.build_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            return None
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
        except OSError:
            return None
        finally:
            os.close(folder)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # a folder, a pipe, a device
                return None
            with os.fdopen(os.dup(fd), "rb") as handle:
                return handle.read()
        except OSError:
            return None
        finally:
            os.close(fd)

    def status_page(self) -> tuple[bytes, str]:
        """The status page, HTML-escaped throughout, and its policy."""
        state = self.state
        code = script(state.generation, always=True)
        policy = amended(BASE_POLICY, digest(code))
        when = time.strftime("%H:%M:%S", time.localtime(state.finished))
        if state.ok is None:
            head = "Building for the first time …"
        elif state.ok:
            head = f"Built at {when} in {state.seconds:.1f} s."
        else:
            head = (f"The build at {when} failed: the outputs below are the last good "
                    "build's, unchanged.")
        kind = "error" if state.ok is False else "warning"
        items = "".join(_problem(p, kind, self.root) for p in state.problems)
        links = "".join(f'<li><a href="/{html.escape(n)}">{html.escape(n)}</a></li>'
                        for n in self.outputs() if n.endswith((".html", ".pdf")))
        others = ", ".join(f'<a href="/{html.escape(n)}">{html.escape(n)}</a>'
                           for n in self.outputs() if not n.endswith((".html", ".pdf")))
        body = (f"<h1>{html.escape(safe(self.title))}: preview</h1>"
                f'<p class="{"failed" if state.ok is False else "state"}">{html.escape(head)}</p>'
                + (f"<h2>{len(state.problems)} {kind}{'s' if len(state.problems) > 1 else ''}"
                   f"</h2><ul>{items}</ul>" if state.problems else "")
                + (f"<h2>Outputs</h2><ul>{links}</ul>" if links else "<p>No outputs yet.</p>")
                + (f"<p>Also: {others}</p>" if others else ""))
        page = ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                "<title>briefing preview</title><style>"
                "body{font:16px/1.4 sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
                ".failed{color:#b00020;font-weight:bold}code{white-space:pre-wrap}"
                f"</style></head><body>{body}<script>{code}</script></body></html>")
        return page.encode("utf-8"), policy


def _problem(problem: Problem, kind: str, root: Path) -> str:
    """One problem as the terminal shows it (file:line: kind: message, hint), escaped:
    no character a terminal obeys, nothing the browser reads as markup."""
    text = f"{safe(problem.where(root))}: {kind}: {safe(problem.message)}"
    hint = f"<br>hint: {html.escape(safe(problem.hint))}" if problem.hint else ""
    return f"<li><code>{html.escape(text)}</code>{hint}</li>"


@contextlib.contextmanager
def serving(build_dir: Path, root: Path, port: int = 0, title: str = "briefing"
            ) -> Iterator[Preview]:
    """The preview server, running in a thread for the block's length."""
    preview = Preview(build_dir, root, port, title)
    preview.start()
    try:
        yield preview
    finally:
        preview.close()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True  # an open event stream does not hold up the end
    preview: Preview

    def handle_error(self, request: object, client_address: object) -> None:
        """A request that fails (a page closed mid-answer) ends quietly: socketserver would
        print a traceback into the author's terminal."""


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    server_version = "briefing-preview"
    sys_version = ""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Silent: the command line is the only place that prints."""

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's name)
        self._answer(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        preview = self.server.preview
        if not self._our_host():
            return self._send(421, b"misdirected request\n", "text/plain", head=head)
        path = urlsplit(self.path).path
        if path == EVENTS and not head:
            return self._events(preview)
        if path == "/":
            page, own = preview.status_page()
            return self._send(200, page, TYPES[".html"], own, head)
        name = unquote(path[1:]) if path.startswith("/") else ""
        # The generation before the file: a build landing in between reloads the page
        # once more, instead of leaving it on the old text.
        generation = preview.state.generation
        data = preview.read(name)
        if data is None:
            return self._send(404, b"not found\n", "text/plain", head=head)
        kind = TYPES.get(os.path.splitext(name)[1], "application/octet-stream")
        policy: str | None = None
        if name.endswith(".html"):
            data, policy = with_reload(data, generation)
        return self._send(200, data, kind, policy, head)

    def _our_host(self) -> bool:
        """Host names this server (not a name that a rebinding DNS pointed here)."""
        port = self.server.server_address[1]
        return self.headers.get("Host", "") in (f"{HOST}:{port}", f"localhost:{port}")

    def _send(self, code: int, data: bytes, kind: str, policy: str | None = None,
              head: bool = False) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        if policy:
            self.send_header("Content-Security-Policy", policy)
        self.end_headers()
        if not head:
            with contextlib.suppress(OSError):
                self.wfile.write(data)

    def _events(self, preview: Preview) -> None:
        """One event per finished build (the current one first), until the page goes."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen: str | None = None
        with contextlib.suppress(OSError):
            self.wfile.write(b"retry: 1000\n\n")
            while (state := preview.wait(seen, KEEP_ALIVE)) is not None:
                if state.generation == seen:
                    self.wfile.write(b": still here\n\n")
                else:
                    seen = state.generation
                    event = {"generation": state.generation, "ok": state.ok}
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()

"""The launcher behind runtime.limits: bound this process, then become the program.

    python -I -m briefing.runtime.limited --parent=PID --memory=BYTES|-1 --cpu=SECONDS
        --report=FD -- PROGRAM [ARG ...]

subprocess's preexec function could do this between fork and exec, but not safely in a
parent with threads (briefing starts its children from several), so a fresh interpreter
does it and then execs: the program keeps this pid, so a signal that kills it still shows in the
parent's returncode. If the setup or the exec fails, "errno:message" (errno 0 for the
setup) goes to the pipe REPORT, which the parent reads as subprocess reads its own, so a
missing program is still an OSError there; a successful exec closes the pipe unwritten.
It imports only what it needs: it runs once per child.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import sys

_PR_SET_PDEATHSIG = 1


def _bound(parent: int, wanted: int, cpu: int) -> None:
    """The bounds runtime.limits promises: wanted bytes of address space (RLIM_INFINITY:
    up to the hard limit), cpu seconds of CPU time, death with the parent."""
    # Die with the parent: a build killed with SIGKILL must not leave Pandoc or
    # WeasyPrint running on to their time limit.
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    # The parent may have died before the prctl: then we have a new one, and nobody waits.
    if os.getppid() != parent:
        os._exit(1)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY and (wanted == resource.RLIM_INFINITY or wanted > hard):
        wanted = hard
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    # CPU time as a second line of defence behind the wall-clock timeout.
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    if cpu_hard == resource.RLIM_INFINITY or cpu < cpu_hard:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu_hard))
    # This interpreter ignores SIGPIPE and SIGXFSZ, and an ignored signal survives exec:
    # restore them, as subprocess does, so that a file-size limit still kills the program.
    for name in ("SIGPIPE", "SIGXFZ", "SIGXFSZ"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def _environment() -> dict[bytes, bytes]:
    """The environment exactly as this process got it: Python may have added LC_CTYPE at
    startup (PEP 538 locale coercion), and the program must see what the caller passed."""
    try:
        with open("/proc/self/environ", "rb") as file:
            raw = file.read()
    except OSError:
        return dict(os.environb)
    return dict(entry.split(b"=", 1) for entry in raw.split(b"\0") if b"=" in entry)


def _fail(report: int, errno: int, exc: BaseException) -> None:
    """Tell the parent why cmd does not run, and end."""
    os.write(report, f"{errno}:{type(exc).__name__}: {exc}".encode("utf-8", "replace"))
    os._exit(255)


def main(argv: list[str]) -> None:
    split = argv.index("--")
    options = dict(arg.removeprefix("--").split("=", 1) for arg in argv[:split])
    cmd = argv[split + 1:]
    report = int(options["report"])
    os.set_inheritable(report, False)  # closed by a successful exec: the parent reads EOF
    try:
        _bound(int(options["parent"]), int(options["memory"]), int(options["cpu"]))
    except Exception as exc:  # errno 0: a failed setup, not a program that cannot run
        _fail(report, 0, exc)
    try:
        os.execvpe(cmd[0], cmd, _environment())
    except OSError as exc:
        _fail(report, exc.errno or 0, exc)


if __name__ == "__main__":
    main(sys.argv[1:])

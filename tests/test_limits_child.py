"""A child of runtime.limits gets its bounds from the launcher (runtime/limited.py), which
then execs the program itself: no preexec function, which is unsafe in a parent with
threads, and the program's own exit status and environment reach the caller unchanged."""

from __future__ import annotations

import ast
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from briefing.errors import BriefingError
from briefing.runtime import limits

SRC = Path(__file__).resolve().parent.parent / "src"
PROBE = """
import ctypes, os, resource
died_with = ctypes.c_int()
ctypes.CDLL(None).prctl(2, ctypes.byref(died_with))  # PR_GET_PDEATHSIG
print((resource.getrlimit(resource.RLIMIT_AS), resource.getrlimit(resource.RLIMIT_CPU),
       died_with.value, os.getpgid(0) == os.getpid()))
"""


def run(cmd: list[str], **bounds) -> subprocess.CompletedProcess:
    bounds = {"seconds": 30, **bounds}
    return limits.run(cmd, stage="probe", subject=None, setting="probe_seconds", **bounds)


def test_the_bounds_reach_the_child():
    done = run([sys.executable, "-c", PROBE], memory_mib=256)
    assert done.returncode == 0, done.stderr
    assert done.args == [sys.executable, "-c", PROBE]
    (soft, hard), (cpu, _), died_with, own_group = ast.literal_eval(done.stdout.decode())
    _, our_hard = resource.getrlimit(resource.RLIMIT_AS)
    assert hard == our_hard
    assert soft == (256 * limits.MIB if our_hard == resource.RLIM_INFINITY
                    else min(256 * limits.MIB, our_hard))
    assert cpu == 30 + 5
    assert died_with == 9  # SIGKILL when briefing dies
    assert own_group  # Ctrl-C reaches briefing only


def test_without_a_memory_limit_the_child_may_use_the_hard_limit():
    done = run([sys.executable, "-c", PROBE])
    (soft, hard), *_ = ast.literal_eval(done.stdout.decode())
    assert soft == hard


def test_the_program_is_execd_not_wrapped():
    # A signal that kills the program shows in the returncode, and the environment arrives
    # exactly as given (the launcher's Python must not add LC_CTYPE, say).
    killed = run(["sh", "-c", "kill -XCPU $$"])
    assert limits.signal_name(killed.returncode) == "SIGXCPU"
    env = {"PATH": os.environ["PATH"], "ONLY": "this"}
    assert run(["env"], env=env).stdout == f"PATH={env['PATH']}\nONLY=this\n".encode()
    assert run(["cat"], stdin=b"through").stdout == b"through"


def test_a_missing_program_is_still_one_clear_error():
    with pytest.raises(BriefingError, match="cannot run probe: No such file or directory"):
        run(["briefing-no-such-program"])


def test_no_preexec_function_is_left():
    used = [str(path) for path in SRC.rglob("*.py") if "preexec_fn" in path.read_text("utf-8")]
    assert not used

"""The app caps glibc's malloc arenas (`auedit.ui.app.limit_malloc_arenas`): with the default
cap of 8 per core, the threads each new input starts spread freed frame buffers over more and
more arenas and the app's memory grew with every input switch."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(ctypes.CDLL(None), "malloc_info"),
    reason="glibc malloc only")

#: Eight threads malloc at the same time; prints how many arenas the process then has.
SCRIPT = """
import ctypes, os, sys, tempfile, threading
if sys.argv[1] == "app":
    from auedit.ui.app import create_app
    create_app()
barrier = threading.Barrier(9)
def work():
    block = bytearray(4000)  # malloc'd in this thread (not by pymalloc): it takes an arena
    barrier.wait()
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads:
    t.start()
barrier.wait()
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
path = os.path.join(tempfile.mkdtemp(), "malloc.xml")
fp = ctypes.c_void_p(libc.fopen(path.encode(), b"w"))
libc.malloc_info(0, fp)
libc.fclose(fp)
barrier.wait()
print(open(path).read().count("<heap nr="))
"""


def _arenas(mode: str) -> int:
    run = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True,
                         timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert run.returncode == 0, run.stderr
    return int(run.stdout.split()[-1])


def test_the_app_shares_two_malloc_arenas_between_its_threads():
    from auedit.ui.app import MALLOC_ARENAS

    assert _arenas("bare") > MALLOC_ARENAS  # glibc's default: an arena per thread here
    assert _arenas("app") <= MALLOC_ARENAS

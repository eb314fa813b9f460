"""gunicorn workers' per-process tuning (lms/workers.py, gunicorn.conf.py).

scrypt's 32 MiB work area stays in the worker's heap between log-ins. Each case runs in a fresh interpreter
(glibc's settings are per process) and counts the page faults of the second password check: a work area
mapped anew is zero-filled page by page (8,192 faults), a kept one is not.

Each worker also freezes the objects of the loaded application out of the garbage collector's sight, and
garbage made later is still collected.
"""

import json
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES_OF_THE_WORK_AREA = 32 * 1024 * 1024 // 4096

CHILD = """
import json, resource, runpy, sys
from werkzeug.security import check_password_hash, generate_password_hash
mode = sys.argv[1]
took = None
if mode == "keep":
    from lms.workers import keep_large_blocks
    took = keep_large_blocks()
elif mode == "hook":
    runpy.run_path("gunicorn.conf.py")["post_fork"](None, None)
elif mode == "off":
    from lms.workers import keep_large_blocks
    took = keep_large_blocks()
hashed = generate_password_hash("Rahasia-2026", method="scrypt")
assert check_password_hash(hashed, "Rahasia-2026")
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
ok = check_password_hash(hashed, "Rahasia-2026") and not check_password_hash(hashed, "salah")
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
print(json.dumps({"took": took, "ok": ok, "faults": faults}))
"""


def _child(code: str, *args: str, **env) -> dict:
    """Run ``code`` in a fresh interpreter from the project root; its last line of output, read as JSON."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "SECRET_KEY": "x" * 32, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _second_check(mode: str, **env) -> dict:
    return _child(CHILD, mode, **env)


@pytest.fixture(scope="module")
def glibc():
    import ctypes.util

    if sys.platform != "linux" or "libc.so.6" != ctypes.util.find_library("c"):
        pytest.fail("these tests expect Linux with glibc, as on the development and CI machines")


def test_without_it_every_check_maps_the_work_area_anew(glibc):
    result = _second_check("none")
    assert result["ok"]
    assert result["faults"] >= PAGES_OF_THE_WORK_AREA


def test_kept_work_area_is_reused(glibc):
    result = _second_check("keep")
    assert result["took"] is True
    assert result["ok"]
    assert result["faults"] < PAGES_OF_THE_WORK_AREA // 8


def test_gunicorn_workers_keep_it(glibc):
    result = _second_check("hook")
    assert result["ok"]
    assert result["faults"] < PAGES_OF_THE_WORK_AREA // 8


def test_it_can_be_turned_off(glibc):
    result = _second_check("off", MALLOC_KEEP_MB="0")
    assert result["took"] is False
    assert result["faults"] >= PAGES_OF_THE_WORK_AREA


FREEZE_CHILD = """
import gc, json, runpy, weakref
from lms import create_app
app = create_app()
runpy.run_path("gunicorn.conf.py")["post_worker_init"](None)
frozen = gc.get_freeze_count()

class Node:
    pass

gc.disable()  # no automatic collection in between: the cycles below are garbage for the next one
refs = []
for _ in range(100):  # garbage made after the freeze: cycles, freed only by the collector
    a, b = Node(), Node()
    a.other, b.other = b, a
    refs += [weakref.ref(a), weakref.ref(b)]
del a, b
alive_before = sum(r() is not None for r in refs)
gc.collect()
print(json.dumps({
    "frozen": frozen,
    "garbage": alive_before,
    "left": sum(r() is not None for r in refs),
    "tracked": len(gc.get_objects()),
}))
"""


def _freeze(**env) -> dict:
    return _child(FREEZE_CHILD, **env)


def test_worker_start_up_objects_leave_the_collectors_sight():
    result = _freeze()
    # the application's objects are frozen: far more than what later collections still walk
    assert result["frozen"] > 50_000
    assert result["tracked"] < result["frozen"] // 10
    # and garbage made afterwards is still collected: 100 cycles of two objects, all alive until the collection
    assert (result["garbage"], result["left"]) == (200, 0)


def test_freezing_can_be_turned_off():
    result = _freeze(GC_FREEZE="0")
    assert result["frozen"] == 0
    assert result["tracked"] > 50_000
    assert (result["garbage"], result["left"]) == (200, 0)


def test_gunicorn_opens_no_control_socket_unless_asked(monkeypatch):
    monkeypatch.delenv("GUNICORN_CONTROL_SOCKET", raising=False)
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["control_socket_disable"] is True and "control_socket" not in settings
    monkeypatch.setenv("GUNICORN_CONTROL_SOCKET", "/run/sipelatihan/gunicorn.ctl")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["control_socket"] == "/run/sipelatihan/gunicorn.ctl" and "control_socket_disable" not in settings

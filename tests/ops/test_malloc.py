"""scrypt's 32 MiB work area stays in the worker's heap between log-ins (lms/malloc.py, gunicorn.conf.py).

Each case runs in a fresh interpreter (glibc's settings are per process) and counts the page faults of the second
password check: a work area mapped anew is zero-filled page by page (8,192 faults), a kept one is not.
"""

import json
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
    from lms.malloc import keep_large_blocks
    took = keep_large_blocks()
elif mode == "hook":
    runpy.run_path("gunicorn.conf.py")["post_fork"](None, None)
elif mode == "off":
    from lms.malloc import keep_large_blocks
    took = keep_large_blocks()
hashed = generate_password_hash("Rahasia-2026", method="scrypt")
assert check_password_hash(hashed, "Rahasia-2026")
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
ok = check_password_hash(hashed, "Rahasia-2026") and not check_password_hash(hashed, "salah")
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
print(json.dumps({"took": took, "ok": ok, "faults": faults}))
"""


def _second_check(mode: str, **env) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


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

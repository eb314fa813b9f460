"""Per-process tuning of a gunicorn worker, applied from ``gunicorn.conf.py``'s hooks.

``freeze_startup_objects()`` (after the worker has loaded the application): the interpreter's cyclic garbage
collector walks every tracked object in its oldest generation now and then; after start-up that is the whole
application (about 165,000 objects: modules, SQLAlchemy's mappers, compiled templates), which never becomes
garbage. Such a full collection cost 110-130 ms, once every few thousand requests: 4-5% of a worker's CPU on
"Pelatihan saya", and a pause that one unlucky request waits out. ``gc.freeze()`` moves what exists after
start-up into a permanent generation that collections ignore; objects made later are collected as usual.
``GC_FREEZE=0`` turns it off.

``keep_large_blocks()`` (after the fork): keep the C heap's large blocks in the worker instead of mapping and
unmapping them for every use.

Checking a password runs werkzeug's scrypt (``scrypt:32768:8:1``): OpenSSL allocates a 32 MiB work area, and
glibc serves every block that large with a fresh ``mmap`` and gives it back with ``munmap`` when freed. The
kernel then zero-fills all 8,192 pages again on their first touch in every log-in: on this project's 2-core
machine that is a fifth of the log-in's CPU (about 82 ms per check with the defaults, 66 ms with this; the
``passwords`` benchmark measures it).

``keep_large_blocks()`` raises glibc's mmap threshold above the work area and its trim threshold above that,
so the area comes from the heap, stays there once freed and is reused by the next log-in. The cost is about
33 MiB of resident memory per worker that has checked a password (gunicorn recycles workers after
``GUNICORN_MAX_REQUESTS``). Called from ``gunicorn.conf.py`` in each worker; ``MALLOC_KEEP_MB=0`` turns it off.
Other C libraries (musl, macOS) have no ``mallopt`` for this, and nothing is changed there.
"""

import ctypes
import ctypes.util
import gc
import os

M_TRIM_THRESHOLD = -1  # glibc's malloc.h
M_MMAP_THRESHOLD = -3
DEFAULT_KEEP_MB = 64  # above scrypt's 32 MiB (N=2**15, r=8) work area, with room for r or N raised once


def keep_large_blocks(megabytes: int | None = None) -> bool:
    """Serve blocks below ``megabytes`` (default ``MALLOC_KEEP_MB`` or 64) from the heap and keep twice that
    freed before trimming; True when glibc took both settings."""
    if megabytes is None:
        megabytes = int(os.environ.get("MALLOC_KEEP_MB", DEFAULT_KEEP_MB))
    if megabytes <= 0:
        return False
    name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError, TypeError):  # no C library by that name, or one without mallopt
        return False
    limit = megabytes * 1024 * 1024
    return bool(mallopt(M_MMAP_THRESHOLD, limit)) and bool(mallopt(M_TRIM_THRESHOLD, 2 * limit))


def freeze_startup_objects() -> bool:
    """Collect once, then keep every object that survives out of later collections; True when done."""
    if os.environ.get("GC_FREEZE", "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    gc.collect()
    gc.freeze()
    return True

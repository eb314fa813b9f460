"""Rendering many certificate PDFs on several cores: a pool of worker processes draws, the caller writes the ZIP.

The parent builds each certificate's ``CertificateData`` (database, URLs) and sends chunks of them to the
workers; the event's images (background, logo, signature) travel once per chunk, not once per certificate. The
workers only run reportlab and the QR encoder: no database, no app. They are started by a fork server (a clean
process forked from, never the web or job process with its threads and database connections).
``CERTIFICATE_PROCESSES`` (default 1: in the process itself) sets how many.
"""

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

from lms.certificates.pdf import CertificateData, render_pdf

CHUNK = 25  # certificates per task: big enough to amortise the pickling, small enough to keep both cores busy
MIN_PARALLEL = 2 * CHUNK  # fewer than this: not worth starting workers
IMAGES = ("background", "logo", "signature")


def _render_chunk(payload: tuple[dict, list[CertificateData | None]]) -> list[bytes | None]:
    images, datas = payload
    return [render_pdf(replace(data, **images)) if data is not None else None for data in datas]


def _payload(datas: list[CertificateData | None]) -> tuple[dict, list[CertificateData | None]]:
    """The chunk's images once (the certificates of one event share them), and the data without them."""
    first = next((d for d in datas if d is not None), None)
    images = {name: getattr(first, name) for name in IMAGES} if first is not None else {}
    stripped = [replace(d, **dict.fromkeys(IMAGES)) if d is not None else None for d in datas]
    if any(d is not None and any(getattr(d, n) is not images.get(n) for n in IMAGES) for d in datas):
        return {}, datas  # several events mixed in the chunk: send each certificate's own images
    return images, stripped


def pool(processes: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["lms.certificates.pdf"])
    return ProcessPoolExecutor(processes, mp_context=context)


def render_chunks(chunks: Iterable[list[CertificateData | None]], processes: int) -> Iterator[list[bytes | None]]:
    """Each chunk's PDFs, in order (None where the chunk had None: a certificate the caller handles itself)."""
    with pool(processes) as executor:
        yield from executor.map(_render_chunk, (_payload(chunk) for chunk in chunks))

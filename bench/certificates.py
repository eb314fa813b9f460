"""Certificate PDFs per second in one process, beside a floor measured in the same run.

Measured: ``documents.Renderer`` turning issued certificates (in a scratch SQLite database) into PDFs, both
pages, each with its own QR code, as a download does. Floor: bare reportlab drawing the same two pages with
the same strings at fixed sizes (no fitting, no data assembly) and the QR code drawn by the same fastest means
(zxing-cpp's encoder, one rectangle per run of dark modules in module units, one literal path). Also
the time of an in-process ZIP of all issued certificates, and the ZIP as the job builds it on both cores
(lms.certificates.jobs.certificates_zip_file with 2 worker processes drawing, the parent loading the data and
writing the ZIP) beside the floor drawn by the same pool of 2 processes, with their peak memory: the parent's
Python allocations during the ZIP (tracemalloc, a separate pass) and the largest worker's peak RSS (VmHWM).
Prints::

    BENCH cert_pdf_per_s <v> pdf/s floor=<f> ratio=<v/f>
    BENCH cert_zip_<n>_s <seconds> s
    BENCH cert_zip_<n>_2proc_s <seconds> s floor=<f> ratio=<v/f>
    BENCH cert_zip_<n>_2proc_peak_mb <parent + worker> MB floor=<f> ratio=<v/f>
"""

import re
import sys
import tempfile
import time
import tracemalloc
import zipfile
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from io import BytesIO

import zxingcpp
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

COUNT = 1000
MIN_SECONDS = 6.0
ZIP_ROUNDS = 3
PROCESSES = 2
_DARK = re.compile(rb"\x00+")


def _setup(app):
    from lms.auth.models import Role, User
    from lms.certificates import operations
    from lms.certificates.models import CertificateSettings
    from lms.events.models import Agency, Enrolment, EnrolmentStatus, Event, EventSession
    from lms.extensions import db

    db.create_all()
    agency = Agency(name="Badan Pengembangan Sumber Daya Manusia Daerah Provinsi Banten", short_name="BPSDMD")
    organiser = User(name="Panitia", email="panitia@bench.go.id", role=Role.organiser, agency=agency)
    event = Event(
        title="Bimbingan Teknis Transformasi Digital dan Keamanan Informasi bagi ASN",
        organiser_agency=agency,
        start_date=date(2026, 11, 22),
        end_date=date(2026, 11, 24),
        place="Aula BPSDMD Provinsi Banten, Serang",
        organisers=[organiser],
    )
    db.session.add_all([agency, organiser, event])
    for i in range(8):
        start = __import__("datetime").datetime(2026, 11, 22 + i // 3, 1 + 3 * (i % 3))
        db.session.add(
            EventSession(
                event=event,
                title=f"Modul {i + 1}: Keamanan Informasi",
                starts_at=start,
                ends_at=start.replace(hour=start.hour + 2),
                jp=3,
            )
        )
    for i in range(COUNT):
        user = User(
            name=f"Dr. H. Peserta Bimtek Nomor {i + 1:04d}, S.Kom., M.T.",
            email=f"p{i}@bench.go.id",
            nip=f"19850101201001{1 + i % 2}{i % 999 + 1:03d}"[:18],
            role=Role.participant,
            agency=agency,
        )
        db.session.add(user)
        db.session.add(Enrolment(event=event, user=user, status=EnrolmentStatus.approved))
    db.session.add(
        CertificateSettings(
            event=event,
            signatory_name="Dr. H. Ahmad Fauzi, S.Kom., M.T.",
            signatory_position="Kepala BPSDMD Provinsi Banten",
            signatory_nip="197001012005011001",
            issue_date=date(2026, 11, 24),
        )
    )
    db.session.commit()
    operations.issue_certificates(event, organiser)
    db.session.commit()
    certificates = db.session.execute(operations.queries.event_certificates(event)).scalars().all()  # as a view
    return event, certificates


def _floor_page(data) -> bytes:
    """The same two pages, bare: fixed positions and sizes, the QR as merged runs in one path."""
    width, height = landscape(A4)
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height))
    mid = width / 2
    for font, size, y, text in (
        ("Helvetica-Bold", 14, height - 59, data.organiser.upper()),
        ("Helvetica-Bold", 34, height - 103, data.title),
        ("Helvetica", 12, height - 125, f"Nomor: {data.number}"),
        ("Helvetica", 13, height - 157, "diberikan kepada:"),
        ("Helvetica-Bold", 28, height - 191, data.holder_name),
        ("Helvetica", 12, height - 211, f"NIP. {data.holder_nip}"),
        ("Helvetica", 12, height - 227, data.holder_agency),
        ("Helvetica", 13, height - 255, data.statement),
        ("Helvetica-Bold", 18, height - 281, data.event_title),
        ("Helvetica", 12, height - 310, f"yang diselenggarakan oleh {data.organiser} pada tanggal {data.dates}"),
    ):
        canvas.setFont(font, size)
        canvas.drawCentredString(mid, y, text)
    sx = width - 220
    canvas.setFont("Helvetica", 11)
    canvas.drawCentredString(sx, 168, f"Diterbitkan tanggal {data.issue_date}")
    canvas.drawCentredString(sx, 154, data.signatory_position)
    canvas.drawCentredString(sx, 57, f"NIP. {data.signatory_nip}")
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawCentredString(sx, 72, data.signatory_name)
    canvas.line(sx - 90, 70, sx + 90, 70)
    image = zxingcpp.create_barcode(data.verification_url, zxingcpp.BarcodeFormat.QRCode, ec_level="M").to_image(
        scale=1, add_quiet_zones=False
    )
    n, modules = image.shape[0], bytes(memoryview(image))
    ops = []
    for row in range(n):
        ops.extend(
            f"{r.start()} {row} {r.end() - r.start()} 1 re" for r in _DARK.finditer(modules[row * n : (row + 1) * n])
        )
    canvas.saveState()
    canvas.translate(70, 52 + 84)
    canvas.scale(84 / n, -84 / n)
    canvas.addLiteral("\n".join(ops) + "\nf")
    canvas.restoreState()
    canvas.setFont("Helvetica", 7)
    canvas.drawString(70, 42, "Pindai untuk memeriksa keaslian sertifikat")
    canvas.showPage()
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawCentredString(mid, height - 60, data.syllabus_heading.upper())
    canvas.setFont("Helvetica", 11)
    y = height - 140
    for index, (title, jp) in enumerate(data.syllabus, start=1):
        canvas.drawString(70, y, str(index))
        canvas.drawString(110, y, title)
        canvas.drawRightString(width - 70, y, str(jp))
        y -= 20
    canvas.drawRightString(width - 70, y - 8, f"{data.total_jp} JP")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _rate(work, items) -> float:
    """Items per second over one pass of ``items``."""
    started = time.perf_counter()
    for item in items:
        work(item)
    return len(items) / (time.perf_counter() - started)


def _best_rates(a, a_items, b, b_items) -> tuple[float, float]:
    """The best rate of each of two workloads over alternating rounds (for at least MIN_SECONDS in all), so
    that other load on the machine hits both alike."""
    best_a = best_b = 0.0
    started = time.perf_counter()
    while time.perf_counter() - started < MIN_SECONDS:
        best_a = max(best_a, _rate(a, a_items))
        best_b = max(best_b, _rate(b, b_items))
    return best_a, best_b


class _MeasuredPool(ProcessPoolExecutor):
    """The pool of lms.certificates.parallel, noting its workers' peak RSS (VmHWM) before they exit."""

    peak_kb = 0

    def shutdown(self, *args, **kwargs):
        for pid in list(getattr(self, "_processes", {}) or {}):
            try:
                with open(f"/proc/{pid}/status") as status:
                    for line in status:
                        if line.startswith("VmHWM:"):
                            _MeasuredPool.peak_kb = max(_MeasuredPool.peak_kb, int(line.split()[1]))
            except OSError:
                pass
        super().shutdown(*args, **kwargs)


def _measured_pool(processes: int) -> ProcessPoolExecutor:
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["lms.certificates.pdf"])
    return _MeasuredPool(processes, mp_context=context)


def _floor_chunk(datas) -> list[bytes]:
    return [_floor_page(data) for data in datas]


def _floor_zip(datas, names) -> int:
    """Bare pages drawn by the same pool of 2 processes, written by the parent into a stored ZIP."""
    from lms.certificates import parallel

    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    chunks = [datas[i : i + parallel.CHUNK] for i in range(0, len(datas), parallel.CHUNK)]
    with parallel.pool(PROCESSES) as executor, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        written = 0
        for pdfs in executor.map(_floor_chunk, chunks):
            for pdf in pdfs:
                archive.writestr(names[written], pdf)
                written += 1
    return out.tell()


def _job_zip(certificates) -> int:
    from lms.certificates.jobs import certificates_zip_file

    out = certificates_zip_file(certificates, lambda *args: None, processes=PROCESSES)
    out.seek(0, 2)
    return out.tell()


def _timed(work, *args) -> tuple[float, int]:
    started = time.perf_counter()
    size = work(*args)
    return time.perf_counter() - started, size


def _peak_mb(work, *args) -> float:
    """The parent's peak Python allocations during ``work`` plus the largest worker's peak RSS, in MB."""
    _MeasuredPool.peak_kb = 0
    tracemalloc.start()
    try:
        work(*args)
        _current, parent_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (parent_peak + _MeasuredPool.peak_kb * 1024) / 1e6


def _parallel_zip(certificates, renderer) -> tuple[float, float, float, float, int]:
    """(seconds, floor seconds, peak MB, floor peak MB, ZIP bytes) of the 2-process ZIP, best of alternating rounds."""
    from lms.certificates import documents, parallel

    parallel.pool = _measured_pool
    datas = [renderer.data(c) for c in certificates]  # the floor gets its data for free
    names = [documents.filename(c) for c in certificates]
    best = floor = float("inf")
    size = 0
    for _round in range(ZIP_ROUNDS):
        seconds, size = _timed(_job_zip, certificates)
        best = min(best, seconds)
        floor = min(floor, _timed(_floor_zip, datas, names)[0])
    return best, floor, _peak_mb(_job_zip, certificates), _peak_mb(_floor_zip, datas, names), size


def main() -> int:
    from lms import create_app
    from lms.certificates import documents

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3", "TESTING": True})
        with app.app_context(), app.test_request_context(base_url="https://lms.bpsdmd.example.go.id"):
            _event, certificates = _setup(app)
            renderer = documents.Renderer(certificates[0].event)
            sample = certificates[:100]
            datas = [renderer.data(c) for c in sample]
            floor, value = _best_rates(_floor_page, datas, renderer.pdf, sample)
            started = time.perf_counter()
            archive = documents.certificates_zip(certificates[0].event, certificates)
            zip_seconds = time.perf_counter() - started
            two, two_floor, peak, peak_floor, two_size = _parallel_zip(certificates, renderer)
    n = len(certificates)
    print(f"BENCH cert_pdf_per_s {value:.1f} pdf/s floor={floor:.1f} ratio={value / floor:.2f}")
    print(f"BENCH cert_zip_{n}_s {zip_seconds:.2f} s ({len(archive) / 1e6:.1f} MB, one process)")
    print(
        f"BENCH cert_zip_{n}_{PROCESSES}proc_s {two:.2f} s floor={two_floor:.2f} ratio={two / two_floor:.2f}"
        f" ({two_size / 1e6:.1f} MB, {n / two:.0f} pdf/s)"
    )
    print(
        f"BENCH cert_zip_{n}_{PROCESSES}proc_peak_mb {peak:.1f} MB floor={peak_floor:.1f} ratio={peak / peak_floor:.2f}"
        " (parent Python peak + largest worker RSS)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

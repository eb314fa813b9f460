"""The certificate PDF read back: its text, a long name within the page, the QR code decoding to the URL."""

from io import BytesIO

import pdfplumber
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from lms.certificates import documents, operations
from lms.certificates.pdf import PAGE_W, CertificateData, fit_lines, render_pdf
from lms.certificates.qr import dark_runs, qr_matrix

BASE = "https://lms.bpsdmd.example.go.id"
LONG_NAME = "Prof. Dr. Ir. H. Muhammad Abdurrahman Wicaksono Setiabudi, S.Kom., M.T., M.Sc., Ph.D."


@pytest.fixture
def issued(db, app, setup):
    def factory(**user_fields):
        organiser, event, (user,) = setup(n=1)
        for key, value in user_fields.items():
            setattr(user, key, value)
        db.session.commit()
        (certificate,) = operations.issue_certificates(event, organiser)
        db.session.commit()
        with app.test_request_context(base_url=BASE):
            return certificate, documents.certificate_pdf(certificate)

    return factory


def test_pdf_contains_the_certificate_facts(issued):
    certificate, body = issued()
    reader = PdfReader(BytesIO(body))
    assert len(reader.pages) == 2
    front, back = (page.extract_text() for page in reader.pages)
    for expected in (
        "Peserta 1, S.Kom.",
        "800/0001/BPSDMD/2026",
        "12 JP",
        "22 November 2026",
        "22 - 24 November 2026",
        "Aula BPSDMD",
        "Bimtek Transformasi Digital",
        "Dr. H. Ahmad Fauzi, S.Kom., M.T.",
        "NIP. 197001012005011001",
        f"NIP. {certificate.holder_nip}",
    ):
        assert expected in front
    assert "Sesi 1" in back and "Sesi 3" in back and "12 JP" in back


def test_seventy_character_name_stays_inside_the_page(issued):
    name = LONG_NAME[:70]
    assert len(name) == 70
    _certificate, body = issued(name=name)
    with pdfplumber.open(BytesIO(body)) as pdf:
        page = pdf.pages[0]
        assert name in page.extract_text()
        for char in page.chars:
            assert 0 <= char["x0"] and char["x1"] <= page.width, char["text"]
            assert 0 <= char["top"] and char["bottom"] <= page.height


def test_long_title_and_name_shrink_but_stay_whole(db, app):
    data = _data(holder_name=LONG_NAME * 2, event_title="Pelatihan " * 40)
    with pdfplumber.open(BytesIO(render_pdf(data))) as pdf:
        page = pdf.pages[0]
        assert all(0 <= c["x0"] and c["x1"] <= page.width for c in page.chars)
        text = page.extract_text().replace("\n", " ")
        assert LONG_NAME in text  # shrunk, never cut


def test_fit_lines_wraps_then_shrinks():
    size, lines = fit_lines("Bimbingan Teknis " * 10, "Helvetica-Bold", 18, 400, 2)
    assert len(lines) <= 2 and size < 18
    assert fit_lines("Pendek", "Helvetica", 18, 400, 1) == (18, ("Pendek",))


def test_user_text_is_drawn_as_text_not_markup():
    data = _data(holder_name="<b>Budi</b> &amp; <font size=40>Ani</font>")
    text = PdfReader(BytesIO(render_pdf(data))).pages[0].extract_text()
    assert "<b>Budi</b> &amp; <font size=40>Ani</font>" in text


def test_qr_code_decodes_to_the_verification_url(issued):
    certificate, body = issued()
    url = f"{BASE}/verifikasi/{certificate.code}"
    with pdfplumber.open(BytesIO(body)) as pdf:
        image = pdf.pages[0].to_image(resolution=150).original
    barcodes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [b.text for b in barcodes] == [url]


def test_merged_runs_reproduce_the_matrix():
    """Drawing the runs on a bitmap gives back exactly the encoder's modules, and it decodes."""
    size, modules = qr_matrix("https://contoh.go.id/verifikasi/abc")
    scale, quiet = 4, 4
    image = Image.new("L", ((size + 2 * quiet) * scale,) * 2, 255)
    drawn = bytearray(b"\xff" * size * size)
    for row, col, length in dark_runs(size, modules):
        drawn[row * size + col : row * size + col + length] = b"\x00" * length
        x, y = (col + quiet) * scale, (row + quiet) * scale
        image.paste(0, (x, y, x + length * scale, y + scale))
    assert bytes(drawn) == modules
    assert zxingcpp.read_barcodes(image)[0].text == "https://contoh.go.id/verifikasi/abc"


def _data(**fields) -> CertificateData:
    values = dict(
        number="800/0001/BPSDMD/2026",
        title="SERTIFIKAT",
        statement="telah mengikuti dan dinyatakan LULUS pada",
        holder_name="Budi",
        holder_nip=None,
        holder_agency="Dinas Kominfo",
        event_title="Bimtek",
        organiser="BPSDMD",
        dates="22 November 2026",
        place="Aula",
        total_jp=12,
        issue_date="22 November 2026",
        signatory_name="Kepala",
        signatory_position="Kepala BPSDMD",
        signatory_nip=None,
        verification_url="https://contoh.go.id/verifikasi/x",
        syllabus=[("Modul " * 60, 2)] * 40,
    )
    values.update(fields)
    return CertificateData(**values)


def test_long_syllabus_continues_on_more_pages():
    reader = PdfReader(BytesIO(render_pdf(_data(total_jp=80))))
    assert len(reader.pages) > 2
    assert "80 JP" in reader.pages[-1].extract_text()
    assert PAGE_W > 800

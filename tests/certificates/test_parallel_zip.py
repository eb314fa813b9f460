"""The ZIP drawn by worker processes (both cores) holds the same certificates as the one drawn in-process."""

import zipfile

from pypdf import PdfReader

from lms.certificates import operations, parallel
from lms.certificates.jobs import certificates_zip_file

BASE = "https://lms.bpsdmd.example.go.id"


def test_two_processes_draw_the_same_zip(db, app, setup):
    organiser, event, users = setup(n=parallel.MIN_PARALLEL + 3)
    certificates = sorted(operations.issue_certificates(event, organiser), key=lambda c: c.number)
    db.session.commit()
    reports = []
    with app.test_request_context(base_url=BASE):
        together = certificates_zip_file(certificates, lambda *args: reports.append(args), processes=2)
        alone = certificates_zip_file(certificates, lambda *args: None, processes=1)
    assert reports[0] == (0, len(certificates)) and reports[-1] == (len(certificates), len(certificates))
    with zipfile.ZipFile(together) as a, zipfile.ZipFile(alone) as b:
        assert a.namelist() == b.namelist() and len(a.namelist()) == len(users)
        for certificate, entry in zip(certificates, a.namelist(), strict=True):
            with a.open(entry) as stream:
                text = PdfReader(stream).pages[0].extract_text()
            assert certificate.holder_name in text and certificate.number in text

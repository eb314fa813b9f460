"""Pages: the organiser's completion page, settings, issuing, overrides, revoking, downloads; the participant's
own certificates; public verification."""

import zipfile
from io import BytesIO

from pypdf import PdfReader
from sqlalchemy import select

from lms import jobs
from lms.auth.models import Role
from lms.certificates import criteria, operations
from lms.certificates.models import Certificate, CertificateSettings, CompletionOverride, CompletionRule
from lms.jobs_models import Job


def _issue(db, organiser, event):
    created = operations.issue_certificates(event, organiser)
    db.session.commit()
    return created


def test_organiser_page_lists_criteria_and_results(db, setup, providers, client_as):
    organiser, event, (a, b) = setup(n=2)
    providers(criteria.POST_TEST, {a.id: 90, b.id: 40})
    operations.save_rule(event, min_post_test=70)
    db.session.commit()
    page = client_as(organiser).get(f"/kelola/acara/{event.id}/sertifikat")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Nilai post-test" in html and a.name in html and b.name in html
    assert html.count("tidak lulus</span>") == 1 and html.count("lulus</span>") == 2
    filtered = client_as(organiser).get(f"/kelola/acara/{event.id}/sertifikat?result=tidak").get_data(as_text=True)
    assert b.name in filtered and a.name not in filtered


def test_other_organisers_and_participants_cannot_manage(db, setup, make_user, client_as):
    _organiser, event, (a,) = setup(n=1)
    stranger = make_user(role=Role.organiser)
    assert client_as(stranger).get(f"/kelola/acara/{event.id}/sertifikat").status_code == 404
    assert client_as(a).get(f"/kelola/acara/{event.id}/sertifikat").status_code == 403
    assert client_as(stranger).post(f"/kelola/acara/{event.id}/sertifikat/terbitkan").status_code == 404
    assert db.session.execute(select(Certificate)).first() is None


def test_settings_form_saves_settings_and_offered_rule(db, setup, providers, client_as):
    organiser, event, _users = setup(n=1)
    providers(criteria.ATTENDANCE_SESSIONS, {})
    client = client_as(organiser)
    page = client.get(f"/kelola/acara/{event.id}/sertifikat/pengaturan").get_data(as_text=True)
    assert "Kehadiran minimal" in page and "Nilai post-test minimal" not in page  # only criteria with data
    bad = client.post(
        f"/kelola/acara/{event.id}/sertifikat/pengaturan",
        data={"number_pattern": "800/{nomor}/{year}", "signatory_name": "X", "signatory_position": "Y"},
    )
    assert "tidak dikenal" in bad.get_data(as_text=True)
    response = client.post(
        f"/kelola/acara/{event.id}/sertifikat/pengaturan",
        data={
            "number_pattern": "SRT/{seq:03}/{roman_month}/{year}",
            "signatory_name": "Dr. Siti Aminah, M.Si.",
            "signatory_position": "Kepala Dinas",
            "signatory_nip": "1970 0101 2005 01 1 001",
            "issue_date": "2026-12-01",
            "issue_attendance": "y",
            "min_attendance": "80",
            "attendance_basis": "jp",
            "min_post_test": "70",  # not offered: ignored
        },
    )
    assert response.status_code == 302
    settings = db.session.execute(select(CertificateSettings)).scalar_one()
    assert (settings.number_pattern, settings.signatory_nip) == (
        "SRT/{seq:03}/{roman_month}/{year}",
        "197001012005011001",
    )
    assert settings.issue_attendance is True
    rule = db.session.execute(select(CompletionRule)).scalar_one()
    assert (rule.min_attendance, rule.attendance_basis.value, rule.min_post_test) == (80, "jp", None)


def test_settings_upload_background_and_logo(db, setup, client_as, app, tmp_path):
    from PIL import Image

    app.config["UPLOAD_DIR"] = str(tmp_path)
    organiser, event, (a,) = setup(n=1)
    png, logo = BytesIO(), BytesIO()
    Image.new("RGB", (40, 30), (200, 220, 255)).save(png, "PNG")
    Image.new("RGB", (20, 20), (200, 0, 0)).save(logo, "PNG")
    data = {"number_pattern": "800/{seq:04}/BPSDMD/{year}", "signatory_name": "Kepala", "signatory_position": "Kepala"}
    data["background"] = (BytesIO(png.getvalue()), "latar.png")
    data["logo"] = (BytesIO(b"<html>not an image</html>"), "logo.png")
    response = client_as(organiser).post(
        f"/kelola/acara/{event.id}/sertifikat/pengaturan", data=data, content_type="multipart/form-data"
    )
    assert "tidak dikenali" in response.get_data(as_text=True)  # whole form refused, nothing kept
    assert db.session.execute(select(CertificateSettings.background_key)).scalar_one() is None
    data["background"] = (BytesIO(png.getvalue()), "latar.png")
    data["logo"] = (BytesIO(logo.getvalue()), "logo.png")
    client_as(organiser).post(
        f"/kelola/acara/{event.id}/sertifikat/pengaturan", data=data, content_type="multipart/form-data"
    )
    settings = db.session.execute(select(CertificateSettings)).scalar_one()
    assert settings.background_key and settings.logo_key
    (certificate,) = _issue(db, organiser, event)
    body = client_as(a).get(f"/sertifikat-saya/{certificate.id}.pdf").data
    assert len(PdfReader(BytesIO(body)).pages[0].images) == 2


def test_issue_override_and_revoke_through_the_pages(db, setup, providers, client_as, storage_dir):
    organiser, event, (a, b) = setup(n=2)
    providers(criteria.POST_TEST, {a.id: 90, b.id: 40})
    operations.save_rule(event, min_post_test=70)
    db.session.commit()
    client = client_as(organiser)
    base = f"/kelola/acara/{event.id}/sertifikat"
    client.post(f"{base}/peserta/{b.id}/keputusan", data={"result": "passed", "reason": "Remedial lulus, nilai 75"})
    override = db.session.execute(select(CompletionOverride)).scalar_one()
    assert (override.user_id, override.decided_by_id, override.reason) == (
        b.id,
        organiser.id,
        "Remedial lulus, nilai 75",
    )
    client.post(f"{base}/terbitkan")
    certificates = db.session.execute(select(Certificate).order_by(Certificate.number)).scalars().all()
    assert {c.user_id for c in certificates} == {a.id, b.id}
    page = client.get(base).get_data(as_text=True)
    assert "800/0001/BPSDMD/2026" in page and "Remedial lulus, nilai 75" in page
    target = certificates[0]
    client.post(f"{base}/{target.id}/cabut", data={"reason": "Salah nama", "reissue": "y"})
    db.session.refresh(target)
    assert target.is_revoked and target.replaced_by.number == "800/0003/BPSDMD/2026"
    job_page = client.post(f"{base}/semua.zip", follow_redirects=True)
    assert "Sertifikat Bimtek Transformasi Digital (ZIP)" in job_page.get_data(as_text=True)
    jobs.join_threads()
    job = db.session.execute(select(Job)).scalar_one()
    archive = zipfile.ZipFile(BytesIO(client.get(f"/pekerjaan/{job.id}/unduh").data))
    assert sorted(archive.namelist()) == ["sertifikat-800-0002-BPSDMD-2026.pdf", "sertifikat-800-0003-BPSDMD-2026.pdf"]
    pdf = client.get(f"{base}/{target.id}.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_participant_downloads_own_certificate_only(db, setup, client_as):
    organiser, event, (a, b) = setup(n=2)
    cert_a, cert_b = _issue(db, organiser, event)
    if cert_a.user_id != a.id:
        cert_a, cert_b = cert_b, cert_a
    client = client_as(a)
    assert cert_a.number in client.get("/sertifikat-saya").get_data(as_text=True)
    own = client.get(f"/sertifikat-saya/{cert_a.id}.pdf")
    assert own.status_code == 200 and a.name in PdfReader(BytesIO(own.data)).pages[0].extract_text()
    assert client.get(f"/sertifikat-saya/{cert_b.id}.pdf").status_code == 404
    assert client.get(f"/kelola/acara/{event.id}/sertifikat/{cert_b.id}.pdf").status_code == 403


def test_verification_valid_revoked_unknown(db, setup, client):
    organiser, event, (a,) = setup(n=1)
    (certificate,) = _issue(db, organiser, event)
    page = client.get(f"/verifikasi/{certificate.code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Sertifikat ini SAH" in html
    assert a.name in html and certificate.number in html and "22 November 2026" in html and event.title in html
    assert a.nip not in html and a.email not in html and a.agency.name not in html  # nothing else about the person
    operations.revoke(certificate, "Data kehadiran dipalsukan", organiser)
    db.session.commit()
    html = client.get(f"/verifikasi/{certificate.code}").get_data(as_text=True)
    assert "DICABUT" in html and "Data kehadiran dipalsukan" in html and "SAH" not in html
    unknown = client.get("/verifikasi/tidak-ada-kode-ini")
    assert unknown.status_code == 404 and "Sertifikat tidak ditemukan" in unknown.get_data(as_text=True)


def test_verification_is_rate_limited(app, db, setup):
    """On an app with the limiter on (it is one object shared by every app: its state is restored)."""
    from lms import create_app
    from lms.config import TestConfig
    from lms.extensions import limiter

    organiser, event, _users = setup(n=1)
    (certificate,) = _issue(db, organiser, event)
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_ENABLED=True,
        VERIFY_RATE_LIMIT="3/minute",
    )
    was_enabled = limiter.enabled
    limited = create_app(config)
    try:
        limiter.reset()
        client = limited.test_client()
        codes = [client.get(f"/verifikasi/{certificate.code}").status_code for _ in range(4)]
    finally:
        limiter.reset()
        limiter.enabled = was_enabled
        with limited.app_context():
            db.session.remove()
            db.engine.dispose()
    assert codes == [200, 200, 200, 429]


def test_completion_list_is_paginated(app, db, setup, client_as):
    organiser, event, users = setup(n=23)
    client = client_as(organiser)
    first = client.get(f"/kelola/acara/{event.id}/sertifikat").get_data(as_text=True)
    second = client.get(f"/kelola/acara/{event.id}/sertifikat?page=2").get_data(as_text=True)
    per_page = app.config["PER_PAGE"]
    rows = lambda html: html.count('id="participant-')  # noqa: E731
    assert (rows(first), rows(second)) == (per_page, 23 - per_page)
    assert "page=2" in first and "23 peserta lulus" in first

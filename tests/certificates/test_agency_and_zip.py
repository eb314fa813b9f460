"""The ZIP of an event's certificates as a background job; the agency officer's certificates of his staff."""

import zipfile
from io import BytesIO

from sqlalchemy import select

from lms import jobs
from lms.auth.models import Role
from lms.certificates import operations
from lms.jobs_models import Job, JobStatus


def _issue(db, organiser, event):
    created = operations.issue_certificates(event, organiser)
    db.session.commit()
    return sorted(created, key=lambda c: c.number)


def _finished_zip(db, client, response) -> zipfile.ZipFile:
    assert response.status_code == 302 and "/pekerjaan/" in response.headers["Location"]
    jobs.join_threads()
    job = db.session.execute(select(Job).order_by(Job.id.desc())).scalars().first()
    db.session.refresh(job)
    assert job.status is JobStatus.finished and job.done == job.total
    return zipfile.ZipFile(BytesIO(client.get(f"/pekerjaan/{job.id}/unduh").data))


def test_event_zip_job_has_progress_and_only_valid_certificates(db, setup, client_as, storage_dir):
    organiser, event, users = setup(n=3)
    first, *_rest = _issue(db, organiser, event)
    operations.revoke(first, "Salah data", organiser)
    db.session.commit()
    client = client_as(organiser)
    archive = _finished_zip(db, client, client.post(f"/kelola/acara/{event.id}/sertifikat/semua.zip"))
    assert archive.namelist() == ["sertifikat-800-0002-BPSDMD-2026.pdf", "sertifikat-800-0003-BPSDMD-2026.pdf"]
    assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())
    job = db.session.execute(select(Job)).scalar_one()
    assert (job.total, job.created_by_id, job.result_name) == (2, organiser.id, f"sertifikat-acara-{event.id}.zip")


def test_event_zip_without_certificates_starts_no_job(db, setup, client_as):
    organiser, event, _users = setup(n=1)
    response = client_as(organiser).post(f"/kelola/acara/{event.id}/sertifikat/semua.zip", follow_redirects=True)
    assert "Belum ada sertifikat yang diterbitkan." in response.get_data(as_text=True)
    assert db.session.execute(select(Job)).first() is None


def test_agency_officer_sees_and_downloads_his_staff_only(
    db, setup, make_agency, make_user, make_event, client_as, storage_dir
):
    province = make_agency("Pemerintah Provinsi")
    office = make_agency("Dinas Kominfo", parent=province)
    section = make_agency("UPT Data", parent=office)
    other = make_agency("Dinas Sosial", parent=province)
    organiser, event, (inside, below, outside) = setup(n=3)
    for user, agency in ((inside, office), (below, section), (outside, other)):
        user.agency = agency
    db.session.commit()
    mine_a, mine_b, theirs = sorted(_issue(db, organiser, event), key=lambda c: c.user_id)
    officer = make_user(role=Role.agency_officer, agency=office)
    client = client_as(officer)
    page = client.get("/instansi/sertifikat").get_data(as_text=True)
    assert inside.name in page and below.name in page and outside.name not in page
    assert mine_a.number in page and theirs.number not in page
    searched = client.get("/instansi/sertifikat", query_string={"q": below.name}).get_data(as_text=True)
    assert below.name in searched and inside.name not in searched
    pdf = client.get(f"/instansi/sertifikat/{mine_b.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(f"/instansi/sertifikat/{theirs.id}.pdf").status_code == 404
    archive = _finished_zip(db, client, client.post("/instansi/sertifikat/semua.zip"))
    assert sorted(archive.namelist()) == sorted(
        f"sertifikat-{c.number.replace('/', '-')}.pdf" for c in (mine_a, mine_b)
    )
    # the job and its file belong to the officer alone
    job = db.session.execute(select(Job)).scalar_one()
    assert client_as(organiser).get(f"/pekerjaan/{job.id}/unduh").status_code == 404


def test_agency_pages_are_for_agency_officers_only(db, setup, client_as, make_user):
    organiser, event, (a,) = setup(n=1)
    (certificate,) = _issue(db, organiser, event)
    assert client_as(organiser).get("/instansi/sertifikat").status_code == 403
    assert client_as(a).get(f"/instansi/sertifikat/{certificate.id}.pdf").status_code == 403
    empty = make_user(role=Role.agency_officer, agency=organiser.agency)  # a's agency is another one
    response = client_as(empty).post("/instansi/sertifikat/semua.zip", follow_redirects=True)
    assert "Belum ada sertifikat pegawai instansi ini." in response.get_data(as_text=True)
    assert db.session.execute(select(Job)).first() is None

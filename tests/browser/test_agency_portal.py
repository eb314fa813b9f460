"""The agency portal in a real browser: an officer logs in, lands on his staff list (his agency only) and
downloads the agency's recap."""

import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from lms.auth.models import Role
from lms.certificates.models import Certificate, CertificateKind
from lms.events.models import Enrolment, EnrolmentStatus, EventStatus
from tests.conftest import PASSWORD
from tests.reports.results_world import add_attempts, make_tests

pytestmark = pytest.mark.browser


def test_officer_sees_his_staff_and_downloads_the_recap(db, page, live_url, make_agency, make_user, make_event):
    province = make_agency("Pemerintah Provinsi Banten")
    office = make_agency("Dinas Kominfo", parent=province)
    other = make_agency("Dinas Sosial", parent=province)
    officer = make_user(Role.agency_officer, agency=office, email="petugas@kominfo.go.id")
    mine = make_user(agency=office, name="Dr. Ani Suryani, M.Kom.")
    theirs = make_user(agency=other, name="Budi Santoso, S.Sos.")
    year = date.today().year
    event = make_event(title="Bimtek Satu Data", sessions=3, status=EventStatus.finished, start_date=date(year, 1, 5))
    for user in (mine, theirs):
        db.session.add(Enrolment(event=event, user=user, status=EnrolmentStatus.approved))
    db.session.add(
        Certificate(
            event=event,
            user=mine,
            kind=CertificateKind.completion,
            number=f"800/0001/BPSDMD/{year}",
            holder_name=mine.name,
            holder_nip=mine.nip,
            holder_agency=office.name,
            total_jp=12,
            issue_date=date(year, 1, 7),
        )
    )
    db.session.commit()

    page.goto(live_url("auth.login"))
    page.locator("input[name=identifier]").fill(officer.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/instansi-saya/$"))
    table = page.locator("#people")
    expect(table).to_contain_text("Dr. Ani Suryani, M.Kom.")
    expect(table).to_contain_text("kurang dari 20 JP")
    expect(table).not_to_contain_text("Budi Santoso")

    page.get_by_role("link", name="Dr. Ani Suryani, M.Kom.").click()
    expect(page.locator("#participation")).to_contain_text(f"800/0001/BPSDMD/{year}")
    page.go_back()

    with page.expect_download() as info:
        page.get_by_role("link", name="Unduh rekap instansi (.xlsx)").click()
    download = info.value
    assert download.suggested_filename.startswith(f"rekap-instansi-{office.id}-")
    wb = load_workbook(BytesIO(open(download.path(), "rb").read()))
    nips = {row[1] for row in wb["Rekap ASN"].iter_rows(min_row=6, values_only=True)}
    assert nips == {mine.nip}
    assert [row[5] for row in wb["SIASN"].iter_rows(min_row=2, values_only=True)] == [f"800/0001/BPSDMD/{year}"]


def test_dashboard_draws_its_charts(db, page, live_url, make_agency, make_user, make_event):
    admin = make_user(Role.admin, email="admin@bpsdmd.go.id")
    participant = make_user(name="Ani Suryani")
    event = make_event(title="Bimtek Satu Data", sessions=2, status=EventStatus.running, start_date=date(2026, 3, 2))
    db.session.add(Enrolment(event=event, user=participant, status=EnrolmentStatus.approved))
    pre, post = make_tests(db, event)
    add_attempts(db, pre, participant, 40)
    add_attempts(db, post, participant, 70)  # g = 0.5
    db.session.commit()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(live_url("auth.login"))
    page.locator("input[name=identifier]").fill(admin.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(live_url("reports.dashboard", tahun=2026))
    expect(page.locator("canvas[data-chart=events]")).to_have_attribute("data-drawn", "1")
    expect(page.locator("canvas[data-chart=agencies]")).to_have_attribute("data-drawn", "1")
    assert page.evaluate(
        "Chart.getChart(document.querySelector('canvas[data-chart=events]')).data.datasets[0].data"
    ) == [1]
    expect(page.locator("canvas[data-chart=gain]")).to_have_attribute("data-drawn", "1")
    gain = "Chart.getChart(document.querySelector('canvas[data-chart=gain]')).data"
    assert page.evaluate(f"{gain}.datasets[0].data") == [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    assert page.evaluate(f"{gain}.labels[6]") == "0,5–0,6"
    assert errors == []

"""Roster import in a real browser with CSRF on: upload, preview, map an unknown agency, confirm, download the
rows that were not imported."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lms.auth.models import Role, User
from lms.events.models import Enrolment
from tests.conftest import PASSWORD, valid_nip
from tests.roster.conftest import build_roster, read_xlsx

pytestmark = pytest.mark.browser


def test_upload_preview_confirm_download(db, page, live_url, make_agency, make_user, make_event, tmp_path):
    make_agency("Dinas Sosial", short_name="Dinsos")
    organiser = make_user(Role.organiser, name="Dra. Nurhayati, M.Si.", email="panitia@uji.go.id")
    event = make_event(title="Bimtek Arsip Digital", organisers=[organiser])
    roster = tmp_path / "peserta.xlsx"
    roster.write_bytes(
        build_roster(
            [
                (
                    1,
                    "Dr. H. Ahmad Fauzi, S.Kom., M.T.",
                    valid_nip(11),
                    "DINSOS",
                    "Arsiparis",
                    "III/c",
                    "0812-3456-7890",
                    "Ahmad@Dinsos.go.id",
                ),
                (2, "Budi Santoso", 198507152010011003, "Dinas Sosial", None, None, None, None),
                (3, "Citra Dewi", valid_nip(12, female=True), "Kecamatan Baru", None, None, None, None),
            ]
        )
    )

    page.goto(live_url("auth.login"))
    page.locator("input[name=identifier]").fill(organiser.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(live_url("events.detail", event_id=event.id))
    page.get_by_role("link", name="Impor peserta").click()
    page.locator("input[type=file]").set_input_files(str(roster))
    page.get_by_role("button", name="Unggah dan lihat pratinjau").click()

    expect(page.locator("h1")).to_contain_text("Pratinjau impor")
    expect(page.locator("#count-new")).to_have_text("2")
    expect(page.locator("#count-rejected")).to_have_text("1")
    expect(page.locator("#rows")).to_contain_text("digit terakhirnya hilang")
    assert db.session.execute(select(User).where(User.nip == valid_nip(11))).scalar_one_or_none() is None

    page.get_by_label("Kecamatan Baru").select_option(value="new")
    page.get_by_role("button", name="Konfirmasi impor").click()
    expect(page.locator(".alert-success")).to_contain_text("2 akun baru")
    expect(page.locator("h1")).to_contain_text("Hasil impor")

    with page.expect_download() as info:
        page.locator("#download-rejected").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    rows = read_xlsx(open(download.path(), "rb").read())
    body = [r for r in rows if len(r) > 2 and r[1] == "Budi Santoso"]
    assert len(body) == 1 and "angka" in body[0][-2]

    db.session.expire_all()
    ahmad = db.session.execute(select(User).where(User.nip == valid_nip(11))).scalar_one()
    assert ahmad.email == "ahmad@dinsos.go.id" and ahmad.password_hash is None
    assert db.session.execute(select(Enrolment).where(Enrolment.event_id == event.id)).scalars().all().__len__() == 2

"""The certificate template editor in a real browser (CSRF and the CSP on): the preview image loads with htmx,
follows an unsaved change, shows a refused value's message; saving and resetting the layout."""

import re

import pytest
from playwright.sync_api import expect

from lms.auth.models import Role
from lms.certificates.models import CertificateSettings
from tests.browser.test_certificates import _log_in

pytestmark = pytest.mark.browser


def test_organiser_previews_and_saves_a_layout(db, page, live_url, make_agency, make_user, make_event):
    agency = make_agency("Badan Pengembangan SDM Daerah", short_name="BPSDMD")
    organiser = make_user(Role.organiser, agency=agency, email="tataletak@bpsdmd.go.id")
    event = make_event(title="Bimtek Desain Sertifikat", organisers=[organiser], sessions=2, organiser_agency=agency)
    db.session.add(CertificateSettings(event_id=event.id, signatory_name="Dr. Ahmad", signatory_position="Kepala"))
    db.session.commit()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    _log_in(page, live_url, organiser)
    page.goto(live_url("certificates.manage", event_id=event.id))
    page.get_by_role("link", name="Tata letak dan pratinjau").click()
    preview = page.locator("#layout-preview img")
    expect(preview).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    first = preview.get_attribute("src")

    # An unsaved change redraws the preview; nothing is saved yet.
    page.locator("input[name='holder_name.y']").fill("150")
    page.locator("input[name='holder_name.y']").dispatch_event("change")
    expect(preview).not_to_have_attribute("src", first)
    db.session.expire_all()
    assert db.session.get(CertificateSettings, 1).layout is None

    # A value out of bounds: the preview area says why.
    page.locator("input[name='title.size']").fill("200")
    page.locator("input[name='title.size']").dispatch_event("change")
    expect(page.locator("#layout-preview .alert-danger")).to_contain_text("ukuran huruf harus antara 4 dan 72")
    page.locator("input[name='title.size']").fill("30")
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator(".alert-success")).to_contain_text("Tata letak sertifikat disimpan.")
    db.session.expire_all()
    settings = db.session.get(CertificateSettings, 1)
    assert settings.layout["holder_name"]["y"] == 150 and settings.layout["title"]["size"] == 30

    page.get_by_role("button", name="Kembalikan ke tata letak bawaan").click()
    expect(page.locator(".alert-success")).to_contain_text("Tata letak dikembalikan ke bawaan.")
    db.session.expire_all()
    assert db.session.get(CertificateSettings, 1).layout is None
    page.wait_for_load_state("networkidle")  # no preview request left to reach the next test's database
    assert not [e for e in errors if "Content Security Policy" in e], errors

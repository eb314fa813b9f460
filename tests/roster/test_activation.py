"""New accounts have no password; the organiser downloads one-time activation links; the participant sets a
password on the first visit and can log in with it; a used, wrong or expired link does nothing."""

import re
from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import Role, User
from lms.db import utcnow
from lms.events.roster_models import AccountActivation
from tests.conftest import PASSWORD, valid_nip
from tests.roster.conftest import build_roster, read_xlsx

NIP = valid_nip(501)


def imported(db, org_client, event, make_agency, upload, confirm) -> User:
    make_agency("Dinas Sosial")
    data = build_roster(
        [(1, "Dr. Wulan Sari, M.Pd.", NIP, "Dinas Sosial", None, None, "0812 9999 0000", "wulan@uji.go.id")]
    )
    _, batch = upload(org_client, event, data)
    confirm(org_client, event, batch)
    return db.session.execute(select(User).where(User.nip == NIP)).scalar_one()


def activation_links(org_client, event) -> dict[str, str]:
    response = org_client.post(f"/kelola/acara/{event.id}/aktivasi.xlsx")
    assert response.status_code == 200
    rows = read_xlsx(response.data)
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == "Nama")
    return {row[1]: row[5] for row in rows[header_at + 1 :]}


def test_activation_journey(db, app, client, org_client, event, make_agency, upload, confirm):
    user = imported(db, org_client, event, make_agency, upload, confirm)
    assert user.password_hash is None
    page = org_client.get(f"/kelola/acara/{event.id}/impor-peserta").get_data(as_text=True)
    assert re.search(r'id="activation-waiting">1<', page)

    links = activation_links(org_client, event)
    link = links[NIP]
    assert link.startswith("http://localhost/aktivasi/")
    assert activation_links(org_client, event)[NIP] == link  # the same link when downloaded again
    path = link.removeprefix("http://localhost")

    # Nobody can log in before activation.
    response = client.post("/masuk", data={"identifier": NIP, "password": PASSWORD})
    assert response.status_code == 200 and "salah" in response.get_data(as_text=True)

    page = client.get(path)
    assert page.status_code == 200 and "Dr. Wulan Sari, M.Pd." in page.get_data(as_text=True)
    response = client.post(path, data={"password": "pendek", "password_confirm": "pendek"})
    assert response.status_code == 200 and db.session.get(User, user.id).password_hash is None
    response = client.post(path, data={"password": PASSWORD, "password_confirm": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/pelatihan-saya")
    user = db.session.get(User, user.id)
    assert user.check_password(PASSWORD)
    activation = db.session.execute(select(AccountActivation).where(AccountActivation.user_id == user.id)).scalar_one()
    assert activation.used_at is not None
    assert client.get("/pelatihan-saya").status_code == 200  # logged in

    # One time only; the organiser's list no longer shows the person.
    assert app.test_client().get(path).status_code == 404
    assert (
        app.test_client().post(path, data={"password": "LainLagi#99", "password_confirm": "LainLagi#99"}).status_code
        == 404
    )
    assert db.session.get(User, user.id).check_password(PASSWORD)
    assert activation_links(org_client, event) == {}
    fresh = app.test_client()
    response = fresh.post("/masuk", data={"identifier": NIP, "password": PASSWORD})
    assert response.status_code == 302


def test_bad_and_expired_links(db, client, org_client, event, make_agency, upload, confirm):
    user = imported(db, org_client, event, make_agency, upload, confirm)
    link = activation_links(org_client, event)[NIP].removeprefix("http://localhost")
    assert client.get(link[:-3] + "abc").status_code == 404
    assert client.get("/aktivasi/bukan-token").status_code == 404
    activation = db.session.execute(select(AccountActivation).where(AccountActivation.user_id == user.id)).scalar_one()
    activation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(link)
    assert page.status_code == 404 and "tidak berlaku" in page.get_data(as_text=True)
    # Downloading again renews it with a new link; the old one stays dead.
    renewed = activation_links(org_client, event)[NIP].removeprefix("http://localhost")
    assert renewed != link
    assert client.get(link).status_code == 404 and client.get(renewed).status_code == 200


def test_accounts_with_password_get_no_link(db, org_client, event, make_agency, make_user, upload, confirm):
    agency = make_agency("Dinas Sosial")
    make_user(Role.participant, nip=valid_nip(777), agency=agency)  # has a password
    _, batch = upload(org_client, event, build_roster([(1, "Punya Sandi", valid_nip(777), "Dinas Sosial")]))
    confirm(org_client, event, batch)
    assert activation_links(org_client, event) == {}

"""The audit log: every state-changing request of an organiser or admin (also when it failed or was rolled back),
log-ins, failed log-ins and log-outs; never a password or token; the admin's page with filters, pagination and
.xlsx; each event's own log for its organisers."""

from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from lms.audit import operations as audit_ops
from lms.audit.models import AuditAction, AuditEntry
from lms.auth.models import Role
from lms.db import utcnow
from lms.events import operations as event_ops
from lms.events.models import EventSession
from tests.conftest import PASSWORD


def _entries(db, **where) -> list[AuditEntry]:
    db.session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEntry, key) == value)
    return list(db.session.execute(query).scalars())


def _all_text(db) -> str:
    rows = db.session.execute(select(AuditEntry)).scalars()
    return " ".join(
        str(value) for e in rows for value in (e.path, e.summary, e.target, e.user_name, e.endpoint, e.user_agent)
    )


def test_organiser_change_is_recorded_with_who_what_when_where(db, client_as, scene):
    organiser, event = scene["organiser"], scene["event"]
    session_id = event.sessions[0].id
    before = utcnow() - timedelta(seconds=1)
    http = client_as(organiser)
    response = http.post(
        f"/kelola/acara/{event.id}/jadwal/{session_id}/hapus", headers={"User-Agent": "Peramban Uji/1.0"}
    )
    assert response.status_code == 302
    (entry,) = _entries(db, user_id=organiser.id)
    assert entry.action is AuditAction.request
    assert (entry.user_name, entry.user_role) == (organiser.name, "organiser")
    assert (entry.method, entry.endpoint) == ("POST", "events.session_delete")
    assert entry.path == f"/kelola/acara/{event.id}/jadwal/{session_id}/hapus"
    assert entry.target == {"event_id": event.id, "session_id": session_id}
    assert entry.event_id == event.id
    assert entry.status == 302
    assert before <= entry.created_at <= utcnow() + timedelta(seconds=1)  # stored in UTC
    assert entry.ip_address == "127.0.0.1"
    assert entry.user_agent == "Peramban Uji/1.0"


def test_refused_and_invalid_requests_are_recorded_with_their_status(db, client_as, scene):
    organiser, other = scene["organiser"], scene["other"]
    http = client_as(organiser)
    assert http.post(f"/kelola/acara/{other.id}/status", data={"status": "finished"}).status_code == 404
    assert http.post(f"/kelola/acara/{scene['event'].id}/status", data={"status": "bogus"}).status_code == 400
    assert [e.status for e in _entries(db, user_id=organiser.id)] == [404, 400]


def test_admin_change_records_field_names_but_never_values_or_secrets(db, client_as, make_user, scene):
    admin, bob = make_user(Role.admin), scene["bob"]
    http = client_as(admin)
    secret = "SangatRahasia#2026"
    response = http.post(
        f"/admin/pengguna/{bob.id}/reset-sandi",
        data={"password": secret, "password_confirm": secret, "csrf_token": "token-csrf-xyz"},
    )
    assert response.status_code == 302
    (entry,) = _entries(db, user_id=admin.id)
    assert entry.endpoint == "users_admin.reset_password"
    assert entry.target == {"user_id": bob.id}
    assert "password" not in (entry.summary or "")
    text = _all_text(db)
    assert secret not in text and "token-csrf-xyz" not in text
    # An ordinary form: the names of the fields sent are the summary, their contents are not kept.
    http.post("/admin/instansi/baru", data={"name": "Dinas Rahasia Baru", "short_name": "DRB"})
    last = _entries(db, user_id=admin.id)[-1]
    assert last.summary == "fields: name, short_name"
    assert "Dinas Rahasia Baru" not in _all_text(db)


def test_request_that_fails_is_still_recorded_and_its_work_rolled_back(db, client_as, scene, monkeypatch):
    organiser, event = scene["organiser"], scene["event"]
    session_id = event.sessions[0].id
    real_delete = event_ops.delete_session

    def delete_then_fail(session):
        real_delete(session)  # flushed: on SQLite the request now holds the write lock
        raise RuntimeError("gangguan di tengah permintaan")

    monkeypatch.setattr(event_ops, "delete_session", delete_then_fail)
    with pytest.raises(RuntimeError):
        client_as(organiser).post(f"/kelola/acara/{event.id}/jadwal/{session_id}/hapus")
    (entry,) = _entries(db, user_id=organiser.id)
    assert entry.status == 500 and entry.endpoint == "events.session_delete"
    assert db.session.get(EventSession, session_id) is not None  # the deletion was rolled back, the log kept


def test_failed_request_answered_by_the_error_page_is_recorded(db, app_with, scene, monkeypatch):
    organiser, event = scene["organiser"], scene["event"]
    monkeypatch.setattr(event_ops, "delete_session", lambda session: 1 / 0)
    http = app_with(PROPAGATE_EXCEPTIONS=False).test_client()
    with http.session_transaction() as sess:
        sess["_user_id"] = organiser.session_token
    assert http.post(f"/kelola/acara/{event.id}/jadwal/{event.sessions[0].id}/hapus").status_code == 500
    assert [e.status for e in _entries(db, user_id=organiser.id)] == [500]


def test_audit_failure_never_breaks_the_request(db, client_as, scene, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("tabel audit tidak tersedia")

    monkeypatch.setattr(audit_ops, "insert", broken)
    event_id, session_id = scene["event"].id, scene["event"].sessions[0].id
    response = client_as(scene["organiser"]).post(f"/kelola/acara/{event_id}/jadwal/{session_id}/hapus")
    assert response.status_code == 302
    assert db.session.get(EventSession, session_id) is None  # the work itself was done
    assert _entries(db) == []


def test_participant_actions_are_not_recorded(db, client_as, scene):
    alice = client_as(scene["alice"])
    alice.post(f"/pelatihan/{scene['event'].id}/materi/{scene['materials']['event'].id}/selesai")
    alice.post("/profil", data={"name": "Alice Baru"})
    assert _entries(db) == []


def test_login_failed_login_and_logout_are_recorded(db, client, scene, make_user):
    organiser = scene["organiser"]
    wrong = "SalahSekali#99"
    assert client.post("/masuk", data={"identifier": organiser.email, "password": wrong}).status_code == 200
    assert client.post("/masuk", data={"identifier": "orang.asing@x.id", "password": wrong}).status_code == 200
    assert client.post("/masuk", data={"identifier": wrong, "password": organiser.email}).status_code == 200
    assert client.post("/masuk", data={"identifier": organiser.email, "password": PASSWORD}).status_code == 302
    assert client.post("/keluar").status_code == 302
    entries = _entries(db)
    assert [e.action for e in entries] == [
        AuditAction.login_failed,
        AuditAction.login_failed,
        AuditAction.login_failed,
        AuditAction.login,
        AuditAction.logout,
    ]
    assert entries[0].user_id == organiser.id  # the account aimed at
    assert entries[1].user_id is None and entries[1].user_name is None  # unknown: what was typed is not kept
    assert [e.user_id for e in entries[3:]] == [organiser.id, organiser.id]
    text = _all_text(db)
    assert wrong not in text and PASSWORD not in text and "orang.asing" not in text


# The admin's page --------------------------------------------------------------------------------------


@pytest.fixture
def logged(db, scene):
    """Entries on three days (WIB) by two people, written as the hooks would."""
    organiser = scene["organiser"]
    base = utcnow().replace(hour=3, minute=0, second=0, microsecond=0)  # 10.00 WIB
    rows = []
    for day in range(3):
        for n in range(10):
            rows.append(
                AuditEntry(
                    created_at=base - timedelta(days=day, minutes=n),
                    user_id=organiser.id,
                    user_name=organiser.name,
                    user_role="organiser",
                    action=AuditAction.request,
                    method="POST",
                    endpoint="events.edit",
                    path=f"/kelola/acara/{scene['event'].id}/ubah",
                    event_id=scene["event"].id,
                    target={"event_id": scene["event"].id},
                    summary="fields: title",
                    status=302,
                    ip_address="10.1.1.1",
                )
            )
    rows.append(
        AuditEntry(
            created_at=base,
            user_name='=HYPERLINK("http://evil.example","klik")',
            action=AuditAction.login_failed,
            method="POST",
            endpoint="auth.login",
            path="/masuk",
            status=200,
            ip_address="203.0.113.5",
            user_agent="+cmd|' /C calc'!A0",
        )
    )
    db.session.add_all(rows)
    db.session.commit()
    return base


def _rows(html: str) -> int:
    return html.count('data-label="Waktu (WIB)"')


def test_admin_page_lists_filters_and_pages(db, client_as, make_user, scene, logged):
    http = client_as(make_user(Role.admin))
    html = http.get("/admin/log-audit").get_data(as_text=True)
    assert "Log audit" in html and scene["organiser"].name in html
    assert "10.1.1.1" in html and "events.edit" in html
    assert "Menampilkan 20 dari 31 data" in html
    assert "Menampilkan 11 dari 31 data" in http.get("/admin/log-audit?page=2").get_data(as_text=True)
    failed = http.get("/admin/log-audit?action=login_failed").get_data(as_text=True)
    assert "203.0.113.5" in failed and "10.1.1.1" not in failed
    by_user = http.get("/admin/log-audit?user=" + scene["organiser"].name.split()[0]).get_data(as_text=True)
    assert "203.0.113.5" not in by_user and "10.1.1.1" in by_user
    today = (logged + timedelta(hours=7)).date()
    one_day = http.get(f"/admin/log-audit?start={today}&end={today}").get_data(as_text=True)
    assert _rows(one_day) == 11
    two_days = http.get(f"/admin/log-audit?start={today - timedelta(days=1)}&end={today}&page=2")
    assert _rows(two_days.get_data(as_text=True)) == 1
    bad = http.get("/admin/log-audit?start=kemarin").get_data(as_text=True)
    assert "Tanggal kemarin tidak valid" in bad
    assert "Log audit" in client_as(make_user(Role.admin)).get("/admin/instansi/").get_data(as_text=True)  # menu


def test_admin_page_shows_times_in_wib(client_as, make_user, logged):
    html = client_as(make_user(Role.admin)).get("/admin/log-audit?action=login_failed").get_data(as_text=True)
    assert "10.00" in html  # 03.00 UTC


def test_export_is_an_xlsx_with_text_cells_only(client_as, make_user, logged):
    response = client_as(make_user(Role.admin)).get("/admin/log-audit.xlsx?action=login_failed")
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.data)).active
    rows = list(ws.iter_rows(values_only=False))
    header = [c.value for c in rows[2]]
    assert header[:4] == ["Waktu (WIB)", "Pengguna", "Peran", "Aksi"]
    data = rows[3]
    assert data[1].value == '=HYPERLINK("http://evil.example","klik")' and data[1].data_type == "s"
    assert data[11].value == "+cmd|' /C calc'!A0" and data[11].data_type == "s"
    assert data[0].value.hour == 10  # WIB
    assert len(rows) == 4


def test_organiser_reads_only_his_events_log(db, client_as, scene, logged):
    organiser, event = scene["organiser"], scene["event"]
    db.session.add(
        AuditEntry(
            created_at=utcnow(),
            user_name="Panitia Lain",
            action=AuditAction.request,
            method="POST",
            path=f"/kelola/acara/{scene['other'].id}/ubah",
            event_id=scene["other"].id,
            status=302,
        )
    )
    db.session.commit()
    http = client_as(organiser)
    html = http.get(f"/kelola/acara/{event.id}/log-audit").get_data(as_text=True)
    assert "Menampilkan 20 dari 30 data" in html
    assert "Panitia Lain" not in html and "203.0.113.5" not in html  # other events, log-ins
    assert http.get("/admin/log-audit").status_code == 403
    assert http.get(f"/kelola/acara/{scene['other'].id}/log-audit").status_code == 404
    export = http.get(f"/kelola/acara/{event.id}/log-audit.xlsx")
    ws = load_workbook(BytesIO(export.data)).active
    assert ws.max_row == 3 + 30
    assert "Log audit" in http.get(f"/kelola/acara/{event.id}").get_data(as_text=True)  # the event page's button

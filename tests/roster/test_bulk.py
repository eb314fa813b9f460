"""lms/bulk.py on the real database (SQLite chunks; PostgreSQL arrays and COPY) and a roster larger than a chunk."""

import gc
from datetime import datetime

import pytest
from sqlalchemy import func, insert, select

from lms.auth.models import Role, User
from lms.bulk import CHUNK, gc_paused, in_values, insert_rows
from lms.events import roster
from lms.events.models import Enrolment, EnrolmentSource, EnrolmentStatus
from lms.events.roster_models import AccountActivation, ImportStatus, RosterImport
from tests.conftest import valid_nip
from tests.roster.conftest import build_roster

TRICKY = [
    'Dr. H. Ahmad "Fauzi", S.Kom.',
    "back\\slash",
    "{kurung, koma}",
    "baris\nbaru",
    "tab\there\r",
    "NULL",
    "\\N",
    "Ṡiti ✓",
    "",
]


def test_insert_rows_fills_defaults_per_row_and_keeps_values(db, make_agency):
    agency = make_agency("Dinas Uji")
    seen = datetime(2026, 11, 22, 7, 30, 15, 123456)
    rows = [
        {
            "name": f"{TRICKY[n % len(TRICKY)]} {n}",
            "email": f"p{n}@uji.go.id",
            "nip": valid_nip(n) if n % 2 else None,
            "agency_id": agency.id,
            "role": Role.participant,
            "last_login_at": seen if n == 7 else None,
        }
        for n in range(CHUNK * 2 + 200)  # more than one chunk where chunks are used
    ]
    users = User.__table__
    created = insert_rows(users, rows, (users.c.id, users.c.email))
    assert len(created) == len(rows) and len({user_id for user_id, _ in created}) == len(rows)
    db.session.commit()

    stored = {u.email: u for u in db.session.execute(select(User).where(User.agency_id == agency.id)).scalars()}
    assert {email: user.id for email, user in stored.items()} == {email: user_id for user_id, email in created}
    for row in rows:
        user = stored[row["email"]]
        assert (user.name, user.nip, user.role) == (row["name"], row["nip"], Role.participant)
        assert user.active is True and user.password_hash is None  # the column default; no password
        assert user.created_at is not None and user.updated_at is not None
    assert stored["p7@uji.go.id"].last_login_at == seen and stored["p8@uji.go.id"].last_login_at is None
    tokens = {user.session_token for user in stored.values()}
    assert None not in tokens and len(tokens) == len(rows)  # a callable default is called for every row


def test_insert_rows_json_columns_stay_documents(db, make_event, make_user):
    organiser = make_user(Role.organiser)
    event = make_event(organisers=[organiser])
    document = [{"row": 5, "raw": ['Nama "Dr."', None, 3.5], "errors": [], "warnings": ["baris\nbaru"]}]
    insert_rows(
        RosterImport.__table__,
        [
            {
                "event_id": event.id,
                "created_by_id": organiser.id,
                "filename": "peserta.xlsx",
                "headers": ["Nama", "NIP"],
                "rows": document,
                "summary": {"counts": {"new": 1}},
            }
        ],
    )
    db.session.commit()
    batch = db.session.execute(select(RosterImport)).scalar_one()
    assert batch.rows == document and batch.headers == ["Nama", "NIP"] and batch.summary == {"counts": {"new": 1}}
    assert batch.status is ImportStatus.preview and batch.header_row == 1  # defaults filled in


def test_insert_nothing_sends_nothing(db, count_queries):
    with count_queries() as counter:
        assert insert_rows(User.__table__, [], (User.__table__.c.id,)) == []
        assert list(in_values(User.email, [])) == []
    assert counter.count == 0


def test_in_values_finds_every_value(db, make_agency, is_postgres):
    agency = make_agency("Dinas Uji")
    emails = [f"p{n}@uji.go.id" for n in range(1100)]
    insert_rows(User.__table__, [{"name": "P", "email": e, "agency_id": agency.id} for e in emails])
    wanted = emails + [f"tidak-ada{n}@uji.go.id" for n in range(100)]
    conditions = list(in_values(User.email, wanted))
    assert len(conditions) == (1 if is_postgres else -(-len(wanted) // CHUNK))
    found = [
        email for condition in conditions for email in db.session.execute(select(User.email).where(condition)).scalars()
    ]
    assert sorted(found) == sorted(emails)


def test_insert_rows_returns_only_what_it_knows(db, make_agency):
    agency = make_agency("Dinas Uji")
    users = User.__table__
    with pytest.raises(ValueError, match="last_login_at"):  # made up by the server: not sent, so not known
        insert_rows(users, [{"name": "P", "email": "p@uji.go.id", "agency_id": agency.id}], (users.c.last_login_at,))
    created = insert_rows(users, [{"name": "P", "email": "p@uji.go.id", "agency_id": agency.id}], (users.c.email,))
    assert created == [("p@uji.go.id",)]


def test_gc_paused_restores_the_collector():
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with gc_paused():
            assert not gc.isenabled()
            with gc_paused():  # nested (or another thread's import): leaves it to the outer one
                pass
            assert not gc.isenabled()
            raise RuntimeError
    assert gc.isenabled()


def test_roster_larger_than_a_chunk(db, org_client, event, make_agency, make_user, upload, confirm, count_queries):
    agency = make_agency("Dinas Sosial")
    existing = [make_user(nip=valid_nip(n), agency=agency) for n in range(3)]
    size = CHUNK * 2 + 100
    rows = [(n, f"Peserta {n}", valid_nip(n), "Dinas Sosial", None, None, None, f"p{n}@uji.go.id") for n in range(size)]
    rows.append((None, "Peserta 0", valid_nip(0), "Dinas Sosial", None, None, None, None))  # the same person again
    _, batch = upload(org_client, event, build_roster(rows))
    assert batch.summary["counts"] == {"new": size - 3, "enrol": 3, "enrolled": 0, "duplicate": 1, "rejected": 0}
    with count_queries() as counter:
        response = confirm(org_client, event, batch)
    assert response.status_code == 302
    assert counter.count < 40, counter.statements  # bulk statements, not one per row

    enrolled = db.session.execute(
        select(User.nip, Enrolment.status, Enrolment.source)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.event_id == event.id)
    ).all()
    assert sorted(nip for nip, _, _ in enrolled) == sorted(valid_nip(n) for n in range(size))
    assert {(status, source) for _, status, source in enrolled} == {
        (EnrolmentStatus.approved, EnrolmentSource.imported)
    }
    new_ids = select(User.id).where(User.nip.in_([valid_nip(n) for n in range(3, size)]))
    activations = db.session.execute(
        select(func.count(AccountActivation.id)).where(AccountActivation.user_id.in_(new_ids))
    ).scalar_one()
    assert activations == size - 3
    assert all(user.password_hash is not None for user in existing)  # existing accounts untouched
    passwordless = select(func.count(User.id)).where(User.password_hash.is_(None), User.agency_id == agency.id)
    assert db.session.execute(passwordless).scalar_one() == size - 3

    _, again = upload(org_client, event, build_roster(rows))  # the same file again: everyone already enrolled
    assert again.summary["counts"] == {"new": 0, "enrol": 0, "enrolled": size, "duplicate": 1, "rejected": 0}


def test_account_created_during_the_confirmation_writes_nothing(
    db, org_client, event, make_agency, upload, confirm, monkeypatch
):
    """Someone registers with a row's e-mail after the confirmation planned (between its checks and the bulk
    insert): the unique e-mail stops the whole import, which is rolled back and can be confirmed again."""
    agency = make_agency("Dinas Sosial")
    rows = [(n, f"Peserta {n}", valid_nip(n), "Dinas Sosial", None, None, None, f"p{n}@uji.go.id") for n in range(20)]
    _, batch = upload(org_client, event, build_roster(rows))
    plan_rows = roster.plan_rows

    def plan_then_register(*args, **kwargs):
        unknown = plan_rows(*args, **kwargs)
        monkeypatch.setattr(roster, "plan_rows", plan_rows)
        with db.engine.begin() as other:  # another request, committed meanwhile
            other.execute(
                insert(User.__table__).values(name="Daftar Sendiri", email="p7@uji.go.id", agency_id=agency.id)
            )
        return unknown

    monkeypatch.setattr(roster, "plan_rows", plan_then_register)
    response = confirm(org_client, event, batch)
    assert "Data peserta berubah selama impor" in org_client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.get(RosterImport, batch.id).status is ImportStatus.preview
    assert db.session.execute(select(func.count(User.id)).where(User.agency_id == agency.id)).scalar_one() == 1
    assert db.session.execute(select(func.count(Enrolment.id))).scalar_one() == 0

    confirm(org_client, event, batch)  # again: the new account is matched by its e-mail and enrolled
    assert db.session.get(RosterImport, batch.id).summary["counts"]["enrol"] == 1
    assert db.session.execute(select(func.count(Enrolment.id))).scalar_one() == 20

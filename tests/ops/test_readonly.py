"""``@read_only`` pages (lms/readonly.py): no transaction on PostgreSQL, a refused write everywhere, and the
connection given back as it was taken."""

import pytest
from flask import jsonify
from sqlalchemy import select, update

from lms.auth.models import Role, User
from lms.extensions import db as _db
from lms.readonly import ReadOnlyViolation, read_only

MARKED = (
    "enrolment.catalogue",
    "enrolment.event_page",
    "enrolment.my_trainings",
    "courses.outline",
    "courses.module",
    "attendance.check_in",
    "assessments.survey_fill",
    "certificates.mine",
    "certificates.my_download",
)


@pytest.fixture
def probe_app(app_with, make_user):
    """An app with three probe pages: a read-only one that reports its connection, and two read-only ones that
    try to write (through the ORM, through an UPDATE), next to a plain page that reports its connection too."""
    other = app_with()
    user = make_user(Role.participant, name="Siti Aminah")

    def isolation():
        connection = _db.session.connection()
        _db.session.execute(select(User.id)).all()
        if connection.dialect.name != "postgresql":
            return jsonify(autocommit=connection.connection.dbapi_connection.isolation_level is None)
        dbapi = connection.connection.dbapi_connection
        return jsonify(autocommit=dbapi.autocommit, in_transaction=dbapi.info.transaction_status != 0)

    def rename():
        _db.session.get(User, user.id).name = "Diubah"
        _db.session.flush()
        return "tidak boleh sampai di sini"

    def bulk_rename():
        _db.session.execute(update(User).where(User.id == user.id).values(name="Diubah"))
        return "tidak boleh sampai di sini"

    other.add_url_rule("/_probe/ro", "probe_ro", read_only(isolation))
    other.add_url_rule("/_probe/rw", "probe_rw", isolation)
    other.add_url_rule("/_probe/rename", "probe_rename", read_only(rename), methods=["GET", "POST"])
    other.add_url_rule("/_probe/bulk", "probe_bulk", read_only(bulk_rename))
    other.config["PROPAGATE_EXCEPTIONS"] = True
    return other, user


def test_the_busy_participant_pages_are_marked(app):
    for endpoint in MARKED:
        assert getattr(app.view_functions[endpoint], "read_only", False), endpoint


def test_a_read_only_page_runs_without_a_transaction_on_postgresql(probe_app, is_postgres):
    other, _ = probe_app
    client = other.test_client()
    read = client.get("/_probe/ro").get_json()
    plain = client.get("/_probe/rw").get_json()
    if is_postgres:
        assert read == {"autocommit": True, "in_transaction": False}  # a statement ran, and no BEGIN before it
        assert plain == {"autocommit": False, "in_transaction": True}  # the pooled connection came back as it was
    else:
        assert read == plain == {"autocommit": False}  # SQLite keeps its usual connection
    assert client.get("/_probe/ro").get_json() == read  # and the next read-only page is alike


@pytest.mark.parametrize("path", ["/_probe/rename", "/_probe/bulk"])
def test_a_read_only_page_that_writes_is_refused_and_writes_nothing(probe_app, path):
    other, user = probe_app
    with pytest.raises(ReadOnlyViolation):
        other.test_client().get(path)
    _db.session.remove()
    assert _db.session.execute(select(User.name).where(User.id == user.id)).scalar_one() == "Siti Aminah"
    # the refusal ends with the request: the next ordinary request is in its usual transaction
    assert other.test_client().get("/_probe/rw").get_json()["autocommit"] is False


def test_the_mark_covers_get_and_head_only(probe_app):
    other, user = probe_app
    response = other.test_client().post("/_probe/rename")  # a POST may write (this one flushes, never commits)
    assert response.status_code == 200
    with pytest.raises(ReadOnlyViolation):
        other.test_client().head("/_probe/rename")
    _db.session.remove()
    assert _db.session.execute(select(User.name).where(User.id == user.id)).scalar_one() == "Siti Aminah"


def test_the_catalogue_and_my_trainings_still_read_their_rows(client_as, make_user, make_event, db):
    from lms.events import enrolment as ops

    participant = make_user(Role.participant, name="Budi Santoso")
    event = make_event(title="Bimtek Arsip Digital")
    ops.register(event, participant)
    db.session.commit()
    client = client_as(participant)
    for path in ("/pelatihan", f"/pelatihan/{event.id}", "/pelatihan-saya"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Bimtek Arsip Digital" in response.text, path

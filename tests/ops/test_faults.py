"""The database going away in the middle: 503 with Retry-After and an Indonesian page, nothing half-written, the
next request fine without restarting the app. Simulated through the engine on every database; on PostgreSQL also
for real, with pg_terminate_backend on the app's connections between two requests and during one."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from lms.auth.models import Role
from lms.events import enrolment as enrolment_ops
from lms.events.models import Enrolment
from tests.ops.conftest import terminate_backends

RETRYABLE_MESSAGES = {  # what the driver says when the database is away or busy for a moment
    "sqlite": "database is locked",
    "postgresql": "the database system is shutting down",
}
DISCONNECT_MESSAGES = {
    "sqlite": ("ProgrammingError", "Cannot operate on a closed database."),
    "postgresql": ("OperationalError", "server closed the connection unexpectedly"),
}


@pytest.fixture
def participant(make_user):
    return make_user(Role.participant, name="Rina Marlina, S.Sos.")


@pytest.fixture
def fail_once(db, monkeypatch):
    """``fail_once(hook, error, when=...)``: the engine's ``do_execute`` or ``do_commit`` raises the driver's own
    ``error`` once, for the first statement for which ``when(statement)`` is true (every commit for do_commit)."""
    dialect = db.engine.dialect

    def install(hook: str, error: BaseException, when=lambda statement: True):
        original = getattr(dialect, hook)
        state = {"fired": False}

        def failing(*args, **kwargs):
            statement = args[1] if hook == "do_execute" else ""
            if not state["fired"] and when(statement):
                state["fired"] = True
                raise error
            return original(*args, **kwargs)

        monkeypatch.setattr(dialect, hook, failing)
        return state

    return install


def _driver_error(db, kind: str, message: str) -> BaseException:
    return getattr(db.engine.dialect.loaded_dbapi, kind)(message)


def _enrolments(db, user_id: int) -> int:
    db.session.remove()
    return db.session.execute(select(func.count(Enrolment.id)).where(Enrolment.user_id == user_id)).scalar_one()


def _assert_retry_page(response) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "Layanan sedang tidak tersedia" in html and "coba lagi dalam beberapa detik" in html
    assert '<html lang="id">' in html
    assert "OperationalError" not in html and "Traceback" not in html


def test_commit_failing_answers_503_and_keeps_nothing(db, make_event, participant, client_as, fail_once):
    event = make_event(title="Bimtek Arsip Digital")
    client, participant_id, url = client_as(participant), participant.id, f"/pelatihan/{event.id}"
    state = fail_once("do_commit", _driver_error(db, "OperationalError", RETRYABLE_MESSAGES[db.engine.dialect.name]))
    _assert_retry_page(client.post(url + "/daftar"))
    assert state["fired"]
    assert _enrolments(db, participant_id) == 0  # the INSERT flushed before the commit was rolled back
    assert client.get(url).status_code == 200
    assert client.post(url + "/daftar").status_code == 302
    assert _enrolments(db, participant_id) == 1


def test_dropped_connection_during_a_statement(db, make_event, participant, client_as, fail_once):
    event = make_event(title="Bimtek Arsip Digital")
    kind, message = DISCONNECT_MESSAGES[db.engine.dialect.name]
    state = fail_once(
        "do_execute", _driver_error(db, kind, message), when=lambda sql: sql.lstrip().upper().startswith("INSERT")
    )
    client, participant_id, url = client_as(participant), participant.id, f"/pelatihan/{event.id}"
    _assert_retry_page(client.post(url + "/daftar"))
    assert state["fired"] and _enrolments(db, participant_id) == 0
    again = client.post(url + "/daftar")
    assert again.status_code == 302 and _enrolments(db, participant_id) == 1


def test_htmx_request_gets_a_fragment(db, make_event, participant, client_as, fail_once):
    event = make_event()
    fail_once("do_commit", _driver_error(db, "OperationalError", RETRYABLE_MESSAGES[db.engine.dialect.name]))
    response = client_as(participant).post(f"/pelatihan/{event.id}/daftar", headers={"HX-Request": "true"})
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_data(as_text=True).startswith("<div class='alert alert-danger'>")


def test_other_database_errors_are_not_hidden_as_503(db, make_event, participant, client_as, fail_once):
    event = make_event()
    inserting = lambda sql: sql.lstrip().upper().startswith("INSERT")  # noqa: E731
    fail_once("do_execute", _driver_error(db, "IntegrityError", "duplicate key value"), when=inserting)
    with pytest.raises(IntegrityError):  # the test app propagates: in production the 500 page, with a traceback
        client_as(participant).post(f"/pelatihan/{event.id}/daftar")


def _not_retryable(db) -> BaseException:
    """An OperationalError that is a bug or a broken deployment, not a pause of the database."""
    if db.engine.dialect.name == "sqlite":
        error = db.engine.dialect.loaded_dbapi.OperationalError("no such table: enrolments")
        error.sqlite_errorcode = 1  # SQLITE_ERROR
        return error
    import psycopg.errors

    return psycopg.errors.ProgramLimitExceeded("index row size exceeds maximum")


def test_missing_table_is_a_500_not_a_503(db, make_event, participant, client_as, fail_once):
    from sqlalchemy.exc import OperationalError

    event = make_event()
    fail_once("do_execute", _not_retryable(db), when=lambda sql: sql.lstrip().upper().startswith("INSERT"))
    with pytest.raises(OperationalError):  # propagated by the test app: the 500 page with its traceback in production
        client_as(participant).post(f"/pelatihan/{event.id}/daftar")


# PostgreSQL: the server really drops the app's connections ------------------------------------------------


@pytest.fixture
def killer(db, is_postgres):
    """A separate connection that terminates the backends of the test database (PostgreSQL only)."""
    if not is_postgres:
        pytest.skip("pg_terminate_backend needs PostgreSQL; the simulated tests above cover SQLite")
    import psycopg

    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = psycopg.connect(url, autocommit=True)

    def kill(pid: int | None = None) -> int:
        """Terminate ``pid``, or every other backend of this database; the number terminated."""
        pids = (
            [pid]
            if pid is not None
            else [
                row[0]
                for row in connection.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ]
        )
        return terminate_backends(connection, pids)

    yield kill
    connection.close()


def test_backends_killed_between_requests(db, make_event, participant, client_as, killer):
    event = make_event(title="Bimtek Tanda Tangan Elektronik")
    client, participant_id, url = client_as(participant), participant.id, f"/pelatihan/{event.id}"
    assert client.get(url).status_code == 200
    db.session.remove()
    assert killer() >= 1  # every pooled connection of the app is now dead
    assert client.get(url).status_code == 200  # checked before use and replaced
    assert client.post(url + "/daftar").status_code == 302
    assert _enrolments(db, participant_id) == 1


def test_backend_killed_during_a_request(db, make_event, participant, client_as, killer, monkeypatch):
    event = make_event(title="Bimtek Tanda Tangan Elektronik")
    original = enrolment_ops.waitlist_position
    killed = []

    def kill_then_continue(enrolment):
        # The enrolment row is flushed in this request's transaction; now the server drops the connection.
        pid = enrolment_ops.db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        killed.append(killer(pid))
        enrolment_ops.db.session.execute(text("SELECT 1"))
        return original(enrolment)

    monkeypatch.setattr(enrolment_ops, "waitlist_position", kill_then_continue)
    client, participant_id, url = client_as(participant), participant.id, f"/pelatihan/{event.id}"
    _assert_retry_page(client.post(url + "/daftar"))
    assert killed == [1]
    assert _enrolments(db, participant_id) == 0  # nothing half-written
    monkeypatch.setattr(enrolment_ops, "waitlist_position", original)
    assert client.get(url).status_code == 200  # no restart of the app
    assert client.post(url + "/daftar").status_code == 302
    assert _enrolments(db, participant_id) == 1

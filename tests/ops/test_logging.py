"""Logs: JSON lines with LOG_FORMAT=json (time, level, logger, message, request id, method, path, status, duration,
user, address), plain text by default; the request id from a valid X-Request-ID or generated, in the response
header and in every line of the request; one access-log line per request."""

import io
import json
import logging
import re

import pytest
from flask_login import current_user

from lms import create_app
from lms.auth.models import Role
from lms.config import TestConfig
from lms.extensions import db as _db
from lms.requestlog import configure_logging


@pytest.fixture
def logged(app):
    """``logged(LOG_FORMAT=...)`` -> (an app on the suite's database with a route that logs, the log buffer)."""
    made, access = [], logging.getLogger("lms.access")
    old_level = access.level
    access.setLevel(logging.INFO)
    handler = configure_logging(app)
    old_stream = handler.setStream(io.StringIO())

    def factory(**settings):
        config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
        config.update(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], **settings)
        application = create_app(config)

        def noisy():
            name = current_user.name if current_user.is_authenticated else "tamu"
            logging.getLogger("lms.uji").warning("halaman uji dibuka oleh %s", name)
            return "ok"

        application.add_url_rule("/uji-log", "noisy", noisy)
        made.append(application)
        return application, handler.stream

    yield factory
    handler.setStream(old_stream)
    configure_logging(app)  # the suite's own (text) format again
    access.setLevel(old_level)
    for application in made:
        with application.app_context():
            _db.engine.dispose()


def _lines(stream) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if line.strip()]


def test_json_lines_carry_the_request_id_and_the_request(logged, make_user, login):
    application, stream = logged(LOG_FORMAT="json")
    user = make_user(Role.participant, name="Ani Lestari")
    user_id = user.id
    client = login(application.test_client(), user)
    response = client.get("/uji-log?q=rahasia", headers={"X-Request-ID": "req-42.a_b"})
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "req-42.a_b"
    records = [json.loads(line) for line in _lines(stream)]
    mine = [r for r in records if r.get("request_id") == "req-42.a_b"]
    assert [r["logger"] for r in mine] == ["lms.uji", "lms.access"]
    inner, access = mine
    assert inner["level"] == "WARNING" and inner["message"] == "halaman uji dibuka oleh Ani Lestari"
    assert inner["method"] == "GET" and inner["path"] == "/uji-log" and inner["user_id"] == user_id
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", access["time"])
    assert access["level"] == "INFO" and access["status"] == 200 and access["user_id"] == user_id
    assert isinstance(access["duration_ms"], float) and access["remote_addr"] == "127.0.0.1"
    assert "rahasia" not in access["message"]  # the query string stays out of the logs
    assert sum(1 for r in records if r["logger"] == "lms.access") == 1


@pytest.mark.parametrize("incoming", ["", "dua kata", "<script>", "x" * 65, "a/b"])
def test_unsafe_or_missing_request_id_is_replaced(logged, incoming):
    application, stream = logged(LOG_FORMAT="json")
    headers = {"X-Request-ID": incoming} if incoming else {}
    response = application.test_client().get("/uji-log", headers=headers)
    rid = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    records = [json.loads(line) for line in _lines(stream)]
    assert {r["request_id"] for r in records if r["logger"] in ("lms.uji", "lms.access")} == {rid}
    assert all(incoming not in line for line in _lines(stream) if incoming)


def test_plain_text_by_default_with_the_request_id(logged):
    application, stream = logged()
    response = application.test_client().get("/tidak-ada", headers={"X-Request-ID": "teks-1"})
    assert response.status_code == 404
    (line,) = [line for line in _lines(stream) if "lms.access" in line]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO lms\.access \[teks-1\] GET /tidak-ada 404 ", line)
    assert not line.startswith("{")


def test_json_logs_outside_a_request_have_no_request_fields(logged):
    application, stream = logged(LOG_FORMAT="json")
    logging.getLogger("lms.uji").warning("di luar permintaan")
    (record,) = [json.loads(line) for line in _lines(stream) if "di luar permintaan" in line]
    assert set(record) == {"time", "level", "logger", "message"}


def test_gunicorn_lines_still_format_in_production():
    """gunicorn's own lines show the process id (``[%(process)d]``): a production app must keep it in records."""
    from types import SimpleNamespace

    from gunicorn.glogging import Logger as GunicornLogger

    saved = (logging._srcfile, logging.logThreads, logging.logProcesses, logging.logMultiprocessing)
    root = logging.getLogger()
    level = root.level
    try:
        configure_logging(SimpleNamespace(testing=False, config={}))
        record = logging.getLogger("gunicorn.error").makeRecord("gunicorn.error", logging.INFO, "", 0, "Ok", (), None)
        line = logging.Formatter(GunicornLogger.error_fmt, GunicornLogger.datefmt).format(record)
    finally:
        logging._srcfile, logging.logThreads, logging.logProcesses, logging.logMultiprocessing = saved
        root.setLevel(level)
    assert f"[{record.process}] [INFO] Ok" in line

"""Several app servers behind one proxy: two apps on the same database, storage and Redis behave as one. A log-in
on one is valid on the other, a log-out on one ends the session on both, a file uploaded through one downloads
through the other, the catalogue cached by one never shows stale cards after a change made through the other,
and log-in failures are counted in Redis across both."""

import os
import uuid

import pytest
from redis import Redis
from sqlalchemy import select

from lms import create_app
from lms.auth.models import Role
from lms.config import TestConfig
from lms.courses.models import Material
from lms.events import enrolment as enrolment_ops
from lms.events import operations as event_ops
from lms.extensions import db as _db
from lms.extensions import limiter
from tests.conftest import PASSWORD, IsolatedClient
from tests.ops.conftest import PDF_BYTES

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def servers(app, upload_dir):
    """``servers(**settings)`` -> two apps configured alike (database, SECRET_KEY, upload folder)."""
    made, was_enabled = [], limiter.enabled

    def factory(**settings):
        config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
        config.update(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], UPLOAD_DIR=str(upload_dir))
        config.update(settings)
        pair = []
        for _ in range(2):
            server = create_app(config)
            server.test_client_class = IsolatedClient
            pair.append(server)
        made.extend(pair)
        return pair

    yield factory
    limiter.enabled = was_enabled
    for server in made:
        with server.app_context():
            _db.session.remove()
            _db.engine.dispose()


def _move_session(source, target) -> None:
    cookie = source.get_cookie("session")
    target.set_cookie("session", cookie.value)


def test_session_from_one_server_valid_on_the_other_until_logout(servers, make_user):
    a, b = servers()
    user = make_user(Role.participant, email="peserta.dua.server@uji.go.id")
    on_a, on_b = a.test_client(), b.test_client()
    assert on_a.post("/masuk", data={"identifier": user.email, "password": PASSWORD}).status_code == 302
    _move_session(on_a, on_b)
    assert on_b.get("/pelatihan-saya").status_code == 200
    assert on_a.post("/keluar").status_code == 302
    stale = on_b.get("/pelatihan-saya")  # the copied cookie still carries the old session token
    assert stale.status_code == 302 and "/masuk" in stale.headers["Location"]


def test_file_uploaded_through_one_server_downloads_through_the_other(
    servers, organiser, event, module, make_user, login
):
    a, b = servers()
    participant = make_user(Role.participant)
    enrolment_ops.add_participant(event, participant, organiser)
    _db.session.commit()
    import io

    uploaded = login(a.test_client(), organiser).post(
        f"/kelola/acara/{event.id}/materi/modul/{module.id}/materi/baru?jenis=file",
        data={"title": "Bahan", "file": (io.BytesIO(PDF_BYTES), "bahan.pdf")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    material = _db.session.execute(select(Material)).scalar_one()
    download = login(b.test_client(), participant).get(f"/pelatihan/{event.id}/materi/{material.id}/unduh")
    assert download.status_code == 200 and download.data == PDF_BYTES


def test_catalogue_cache_never_stale_across_servers(servers, event, make_user, login):
    a, b = servers()
    event_ops.update_event(event, title="Bimtek Judul Lama", quota=5)
    _db.session.commit()
    reader = a.test_client()
    assert "Bimtek Judul Lama" in reader.get("/pelatihan").get_data(as_text=True)
    seats_before = reader.get("/pelatihan").get_data(as_text=True)

    participant = make_user(Role.participant)
    assert login(b.test_client(), participant).post(f"/pelatihan/{event.id}/daftar").status_code == 302
    seats_after = reader.get("/pelatihan").get_data(as_text=True)
    assert seats_after != seats_before  # the seat taken through the other server shows at once

    event_ops.update_event(event, title="Bimtek Judul Baru")  # changed by "another server": the database
    event.organiser_agency.name = "Badan Pengembangan SDM Daerah Banten"
    _db.session.commit()
    page = reader.get("/pelatihan").get_data(as_text=True)
    assert "Bimtek Judul Baru" in page and "Bimtek Judul Lama" not in page
    assert "Badan Pengembangan SDM Daerah Banten" in page


def test_login_failures_counted_in_redis_across_servers(servers, make_user):
    prefix = f"uji-{uuid.uuid4().hex[:8]}"
    a, b = servers(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_KEY_PREFIX=prefix,
        LOGIN_RATE_LIMIT="3/minute",
    )
    user = make_user(email="dibatasi@uji.go.id")
    bad = {"identifier": user.email, "password": "salah-sekali-1"}
    redis = Redis.from_url(REDIS_URL)
    try:
        statuses = [server.test_client().post("/masuk", data=bad).status_code for server in (a, b, a)]
        assert statuses == [200, 200, 200]
        assert redis.keys(f"*{prefix}*"), "the counters live in Redis, where every server sees them"
        assert b.test_client().post("/masuk", data=bad).status_code == 429
    finally:
        for key in redis.keys(f"*{prefix}*"):
            redis.delete(key)

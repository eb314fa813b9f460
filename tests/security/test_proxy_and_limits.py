"""Rate-limit counters live in Redis when configured (so every web server shares them), and X-Forwarded-For is
believed only from as many proxies as PROXY_FIX_COUNT says: a client cannot pick its own address to escape
the log-in limit or to write a false address into the audit log."""

import os
import subprocess
import sys

import pytest
import redis
from sqlalchemy import select

from lms.audit.models import AuditEntry
from lms.auth.models import Role
from lms.extensions import limiter

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
BAD = {"identifier": "korban@uji.go.id", "password": "salah-sekali-1"}


@pytest.fixture
def redis_db():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail(f"Redis at {REDIS_URL} is not reachable (set TEST_REDIS_URL)", pytrace=False)
    client.flushdb()
    yield client
    client.flushdb()


def test_login_limit_counts_in_redis_and_holds_across_app_instances(app_with, redis_db, make_user):
    make_user(email="korban@uji.go.id")
    settings = dict(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL, LOGIN_RATE_LIMIT="3 per minute")
    first = app_with(**settings).test_client()
    assert [first.post("/masuk", data=BAD).status_code for _ in range(3)] == [200, 200, 200]
    keys = [key.decode() for key in redis_db.keys("*")]
    assert any("auth.login" in key or "LIMITER" in key for key in keys), keys
    # A second web server (another app on the same Redis) sees the same counter.
    second = app_with(**settings).test_client()
    response = second.post("/masuk", data=BAD)
    assert response.status_code == 429
    assert "Terlalu banyak percobaan" in response.get_data(as_text=True)


def test_storage_follows_redis_url_unless_set_explicitly():
    code = "from lms.config import Config as C; print(C.RATELIMIT_STORAGE_URI)"

    def storage(**env):
        env = {"PATH": "/usr/bin:/bin", **env}
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout.strip()

    assert storage() == "memory://"
    assert storage(REDIS_URL="redis://cache:6379/0") == "redis://cache:6379/0"
    assert storage(REDIS_URL="redis://cache:6379/0", RATELIMIT_STORAGE_URI="redis://other:6379/2") == (
        "redis://other:6379/2"
    )


def _spoofed_logins(client, count: int) -> list[int]:
    """Each attempt claims a different client address."""
    return [
        client.post("/masuk", data=BAD, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
        for n in range(1, count + 1)
    ]


def test_forwarded_for_is_ignored_without_trusted_proxies(app_with, make_user):
    make_user(email="korban@uji.go.id")
    limited = app_with(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", PROXY_FIX_COUNT=0)
    limiter.reset()
    assert _spoofed_logins(limited.test_client(), 4) == [200, 200, 200, 429]


def test_forwarded_for_is_used_with_one_trusted_proxy(app_with, make_user):
    make_user(email="korban@uji.go.id")
    limited = app_with(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", PROXY_FIX_COUNT=1)
    limiter.reset()
    assert _spoofed_logins(limited.test_client(), 4) == [200, 200, 200, 200]  # four clients behind the proxy
    client = limited.test_client()
    same = {"X-Forwarded-For": "198.51.100.7"}
    assert [client.post("/masuk", data=BAD, headers=same).status_code for _ in range(4)] == [200, 200, 200, 429]


@pytest.mark.parametrize(("count", "expected"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_audit_log_records_the_address_the_proxy_setting_allows(app_with, db, make_user, make_event, count, expected):
    organiser = make_user(Role.organiser)
    event = make_event(organisers=[organiser])
    http = app_with(PROXY_FIX_COUNT=count).test_client()
    with http.session_transaction() as sess:
        sess["_user_id"] = organiser.session_token
    headers = {"X-Forwarded-For": "10.0.0.1, 203.0.113.9"}  # spoofed first hop, then the real client seen by nginx
    http.post(f"/kelola/acara/{event.id}/status", data={"status": "bogus"}, headers=headers)
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.user_id == organiser.id)).scalar_one()
    assert entry.ip_address == expected


def test_log_in_still_works_and_is_limited_when_redis_is_down(app_with, make_user):
    """Redis unreachable: the limiter counts in the process's memory meanwhile instead of answering 500."""
    make_user(email="korban@uji.go.id")
    down = app_with(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",  # nothing listens there
        LOGIN_RATE_LIMIT="3 per minute",
        PROPAGATE_EXCEPTIONS=False,
    )
    client = down.test_client()
    assert [client.post("/masuk", data=BAD).status_code for _ in range(4)] == [200, 200, 200, 429]

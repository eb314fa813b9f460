"""Fixtures for the auth tests: a second app on the same database with other settings, a form log-in."""

import pytest

from lms import create_app
from lms.config import TestConfig
from lms.extensions import db as _db
from lms.extensions import limiter
from tests.conftest import PASSWORD, IsolatedClient


@pytest.fixture
def app_with(app):
    """``app_with(RATELIMIT_ENABLED=True, ...)``: an app on the test database with other settings.

    The limiter is one object shared by every app; its ``enabled`` flag and its counters are restored."""
    made = []
    was_enabled = limiter.enabled

    def factory(**overrides):
        config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
        config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"]
        config.update(overrides)
        other = create_app(config)
        other.test_client_class = IsolatedClient
        made.append(other)
        if other.config.get("RATELIMIT_ENABLED"):
            limiter.reset()
        return other

    yield factory
    limiter.enabled = was_enabled
    for other in made:
        with other.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def form_login():
    """Log in through the real form; returns the response."""

    def do(client, identifier: str, password: str = PASSWORD, **extra):
        return client.post(
            "/masuk" + extra.pop("query", ""), data={"identifier": identifier, "password": password, **extra}
        )

    return do

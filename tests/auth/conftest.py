"""Fixtures for the auth tests: a second app on the same database with other settings, a form log-in."""

import pytest

from tests.conftest import PASSWORD


@pytest.fixture
def form_login():
    """Log in through the real form; returns the response."""

    def do(client, identifier: str, password: str = PASSWORD, **extra):
        return client.post(
            "/masuk" + extra.pop("query", ""), data={"identifier": identifier, "password": password, **extra}
        )

    return do

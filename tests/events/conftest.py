"""Fixtures of the event tests: an admin and an organiser."""

import pytest

from lms.auth.models import Role


@pytest.fixture
def admin(make_user):
    return make_user(role=Role.admin)


@pytest.fixture
def organiser(make_user):
    return make_user(role=Role.organiser, name="Panitia Satu")

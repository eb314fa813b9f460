"""Flask-Login's user loader: the user whose session token the cookie carries.

It runs on every request of a logged-in user, so it is one small prepared statement: the ``users`` row only
(``User.agency``, eagerly joined everywhere else, is loaded here only when a page asks for it). The token is
checked against the database on every request, never cached: a log-out, a password change or a deactivation
(all rotate the token or clear ``active``) ends every copy of the session at once, on every worker.
"""

from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import lazyload


@cache
def _statement():
    from lms.auth.models import User

    return select(User).options(lazyload(User.agency)).where(User.session_token == bindparam("token"))


def load_user(token: str):
    from lms.extensions import db

    if not token:
        return None
    user = db.session.execute(_statement(), {"token": token}).scalar_one_or_none()
    return user if user is not None and user.is_active else None

"""Flask-Login's user loader: the user whose session token the cookie carries.

It runs on every request of a logged-in user, so it is one small prepared statement: the ``users`` row only
(``User.agency``, eagerly joined everywhere else, is loaded here only when a page asks for it). The token is
checked against the database on every request: a log-out, a password change or a deactivation (all rotate
the token or clear ``active``) ends every copy of the session at once, on every worker.

On a ``@read_only`` page the row may come from an exact read cache (lms/freshness.py): it is used only while
the database is provably unchanged since it was read (any commit, such as the one that rotates a token,
ends it), so the answer is the one the statement would give. Each request gets its own copy of the kept user,
merged into its session without a statement.
"""

from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import lazyload

from lms.freshness import database_state, read_cache


@cache
def _statement():
    from lms.auth.models import User

    return select(User).options(lazyload(User.agency)).where(User.session_token == bindparam("token"))


def _query(token: str):
    from lms.extensions import db

    return db.session.execute(_statement(), {"token": token}).scalar_one_or_none()


def load_user(token: str):
    from lms.extensions import db

    if not token:
        return None
    if database_state() is None:
        user = _query(token)
    else:
        kept = read_cache("users_by_token", 4096).get(token, lambda: _detached(_query(token)))
        user = None if kept is None else db.session.merge(kept, load=False)
    return user if user is not None and user.is_active else None


def _detached(user):
    """A copy of ``user`` that belongs to no session (the kept one is never attached: each request merges it)."""
    from sqlalchemy.orm import Session

    if user is None:
        return None
    holder = Session()
    copy = holder.merge(user, load=False)
    holder.expunge(copy)
    return copy

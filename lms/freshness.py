"""Exact read caches: a value read from the database is used again only while the database is unchanged.

A page that only reads (``@read_only``) may keep what it read, per process, under a token of the database's
state, and use it again on a later request that gets the same token. The token changes whenever anything is
committed to the database, by any process on any host, so a value kept under a token is exactly what the
database would answer now; nothing is ever "a little stale". It costs one tiny statement per request
(``database_state``, memoised for the request) instead of the queries it spares:

- **PostgreSQL**: ``pg_current_snapshot()``, the MVCC snapshot of the statement (xmin, xmax, the transaction
  ids in progress). Any transaction that got an id and ends, committed or rolled back, changes the snapshots
  taken after it; one still running is invisible to every snapshot taken meanwhile. What a statement sees is
  decided by its snapshot alone, so equal snapshots see equal data. The read-only page runs in autocommit
  (lms/readonly.py), so it has no transaction id of its own.
- **SQLite**: ``PRAGMA data_version``, which changes on a connection whenever another connection (in this
  process or any other) has committed since it last looked. It is asked on a connection of its own (one per
  thread) that never writes, so every commit is another connection's to it, the pooled connections of this
  process included. Any change bumps a per-database generation, the token.

Caching is refused (the token is None, the caller reads as usual) outside a request, in a request that is not
``@read_only`` (it may have written something not yet committed, and might roll it back), and for an SQLite
database that is not a plain file (in memory, a ``file:`` URI). Any commit invalidates every entry, whatever
table it touched: the caches help while the database is quiet (the catalogue between registrations, a
participant's pages between his clicks) and cost one small statement when it is not. A value is always read
after the request's token was taken, so a commit landing in between leaves it newer than its token, never
older: the next request gets a new token and reads it again.
"""

import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy.engine import Engine

from lms.fragment_cache import FragmentCache

_SNAPSHOT = "SELECT pg_current_snapshot()::text"
_STATE_KEY = "lms.db_state"
_UNSET = object()


class _Watch:
    """A SQLite database's count of the changes seen so far, and per thread a connection of its own that only
    ever asks ``PRAGMA data_version``: every commit, by this process's pooled connections or anyone else's, is
    another connection's to it, so it sees them all."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.generation = 0
        self.lock = threading.Lock()
        self.local = threading.local()

    def state(self) -> Hashable | None:
        local = self.local
        try:
            conn = getattr(local, "conn", None)
            if conn is None or local.pid != os.getpid():  # never a connection inherited through fork()
                conn = local.conn = sqlite3.connect(self.path, timeout=0.1, check_same_thread=True)
                local.version, local.pid = None, os.getpid()
            ((version,),) = conn.execute("PRAGMA data_version").fetchall()  # all: the read ends with the call
        except sqlite3.Error:  # busy, gone, unreadable: read as usual this time
            local.conn = None
            return None
        with self.lock:
            if version != local.version:
                local.version = version
                self.generation += 1
            return ("sqlite", self.generation)


_watches: "weakref.WeakKeyDictionary[Engine, _Watch | None]" = weakref.WeakKeyDictionary()
_watches_lock = threading.Lock()


def _watch(engine: Engine) -> "_Watch | None":
    """The engine's watch; None for a database that is not a file (a second connection would not see it)."""
    try:
        return _watches[engine]
    except KeyError:
        pass
    path = engine.url.database
    watch = _Watch(path) if path and path != ":memory:" and not path.startswith("file:") else None
    with _watches_lock:
        return _watches.setdefault(engine, watch)


def _compute_state() -> Hashable | None:
    from lms.extensions import db
    from lms.readonly import read_only_mode

    mode = read_only_mode()
    if not mode:
        return None
    session = db.session()
    engine = session.get_bind()
    dialect = engine.dialect.name
    if dialect == "postgresql":
        if mode != "autocommit" or (engine.dialect.server_version_info or (0,)) < (13,):
            return None  # pg_current_snapshot() is PostgreSQL 13's
        # On the page's own connection (in autocommit, lms/readonly.py), straight through the driver.
        raw = session.connection().connection.dbapi_connection
        return ("postgresql", raw.execute(_SNAPSHOT).fetchone()[0])
    if dialect == "sqlite":
        watch = _watch(engine)
        return watch.state() if watch is not None else None
    return None


def database_state() -> Hashable | None:
    """This request's token of the database's state, or None when nothing may be cached now.

    Asked once per request (kept on the request, not in ``g``: an application context may outlive requests)."""
    if not has_request_context():
        return None
    environ = request.environ
    state = environ.get(_STATE_KEY, _UNSET)
    if state is _UNSET:
        state = environ[_STATE_KEY] = _compute_state()
    return state


class ReadCache(FragmentCache):
    """A small thread-safe LRU of values read from the database, each kept under the state it was read in
    (entries of an older state are never found again and leave as the least recently used)."""

    def get(self, key: Hashable, load: Callable[[], Any]) -> Any:
        """``load()``'s value for ``key``: kept from an earlier call while the database is unchanged."""
        state = database_state()
        if state is None:
            return load()
        return super().get((state, key), load)


def read_cache(name: str, maxsize: int) -> ReadCache:
    """The application's cache ``name`` (one per application, so two apps never share entries)."""
    caches: dict[str, ReadCache] = current_app.extensions.setdefault("lms.read_caches", {})
    cache = caches.get(name)
    if cache is None:
        cache = caches.setdefault(name, ReadCache(maxsize))
    return cache


def clear_read_caches(app) -> None:
    """Forget every kept value of ``app`` (the next read of each goes to the database)."""
    for cache in app.extensions.get("lms.read_caches", {}).values():
        cache.clear()

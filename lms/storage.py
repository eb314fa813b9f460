"""Where uploaded files live: one small interface, chosen by ``STORAGE_BACKEND``.

Features never touch paths: they call ``get_storage().save(stream, original_name)`` and keep the returned
key in their table, then ``open(key)``, ``size(key)`` and ``delete(key)``. Keys are generated (never the
user's file name), so two uploads cannot collide and a name cannot reach outside the store. Only
``LocalStorage`` exists today (a directory, ``UPLOAD_DIR``, outside ``static/``); a shared disk is the same
class on a mounted path, and an object store is another class registered with ``register_backend``.

Files and the database commit together as far as they can: ``discard_on_rollback(key)`` removes a file
written in a transaction that is rolled back, and ``delete_after_commit(key)`` removes a replaced file
only once the change that stopped using it is committed.
"""

import errno
import os
import re
import secrets
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

CHUNK = 1024 * 1024
NO_SPACE = {errno.ENOSPC, errno.EDQUOT}


class StorageFull(OSError):
    """The store has no room left (disk full, quota reached): nothing of the file was kept."""


class Storage(Protocol):
    def save(self, stream: BinaryIO, original_name: str) -> str:
        """Store the stream's content from its current position; return the new key."""

    def open(self, key: str) -> BinaryIO:
        """The stored content for reading (the caller closes it). FileNotFoundError when missing."""

    def delete(self, key: str) -> None:
        """Remove the content; a missing key is not an error."""

    def size(self, key: str) -> int:
        """Size in bytes. FileNotFoundError when missing."""


_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")
_KEY = re.compile(r"^\d{4}/\d{2}/[0-9a-f]{32}(\.[a-z0-9]{1,8})?$")


def new_key(original_name: str) -> str:
    """``2026/11/<32 hex>.pdf``: a random name in a folder per month; the suffix only helps people browsing."""
    suffix = Path(original_name or "").suffix.lower()
    now = datetime.now(UTC)
    return f"{now:%Y}/{now:%m}/{secrets.token_hex(16)}{suffix if _SUFFIX.match(suffix) else ''}"


class LocalStorage:
    """Files in a directory on the local (or a mounted shared) disk."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not _KEY.match(key or ""):
            raise FileNotFoundError(key)
        return self.root / key

    def save(self, stream: BinaryIO, original_name: str) -> str:
        key = new_key(original_name)
        path = self._path(key)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written to a temporary name in the same folder, flushed to the disk, then renamed: a reader never
            # sees half a file, and a full disk (seen by write, close or fsync) leaves nothing behind.
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException as exc:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError) and exc.errno in NO_SPACE:
                raise StorageFull(exc.errno, exc.strerror or "no space left") from exc
            raise
        return key

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except FileNotFoundError:  # an invalid key names no file
            pass

    def size(self, key: str) -> int:
        return self._path(key).stat().st_size


_BACKENDS: dict[str, Callable[[Flask], Storage]] = {
    "local": lambda app: LocalStorage(app.config.get("UPLOAD_DIR") or Path(app.instance_path) / "uploads"),
}


def register_backend(name: str, factory: Callable[[Flask], Storage]) -> None:
    """Make ``STORAGE_BACKEND = name`` build its storage with ``factory(app)``."""
    _BACKENDS[name] = factory


def get_storage(app: Flask | None = None) -> Storage:
    """The app's storage, built once per configuration."""
    app = app or current_app._get_current_object()
    name = app.config.get("STORAGE_BACKEND", "local")
    cache_key = (name, str(app.config.get("UPLOAD_DIR")))
    cache = app.extensions.setdefault("lms_storage", {})
    if cache_key not in cache:
        try:
            factory = _BACKENDS[name]
        except KeyError:
            raise RuntimeError(f"Unknown STORAGE_BACKEND {name!r}") from None
        cache[cache_key] = factory(app)
    return cache[cache_key]


# Keeping files in step with the transaction -------------------------------------------------------


def discard_on_rollback(session: Session, key: str) -> None:
    """``key`` was written for this transaction: remove it again unless the transaction commits (rolled back,
    or the session closed without a commit)."""
    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction():
        session.begin()  # so that the end of this transaction is seen, even if no SQL runs
    session.info.setdefault("storage_new", []).append((get_storage(), key))


def delete_after_commit(session: Session, key: str) -> None:
    """``key`` is no longer used once this transaction commits: remove it then (never before)."""
    session.info.setdefault("storage_old", []).append((get_storage(), key))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop("storage_new", None)  # kept: the rows that use them are committed
    for storage, key in session.info.pop("storage_old", []):
        storage.delete(key)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is not None:  # a savepoint or inner transaction: wait for the outermost one
        return
    session.info.pop("storage_old", None)  # not committed: the old files are still in use
    for storage, key in session.info.pop("storage_new", []):
        storage.delete(key)

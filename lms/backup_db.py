"""The database half of ``flask backup`` / ``flask restore``: SQLite through its online backup API, PostgreSQL
through pg_dump (custom format) and pg_restore.

SQLite is copied page by page by ``sqlite3.Connection.backup`` while the application keeps running (WAL
included), and the copy must pass ``PRAGMA integrity_check``. A restore copies the archived database back into
the live file with the same API, so connections that other processes hold see the restored content.

PostgreSQL is dumped with ``pg_dump --format=custom`` (a consistent snapshot) and restored with
``pg_restore --clean --if-exists --single-transaction``: either everything is restored or nothing changes.
pg_dump must not be older than the server (``PG_DUMP`` / ``PG_RESTORE`` name other binaries).
"""

import os
import re
import sqlite3
import subprocess
from pathlib import Path

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import URL

from lms.extensions import db

SQLITE_NAME = "lms.sqlite3"
POSTGRES_NAME = "lms.pgdump"


class BackupError(Exception):
    """A backup or restore that cannot go on; ``str(err)`` is a message for the operator (Indonesian)."""


def dialect(app: Flask) -> str:
    return db.engine.url.get_backend_name()


def current_revision() -> str | None:
    """The Alembic revision recorded in the database (None when the schema was not made by migrations)."""
    try:
        with db.engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - no alembic_version table
        return None


def _release_connections() -> None:
    """End this process's transactions and close its pooled connections (they would hold locks)."""
    db.session.remove()
    db.engine.dispose()


# SQLite ------------------------------------------------------------------------------------------------


def _sqlite_path(url: URL) -> Path:
    name = url.database
    if not name or name == ":memory:" or name.startswith("file::memory:"):
        raise BackupError("Basis data SQLite di memori tidak dapat dicadangkan; gunakan berkas (DATABASE_URL).")
    return Path(name)


def _integrity_check(connection: sqlite3.Connection, what: str) -> None:
    rows = connection.execute("PRAGMA integrity_check").fetchall()
    if rows != [("ok",)]:
        detail = "; ".join(str(row[0]) for row in rows[:5])
        raise BackupError(f"Pemeriksaan integritas {what} gagal: {detail}")


def _sqlite_dump(url: URL, work: Path) -> Path:
    source_path = _sqlite_path(url)
    if not source_path.exists():
        raise BackupError(f"Berkas basis data {source_path} tidak ditemukan.")
    target = work / SQLITE_NAME
    source = sqlite3.connect(str(source_path), timeout=30)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)  # one step: a consistent snapshot, other writers wait for it
        copy.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
        _integrity_check(copy, "salinan basis data")
    finally:
        copy.close()
        source.close()
    return target


def _sqlite_restore(url: URL, dump: Path) -> None:
    target_path = _sqlite_path(url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(str(dump))
    try:
        _integrity_check(source, "basis data dalam arsip")
        _release_connections()
        target = sqlite3.connect(str(target_path), timeout=30)
        try:
            source.backup(target)
            _integrity_check(target, "basis data hasil pemulihan")
        finally:
            target.close()
    finally:
        source.close()
        db.engine.dispose()


# PostgreSQL ----------------------------------------------------------------------------------------------


def _pg_env(url: URL) -> dict[str, str]:
    """libpq's environment for the URL (the password never appears on a command line)."""
    env = dict(os.environ)
    values = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username, "PGPASSWORD": url.password}
    values["PGDATABASE"] = url.database
    values["PGSSLMODE"] = url.query.get("sslmode") if url.query else None
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def _major(version_text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version_text)
    if not match:
        raise BackupError(f"Versi tidak dikenali: {version_text!r}")
    return int(match.group(1))


def _run(command: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"Program {command[0]} tidak ditemukan; pasang postgresql-client.") from None
    if result.returncode != 0:
        detail = " ".join(result.stderr.strip().splitlines()[-3:])
        raise BackupError(f"{what} gagal (kode {result.returncode}): {detail}")
    return result


def _check_client_version(program: str, env: dict[str, str]) -> None:
    client = _major(_run([program, "--version"], env, program).stdout)
    with db.engine.connect() as connection:
        server = int(connection.execute(text("SHOW server_version_num")).scalar()) // 10000
    if client < server:
        raise BackupError(
            f"{program} versi {client} lebih lama dari server PostgreSQL versi {server}; pasang klien versi {server} "
            "(postgresql-client) atau atur PG_DUMP / PG_RESTORE."
        )


def _pg_dump(app: Flask, url: URL, work: Path) -> Path:
    env = _pg_env(url)
    program = app.config.get("PG_DUMP") or "pg_dump"
    _check_client_version(program, env)
    target = work / POSTGRES_NAME
    _run([program, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"], env, "pg_dump")
    return target


def _pg_restore(app: Flask, url: URL, dump: Path) -> None:
    env = _pg_env(url)
    program = app.config.get("PG_RESTORE") or "pg_restore"
    _check_client_version(program, env)
    # Tables locked by a forgotten transaction make pg_restore fail after a while instead of waiting forever.
    env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " -c lock_timeout=30s").strip()
    _release_connections()
    command = [program, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
    command += ["--exit-on-error", f"--dbname={url.database}", str(dump)]
    try:
        _run(command, env, "pg_restore")
    finally:
        db.engine.dispose()


# The two operations ----------------------------------------------------------------------------------------


def dump_database(app: Flask, work: Path) -> Path:
    """Write a copy of the database into ``work``; return its path."""
    url = db.engine.url
    name = url.get_backend_name()
    if name == "sqlite":
        return _sqlite_dump(url, work)
    if name == "postgresql":
        return _pg_dump(app, url, work)
    raise BackupError(f"Basis data {name} tidak didukung untuk pencadangan.")


def restore_database(app: Flask, dump: Path) -> None:
    """Replace the database's content by the copy in ``dump`` (as written by ``dump_database``)."""
    url = db.engine.url
    name = url.get_backend_name()
    if name == "sqlite":
        _sqlite_restore(url, dump)
    elif name == "postgresql":
        _pg_restore(app, url, dump)
    else:
        raise BackupError(f"Basis data {name} tidak didukung untuk pemulihan.")

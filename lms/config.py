"""Configuration read from environment variables (12-factor)."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Accept the usual ``postgres://`` / ``postgresql://`` spellings and use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'lms.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    DB_PING_IDLE_SECONDS = float(os.environ.get("DB_PING_IDLE_SECONDS", "30"))
    REDIS_URL = os.environ.get("REDIS_URL") or None
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or REDIS_URL or "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: count per process meanwhile instead of failing (500)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "20 per hour")
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", "31536000"))  # sent over HTTPS or with secure cookies
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead; forms left open for hours stay valid
    PER_PAGE = 20
    # Number of proxies in front of the app whose X-Forwarded-* headers are trusted (0 = none).
    PROXY_FIX_COUNT = int(os.environ.get("PROXY_FIX_COUNT", "0"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(20 * 1024 * 1024)))
    # Uploaded files (course materials and others): where and how they are kept, and the size limit per upload.
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or str(INSTANCE_DIR / "uploads")  # never under static/
    MAX_UPLOAD_MB = int(os.environ.get("MAX_UPLOAD_MB", "20"))
    # Operations: log format, database connection timeout, health check, backups (see lms/ops.py, lms/backup.py).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # "json": one JSON object per line, with the request id
    DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))  # seconds (PostgreSQL)
    HEALTHZ_TIMEOUT = float(os.environ.get("HEALTHZ_TIMEOUT", "1"))  # seconds per part checked by /healthz
    BACKUP_DIR = os.environ.get("BACKUP_DIR") or str(INSTANCE_DIR / "backups")
    PG_DUMP = os.environ.get("PG_DUMP", "pg_dump")  # must not be older than the PostgreSQL server
    PG_RESTORE = os.environ.get("PG_RESTORE", "pg_restore")
    JOBS_HEARTBEAT_SECONDS = float(os.environ.get("JOBS_HEARTBEAT_SECONDS", "10"))  # a running job's sign of life
    JOBS_STALE_SECONDS = float(os.environ.get("JOBS_STALE_SECONDS", "120"))  # no sign for that long: failed
    JOBS_KEEP_DAYS = float(os.environ.get("JOBS_KEEP_DAYS", "7"))  # result files kept by `flask jobs-cleanup`
    CERTIFICATE_PROCESSES = int(os.environ.get("CERTIFICATE_PROCESSES", "1"))  # processes drawing a ZIP's PDFs


def engine_options(config) -> dict:
    """SQLAlchemy engine options: connections checked before use (a restarted database is reconnected to
    without restarting the app) and, on PostgreSQL, recycled and bounded by a connect timeout.

    On PostgreSQL the check is lms/pool.py's (the socket looked at, a ping only when in doubt) unless
    ``pool_pre_ping`` is set explicitly. A SQLite file cannot drop a connection; one that failed anyway is
    discarded by SQLAlchemy (a disconnect error invalidates it), so SQLite has no check before use."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_pre_ping", False)
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        options.setdefault("pool_recycle", 1800)
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", int(config.get("DB_CONNECT_TIMEOUT", 5)))
        options["connect_args"] = connect_args
    return options


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = False
    SERVER_NAME = None

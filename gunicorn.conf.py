"""Production gunicorn settings; every value can be overridden with an environment variable."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# The app writes one access-log line per request itself (with the request id, user and duration; JSON with
# LOG_FORMAT=json), so gunicorn's own access log is off unless GUNICORN_ACCESS_LOG names a file or "-".
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
preload_app = False
# gunicorn 25.1+ opens a control socket (gunicornc: change the worker count, reload, stop) at one fixed path per
# user, so two servers on a host take it from each other. Off unless a path is given.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True


def post_fork(server, worker):
    """Each worker keeps scrypt's 32 MiB work area between log-ins instead of mapping it anew (lms/workers.py)."""
    from lms.workers import keep_large_blocks

    keep_large_blocks()


def post_worker_init(worker):
    """The application is loaded: its objects leave the garbage collector's sight (lms/workers.py)."""
    from lms.workers import freeze_startup_objects

    freeze_startup_objects()


# LOG_FORMAT=json: gunicorn's own lines (start, workers, timeouts) as JSON objects too, like the app's.
if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "lms.requestlog.JsonFormatter"}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
            "access": {"class": "logging.FileHandler", "formatter": "json", "filename": accesslog}
            if accesslog and accesslog != "-"
            else {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
        },
        "root": {"level": "INFO", "handlers": []},  # the app installs its own root handler (lms/requestlog.py)
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            # gunicorn's access lines only when asked for (the app writes one per request itself)
            "gunicorn.access": {
                "level": "INFO" if accesslog else "CRITICAL",
                "handlers": ["access"] if accesslog else [],
                "propagate": False,
            },
        },
    }

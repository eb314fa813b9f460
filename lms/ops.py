"""Operations wiring: logs with a request id and an access-log line per request (lms/requestlog.py), clean
answers when the database or the upload storage fails (lms/faults.py). ``/healthz`` is in lms/main/views.py
(lms/health.py); ``flask backup`` / ``flask restore`` in lms/backup_cli.py."""

from flask import Flask

from lms import faults, requestlog


def init_app(app: Flask) -> None:
    requestlog.init_app(app)
    faults.register(app)

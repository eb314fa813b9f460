"""Recording audit entries, centrally, from request hooks.

What is recorded: every state-changing request (POST/PUT/PATCH/DELETE) by an organiser or an admin, whatever
its outcome, and every log-in, failed log-in and log-out. Each entry is written on a connection of its own in
its own transaction, after the request's work is over, so it is kept when the request failed or was rolled
back, and a failure to write it is logged but never reaches the user.

Never stored: passwords, tokens, CSRF values, or any submitted value at all. The summary names the form
fields that were sent (not their contents) and the names of uploaded files; the path has URL tokens masked.
"""

import logging

from flask import g, request
from flask_login import current_user
from sqlalchemy import insert

from lms.audit.models import AuditAction, AuditEntry
from lms.auth.models import Role
from lms.db import utcnow
from lms.extensions import db

log = logging.getLogger(__name__)

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
AUDITED_ROLES = frozenset({Role.admin, Role.organiser})
AUTH_ENDPOINTS = {"auth.login", "auth.logout"}
SECRET_FIELDS = frozenset({"csrf_token", "password", "password_confirm", "current_password", "token"})
SECRET_ARGS = frozenset({"token", "code"})  # one-time links and certificate codes are masked in the path
# POST routes that change nothing (they POST only to carry an unsaved form): the certificate layout preview is
# asked for on every keystroke of the editor and would flood the log.
READ_ONLY_POSTS = frozenset({"certificates.layout_preview", "certificates.layout_preview_image"})


def _actor() -> dict | None:
    user = current_user
    if not user or not user.is_authenticated:
        return None
    return {"user_id": user.id, "user_name": user.name, "user_role": user.role.value, "role": user.role}


def _field_names() -> list[str]:
    names = []
    for name in list(request.form.keys()) + list(request.files.keys()):
        short = name.rsplit("-", 1)[-1]  # prefixed forms ("pw-password")
        if short in SECRET_FIELDS or name in names:
            continue
        names.append(name)
    return names


def _summary() -> str | None:
    parts = []
    fields = _field_names()
    if fields:
        parts.append("fields: " + ", ".join(fields))
    files = [f.filename for f in request.files.values() if f and f.filename]
    if files:
        parts.append("files: " + ", ".join(files))
    return "; ".join(parts)[:300] or None


def _masked_path() -> str:
    path = request.path
    for key, value in (request.view_args or {}).items():
        if key in SECRET_ARGS and isinstance(value, str) and value:
            path = path.replace(value, "***")
    return path[:500]


def _targets() -> dict | None:
    ids = {k: v for k, v in (request.view_args or {}).items() if isinstance(v, int) and k not in SECRET_ARGS}
    return ids or None


def _base(action: AuditAction, actor: dict | None, status: int | None, summary: str | None = None) -> dict:
    targets = _targets()
    return {
        "created_at": utcnow(),
        "user_id": actor and actor["user_id"],
        "user_name": actor and actor["user_name"][:200],
        "user_role": actor and actor["user_role"],
        "action": action,
        "method": request.method[:10],
        "endpoint": (request.endpoint or "")[:100] or None,
        "path": _masked_path(),
        "event_id": (targets or {}).get("event_id"),
        "target": targets,
        "summary": summary,
        "status": status,
        "ip_address": (request.remote_addr or "")[:64] or None,
        "user_agent": (request.user_agent.string or "")[:300] or None,
    }


def _login_failed_actor() -> dict | None:
    """The account a failed log-in was aimed at, if the identifier names one. What was typed is not kept
    otherwise: people type their password into the wrong field."""
    from lms.auth.operations import find_user_for_login

    user = find_user_for_login(request.form.get("identifier", ""))
    if user is None:
        return None
    return {"user_id": user.id, "user_name": user.name, "user_role": user.role.value, "role": user.role}


# Request hooks --------------------------------------------------------------------------------------------


def before_request() -> None:
    """Remember who is acting before the view runs (log-out and password changes end the session)."""
    if request.method in STATE_CHANGING:
        try:
            g.audit_actor = _actor()
        except Exception:  # noqa: BLE001 - the audit log never breaks a request
            log.exception("audit: actor lookup failed")
            g.audit_actor = None


def after_request(response):
    try:
        entry = _entry_for(response.status_code)
        if entry is not None:
            g.audit_entry = entry
    except Exception:  # noqa: BLE001
        log.exception("audit: building the entry failed")
    return response


def _entry_for(status: int) -> dict | None:
    if request.method not in STATE_CHANGING or request.endpoint in READ_ONLY_POSTS:
        return None
    # A hook that ran before ours (CSRF check, rate limit) may have refused the request: ask now.
    actor = g.audit_actor if "audit_actor" in g else _actor()
    if request.endpoint == "auth.login":
        if status == 302 and current_user.is_authenticated:
            return _base(AuditAction.login, _actor(), status)
        if status in (200, 429):  # the form shown again with an error, or too many attempts
            return _base(AuditAction.login_failed, _login_failed_actor(), status)
        return None
    if request.endpoint == "auth.logout":
        return _base(AuditAction.logout, actor, status) if actor else None
    if actor is None or actor["role"] not in AUDITED_ROLES:
        return None
    return _base(AuditAction.request, actor, status, _summary())


def teardown_request(exc) -> None:
    """Write the entry (or, when the view raised, one with status 500) in a transaction of its own."""
    entry = g.pop("audit_entry", None)
    if entry is None and exc is not None:
        try:
            entry = _entry_for(500)
        except Exception:  # noqa: BLE001
            log.exception("audit: building the entry failed")
    if entry is None:
        return
    try:
        # Whatever the request left uncommitted is discarded now rather than at the end of the app context:
        # on SQLite its write lock would otherwise keep our own connection waiting.
        db.session.rollback()
        entry.pop("role", None)
        with db.engine.begin() as conn:
            conn.execute(insert(AuditEntry).values(**entry))
    except Exception:  # noqa: BLE001 - the audit log never breaks a request
        log.exception("audit: writing the entry failed (endpoint=%s)", entry.get("endpoint"))

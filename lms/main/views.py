"""Home, language switch, health check."""

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user

from lms.auth.models import Role
from lms.auth.redirects import safe_next_url

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    """Send each user to the page they come for."""
    if not current_user.is_authenticated:
        return redirect(url_for("enrolment.catalogue"))
    if current_user.role is Role.participant:
        return redirect(url_for("enrolment.my_trainings"))
    if current_user.role is Role.agency_officer:
        return redirect(url_for("agency.index"))
    return redirect(url_for("events.index"))


@bp.route("/bahasa/<lang>", methods=["GET", "POST"])
def set_language(lang: str):
    """The navbar's language link (GET, so anonymous pages need no CSRF token); POST still works for forms.
    Only the chosen language is stored, and ``next`` only leads to our own pages."""
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next_url(request.values.get("next")) or url_for("main.index"))


@bp.route("/healthz")
def healthz():
    """The database, Redis and the job queue, as JSON; 200 when every configured part answers (lms/health.py)."""
    from lms.health import report

    body, code = report(current_app._get_current_object())
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, code

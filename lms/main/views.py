"""Home, language switch, health check."""

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from lms.auth.models import Role
from lms.auth.redirects import safe_next_url
from lms.extensions import db

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


@bp.route("/bahasa/<lang>", methods=["POST"])
def set_language(lang: str):
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.index"))


@bp.route("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        status = {"database": "ok"}
        code = 200
    except Exception as exc:  # noqa: BLE001 - report any database failure
        db.session.rollback()
        status = {"database": f"error: {type(exc).__name__}"}
        code = 503
    return jsonify(status), code

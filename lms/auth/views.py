from flask import Blueprint

bp = Blueprint("auth", __name__)


@bp.route("/auth/login", methods=["GET", "POST"])
def login():
    return "stub"


@bp.route("/auth/logout", methods=["GET", "POST"])
def logout():
    return "stub"


@bp.route("/auth/register", methods=["GET", "POST"])
def register():
    return "stub"


@bp.route("/auth/profile", methods=["GET", "POST"])
def profile():
    return "stub"

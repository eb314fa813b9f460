from flask import Blueprint

bp = Blueprint("users_admin", __name__)


@bp.route("/users_admin/index", methods=["GET", "POST"])
def index():
    return "stub"

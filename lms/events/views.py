from flask import Blueprint

bp = Blueprint("events", __name__)


@bp.route("/events/index", methods=["GET", "POST"])
def index():
    return "stub"

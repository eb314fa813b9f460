from flask import Blueprint

bp = Blueprint("agencies", __name__)


@bp.route("/agencies/index", methods=["GET", "POST"])
def index():
    return "stub"

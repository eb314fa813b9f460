from flask import Blueprint

bp = Blueprint("enrolment", __name__)


@bp.route("/enrolment/catalogue", methods=["GET", "POST"])
def catalogue():
    return "stub"


@bp.route("/enrolment/my_trainings", methods=["GET", "POST"])
def my_trainings():
    return "stub"

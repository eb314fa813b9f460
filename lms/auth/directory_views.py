"""Participant directory for organisers and admins: search by name, NIP/NIK, e-mail and agency; a person's
page with the events he is enrolled in."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from lms.auth.models import Role, User
from lms.auth.permissions import agency_subtree_ids, managed_events_query, role_required
from lms.events.models import Enrolment, Event
from lms.events.queries import agency_choices
from lms.extensions import db

bp = Blueprint("directory", __name__)

MANAGERS = (Role.admin, Role.organiser)


def directory_query(term: str | None = None, agency_id: int | None = None):
    """Participant accounts matching part of a name or e-mail, or the start of a NIP/NIK, in an agency subtree."""
    query = select(User).where(User.role == Role.participant)
    term = (term or "").strip()[:100]
    if term:
        digits = term.replace(" ", "").replace(".", "")
        query = query.where(
            or_(
                User.name.icontains(term, autoescape=True),
                User.email.icontains(term, autoescape=True),
                User.nip.startswith(digits, autoescape=True),
                User.nik.startswith(digits, autoescape=True),
            )
        )
    if agency_id:
        query = query.where(User.agency_id.in_(agency_subtree_ids(agency_id)))
    return query.order_by(User.name, User.id)


@bp.get("/direktori")
@role_required(*MANAGERS)
def index():
    term = request.args.get("q", "")
    agency_id = request.args.get("instansi", type=int)
    pagination = db.paginate(
        directory_query(term, agency_id),
        page=max(request.args.get("page", 1, type=int), 1),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "directory/index.html",
        pagination=pagination,
        term=term,
        agency_id=agency_id,
        agencies=agency_choices(),
        filtered=bool(term.strip() or agency_id),
    )


@bp.get("/direktori/<int:user_id>")
@role_required(*MANAGERS)
def person(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or user.role is not Role.participant:
        abort(404)
    enrolments = list(
        db.session.execute(
            select(Enrolment)
            .join(Enrolment.event)
            .where(Enrolment.user_id == user.id)
            .options(contains_eager(Enrolment.event))
            .order_by(Event.start_date.desc(), Event.id.desc())
        )
        .unique()
        .scalars()
    )
    event_ids = [e.event_id for e in enrolments]
    managed = (
        set(
            db.session.execute(
                managed_events_query(current_user).where(Event.id.in_(event_ids)).with_only_columns(Event.id)
            ).scalars()
        )
        if event_ids
        else set()
    )
    return render_template("directory/person.html", user=user, enrolments=enrolments, managed=managed)

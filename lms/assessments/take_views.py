"""Assessment pages for participants: the test list, the test page (answers saved one by one) and the
evaluation form. Registered on the ``assessments`` blueprint of views.py."""

from functools import cache

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager, joinedload

from lms.assessments import operations as ops
from lms.assessments import queries, surveys
from lms.assessments.models import (
    Assessment,
    Attempt,
    Question,
    QuestionKind,
    Survey,
)
from lms.assessments.views import TAKE, _assessment_or_404, _fail, _ordered, _survey_or_404, bp
from lms.db import InvalidTransition, utcnow
from lms.events.models import Enrolment, EnrolmentStatus, Event
from lms.events.operations import OperationError
from lms.extensions import db
from lms.readonly import read_only


def _approved_participant():
    """The joined ``Event`` is ``event_id`` and the user ``user_id`` is an approved participant of it (bound
    parameters; ``Enrolment`` joined on the event)."""
    return (
        Event.id == bindparam("event_id"),
        Enrolment.user_id == bindparam("user_id"),
        Enrolment.status == EnrolmentStatus.approved,
    )


@cache
def _event_statement():
    return select(Event).join(Enrolment, Enrolment.event_id == Event.id).where(*_approved_participant())


def _participant_event_or_404(event_id: int) -> Event:
    """The event when the current user is an approved participant of it: one query, built once."""
    params = {"event_id": event_id, "user_id": current_user.id}
    event = db.session.execute(_event_statement(), params).scalar_one_or_none()
    if event is None:
        abort(404)
    return event


@cache
def _attempt_statement(with_question: bool = False):
    """The user's attempt ``attempt_id`` at a test of the event, with its test and event, when he is an approved
    participant of the event (``_approved_participant``); ``with_question``: and the question ``question_id``
    with its options. Built once: constructing it cost more than running it."""
    statement = (
        select(Attempt)
        .join(Attempt.assessment)
        .join(Assessment.event)
        .join(Enrolment, Enrolment.event_id == Event.id)
        .options(contains_eager(Attempt.assessment).contains_eager(Assessment.event))
        .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"), *_approved_participant())
    )
    if with_question:
        statement = (
            statement.add_columns(Question)
            .outerjoin(Question, Question.id == bindparam("question_id"))
            .options(joinedload(Question.options))
        )
    return statement


def _participant_attempt_or_404(event_id: int, attempt_id: int) -> tuple[Event, Attempt]:
    """The event and the current user's attempt at one of its tests (``_attempt_statement``): one query."""
    params = {"attempt_id": attempt_id, "user_id": current_user.id, "event_id": event_id}
    attempt = db.session.execute(_attempt_statement(), params).scalar_one_or_none()
    if attempt is None:
        abort(404)
    return attempt.assessment.event, attempt


def _attempt_and_question_or_404(event_id: int, attempt_id: int, question_id: int):
    """``_participant_attempt_or_404`` and the question of the attempt with its options, in the same query (every
    answer saved runs it): (event, attempt, question)."""
    params = {"attempt_id": attempt_id, "user_id": current_user.id, "event_id": event_id, "question_id": question_id}
    row = db.session.execute(_attempt_statement(with_question=True), params).unique().one_or_none()
    if row is None:
        abort(404)
    attempt, question = row
    if question is None or question.id not in attempt.order.get("questions", []):
        abort(404)
    return attempt.assessment.event, attempt, question


@bp.route(TAKE)
@login_required
def participant_index(event_id: int):
    event = _participant_event_or_404(event_id)
    now = utcnow()
    tests = queries.event_assessments(event)
    mine = list(
        db.session.execute(
            select(Attempt)
            .where(Attempt.user_id == current_user.id, Attempt.assessment_id.in_([t.id for t in tests] or [0]))
            .order_by(Attempt.number)
        ).scalars()
    )
    if any(ops.finalise_if_expired(a, now) for a in mine):
        db.session.commit()
    by_test = {t.id: [a for a in mine if a.assessment_id == t.id] for t in tests}
    event_surveys = list(
        db.session.execute(select(Survey).where(Survey.event_id == event.id).order_by(Survey.id)).scalars()
    )
    filled = {s.id for s in event_surveys if surveys.responded(s, current_user.id)}
    return render_template(
        "assessments/participant_index.html",
        event=event,
        tests=tests,
        by_test=by_test,
        now=now,
        surveys=event_surveys,
        filled=filled,
    )


@bp.post(TAKE + "/<int:assessment_id>/mulai")
@login_required
def start(event_id: int, assessment_id: int):
    event = _participant_event_or_404(event_id)
    assessment = _assessment_or_404(event, assessment_id)
    try:
        attempt = ops.start_attempt(assessment, current_user, utcnow())
    except OperationError as error:
        _fail(error)
        return redirect(url_for(".participant_index", event_id=event.id))
    db.session.commit()
    return redirect(url_for(".take", event_id=event.id, attempt_id=attempt.id))


def _closed_redirect(event: Event, attempt: Attempt):
    return redirect(url_for(".result", event_id=event.id, attempt_id=attempt.id))


@bp.route(TAKE + "/percobaan/<int:attempt_id>")
@login_required
def take(event_id: int, attempt_id: int):
    event, attempt = _participant_attempt_or_404(event_id, attempt_id)
    now = utcnow()
    if ops.finalise_if_expired(attempt, now):
        db.session.commit()
        flash(_("Waktu pengerjaan sudah habis; jawaban yang tersimpan sudah dinilai."), "warning")
    if not attempt.is_open:
        return _closed_redirect(event, attempt)
    items = _ordered(attempt)
    index = None
    if attempt.assessment.one_per_page and items:
        index = min(max(request.args.get("no", 1, type=int), 1), len(items))
    answers = {a.question_id: a for a in attempt.answers}
    remaining = int((attempt.deadline - now).total_seconds()) if attempt.deadline else None
    response = make_response(
        render_template(
            "assessments/take.html",
            event=event,
            attempt=attempt,
            assessment=attempt.assessment,
            items=items,
            index=index,
            answers=answers,
            remaining=remaining,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _given(question: Question) -> tuple[list[int], str | None]:
    name = f"q{question.id}"
    if question.kind is QuestionKind.short:
        return [], request.form.get(name, "")
    return [int(v) for v in request.form.getlist(name) if v.isdigit()], None


def _save_from_form(attempt: Attempt) -> None:
    """Save every question present in the submitted form (a plain form post of the test page)."""
    shown = set(request.form.getlist("shown", type=int))
    given = [(q, *_given(q)) for q, _options in _ordered(attempt) if q.id in shown]
    if given:
        ops.save_answers(attempt, given, utcnow())


@bp.post(TAKE + "/percobaan/<int:attempt_id>/jawab")
@login_required
def answer(event_id: int, attempt_id: int):
    """Save one answer (htmx, on every change): replies with a short status fragment."""
    question_id = request.form.get("question_id", type=int) or 0
    event, attempt, question = _attempt_and_question_or_404(event_id, attempt_id, question_id)
    try:
        saved = ops.save_answer(attempt, question, *_given(question), utcnow())
    except OperationError as error:
        db.session.rollback()
        response = make_response(render_template("assessments/_saved.html", error=str(error)))
        response.headers["HX-Refresh"] = "true"
        return response
    db.session.commit()
    return render_template("assessments/_saved.html", saved=saved, event=event)


@bp.post(TAKE + "/percobaan/<int:attempt_id>/simpan")
@login_required
def save(event_id: int, attempt_id: int):
    """The plain form post (no JavaScript): save the answers shown, then go where asked."""
    event, attempt = _participant_attempt_or_404(event_id, attempt_id)
    try:
        _save_from_form(attempt)
    except OperationError as error:
        _fail(error)
        return redirect(url_for(".take", event_id=event.id, attempt_id=attempt.id))
    db.session.commit()
    goto = request.form.get("goto", type=int)
    if goto is None:
        flash(_("Jawaban tersimpan."), "success")
    return redirect(url_for(".take", event_id=event.id, attempt_id=attempt.id, no=goto))


@bp.post(TAKE + "/percobaan/<int:attempt_id>/kirim")
@login_required
def submit(event_id: int, attempt_id: int):
    """Submit: the answers in the form are saved first (when still in time); sent twice, it counts once."""
    event, attempt = _participant_attempt_or_404(event_id, attempt_id)
    now = utcnow()
    if attempt.is_open and not ops.expired(attempt, now):
        try:
            _save_from_form(attempt)
        except OperationError as error:
            _fail(error)
            return redirect(url_for(".take", event_id=event.id, attempt_id=attempt.id))
        ops.submit_attempt(attempt, now)
    else:
        ops.finalise_if_expired(attempt, now)
    db.session.commit()
    return _closed_redirect(event, attempt)


@bp.route(TAKE + "/percobaan/<int:attempt_id>/hasil")
@login_required
def result(event_id: int, attempt_id: int):
    event, attempt = _participant_attempt_or_404(event_id, attempt_id)
    if attempt.is_open:
        if not ops.finalise_if_expired(attempt, utcnow()):
            return redirect(url_for(".take", event_id=event.id, attempt_id=attempt.id))
        db.session.commit()
    review = attempt.assessment.show_review
    return render_template(
        "assessments/result.html",
        event=event,
        attempt=attempt,
        assessment=attempt.assessment,
        items=_ordered(attempt) if review else [],
        answers={a.question_id: a for a in attempt.answers},
    )


@bp.route(TAKE + "/evaluasi/<int:survey_id>", methods=["GET", "POST"])
@read_only  # its GET: the form
@login_required
def survey_fill(event_id: int, survey_id: int):
    event = _participant_event_or_404(event_id)
    survey = _survey_or_404(event, survey_id)
    if surveys.responded(survey, current_user.id):
        flash(_("Anda sudah mengisi evaluasi ini. Terima kasih."), "info")
        return redirect(url_for(".participant_index", event_id=event.id))
    errors = None
    if request.method == "POST":
        ratings = {}
        for item in survey.items:
            value = request.form.get(f"item{item.id}", type=int)
            if value is not None:
                ratings[item.id] = value
        try:
            surveys.submit_response(survey, current_user, ratings, request.form.get("comment", "")[:5000])
        except (OperationError, InvalidTransition) as error:
            db.session.rollback()
            errors = str(error)
        else:
            db.session.commit()
            flash(_("Terima kasih, evaluasi Anda tersimpan."), "success")
            return redirect(url_for(".participant_index", event_id=event.id))
    return render_template(
        "assessments/survey_fill.html", event=event, survey=survey, errors=errors, values=request.form
    ), (400 if errors else 200)

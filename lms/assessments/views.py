"""Assessment pages for organisers: the question bank, tests, results, grading and pre/post report. The
evaluation surveys are in survey_views.py and the participant's pages in take_views.py, on the same blueprint."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.actions import apply_change
from lms.assessments import completion as assessments_completion
from lms.assessments import operations as ops
from lms.assessments import queries, xlsx
from lms.assessments.forms import AssessmentForm, GradeForm, QuestionForm
from lms.assessments.models import (
    Assessment,
    AssessmentKind,
    Attempt,
    Question,
    QuestionKind,
    Survey,
)
from lms.auth.models import Role
from lms.auth.permissions import get_managed_event_or_404, role_required
from lms.db import utcnow
from lms.events.models import Event
from lms.events.roster_parse import RosterFileError
from lms.events.tools import register_event_tool, register_participant_tool
from lms.extensions import db
from lms.i18n import to_local, to_utc
from lms.spreadsheets import xlsx_response

bp = Blueprint("assessments", __name__)

MANAGERS = (Role.admin, Role.organiser)
MANAGE = "/kelola/acara/<int:event_id>/tes"
EVAL = "/kelola/acara/<int:event_id>/evaluasi"
TAKE = "/pelatihan/<int:event_id>/tes"

register_event_tool("assessments.manage", _l("Tes"), 50)
register_event_tool("assessments.surveys_index", _l("Evaluasi"), 55)
register_participant_tool("assessments.participant_index", _l("Tes & Evaluasi"), 50)
assessments_completion.register()


def _question_or_404(event: Event, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.event_id != event.id:
        abort(404)
    return question


def _assessment_or_404(event: Event, assessment_id: int) -> Assessment:
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or assessment.event_id != event.id:
        abort(404)
    return assessment


def _survey_or_404(event: Event, survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.event_id != event.id:
        abort(404)
    return survey


def _fail(error: Exception) -> None:
    db.session.rollback()
    flash(str(error), "error")


# Organiser: question bank -------------------------------------------------------------------------


@bp.route(MANAGE)
@role_required(*MANAGERS)
def manage(event_id: int):
    event = get_managed_event_or_404(event_id)
    tests = queries.event_assessments(event)
    counts = queries.attempt_counts([t.id for t in tests])
    question_count = db.session.execute(
        select(db.func.count(Question.id)).where(Question.event_id == event.id)
    ).scalar()
    return render_template(
        "assessments/manage.html", event=event, tests=tests, counts=counts, question_count=question_count
    )


@bp.route(MANAGE + "/soal")
@role_required(*MANAGERS)
def questions(event_id: int):
    event = get_managed_event_or_404(event_id)
    query = select(Question).where(Question.event_id == event.id).options(selectinload(Question.options))
    search = (request.args.get("q") or "").strip()
    if search:
        query = query.where(Question.text.ilike(f"%{search}%"))
    kind = request.args.get("jenis")
    if kind in {k.value for k in QuestionKind}:
        query = query.where(Question.kind == QuestionKind(kind))
    page = db.paginate(
        query.order_by(Question.id),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    return render_template(
        "assessments/questions.html", event=event, page=page, search=search, kind=kind, kinds=list(QuestionKind)
    )


def _question_data(form: QuestionForm):
    kind = QuestionKind(form.kind.data)
    if kind is QuestionKind.true_false:
        options = ops.true_false_options(form.true_false_answer.data == "true")
    elif kind is QuestionKind.short:
        options = []
    else:
        options = ops.parse_options(form.options.data)
    answer_key = (form.answer_key.data or "").strip() or None if kind is QuestionKind.short else None
    return kind, form.text.data, form.points.data, options, answer_key


@bp.route(MANAGE + "/soal/baru", methods=["GET", "POST"])
@role_required(*MANAGERS)
def question_new(event_id: int):
    event = get_managed_event_or_404(event_id)
    form = QuestionForm()
    if form.validate_on_submit() and apply_change(
        lambda: ops.create_question(event, *_question_data(form)), _("Soal disimpan."), field=form.options
    ):
        return redirect(url_for(".questions", event_id=event.id))
    return render_template("assessments/question_form.html", event=event, form=form, question=None)


@bp.route(MANAGE + "/soal/<int:question_id>/ubah", methods=["GET", "POST"])
@role_required(*MANAGERS)
def question_edit(event_id: int, question_id: int):
    event = get_managed_event_or_404(event_id)
    question = _question_or_404(event, question_id)
    form = QuestionForm(obj=question)
    if request.method == "GET":
        form.kind.data = question.kind.value
        form.options.data = "\n".join(("*" if o.is_correct else "") + o.text for o in question.options)
        if question.kind is QuestionKind.true_false:
            form.true_false_answer.data = "true" if question.options and question.options[0].is_correct else "false"
    if form.validate_on_submit() and apply_change(
        lambda: ops.update_question(question, *_question_data(form)), _("Soal disimpan."), field=form.options
    ):
        return redirect(url_for(".questions", event_id=event.id))
    return render_template("assessments/question_form.html", event=event, form=form, question=question)


@bp.post(MANAGE + "/soal/<int:question_id>/hapus")
@role_required(*MANAGERS)
def question_delete(event_id: int, question_id: int):
    event = get_managed_event_or_404(event_id)
    question = _question_or_404(event, question_id)
    apply_change(lambda: ops.delete_question(question), _("Soal dihapus."))
    return redirect(url_for(".questions", event_id=event.id))


@bp.route(MANAGE + "/soal/impor", methods=["GET", "POST"])
@role_required(*MANAGERS)
def questions_import(event_id: int):
    event = get_managed_event_or_404(event_id)
    result, error = None, None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            error = _("Pilih berkas .xlsx.")
        else:
            try:
                result = xlsx.import_questions(event, upload.stream)
            except RosterFileError as exc:
                db.session.rollback()
                error = str(exc)
            else:
                db.session.commit()
                if result.imported:
                    flash(_("%(n)s soal diimpor.", n=result.imported), "success")
    return render_template("assessments/questions_import.html", event=event, result=result, error=error), (
        400 if error else 200
    )


@bp.route(MANAGE + "/soal/ekspor.xlsx")
@role_required(*MANAGERS)
def questions_export(event_id: int):
    event = get_managed_event_or_404(event_id)
    questions = db.session.execute(
        select(Question)
        .where(Question.event_id == event.id)
        .options(selectinload(Question.options))
        .order_by(Question.id)
    ).scalars()
    return xlsx_response(xlsx.export_workbook(questions), f"bank-soal-{event.id}.xlsx")


# Organiser: tests ---------------------------------------------------------------------------------


def _assessment_form(event: Event, assessment: Assessment | None) -> AssessmentForm:
    form = AssessmentForm(obj=assessment)
    bank = list(
        db.session.execute(select(Question).where(Question.event_id == event.id).order_by(Question.id)).scalars()
    )
    form.question_ids.choices = [(q.id, f"#{q.id} {q.text[:120]}") for q in bank]
    form.bank = {q.id: q for q in bank}
    if request.method == "GET" and assessment is not None:
        form.kind.data = assessment.kind.value
        form.question_ids.data = [q.id for q in assessment.questions]
        form.opens_at.data = assessment.opens_at and to_local(assessment.opens_at, event.timezone).replace(tzinfo=None)
        form.closes_at.data = assessment.closes_at and to_local(assessment.closes_at, event.timezone).replace(
            tzinfo=None
        )
    return form


def _save_assessment(event: Event, assessment: Assessment, form: AssessmentForm):
    chosen = [form.bank[i] for i in form.question_ids.data or [] if i in form.bank]
    return ops.save_assessment(
        assessment,
        chosen,
        kind=AssessmentKind(form.kind.data),
        title=form.title.data.strip(),
        opens_at=to_utc(form.opens_at.data, event.timezone),
        closes_at=to_utc(form.closes_at.data, event.timezone),
        time_limit_minutes=form.time_limit_minutes.data,
        max_attempts=form.max_attempts.data,
        passing_grade=float(form.passing_grade.data),
        shuffle_questions=bool(form.shuffle_questions.data),
        shuffle_options=bool(form.shuffle_options.data),
        one_per_page=bool(form.one_per_page.data),
        show_review=bool(form.show_review.data),
    )


@bp.route(MANAGE + "/baru", methods=["GET", "POST"])
@role_required(*MANAGERS)
def assessment_new(event_id: int):
    event = get_managed_event_or_404(event_id)
    form = _assessment_form(event, None)
    reuse = request.args.get("dari", type=int)
    if request.method == "GET" and reuse:  # a post-test reusing the pre-test's questions
        source = _assessment_or_404(event, reuse)
        form.question_ids.data = [q.id for q in source.questions]
        form.kind.data = AssessmentKind.post.value
        form.title.data = _("Post-test")
        form.passing_grade.data = source.passing_grade
        form.time_limit_minutes.data = source.time_limit_minutes
    if form.validate_on_submit() and apply_change(
        lambda: _save_assessment(event, Assessment(event_id=event.id), form), _("Tes disimpan.")
    ):
        return redirect(url_for(".manage", event_id=event.id))
    return render_template("assessments/assessment_form.html", event=event, form=form, assessment=None)


@bp.route(MANAGE + "/<int:assessment_id>/ubah", methods=["GET", "POST"])
@role_required(*MANAGERS)
def assessment_edit(event_id: int, assessment_id: int):
    event = get_managed_event_or_404(event_id)
    assessment = _assessment_or_404(event, assessment_id)
    form = _assessment_form(event, assessment)
    if form.validate_on_submit() and apply_change(
        lambda: _save_assessment(event, assessment, form), _("Tes disimpan.")
    ):
        return redirect(url_for(".manage", event_id=event.id))
    return render_template("assessments/assessment_form.html", event=event, form=form, assessment=assessment)


@bp.post(MANAGE + "/<int:assessment_id>/hapus")
@role_required(*MANAGERS)
def assessment_delete(event_id: int, assessment_id: int):
    event = get_managed_event_or_404(event_id)
    assessment = _assessment_or_404(event, assessment_id)
    apply_change(lambda: ops.delete_assessment(assessment), _("Tes dihapus."))
    return redirect(url_for(".manage", event_id=event.id))


@bp.route(MANAGE + "/<int:assessment_id>/hasil")
@role_required(*MANAGERS)
def results(event_id: int, assessment_id: int):
    event = get_managed_event_or_404(event_id)
    assessment = _assessment_or_404(event, assessment_id)
    now = utcnow()
    attempts = queries.attempts_of(assessment)
    if any(ops.finalise_if_expired(a, now) for a in attempts):
        db.session.commit()
    return render_template(
        "assessments/results.html",
        event=event,
        assessment=assessment,
        attempts=attempts,
        stats=queries.item_analysis(assessment),
    )


def _attempt_of(assessment: Assessment, attempt_id: int) -> Attempt:
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.assessment_id != assessment.id:
        abort(404)
    return attempt


@bp.route(MANAGE + "/<int:assessment_id>/percobaan/<int:attempt_id>")
@role_required(*MANAGERS)
def attempt_detail(event_id: int, assessment_id: int, attempt_id: int):
    event = get_managed_event_or_404(event_id)
    assessment = _assessment_or_404(event, assessment_id)
    attempt = _attempt_of(assessment, attempt_id)
    return render_template(
        "assessments/attempt_detail.html",
        event=event,
        assessment=assessment,
        attempt=attempt,
        items=_ordered(attempt),
        answers={a.question_id: a for a in attempt.answers},
        grade_form=GradeForm(),
    )


@bp.post(MANAGE + "/<int:assessment_id>/percobaan/<int:attempt_id>/nilai/<int:question_id>")
@role_required(*MANAGERS)
def grade(event_id: int, assessment_id: int, attempt_id: int, question_id: int):
    event = get_managed_event_or_404(event_id)
    assessment = _assessment_or_404(event, assessment_id)
    attempt = _attempt_of(assessment, attempt_id)
    question = _question_or_404(event, question_id)
    if question not in assessment.questions:
        abort(404)
    form = GradeForm()
    if not form.validate_on_submit():
        flash(_("Nilai tidak valid."), "error")
    else:
        apply_change(lambda: ops.grade_answer(attempt, question, float(form.points.data)), _("Nilai disimpan."))
    return redirect(url_for(".attempt_detail", event_id=event.id, assessment_id=assessment.id, attempt_id=attempt.id))


@bp.post(MANAGE + "/<int:assessment_id>/percobaan/<int:attempt_id>/buka-kembali")
@role_required(*MANAGERS)
def reopen(event_id: int, assessment_id: int, attempt_id: int):
    event = get_managed_event_or_404(event_id)
    assessment = _assessment_or_404(event, assessment_id)
    attempt = _attempt_of(assessment, attempt_id)
    apply_change(lambda: ops.reopen_attempt(attempt, utcnow()), _("Percobaan dibuka kembali."))
    return redirect(url_for(".results", event_id=event.id, assessment_id=assessment.id))


@bp.route(MANAGE + "/laporan")
@role_required(*MANAGERS)
def report(event_id: int):
    event = get_managed_event_or_404(event_id)
    return render_template("assessments/report.html", event=event, report=queries.gain_report(event))


@bp.route(MANAGE + "/laporan.xlsx")
@role_required(*MANAGERS)
def report_xlsx(event_id: int):
    event = get_managed_event_or_404(event_id)
    return xlsx_response(xlsx.gain_workbook(event, queries.gain_report(event)), f"pre-post-{event.id}.xlsx")


def _ordered(attempt: Attempt) -> list[tuple[Question, list]]:
    """The attempt's questions with their options, in the order stored when it started."""
    order = attempt.order
    questions = {q.id: q for q in attempt.assessment.questions}
    items = []
    for qid in order.get("questions", []):
        q = questions.get(qid)
        if q is None:
            continue
        by_id = {o.id: o for o in q.options}
        ids = order.get("options", {}).get(str(qid), [o.id for o in q.options])
        items.append((q, [by_id[i] for i in ids if i in by_id]))
    return items


# The organiser's evaluation surveys and the participant's pages live in their own modules on this blueprint.
from lms.assessments import survey_views, take_views  # noqa: E402, F401

"""Evaluation surveys for organisers: the event's surveys with their IKM, a new survey (the nine default
unsur), editing its items, and its results with comments. Registered on the ``assessments`` blueprint of
views.py; participants fill them in through take_views.py."""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lms.actions import apply_change
from lms.assessments import surveys
from lms.assessments.forms import SurveyEditForm, SurveyForm
from lms.assessments.ikm import BAND_LABELS
from lms.assessments.models import Survey
from lms.assessments.views import EVAL, MANAGERS, _survey_or_404, bp
from lms.auth.permissions import get_managed_event_or_404, role_required
from lms.events.models import Event
from lms.extensions import db


@bp.route(EVAL)
@role_required(*MANAGERS)
def surveys_index(event_id: int):
    event = get_managed_event_or_404(event_id)
    return _surveys_page(event, _new_survey_form(event))


def _new_survey_form(event: Event) -> SurveyForm:
    form = SurveyForm()
    form.speaker.choices = [("", _("Penyelenggaraan acara"))] + [(s, s) for s in surveys.event_speakers(event)]
    return form


def _surveys_page(event: Event, form: SurveyForm):
    rows = db.session.execute(
        select(Survey).where(Survey.event_id == event.id).options(selectinload(Survey.items)).order_by(Survey.id)
    ).scalars()
    results = [(s, surveys.survey_ikm(s)) for s in rows]
    return render_template("assessments/surveys.html", event=event, results=results, form=form)


@bp.post(EVAL + "/baru")
@role_required(*MANAGERS)
def survey_new(event_id: int):
    event = get_managed_event_or_404(event_id)
    form = _new_survey_form(event)
    if not form.validate_on_submit():
        return _surveys_page(event, form), 400
    speaker = form.speaker.data or None
    if speaker is not None and speaker not in surveys.event_speakers(event):
        abort(400)
    apply_change(
        lambda: surveys.create_survey(event, speaker, form.title.data),
        _("Evaluasi dibuat dengan sembilan unsur bawaan."),
    )
    return redirect(url_for(".surveys_index", event_id=event.id))


@bp.route(EVAL + "/<int:survey_id>/ubah", methods=["GET", "POST"])
@role_required(*MANAGERS)
def survey_edit(event_id: int, survey_id: int):
    event = get_managed_event_or_404(event_id)
    survey = _survey_or_404(event, survey_id)
    form = SurveyEditForm(obj=survey)
    if request.method == "GET":
        form.items.data = "\n".join(i.text for i in survey.items)
    if form.validate_on_submit() and apply_change(
        lambda: surveys.update_survey(survey, form.title.data, form.items.data.splitlines(), bool(form.is_open.data)),
        _("Evaluasi disimpan."),
        field=form.items,
    ):
        return redirect(url_for(".surveys_index", event_id=event.id))
    return render_template("assessments/survey_form.html", event=event, survey=survey, form=form)


@bp.route(EVAL + "/<int:survey_id>/hasil")
@role_required(*MANAGERS)
def survey_results(event_id: int, survey_id: int):
    event = get_managed_event_or_404(event_id)
    survey = _survey_or_404(event, survey_id)
    return render_template(
        "assessments/survey_results.html",
        event=event,
        survey=survey,
        result=surveys.survey_ikm(survey),
        comments=surveys.survey_comments(survey),
        band_labels=BAND_LABELS,
    )

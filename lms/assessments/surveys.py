"""Evaluation surveys: creation with the default unsur, editing the items, answering once, results with IKM.

Anonymous towards speakers: results show only per-item figures and the comments, never who wrote them."""

import logging

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.assessments.ikm import IkmResult, compute_ikm
from lms.assessments.models import DEFAULT_ITEMS, Survey, SurveyItem, SurveyRating, SurveyResponse
from lms.assessments.operations import is_approved_participant
from lms.events.operations import OperationError
from lms.extensions import db

log = logging.getLogger(__name__)


def create_survey(event, speaker: str | None, title: str, items: list[str] | None = None) -> Survey:
    speaker = (speaker or "").strip() or None
    exists = db.session.execute(
        select(Survey.id).where(
            Survey.event_id == event.id, Survey.speaker.is_(None) if speaker is None else Survey.speaker == speaker
        )
    ).first()
    if exists:
        raise OperationError(_("Evaluasi untuk sasaran ini sudah ada."))
    texts = items or [str(t) for t in DEFAULT_ITEMS]
    survey = Survey(event_id=event.id, speaker=speaker, title=title.strip())
    survey.items = [SurveyItem(position=i, text=t) for i, t in enumerate(texts)]
    db.session.add(survey)
    db.session.flush()
    log.info("survey created id=%s event=%s", survey.id, event.id)
    return survey


def has_responses(survey: Survey) -> bool:
    return (
        db.session.execute(select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id)).first() is not None
    )


def update_survey(survey: Survey, title: str, items: list[str], is_open: bool) -> Survey:
    items = [t.strip() for t in items if t.strip()]
    if not items:
        raise OperationError(_("Evaluasi memerlukan sedikitnya satu unsur."))
    if [i.text for i in survey.items] != items:
        if has_responses(survey):
            raise OperationError(_("Evaluasi sudah diisi peserta: unsurnya tidak bisa diubah lagi."))
        survey.items = [SurveyItem(position=i, text=t) for i, t in enumerate(items)]
    survey.title = title.strip()
    survey.is_open = is_open
    db.session.flush()
    return survey


def submit_response(survey: Survey, user, ratings: dict[int, int], comment: str | None) -> SurveyResponse:
    if not is_approved_participant(survey.event_id, user.id):
        raise OperationError(_("Hanya peserta yang diterima yang dapat mengisi evaluasi ini."))
    if not survey.is_open:
        raise OperationError(_("Evaluasi ini sudah ditutup."))
    item_ids = [i.id for i in survey.items]
    if set(ratings) != set(item_ids) or any(v not in (1, 2, 3, 4) for v in ratings.values()):
        raise OperationError(_("Beri nilai 1 sampai 4 untuk setiap unsur."))
    response = SurveyResponse(survey_id=survey.id, user_id=user.id, comment=(comment or "").strip() or None)
    response.ratings = [SurveyRating(item_id=i, value=ratings[i]) for i in item_ids]
    db.session.add(response)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise OperationError(_("Anda sudah mengisi evaluasi ini.")) from None
    return response


def responded(survey: Survey, user_id: int) -> bool:
    return (
        db.session.execute(
            select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id, SurveyResponse.user_id == user_id)
        ).first()
        is not None
    )


def survey_ikm(survey: Survey) -> IkmResult:
    rows = db.session.execute(
        select(SurveyRating.item_id, SurveyRating.value)
        .join(SurveyResponse, SurveyResponse.id == SurveyRating.response_id)
        .where(SurveyResponse.survey_id == survey.id)
    ).all()
    values: dict[int, list[int]] = {i.id: [] for i in survey.items}
    for item_id, value in rows:
        values.setdefault(item_id, []).append(value)
    count = db.session.execute(
        select(func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey.id)
    ).scalar_one()
    return compute_ikm([values[i.id] for i in survey.items], count)


def survey_comments(survey: Survey) -> list[str]:
    """The open comments, in no identifying order (alphabetical), without names."""
    return sorted(
        db.session.execute(
            select(SurveyResponse.comment).where(
                SurveyResponse.survey_id == survey.id, SurveyResponse.comment.is_not(None)
            )
        ).scalars()
    )


def event_speakers(event) -> list[str]:
    return sorted({s.speaker.strip() for s in event.sessions if s.speaker and s.speaker.strip()})

"""Everything that changes assessment data: questions, tests, attempts and answers, grading."""

import json
import logging
import random
from datetime import datetime, timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import func, inspect, select, update
from sqlalchemy.exc import IntegrityError

from lms.assessments import scoring
from lms.assessments.models import (
    Answer,
    Assessment,
    Attempt,
    AttemptStatus,
    Question,
    QuestionKind,
    QuestionOption,
)
from lms.events.models import Enrolment, EnrolmentStatus
from lms.events.operations import OperationError
from lms.extensions import db

log = logging.getLogger(__name__)

TRUE_FALSE = ("Benar", "Salah")


# Question bank ----------------------------------------------------------------------------------


def parse_options(text: str) -> list[tuple[str, bool]]:
    """One option per line; a line starting with ``*`` is a correct option."""
    options = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        correct = line.startswith("*")
        options.append((line.lstrip("*").strip(), correct))
    return options


def check_options(kind: QuestionKind, options: list[tuple[str, bool]]) -> None:
    if kind is QuestionKind.short:
        return
    if len(options) < 2:
        raise OperationError(_("Soal pilihan memerlukan sedikitnya dua pilihan jawaban."))
    if any(not text for text, _c in options):
        raise OperationError(_("Pilihan jawaban tidak boleh kosong."))
    correct = sum(1 for _t, c in options if c)
    if kind is QuestionKind.multiple and correct < 1:
        raise OperationError(_("Tandai sedikitnya satu jawaban benar (awali barisnya dengan *)."))
    if kind in (QuestionKind.single, QuestionKind.true_false) and correct != 1:
        raise OperationError(_("Tandai tepat satu jawaban benar (awali barisnya dengan *)."))


def _set_options(question: Question, options: list[tuple[str, bool]]) -> None:
    question.options = [QuestionOption(position=i, text=t, is_correct=c) for i, (t, c) in enumerate(options)]


def true_false_options(answer_true: bool) -> list[tuple[str, bool]]:
    return [(TRUE_FALSE[0], answer_true), (TRUE_FALSE[1], not answer_true)]


def _question_in_use(question: Question) -> bool:
    return db.session.execute(select(Answer.id).where(Answer.question_id == question.id).limit(1)).first() is not None


def create_question(event, kind: QuestionKind, text: str, points: int, options, answer_key: str | None = None):
    check_options(kind, options)
    question = Question(event_id=event.id, kind=kind, text=text.strip(), points=points, answer_key=answer_key)
    if kind is not QuestionKind.short:
        _set_options(question, options)
    db.session.add(question)
    db.session.flush()
    log.info("question created id=%s event=%s kind=%s", question.id, event.id, kind.value)
    return question


def update_question(question: Question, kind: QuestionKind, text: str, points: int, options, answer_key=None):
    check_options(kind, options)
    if _question_in_use(question):
        new = [(t, c) for t, c in options] if kind is not QuestionKind.short else []
        old = [(o.text, o.is_correct) for o in question.options]
        if kind is not question.kind or new != old:
            raise OperationError(_("Soal sudah dijawab peserta: jenis dan pilihan jawabannya tidak bisa diubah lagi."))
    question.kind = kind
    question.text = text.strip()
    question.points = points
    question.answer_key = answer_key
    if kind is QuestionKind.short:
        question.options = []
    elif [(o.text, o.is_correct) for o in question.options] != list(options):
        _set_options(question, options)
    db.session.flush()
    log.info("question updated id=%s", question.id)
    return question


def delete_question(question: Question) -> None:
    if _question_in_use(question):
        raise OperationError(_("Soal sudah dijawab peserta dan tidak bisa dihapus."))
    db.session.delete(question)
    db.session.flush()
    log.info("question deleted id=%s", question.id)


# Tests ------------------------------------------------------------------------------------------


def _has_attempts(assessment: Assessment) -> bool:
    return (
        db.session.execute(select(Attempt.id).where(Attempt.assessment_id == assessment.id).limit(1)).first()
        is not None
    )


def save_assessment(assessment: Assessment, questions: list[Question], **fields) -> Assessment:
    """Create (no id yet) or update a test; its questions must come from the same event's bank."""
    if any(q.event_id != assessment.event_id for q in questions):
        raise OperationError(_("Soal harus berasal dari bank soal acara ini."))
    if fields.get("opens_at") and fields.get("closes_at") and fields["closes_at"] <= fields["opens_at"]:
        raise OperationError(_("Waktu tutup harus setelah waktu buka."))
    if assessment.id is not None and _has_attempts(assessment):
        if {q.id for q in questions} != {q.id for q in assessment.questions}:
            raise OperationError(_("Tes sudah dikerjakan peserta: daftar soalnya tidak bisa diubah lagi."))
    for name, value in fields.items():
        setattr(assessment, name, value)
    assessment.questions = list(questions)
    db.session.add(assessment)
    db.session.flush()
    log.info("assessment saved id=%s event=%s", assessment.id, assessment.event_id)
    return assessment


def delete_assessment(assessment: Assessment) -> None:
    if _has_attempts(assessment):
        raise OperationError(_("Tes sudah dikerjakan peserta dan tidak bisa dihapus."))
    db.session.delete(assessment)
    db.session.flush()


# Attempts ---------------------------------------------------------------------------------------


def is_approved_participant(event_id: int, user_id: int) -> bool:
    return (
        db.session.execute(
            select(Enrolment.id).where(
                Enrolment.event_id == event_id,
                Enrolment.user_id == user_id,
                Enrolment.status == EnrolmentStatus.approved,
            )
        ).first()
        is not None
    )


def open_attempt(assessment: Assessment, user_id: int) -> Attempt | None:
    return db.session.execute(
        select(Attempt).where(
            Attempt.assessment_id == assessment.id, Attempt.user_id == user_id, Attempt.status == AttemptStatus.open
        )
    ).scalar_one_or_none()


def attempts_used(assessment: Assessment, user_id: int) -> int:
    return db.session.execute(
        select(func.count(Attempt.id)).where(Attempt.assessment_id == assessment.id, Attempt.user_id == user_id)
    ).scalar_one()


def _deadline(assessment: Assessment, start: datetime) -> datetime | None:
    candidates = []
    if assessment.time_limit_minutes:
        candidates.append(start + timedelta(minutes=assessment.time_limit_minutes))
    if assessment.closes_at:
        candidates.append(assessment.closes_at)
    return min(candidates) if candidates else None


def start_attempt(assessment: Assessment, user, now: datetime, rng: random.Random | None = None) -> Attempt:
    """Resume the open attempt or start a new one (within the window and the attempts limit). The question and
    option order is drawn once here and stored in the attempt, so it stays the same on every reload."""
    if not is_approved_participant(assessment.event_id, user.id):
        raise OperationError(_("Hanya peserta yang diterima yang dapat mengerjakan tes ini."))
    current = open_attempt(assessment, user.id)
    if current is not None:
        if finalise_if_expired(current, now):
            current = None
        else:
            return current
    if not assessment.is_open(now):
        raise OperationError(_("Tes ini sedang tidak dibuka."))
    if not assessment.questions:
        raise OperationError(_("Tes ini belum memiliki soal."))
    used = attempts_used(assessment, user.id)
    if used >= assessment.max_attempts:
        raise OperationError(_("Batas jumlah percobaan sudah tercapai."))
    rng = rng or random.Random()
    question_ids = [q.id for q in assessment.questions]
    if assessment.shuffle_questions:
        rng.shuffle(question_ids)
    options = {}
    for q in assessment.questions:
        ids = [o.id for o in q.options]
        if assessment.shuffle_options and q.kind is not QuestionKind.true_false:
            rng.shuffle(ids)
        options[str(q.id)] = ids
    attempt = Attempt(
        assessment_id=assessment.id,
        user_id=user.id,
        number=used + 1,
        started_at=now,
        deadline=_deadline(assessment, now),
        order_json=json.dumps({"questions": question_ids, "options": options}),
    )
    db.session.add(attempt)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same participant started twice at once: use the other request's attempt
        existing = open_attempt(assessment, user.id)
        if existing is None:
            raise OperationError(_("Batas jumlah percobaan sudah tercapai.")) from None
        return existing
    log.info("attempt started id=%s assessment=%s user=%s", attempt.id, assessment.id, user.id)
    return attempt


def expired(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline is not None and now >= attempt.deadline


def _check_open(attempt: Attempt, now: datetime) -> None:
    if not attempt.is_open:
        raise OperationError(_("Percobaan ini sudah ditutup; jawaban tidak disimpan."))
    if expired(attempt, now):
        raise OperationError(_("Waktu pengerjaan sudah habis; jawaban tidak dihitung."))


def _answer_values(attempt: Attempt, question: Question, option_ids: list[int], text: str | None, now: datetime):
    valid = {o.id for o in question.options}
    chosen = sorted({i for i in option_ids if i in valid})
    if question.kind in (QuestionKind.single, QuestionKind.true_false):
        chosen = chosen[:1]
    return {
        "attempt_id": attempt.id,
        "question_id": question.id,
        "option_ids_json": json.dumps(chosen),
        "text": ((text or "").strip() or None) if question.kind is QuestionKind.short else None,
        "answered_at": now,
        "points_awarded": None,
    }


@cache
def _upsert(dialect: str):
    """INSERT ... ON CONFLICT (attempt, question) DO UPDATE of one answer, for the dialect (SQLite and PostgreSQL
    spell it alike). Built once: constructing it (``excluded`` above all) cost more than running it."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    statement = dialect_insert(Answer.__table__)
    changed = {c: statement.excluded[c] for c in ("option_ids_json", "text", "answered_at", "points_awarded")}
    return statement.on_conflict_do_update(index_elements=["attempt_id", "question_id"], set_=changed)


def save_answers(attempt: Attempt, given: list[tuple[Question, list[int], str | None]], now: datetime) -> int:
    """Store answers as given, each replacing the previous one, in one statement (an upsert on the attempt and
    question: no read first, and two saves of one answer at once cannot collide). Refused after the deadline or
    once the attempt is closed; questions outside the attempt are refused. Returns how many were stored."""
    _check_open(attempt, now)
    in_attempt = set(attempt.order.get("questions", []))
    if any(q.id not in in_attempt for q, _o, _t in given):
        raise OperationError(_("Soal tidak termasuk dalam tes ini."))
    if not given:
        return 0
    rows = list({q.id: _answer_values(attempt, q, o, t, now) for q, o, t in given}.values())  # last one wins
    db.session.execute(_upsert(db.session.get_bind().dialect.name), rows)  # one row, or an executemany
    # Answers of this attempt already loaded in the session are now out of date: read them again when used.
    db.session.expire(attempt, ["answers"])
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Answer) and inspect(obj).dict.get("attempt_id") == attempt.id:  # no load to ask
            db.session.expire(obj)
    return len(rows)


def save_answer(attempt: Attempt, question: Question, option_ids: list[int], text: str | None, now: datetime) -> int:
    """Store one answer as given (replacing the previous one)."""
    return save_answers(attempt, [(question, option_ids, text)], now)


def _rescore(attempt: Attempt) -> None:
    questions = attempt.assessment.questions
    answers = {a.question_id: a for a in attempt.answers}
    for q in questions:
        a = answers.get(q.id)
        if a is not None and q.kind is not QuestionKind.short:
            a.points_awarded = scoring.auto_points(q, a.option_ids)
    attempt.score, attempt.needs_grading = scoring.attempt_score(questions, answers)


def submit_attempt(attempt: Attempt, now: datetime) -> bool:
    """Close and score the attempt. Idempotent: the conditional UPDATE lets only one of two identical
    submissions close it; the other returns False and changes nothing."""
    closed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.open)
        .values(status=AttemptStatus.submitted, submitted_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(attempt)
    if not closed:
        return False
    _rescore(attempt)
    db.session.flush()
    log.info("attempt submitted id=%s score=%s", attempt.id, attempt.score)
    return True


def finalise_if_expired(attempt: Attempt, now: datetime) -> bool:
    """Close an open attempt whose deadline has passed (with the answers saved before it)."""
    if attempt.is_open and expired(attempt, now):
        return submit_attempt(attempt, attempt.deadline)
    return False


def grade_answer(attempt: Attempt, question: Question, points: float) -> None:
    if question.kind is not QuestionKind.short:
        raise OperationError(_("Hanya isian singkat yang dinilai panitia."))
    if points < 0 or points > question.points:
        raise OperationError(_("Nilai harus antara 0 dan %(max)s.", max=question.points))
    answer = db.session.execute(
        select(Answer).where(Answer.attempt_id == attempt.id, Answer.question_id == question.id)
    ).scalar_one_or_none()
    if answer is None:
        answer = Answer(attempt_id=attempt.id, question_id=question.id)
        db.session.add(answer)
    answer.points_awarded = float(points)
    db.session.flush()
    db.session.refresh(attempt)
    if not attempt.is_open:
        _rescore(attempt)
    db.session.flush()


def reopen_attempt(attempt: Attempt, now: datetime) -> None:
    """The organiser reopens a closed attempt: the participant gets a fresh time limit from now."""
    if attempt.is_open:
        raise OperationError(_("Percobaan ini masih terbuka."))
    attempt.status = AttemptStatus.open
    attempt.submitted_at = None
    attempt.score = None
    attempt.needs_grading = False
    limit = attempt.assessment.time_limit_minutes
    attempt.deadline = now + timedelta(minutes=limit) if limit else None
    db.session.flush()
    log.info("attempt reopened id=%s", attempt.id)

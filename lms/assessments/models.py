"""Question banks, tests (pre-test, post-test, quiz), attempts and answers, evaluation surveys."""

import enum
import json
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import TimestampMixin, enum_type, utcnow
from lms.extensions import db


class QuestionKind(enum.Enum):
    single = "single"  # pilihan ganda, one answer
    multiple = "multiple"  # pilihan ganda, several answers
    true_false = "true_false"  # benar/salah
    short = "short"  # isian singkat, graded by the organiser

    @property
    def label(self) -> str:
        return str(QUESTION_KIND_LABELS[self])


QUESTION_KIND_LABELS = {
    QuestionKind.single: _l("Pilihan ganda (satu jawaban)"),
    QuestionKind.multiple: _l("Pilihan ganda (beberapa jawaban)"),
    QuestionKind.true_false: _l("Benar/Salah"),
    QuestionKind.short: _l("Isian singkat (dinilai panitia)"),
}


class Question(TimestampMixin, db.Model):
    __tablename__ = "questions"
    __table_args__ = (CheckConstraint("points > 0", name="points_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[QuestionKind] = mapped_column(enum_type(QuestionKind))
    text: Mapped[str] = mapped_column(Text)
    points: Mapped[int] = mapped_column(Integer, default=1)
    answer_key: Mapped[str | None] = mapped_column(Text)  # short answer: the model answer, for the grader only

    event = relationship("Event")
    options = relationship(
        "QuestionOption",
        back_populates="question",
        order_by="QuestionOption.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def correct_ids(self) -> set[int]:
        return {o.id for o in self.options if o.is_correct}


class QuestionOption(db.Model):
    __tablename__ = "question_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    is_correct: Mapped[bool] = mapped_column(Boolean, default=False)

    question = relationship("Question", back_populates="options")


class AssessmentKind(enum.Enum):
    pre = "pre"  # pre-test
    post = "post"  # post-test
    quiz = "quiz"  # kuis

    @property
    def label(self) -> str:
        return str(ASSESSMENT_KIND_LABELS[self])


ASSESSMENT_KIND_LABELS = {
    AssessmentKind.pre: _l("Pre-test"),
    AssessmentKind.post: _l("Post-test"),
    AssessmentKind.quiz: _l("Kuis"),
}

assessment_questions = Table(
    "assessment_questions",
    db.Model.metadata,
    Column("assessment_id", ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True),
    Column("question_id", ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Assessment(TimestampMixin, db.Model):
    """A test of an event: its questions come from the event's bank (a post-test may reuse the pre-test's)."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("max_attempts >= 1", name="max_attempts_positive"),
        CheckConstraint("passing_grade >= 0 AND passing_grade <= 100", name="passing_grade_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AssessmentKind] = mapped_column(enum_type(AssessmentKind))
    title: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime | None] = mapped_column(DateTime)  # UTC
    closes_at: Mapped[datetime | None] = mapped_column(DateTime)  # UTC
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    max_attempts: Mapped[int] = mapped_column(Integer, default=1)
    shuffle_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    shuffle_options: Mapped[bool] = mapped_column(Boolean, default=False)
    one_per_page: Mapped[bool] = mapped_column(Boolean, default=False)
    passing_grade: Mapped[float] = mapped_column(Float, default=70)
    show_review: Mapped[bool] = mapped_column(Boolean, default=False)  # participant sees the correct answers after

    event = relationship("Event")
    questions = relationship("Question", secondary=assessment_questions, order_by="Question.id")

    def is_open(self, now: datetime) -> bool:
        return (self.opens_at is None or now >= self.opens_at) and (self.closes_at is None or now < self.closes_at)


class AttemptStatus(enum.Enum):
    open = "open"  # being answered
    submitted = "submitted"  # closed: by the participant, by the deadline, or by the organiser


class Attempt(db.Model):
    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("assessment_id", "user_id", "number", name="uq_attempts_assessment_user_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[AttemptStatus] = mapped_column(enum_type(AttemptStatus), default=AttemptStatus.open)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(DateTime)  # UTC; start + time limit (or the closing time)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The order shown to this participant, fixed at the start: {"questions": [ids], "options": {qid: [ids]}}
    order_json: Mapped[str] = mapped_column(Text, default="{}")
    score: Mapped[float | None] = mapped_column(Float)  # 0-100, set on submission
    needs_grading: Mapped[bool] = mapped_column(Boolean, default=False)

    assessment = relationship("Assessment")
    user = relationship("User")
    answers = relationship("Answer", back_populates="attempt", cascade="all, delete-orphan")

    @property
    def order(self) -> dict:
        return json.loads(self.order_json or "{}")

    @property
    def is_open(self) -> bool:
        return self.status is AttemptStatus.open


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id", name="uq_answers_attempt_id_question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    option_ids_json: Mapped[str] = mapped_column(Text, default="[]")
    text: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    points_awarded: Mapped[float | None] = mapped_column(Float)  # None: short answer not graded yet

    attempt = relationship("Attempt", back_populates="answers")
    question = relationship("Question")

    @property
    def option_ids(self) -> list[int]:
        return json.loads(self.option_ids_json or "[]")


# Evaluation surveys ---------------------------------------------------------------------------------

# The nine unsur of PermenPANRB 14/2017: the default items, which the organiser adapts.
DEFAULT_ITEMS = (
    _l("Persyaratan"),
    _l("Sistem, mekanisme dan prosedur"),
    _l("Waktu penyelesaian"),
    _l("Biaya/tarif"),
    _l("Produk spesifikasi jenis pelayanan"),
    _l("Kompetensi pelaksana"),
    _l("Perilaku pelaksana"),
    _l("Penanganan pengaduan, saran dan masukan"),
    _l("Sarana dan prasarana"),
)


class Survey(TimestampMixin, db.Model):
    """An evaluation: of the event (evaluasi penyelenggaraan, speaker None) or of one speaker (narasumber)."""

    __tablename__ = "surveys"
    __table_args__ = (UniqueConstraint("event_id", "speaker", name="uq_surveys_event_id_speaker"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    speaker: Mapped[str | None] = mapped_column(String(200))  # None: the event itself
    title: Mapped[str] = mapped_column(String(200))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)

    event = relationship("Event")
    items = relationship("SurveyItem", order_by="SurveyItem.position", cascade="all, delete-orphan")


class SurveyItem(db.Model):
    __tablename__ = "survey_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)


class SurveyResponse(db.Model):
    """Who answered is kept only to allow one response each and for the pass rule; results never show it."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("survey_id", "user_id", name="uq_survey_responses_survey_id_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    ratings = relationship("SurveyRating", cascade="all, delete-orphan")


class SurveyRating(db.Model):
    __tablename__ = "survey_ratings"
    __table_args__ = (CheckConstraint("value >= 1 AND value <= 4", name="value_range"),)

    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("survey_items.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    value: Mapped[int] = mapped_column(Integer)

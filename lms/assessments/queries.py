"""Read-side: results tables, the pre/post report with gain and normalised gain, item analysis, and the
pass-rule providers (best post-test score, evaluation filled)."""

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.assessments import scoring
from lms.assessments.models import Answer, Assessment, AssessmentKind, Attempt, AttemptStatus, Survey, SurveyResponse
from lms.auth.models import User
from lms.events.models import Enrolment, EnrolmentStatus
from lms.extensions import db


def approved_participants(event) -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.event_id == event.id, Enrolment.status == EnrolmentStatus.approved)
            .order_by(User.name)
        ).scalars()
    )


def event_assessments(event) -> list[Assessment]:
    return list(
        db.session.execute(
            select(Assessment)
            .where(Assessment.event_id == event.id)
            .options(selectinload(Assessment.questions))
            .order_by(Assessment.kind, Assessment.id)
        ).scalars()
    )


def best_scores(assessment_ids: list[int]) -> dict[int, float]:
    """{user_id: best closed-attempt score} over the given tests."""
    if not assessment_ids:
        return {}
    rows = db.session.execute(
        select(Attempt.user_id, func.max(Attempt.score))
        .where(Attempt.assessment_id.in_(assessment_ids), Attempt.status == AttemptStatus.submitted)
        .group_by(Attempt.user_id)
    ).all()
    return {uid: float(score) for uid, score in rows if score is not None}


def attempt_counts(assessment_ids: list[int]) -> dict[int, int]:
    """{assessment_id: number of attempts} in one query (0 for tests nobody started)."""
    counts = dict.fromkeys(assessment_ids, 0)
    if assessment_ids:
        rows = db.session.execute(
            select(Attempt.assessment_id, func.count(Attempt.id))
            .where(Attempt.assessment_id.in_(assessment_ids))
            .group_by(Attempt.assessment_id)
        )
        counts.update(dict(rows.all()))
    return counts


def attempts_of(assessment: Assessment) -> list[Attempt]:
    return list(
        db.session.execute(
            select(Attempt)
            .where(Attempt.assessment_id == assessment.id)
            .options(selectinload(Attempt.user))
            .order_by(Attempt.user_id, Attempt.number)
        ).scalars()
    )


@dataclass
class GainRow:
    user: User
    pre: float | None
    post: float | None
    passed: bool | None

    @property
    def gain(self) -> float | None:
        return None if self.pre is None or self.post is None else self.post - self.pre

    @property
    def g(self) -> float | None:
        return scoring.normalised_gain(self.pre, self.post)


@dataclass
class GainReport:
    rows: list[GainRow] = field(default_factory=list)
    pre_test: Assessment | None = None
    post_test: Assessment | None = None

    def _mean(self, values):
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else None

    @property
    def mean_pre(self):
        return self._mean(r.pre for r in self.rows)

    @property
    def mean_post(self):
        return self._mean(r.post for r in self.rows)

    @property
    def mean_gain(self):
        return self._mean(r.gain for r in self.rows)

    @property
    def mean_g(self):
        """Class mean of the individual g over participants with both scores and an imperfect pre-test."""
        return self._mean(r.g for r in self.rows)

    @property
    def passed_count(self) -> int:
        return sum(1 for r in self.rows if r.passed)


def gain_report(event) -> GainReport:
    """Best pre-test and best post-test score per approved participant (over all tests of each kind)."""
    tests = event_assessments(event)
    pre_ids = [t.id for t in tests if t.kind is AssessmentKind.pre]
    post_tests = [t for t in tests if t.kind is AssessmentKind.post]
    pre, post = best_scores(pre_ids), best_scores([t.id for t in post_tests])
    grade = post_tests[0].passing_grade if post_tests else None
    report = GainReport(
        pre_test=next((t for t in tests if t.kind is AssessmentKind.pre), None),
        post_test=post_tests[0] if post_tests else None,
    )
    for user in approved_participants(event):
        p = post.get(user.id)
        passed = None if p is None or grade is None else p >= grade
        report.rows.append(GainRow(user, pre.get(user.id), p, passed))
    return report


@dataclass
class QuestionStat:
    question: object
    answered: int
    correct_share: float | None
    discrimination: float | None


def item_analysis(assessment: Assessment) -> list[QuestionStat]:
    """Per question over each participant's best closed attempt: share answering correctly (full points) and the
    upper-lower 27% discrimination index."""
    attempts = db.session.execute(
        select(Attempt)
        .where(Attempt.assessment_id == assessment.id, Attempt.status == AttemptStatus.submitted)
        .options(selectinload(Attempt.answers))
    ).scalars()
    best: dict[int, Attempt] = {}
    for a in attempts:
        if a.user_id not in best or (a.score or 0) > (best[a.user_id].score or 0):
            best[a.user_id] = a
    stats = []
    for q in assessment.questions:
        rows = []
        for a in best.values():
            answer: Answer | None = next((x for x in a.answers if x.question_id == q.id), None)
            correct = answer is not None and answer.points_awarded is not None and answer.points_awarded >= q.points
            rows.append((a.score or 0.0, correct))
        share = sum(c for _s, c in rows) / len(rows) if rows else None
        stats.append(QuestionStat(q, len(rows), share, scoring.discrimination(rows)))
    return stats


# Pass-rule providers ------------------------------------------------------------------------------


def post_test_scores(event) -> dict[int, float]:
    ids = list(
        db.session.execute(
            select(Assessment.id).where(Assessment.event_id == event.id, Assessment.kind == AssessmentKind.post)
        ).scalars()
    )
    return best_scores(ids)


def evaluation_filled(event) -> dict[int, bool]:
    rows = db.session.execute(
        select(SurveyResponse.user_id)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(Survey.event_id == event.id, Survey.speaker.is_(None))
    ).scalars()
    return {uid: True for uid in rows}

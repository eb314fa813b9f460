"""What the Nilai, Per Instansi and Ringkasan sheets read about results: the best pre-test and post-test score of
every approved participant (as lms.assessments.queries.gain_report), the verdict of the event's pass rule, and the
totals per agency, all from set-based queries whose number does not depend on the number of participants.

The verdict (lulus / tidak lulus) is the event's pass rule (lms.certificates.criteria, with the organiser's
overrides). Without a rule it is the post-test's passing grade, as in the assessments' gain report (an override
still counts); unknown (None) while the participant has no post-test score or the event has no post-test.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import NamedTuple

from sqlalchemy import func, select

from lms.assessments import scoring
from lms.assessments.models import Assessment, AssessmentKind, Attempt, AttemptStatus
from lms.attendance.models import ATTENDED, Attendance
from lms.auth.models import User
from lms.certificates import criteria
from lms.certificates.models import Certificate, OverrideResult
from lms.certificates.queries import latest_overrides, rule_for
from lms.events.models import Agency, Enrolment, EnrolmentStatus, EventSession
from lms.extensions import db
from lms.reports.event_data import EventRecapData, stream

# Hake's categories of the normalised gain (kategori N-gain).
HIGH_G, MEDIUM_G = 0.7, 0.3


def mean(total: float, count: int, digits: int = 2) -> float | None:
    return round(total / count, digits) if count else None


@dataclass
class Tally:
    """Sums and counts behind the means of a group of participants (the whole event, or one agency)."""

    participants: int = 0
    passed: int = 0
    judged: int = 0  # participants with a known verdict
    pre: list = field(default_factory=lambda: [0.0, 0])  # [sum, count]
    post: list = field(default_factory=lambda: [0.0, 0])
    gain: list = field(default_factory=lambda: [0.0, 0])
    g: list = field(default_factory=lambda: [0.0, 0])
    perfect_pre: int = 0  # both scores, pre-test 100: g undefined, left out of the mean g
    attended_jp: int = 0
    certified_jp: int = 0

    def add(self, pre, post, verdict, attended_jp, certified_jp) -> None:
        self.participants += 1
        self.attended_jp += int(attended_jp or 0)
        self.certified_jp += int(certified_jp or 0)
        if verdict is not None:
            self.judged += 1
            self.passed += bool(verdict)
        for acc, value in ((self.pre, pre), (self.post, post)):
            if value is not None:
                acc[0] += value
                acc[1] += 1
        if pre is not None and post is not None:
            self.gain[0] += post - pre
            self.gain[1] += 1
            g = scoring.normalised_gain(pre, post)
            if g is None:
                self.perfect_pre += 1
            else:
                self.g[0] += g
                self.g[1] += 1

    @property
    def mean_pre(self):
        return mean(*self.pre)

    @property
    def mean_post(self):
        return mean(*self.post)

    @property
    def mean_gain(self):
        return mean(*self.gain)

    @property
    def mean_g(self):
        return mean(*self.g, digits=4)

    @property
    def pass_rate(self) -> float | None:
        """Passed among the participants, in percent; None while no verdict is known."""
        return round(100 * self.passed / self.participants, 2) if self.judged and self.participants else None


class ScoreRow(NamedTuple):
    user_id: int
    nip: str | None
    name: str
    agency: str
    pre: float | None
    post: float | None
    passed: bool | None


def g_category(g: float | None) -> str:
    """'tinggi', 'sedang' or 'rendah' (Hake); '' when g is undefined. Callers translate."""
    if g is None:
        return ""
    return "high" if g >= HIGH_G else "medium" if g >= MEDIUM_G else "low"


class Verdicts:
    """The pass verdict of each participant: the rule's outcomes, or the post-test grade when there is no rule."""

    def __init__(self, event, grade: float | None):
        self.grade = grade
        rule = rule_for(event)
        self.overrides = latest_overrides(event)
        self.has_rule = bool(criteria.active_criteria(rule))
        self.outcomes: dict[int, bool] = {}
        if self.has_rule:
            ids = db.session.execute(
                select(Enrolment.user_id).where(
                    Enrolment.event_id == event.id, Enrolment.status == EnrolmentStatus.approved
                )
            ).scalars()
            users = [SimpleNamespace(id=uid) for uid in ids]
            self.outcomes = {o.user.id: o.passed for o in criteria.evaluate(event, rule, users, self.overrides)}

    def of(self, user_id: int, post: float | None) -> bool | None:
        if self.has_rule:
            return self.outcomes.get(user_id)
        override = self.overrides.get(user_id)
        if override is not None and override.result is not OverrideResult.cleared:
            return override.result is OverrideResult.passed
        if post is None or self.grade is None:
            return None
        return post >= self.grade


@dataclass
class EventScores:
    data: EventRecapData
    tests: list[tuple[int, AssessmentKind, float]]  # (id, kind, passing grade) of the pre- and post-tests
    verdicts: Verdicts
    total: Tally
    agencies: dict[str, Tally]

    @property
    def has_pre(self) -> bool:
        return any(kind is AssessmentKind.pre for _i, kind, _g in self.tests)

    @property
    def has_post(self) -> bool:
        return any(kind is AssessmentKind.post for _i, kind, _g in self.tests)

    def rows(self) -> Iterator[ScoreRow]:
        """Approved participants by name with their best scores, streamed."""
        event_id = self.data.event.id
        pre, post = _best(event_id, AssessmentKind.pre), _best(event_id, AssessmentKind.post)
        query = (
            select(User.id, User.nip, User.name, Agency.name, pre.c.score, post.c.score)
            .join(Enrolment, Enrolment.user_id == User.id)
            .join(Agency, Agency.id == User.agency_id)
            .outerjoin(pre, pre.c.user_id == User.id)
            .outerjoin(post, post.c.user_id == User.id)
            .where(Enrolment.event_id == event_id, Enrolment.status == EnrolmentStatus.approved)
            .order_by(func.lower(User.name), User.id)
        )
        for uid, nip, name, agency, pre_score, post_score in stream(query):
            yield ScoreRow(uid, nip, name, agency, pre_score, post_score, self.verdicts.of(uid, post_score))


def _best(event_id: int, kind: AssessmentKind):
    """Best submitted score per user over the event's tests of ``kind``."""
    return (
        select(Attempt.user_id, func.max(Attempt.score).label("score"))
        .join(Assessment, Assessment.id == Attempt.assessment_id)
        .where(Assessment.event_id == event_id, Assessment.kind == kind, Attempt.status == AttemptStatus.submitted)
        .group_by(Attempt.user_id)
        .subquery()
    )


def _tally(data: EventRecapData, verdicts: Verdicts) -> tuple[Tally, dict[str, Tally]]:
    event_id = data.event.id
    pre, post = _best(event_id, AssessmentKind.pre), _best(event_id, AssessmentKind.post)
    attended = (
        select(Attendance.user_id, func.sum(EventSession.jp).label("jp"))
        .join(EventSession, EventSession.id == Attendance.session_id)
        .where(EventSession.event_id == event_id, Attendance.status.in_(list(ATTENDED)))
        .group_by(Attendance.user_id)
        .subquery()
    )
    certified = (
        select(Certificate.user_id, func.sum(Certificate.total_jp).label("jp"))
        .where(Certificate.event_id == event_id, Certificate.revoked_at.is_(None))
        .group_by(Certificate.user_id)
        .subquery()
    )
    query = (
        select(Enrolment.user_id, Agency.name, pre.c.score, post.c.score, attended.c.jp, certified.c.jp)
        .join(User, User.id == Enrolment.user_id)
        .join(Agency, Agency.id == User.agency_id)
        .outerjoin(pre, pre.c.user_id == Enrolment.user_id)
        .outerjoin(post, post.c.user_id == Enrolment.user_id)
        .outerjoin(attended, attended.c.user_id == Enrolment.user_id)
        .outerjoin(certified, certified.c.user_id == Enrolment.user_id)
        .where(Enrolment.event_id == event_id, Enrolment.status == EnrolmentStatus.approved)
    )
    total, agencies = Tally(), {}
    for uid, agency, pre_score, post_score, attended_jp, certified_jp in stream(query):
        verdict = verdicts.of(uid, post_score)
        total.add(pre_score, post_score, verdict, attended_jp, certified_jp)
        tally = agencies.get(agency)
        if tally is None:
            tally = agencies[agency] = Tally()
        tally.add(pre_score, post_score, verdict, attended_jp, certified_jp)
    return total, agencies


def event_scores(data: EventRecapData) -> EventScores:
    """The recap's score figures, computed once per workbook (kept in ``data.extra``)."""
    if "scores" not in data.extra:
        tests = list(
            db.session.execute(
                select(Assessment.id, Assessment.kind, Assessment.passing_grade)
                .where(
                    Assessment.event_id == data.event.id, Assessment.kind.in_([AssessmentKind.pre, AssessmentKind.post])
                )
                .order_by(Assessment.kind, Assessment.id)
            ).all()
        )
        grade = next((float(g) for _i, kind, g in tests if kind is AssessmentKind.post), None)
        verdicts = Verdicts(data.event, grade)
        total, agencies = _tally(data, verdicts)
        data.extra["scores"] = EventScores(data, tests, verdicts, total, agencies)
    return data.extra["scores"]

"""The pre/post gain distribution of the dashboard: how many participants of the events a user manages in a period
fall in each bin of the normalised gain g = (post - pre) / (100 - pre), over each participant's best pre-test and
post-test score per event (as lms.assessments.queries.gain_report). One grouped query, computed in the database."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, literal, select

from lms.assessments.models import Assessment, AssessmentKind, Attempt, AttemptStatus
from lms.events.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.reports.dashboard import _event_ids
from lms.reports.queries import Period

BIN_WIDTH = 0.1
BINS = 10  # 0.0-0.1 ... 0.9-1.0, plus one for a negative gain
UNDEFINED = -2  # pre-test 100: g undefined


@dataclass(frozen=True)
class GainDistribution:
    counts: list[int]  # the negative bin first, then the BINS bins from 0
    undefined: int  # participants with a perfect pre-test, left out

    @property
    def labels(self) -> list[str]:
        def number(x: float) -> str:
            return f"{x:.1f}".replace(".", ",")

        return [_("< 0")] + [f"{number(i * BIN_WIDTH)}–{number((i + 1) * BIN_WIDTH)}" for i in range(BINS)]

    @property
    def rows(self) -> list[tuple[str, int]]:
        return list(zip(self.labels, self.counts, strict=True))

    @property
    def total(self) -> int:
        return sum(self.counts)

    def chart(self) -> dict:
        return {"labels": self.labels, "participants": self.counts, "undefined": self.undefined}


def _best(ids, kind: AssessmentKind):
    return (
        select(Attempt.user_id, Assessment.event_id, func.max(Attempt.score).label("score"))
        .join(Assessment, Assessment.id == Attempt.assessment_id)
        .where(Assessment.event_id.in_(ids), Assessment.kind == kind, Attempt.status == AttemptStatus.submitted)
        .group_by(Attempt.user_id, Assessment.event_id)
        .subquery()
    )


def gain_distribution(events: Select, period: Period) -> GainDistribution:
    ids = _event_ids(events, period)
    pre, post = _best(ids, AssessmentKind.pre), _best(ids, AssessmentKind.post)
    g = (post.c.score - pre.c.score) / func.nullif(literal(100.0) - pre.c.score, 0)
    # Bin i holds i/10 <= g < (i+1)/10; g = 1 (a perfect post-test) goes to the last bin.
    whens = [(pre.c.score >= 100, UNDEFINED), (g < 0, -1)]
    whens += [(g < round((i + 1) * BIN_WIDTH, 1) - 1e-9, i) for i in range(BINS - 1)]
    bin_ = case(*whens, else_=BINS - 1).label("bin")
    rows = db.session.execute(
        select(bin_, func.count())
        .select_from(Enrolment)
        .join(pre, (pre.c.user_id == Enrolment.user_id) & (pre.c.event_id == Enrolment.event_id))
        .join(post, (post.c.user_id == Enrolment.user_id) & (post.c.event_id == Enrolment.event_id))
        .where(Enrolment.status == EnrolmentStatus.approved, Enrolment.event_id.in_(ids))
        .group_by(bin_)
    ).all()
    counts, undefined = [0] * (BINS + 1), 0
    for index, n in rows:
        if index == UNDEFINED:
            undefined = int(n)
        else:
            counts[int(index) + 1] = int(n)
    return GainDistribution(counts, undefined)

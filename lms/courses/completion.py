"""Course materials as a pass criterion for certificates: percent of the event's visible materials done."""

from sqlalchemy import select

from lms.certificates.criteria import MATERIALS, register_criterion
from lms.courses.queries import progress_table
from lms.events.models import Enrolment, EnrolmentStatus
from lms.extensions import db


def materials_percent(event) -> dict[int, float]:
    from lms.auth.models import User

    users = list(
        db.session.execute(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.event_id == event.id, Enrolment.status == EnrolmentStatus.approved)
        ).scalars()
    )
    table = progress_table(event, users)
    if not table.grand_total:
        return {row.user.id: 100.0 for row in table.rows}  # nothing to complete
    # Exact share (no display rounding: 199 of 200 must not count as 100%).
    return {row.user.id: 100.0 * sum(row.done.values()) / table.grand_total for row in table.rows}


def register() -> None:
    register_criterion(MATERIALS, materials_percent)

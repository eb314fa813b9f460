"""Import every feature's models so SQLAlchemy (and Alembic autogenerate) sees all tables."""

from lms.auth.models import Role, User  # noqa: F401
from lms.events.models import Agency, Enrolment, Event, EventSession, event_organisers  # noqa: F401

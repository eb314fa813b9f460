"""Import every feature's models so SQLAlchemy (and Alembic autogenerate) sees all tables."""

from lms.assessments import models as assessments_models  # noqa: F401
from lms.attendance import models as attendance_models  # noqa: F401
from lms.audit import models as audit_models  # noqa: F401
from lms.auth.models import Role, User  # noqa: F401
from lms.certificates import models as certificates_models  # noqa: F401
from lms.courses import models as courses_models  # noqa: F401
from lms.events import roster_models  # noqa: F401
from lms.events.models import Agency, Enrolment, Event, EventSession, event_organisers  # noqa: F401
from lms.jobs_models import Job  # noqa: F401

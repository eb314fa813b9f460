"""A view's change to the database: commit it once, or roll it back and tell the user why.

Domain operations refuse what the rules forbid by raising ``OperationError`` or ``InvalidTransition`` with a
message in Indonesian; the view shows that message (as a red flash, or under a form field) and the database is
left as it was. Any other exception is a bug and propagates (the session is rolled back at the request's end).
"""

from collections.abc import Callable

from flask import flash

from lms.db import InvalidTransition
from lms.events.operations import OperationError
from lms.extensions import db

REFUSALS = (OperationError, InvalidTransition)


def apply_change(change: Callable[[], object], success: str, *, field=None, category: str = "success") -> bool:
    """Run ``change()`` and commit, then flash ``success``; True. On a refusal roll back, put its message under
    ``field`` (a WTForms field) or, without one, flash it as an error; False."""
    try:
        change()
        db.session.commit()
    except REFUSALS as refusal:
        db.session.rollback()
        if field is not None:
            field.errors = [*field.errors, str(refusal)]
        else:
            flash(str(refusal), "error")
        return False
    flash(success, category)
    return True


def form_errors(form) -> str:
    """Every error of ``form``'s fields in one line, for a flash after a small form (a button) failed."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)

"""One-time activation of accounts created without a password (by a roster import).

The link is ``/aktivasi/<token>``: the token is ``[user_id, nonce]`` signed with the app's secret key. The
nonce lives in ``account_activations``; the organiser can download the same links again while they are
valid; an expired one gets a new nonce (the old link stops working); setting the password uses it up.
"""

import secrets
from datetime import datetime, timedelta
from hmac import compare_digest

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from lms.auth import operations as auth_ops
from lms.auth.models import User
from lms.db import utcnow
from lms.events.roster_models import AccountActivation
from lms.extensions import db

SALT = "account-activation"


def valid_days() -> int:
    return int(current_app.config.get("ACTIVATION_VALID_DAYS", 30))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def new_activation_values(user_id: int, by: User | None, now: datetime) -> dict:
    """Column values of a fresh activation (for bulk inserts)."""
    return {
        "user_id": user_id,
        "nonce": new_nonce(),
        "expires_at": now + timedelta(days=valid_days()),
        "created_by_id": by.id if by is not None else None,
    }


def token_for(activation: AccountActivation) -> str:
    return _serializer().dumps([activation.user_id, activation.nonce])


def ensure_activations(users: list[User], by: User) -> dict[int, AccountActivation]:
    """A usable activation for each user without a password (created, or renewed when expired), by user id."""
    now = utcnow()
    ids = [user.id for user in users if user.password_hash is None]
    existing = (
        {
            activation.user_id: activation
            for activation in db.session.execute(
                select(AccountActivation).where(AccountActivation.user_id.in_(ids))
            ).scalars()
        }
        if ids
        else {}
    )
    for user_id in ids:
        activation = existing.get(user_id)
        if activation is None:
            activation = AccountActivation(**new_activation_values(user_id, by, now))
            db.session.add(activation)
            existing[user_id] = activation
        elif not activation.is_usable(now):
            activation.nonce = new_nonce()
            activation.expires_at = now + timedelta(days=valid_days())
            activation.used_at = None
            activation.created_by_id = by.id
    db.session.flush()
    return existing


def find_activation(token: str) -> AccountActivation | None:
    """The usable activation the token names, or None (bad signature, used, expired, account already active)."""
    try:
        user_id, nonce = _serializer().loads(token)
        user_id = int(user_id)
    except (BadSignature, ValueError, TypeError):
        return None
    activation = db.session.execute(
        select(AccountActivation).where(AccountActivation.user_id == user_id)
    ).scalar_one_or_none()
    if activation is None or not compare_digest(str(nonce), activation.nonce) or not activation.is_usable():
        return None
    user = activation.user
    if user is None or user.password_hash is not None or not user.is_active:
        return None
    return activation


def activate(activation: AccountActivation, password: str) -> User:
    """Set the first password and use the activation up."""
    user = activation.user
    auth_ops.set_password(user, password)
    activation.used_at = utcnow()
    db.session.flush()
    return user

"""Rotating check-in codes and the short-lived tickets that carry a scanned code through the log-in.

A code is HMAC(SECRET_KEY, session id, time step) written as 6 characters of an alphabet without look-alikes
(no 0/O, 1/I/L). Nothing is stored: a code is valid during its own time step and the next one, so a photo of
the QR sent to someone elsewhere stops working within two rotation periods at most.

Someone who scans a valid code while logged out gets a ticket instead (signed, valid for three minutes, for
that session only), carried in the ``next`` URL of the log-in page: the code may well expire while they type
their password, and the check-in must still complete.
"""

import hashlib
import hmac
import time

from itsdangerous import BadSignature, URLSafeSerializer

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # 31 characters, no 0/O, 1/I/L
CODE_LENGTH = 6
TICKET_MAX_AGE = 180  # seconds


def now() -> float:
    """The clock of codes and tickets (tests move it)."""
    return time.time()


def time_step(rotation_seconds: int, at: float | None = None) -> int:
    return int((now() if at is None else at) // rotation_seconds)


def code_for(secret: str, session_id: int, step: int) -> str:
    digest = hmac.new(secret.encode(), f"attendance:{session_id}:{step}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def current_code(secret: str, session_id: int, rotation_seconds: int, at: float | None = None) -> str:
    return code_for(secret, session_id, time_step(rotation_seconds, at))


def normalise_code(code: str | None) -> str:
    """Upper case, spaces and dashes removed (people type "abc def" or "ABC-DEF")."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_is_valid(
    secret: str, session_id: int, code: str | None, rotation_seconds: int, at: float | None = None
) -> bool:
    """True when ``code`` belongs to the session's current or previous time step."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        return False
    step = time_step(rotation_seconds, at)
    return any(hmac.compare_digest(code, code_for(secret, session_id, s)) for s in (step, step - 1))


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="attendance-check-in-ticket")


def issue_ticket(secret: str, session_id: int) -> str:
    return _serializer(secret).dumps({"s": session_id, "t": int(now())})


def ticket_is_valid(secret: str, session_id: int, ticket: str | None, max_age: int = TICKET_MAX_AGE) -> bool:
    """The ticket was issued by us for this session less than ``max_age`` seconds ago."""
    if not ticket:
        return False
    try:
        data = _serializer(secret).loads(ticket)
    except BadSignature:
        return False
    if not isinstance(data, dict) or data.get("s") != session_id or not isinstance(data.get("t"), int):
        return False
    return 0 <= now() - data["t"] <= max_age

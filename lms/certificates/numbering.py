"""Certificate numbers: the organiser's pattern and the yearly sequence per organiser agency.

A pattern such as ``800/{seq:04}/BPSDMD/{year}`` may use ``{seq}`` (or ``{seq:0N}``, zero-padded to N digits),
``{year}``, ``{month}`` (two digits), ``{roman_month}`` (XI) and ``{event_id}``. It is parsed here, never passed
to ``str.format`` (which would reach attributes).

Concurrency: ``next_value`` bumps the counter with an UPDATE first. On PostgreSQL that takes the row lock; on
SQLite the driver opens the transaction right before that write, which takes the database write lock. The
value is then read back in the same transaction, so two issuers never get the same value, and a rolled-back
issue rolls the counter back with it: numbers are unique, without gaps, and never reused. The first number of a
year inserts the row; a concurrent insert of the same row fails on the unique constraint and is retried.
"""

import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lms.certificates.models import NumberSequence
from lms.extensions import db

TOKEN = re.compile(r"\{(seq(?::0([1-9]))?|year|month|roman_month|event_id)\}")
ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
MAX_NUMBER_LENGTH = 150


class PatternError(ValueError):
    """An invalid number pattern; ``str(err)`` is a message for the user."""


def validate_pattern(pattern: str) -> str:
    """The pattern, stripped; PatternError with an Indonesian message when it cannot be used."""
    pattern = (pattern or "").strip()
    allowed = "{seq}, {seq:04}, {year}, {month}, {roman_month}, {event_id}"
    if not pattern:
        raise PatternError(_("Pola nomor sertifikat wajib diisi, misalnya 800/{seq:04}/BPSDMD/{year}."))
    rest = TOKEN.sub("", pattern)
    if "{" in rest or "}" in rest:
        raise PatternError(
            _("Pola nomor berisi penanda yang tidak dikenal. Penanda yang boleh dipakai: %(tokens)s.", tokens=allowed)
        )
    names = [m.group(1).split(":")[0] for m in TOKEN.finditer(pattern)]
    if names.count("seq") != 1:
        raise PatternError(_("Pola nomor harus memuat penanda nomor urut {seq} tepat satu kali, misalnya {seq:04}."))
    if "year" not in names:
        raise PatternError(_("Pola nomor harus memuat {year}: nomor urut dimulai lagi dari 1 setiap tahun."))
    if any(ord(ch) < 32 for ch in pattern):
        raise PatternError(_("Pola nomor tidak boleh memuat karakter kendali."))
    if len(render_number(pattern, 10**9, date(2026, 12, 1), 10**9)) > MAX_NUMBER_LENGTH:
        raise PatternError(_("Pola nomor terlalu panjang."))
    return pattern


def render_number(pattern: str, seq: int, issue_date: date, event_id: int) -> str:
    """``800/{seq:04}/BPSDMD/{year}`` with seq 123 in 2026 -> ``800/0123/BPSDMD/2026``."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name.startswith("seq"):
            width = int(match.group(2) or 0)
            return f"{seq:0{width}d}" if width else str(seq)
        if name == "year":
            return f"{issue_date.year:04d}"
        if name == "month":
            return f"{issue_date.month:02d}"
        if name == "roman_month":
            return ROMAN_MONTHS[issue_date.month - 1]
        return str(event_id)

    return TOKEN.sub(replace, pattern)


def next_value(agency_id: int, year: int, attempts: int = 5) -> int:
    """The next number of ``agency_id``'s sequence for ``year``; the caller's transaction holds it until commit."""
    bump = (
        update(NumberSequence)
        .where(NumberSequence.agency_id == agency_id, NumberSequence.year == year)
        .values(last_value=NumberSequence.last_value + 1)
        .execution_options(synchronize_session=False)
    )
    for _attempt in range(attempts):
        if db.session.execute(bump).rowcount == 1:
            return db.session.execute(
                select(NumberSequence.last_value).where(
                    NumberSequence.agency_id == agency_id, NumberSequence.year == year
                )
            ).scalar_one()
        try:
            with db.session.begin_nested():
                db.session.add(NumberSequence(agency_id=agency_id, year=year, last_value=0))
        except IntegrityError:
            pass  # another issuer inserted it first: bump that row
    raise RuntimeError(f"certificate sequence agency={agency_id} year={year} could not be advanced")

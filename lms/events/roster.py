"""Roster import: plan every parsed row against the database (the preview), then write all of it at once.

Upload: ``start_import`` parses the file (lms/events/roster_parse.py), plans each row and keeps the result in a
RosterImport; nothing else is written. Confirm: ``confirm_import`` plans again against the database of that
moment (someone may have registered meanwhile), creates the agencies the organiser asked for, the new accounts
(without password, each with a one-time activation) and the enrolments, in bulk, in the caller's single
transaction. A rejected row never stops the others; the same person twice in the file is one person; a second
import of the same file finds everyone already enrolled and changes nothing.
"""

import logging
import re
from collections import Counter
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import select, update

from lms.auth.models import Role, User
from lms.bulk import gc_paused, in_values, insert_rows
from lms.db import utcnow
from lms.events.enrolment import _lock_event
from lms.events.models import Agency, Enrolment, EnrolmentSource, EnrolmentStatus, Event
from lms.events.operations import OperationError, create_agency
from lms.events.roster_activation import new_activation_values
from lms.events.roster_models import AccountActivation, ImportStatus, RosterImport
from lms.events.roster_parse import read_roster
from lms.extensions import db

log = logging.getLogger(__name__)


class Action:
    new = "new"  # a new account, then enrolled
    enrol = "enrol"  # an existing account, enrolled (or its earlier enrolment approved)
    enrolled = "enrolled"  # already enrolled: nothing to do
    duplicate = "duplicate"  # the same person as an earlier row of the file
    rejected = "rejected"  # not imported, with the reason


ACTIONS = (Action.new, Action.enrol, Action.enrolled, Action.duplicate, Action.rejected)
NOT_IMPORTED = (Action.duplicate, Action.rejected)
SKIP = "skip"  # agency mapping: leave the rows of this unknown agency out
CREATE = "new"  # agency mapping: create the agency


def agency_key(name: str | None) -> str:
    """Agency names compared without case, punctuation and extra spaces ("Dinas  Sosial." == "dinas sosial")."""
    return " ".join(re.sub(r"[^\w]+", " ", (name or "").lower()).split())


def agency_index() -> dict[str, set[int]]:
    """Agency ids by name key and by short-name key (one query)."""
    index: dict[str, set[int]] = {}
    for agency_id, name, short_name in db.session.execute(select(Agency.id, Agency.name, Agency.short_name)):
        for key in {agency_key(name), agency_key(short_name)} - {""}:
            index.setdefault(key, set()).add(agency_id)
    return index


def existing_people(rows: list[dict]) -> dict[tuple[str, str], dict]:
    """Accounts matching the rows' NIP, NIK or e-mail, by (field, value): a query per field (lms/bulk.py)."""
    wanted = {field: sorted({r[field] for r in rows if r.get(field)}) for field in ("nip", "nik", "email")}
    found: dict[tuple[str, str], dict] = {}
    columns = (User.id, User.role, User.nip, User.nik, User.email, User.name)
    for field, values in wanted.items():
        for condition in in_values(getattr(User, field), values):
            for person in db.session.execute(select(*columns).where(condition)):
                found[(field, getattr(person, field))] = dict(person._mapping)
    return found


def enrolment_statuses(event: Event, user_ids: set[int]) -> dict[int, EnrolmentStatus]:
    statuses: dict[int, EnrolmentStatus] = {}
    for condition in in_values(Enrolment.user_id, sorted(user_ids)):
        rows = db.session.execute(
            select(Enrolment.user_id, Enrolment.status).where(Enrolment.event_id == event.id, condition)
        )
        statuses.update({user_id: status for user_id, status in rows})
    return statuses


def _identifiers(row: dict) -> list[tuple[str, str]]:
    return [(field, row[field]) for field in ("nip", "nik", "email") if row.get(field)]


def _disagreement(row: dict, other, fields=(("nip", "NIP"), ("nik", "NIK"))) -> str | None:
    """The identity number both carry with different values ("NIP"), or None. NIP and NIK decide who a person
    is; a different e-mail next to the same NIP is the same person (see ``_other_email``)."""
    for field, label in fields:
        mine, theirs = row.get(field), other.get(field)
        if mine and theirs and mine != theirs:
            return label
    return None


def _other_email(row: dict, other) -> bool:
    return _disagreement(row, other, (("email", "e-mail"),)) is not None


def _reject(row: dict, reason: str) -> None:
    row["action"], row["reason"] = Action.rejected, reason


def plan_rows(event: Event, rows: list[dict], mapping: dict[str, object] | None = None) -> dict[str, dict]:
    """Decide what happens to each row (sets ``action``, ``reason``, ``user_id``, ``agency_id``, ``agency_key``,
    ``same_as`` on every row dict) and return the unknown agencies by key. ``mapping`` maps an unknown agency
    key to an agency id or SKIP; unmapped unknown agencies leave their rows as new with ``agency_id`` None."""
    mapping = mapping or {}
    index = agency_index()
    valid = [row for row in rows if not row["errors"]]
    people = existing_people(valid)
    statuses = enrolment_statuses(event, {person["id"] for person in people.values()})
    by_number = {row["row"]: row for row in rows}
    seen: dict[tuple[str, str], int] = {}  # identifier -> number of the accepted row carrying it
    seen_users: dict[int, int] = {}  # existing account id -> number of the accepted row matching it
    unknown: dict[str, dict] = {}

    for row in rows:
        row.update(action=None, reason=None, user_id=None, agency_id=None, agency_key=None, same_as=None)
        if row["errors"]:
            _reject(row, "; ".join(row["errors"]))
            continue
        keys = _identifiers(row)
        earlier = sorted({seen[key] for key in keys if key in seen})
        if earlier:
            first = by_number[earlier[0]]
            field = _disagreement(row, first)
            if len(earlier) > 1 or field:
                _reject(
                    row,
                    _(
                        "Bertentangan dengan baris %(rows)s: identitas yang sama tetapi %(field)s berbeda.",
                        rows=", ".join(map(str, earlier)),
                        field=field or "NIP/NIK/e-mail",
                    ),
                )
            else:
                if _other_email(row, first):
                    row["warnings"].append(
                        _("E-mail berbeda dengan baris %(n)s; yang dipakai e-mail baris itu.", n=first["row"])
                    )
                row["action"], row["same_as"] = Action.duplicate, first["row"]
                row["reason"] = _("Orang yang sama dengan baris %(n)s; hanya diimpor sekali.", n=first["row"])
            continue

        matches = {people[key]["id"]: people[key] for key in keys if key in people}
        if len(matches) > 1:
            names = ", ".join(sorted(person["name"] for person in matches.values()))
            _reject(row, _("NIP/NIK dan e-mail baris ini milik akun yang berbeda (%(names)s).", names=names))
            continue
        if matches:
            person = next(iter(matches.values()))
            field = _disagreement(row, person)
            if field:
                _reject(
                    row,
                    _(
                        "Sudah ada akun %(name)s dengan identitas ini, tetapi %(field)s-nya berbeda.",
                        name=person["name"],
                        field=field,
                    ),
                )
                continue
            if person["role"] is not Role.participant:
                _reject(row, _("Identitas ini milik akun %(name)s yang bukan akun peserta.", name=person["name"]))
                continue
            if person["id"] in seen_users:
                row["action"], row["same_as"] = Action.duplicate, seen_users[person["id"]]
                row["reason"] = _("Orang yang sama dengan baris %(n)s; hanya diimpor sekali.", n=row["same_as"])
                continue
            if _other_email(row, person):
                row["warnings"].append(
                    _(
                        "E-mail di berkas berbeda dengan e-mail akun (%(email)s); akun tidak diubah.",
                        email=person["email"],
                    )
                )
            row["user_id"] = person["id"]
            seen_users[person["id"]] = row["row"]
            status = statuses.get(person["id"])
            if status is EnrolmentStatus.approved:
                row["action"] = Action.enrolled
            else:
                row["action"] = Action.enrol
                if status is not None:
                    row["reason"] = _("Pendaftaran sebelumnya (%(status)s) akan diterima.", status=status.label)
        else:
            if not row.get("agency"):
                _reject(row, _("Instansi wajib diisi untuk peserta yang belum punya akun."))
                continue
            key = agency_key(row["agency"])
            ids = index.get(key, set())
            if len(ids) == 1:
                row["agency_id"] = next(iter(ids))
            else:
                row["agency_key"] = key
                entry = unknown.setdefault(key, {"key": key, "name": row["agency"], "rows": 0, "ambiguous": bool(ids)})
                entry["rows"] += 1
                choice = mapping.get(key)
                if choice == SKIP:
                    _reject(row, _('Instansi "%(name)s" tidak dikenal dan dilewati.', name=row["agency"]))
                    continue
                if isinstance(choice, int):
                    row["agency_id"] = choice
            row["action"] = Action.new
        for key in keys:
            seen[key] = row["row"]
    return unknown


def summarise(rows: list[dict], unknown: dict[str, dict]) -> dict:
    counts = Counter(row["action"] for row in rows)
    return {
        "total": len(rows),
        "counts": {action: counts.get(action, 0) for action in ACTIONS},
        "warnings": sum(1 for row in rows if row["warnings"] and row["action"] not in NOT_IMPORTED),
        "unknown_agencies": sorted(unknown.values(), key=lambda entry: entry["name"].lower()),
    }


@gc_paused()
def start_import(event: Event, stream: BinaryIO, filename: str, by: User) -> RosterImport:
    """Parse and plan an uploaded roster; keep the preview. Raises RosterFileError for an unusable file."""
    parsed = read_roster(stream)
    unknown = plan_rows(event, parsed.rows)
    batch = RosterImport(
        event_id=event.id,
        created_by_id=by.id,
        filename=filename[:255],
        status=ImportStatus.preview,
        header_row=parsed.header_row,
        headers=parsed.headers,
        rows=parsed.rows,
        summary=summarise(parsed.rows, unknown),
    )
    db.session.add(batch)
    db.session.flush()
    log.info("roster import id=%s event=%s rows=%s by=%s", batch.id, event.id, len(parsed.rows), by.id)
    return batch


def cancel_import(batch: RosterImport) -> RosterImport:
    if batch.status is not ImportStatus.preview:
        raise OperationError(_("Impor ini sudah tidak dapat dibatalkan."))
    batch.status = ImportStatus.cancelled
    batch.rows = [row for row in batch.rows if row["action"] in NOT_IMPORTED]  # only what can still be downloaded
    db.session.flush()
    return batch


def _claim(batch: RosterImport) -> None:
    """Move the batch from preview to confirmed in one guarded UPDATE: a second click (or a second tab) fails."""
    result = db.session.execute(
        update(RosterImport)
        .where(RosterImport.id == batch.id, RosterImport.status == ImportStatus.preview)
        .values(status=ImportStatus.confirmed, confirmed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise OperationError(_("Impor ini sudah dikonfirmasi atau dibatalkan."))


def _resolve_mapping(unknown: dict[str, dict], choices: dict[str, str]) -> dict[str, object]:
    """The organiser's choice for each unknown agency: an existing agency id, CREATE or SKIP; all required."""
    mapping: dict[str, object] = {}
    missing = []
    for key, entry in unknown.items():
        choice = (choices.get(key) or "").strip()
        if choice in (CREATE, SKIP):
            mapping[key] = choice
        elif choice.isdigit() and db.session.get(Agency, int(choice)) is not None:
            mapping[key] = int(choice)
        else:
            missing.append(entry["name"])
    if missing:
        raise OperationError(
            _("Pilih tindakan untuk instansi yang tidak dikenal: %(names)s.", names=", ".join(sorted(missing)))
        )
    return mapping


def _new_user_values(row: dict) -> dict:
    return {
        "name": row["name"],
        "agency_id": row["agency_id"],
        "role": Role.participant,
        "email": row.get("email"),
        "nip": row.get("nip"),
        "nik": row.get("nik"),
        "position": row.get("position"),
        "rank": row.get("rank"),
        "phone": row.get("phone"),
        "active": True,
        "password_hash": None,
    }


@gc_paused()
def confirm_import(batch: RosterImport, by: User, choices: dict[str, str] | None = None) -> dict:
    """Write the import: agencies asked for, new accounts with activations, enrolments. All or nothing: the
    caller commits once (or rolls back on OperationError / IntegrityError). Returns the result counts."""
    event = batch.event
    rows = [dict(row) for row in batch.rows]
    unknown = plan_rows(event, rows)
    mapping = _resolve_mapping(unknown, choices or {})
    _claim(batch)
    for key, choice in list(mapping.items()):
        if choice == CREATE:
            mapping[key] = create_agency(name=unknown[key]["name"][:200]).id
    if mapping:
        unknown = plan_rows(event, rows, mapping)
    _lock_event(event)
    now = utcnow()

    new_rows = [row for row in rows if row["action"] == Action.new]
    users = User.__table__  # Core inserts: the ORM's per-row bookkeeping is not needed for new rows
    # RETURNING without a guaranteed order keeps the insert batched; each new row is told apart by its
    # identifiers, which no other row of the import shares.
    created = insert_rows(
        users, [_new_user_values(r) for r in new_rows], (users.c.id, users.c.nip, users.c.nik, users.c.email)
    )
    ids = {}
    for user_id, nip, nik, email in created:
        ids.update({("nip", nip): user_id, ("nik", nik): user_id, ("email", email): user_id})
    for row in new_rows:
        row["user_id"] = ids[_identifiers(row)[0]]
    insert_rows(AccountActivation.__table__, [new_activation_values(r["user_id"], by, now) for r in new_rows])

    to_enrol = [row for row in rows if row["action"] in (Action.new, Action.enrol)]
    earlier = {
        enrolment.user_id: enrolment
        for condition in in_values(Enrolment.user_id, [r["user_id"] for r in to_enrol if r["action"] == Action.enrol])
        for enrolment in db.session.execute(
            select(Enrolment).where(Enrolment.event_id == event.id, condition)
        ).scalars()
    }
    fresh = []
    for row in to_enrol:
        enrolment = earlier.get(row["user_id"])
        if enrolment is None:
            fresh.append(
                {
                    "event_id": event.id,
                    "user_id": row["user_id"],
                    "status": EnrolmentStatus.approved,
                    "source": EnrolmentSource.imported,
                    "requested_at": now,
                    "decided_by_id": by.id,
                    "decided_at": now,
                }
            )
        elif enrolment.status is not EnrolmentStatus.approved:
            enrolment.status = EnrolmentStatus.approved
            enrolment.source = EnrolmentSource.imported
            enrolment.reason = None
            enrolment.decided_by_id, enrolment.decided_at, enrolment.requested_at = by.id, now, now
    insert_rows(Enrolment.__table__, fresh)

    batch.rows = rows
    batch.summary = {
        **summarise(rows, unknown),
        "created_agencies": sorted(
            unknown[key]["name"] for key, choice in (choices or {}).items() if choice == CREATE and key in unknown
        ),
    }
    batch.status = ImportStatus.confirmed
    batch.confirmed_at = now
    db.session.flush()
    log.info("roster import id=%s confirmed counts=%s by=%s", batch.id, batch.summary["counts"], by.id)
    return batch.summary


def not_imported_rows(batch: RosterImport) -> list[dict]:
    return [row for row in batch.rows if row["action"] in NOT_IMPORTED]


def passwordless_participants(event: Event) -> list[User]:
    """Enrolled participants of ``event`` whose account has no password yet (waiting to be activated)."""
    return list(
        db.session.execute(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(
                Enrolment.event_id == event.id,
                Enrolment.status.in_([EnrolmentStatus.approved, EnrolmentStatus.pending, EnrolmentStatus.waitlisted]),
                User.password_hash.is_(None),
                User.active.is_(True),
                User.role == Role.participant,
            )
            .order_by(User.name, User.id)
        ).scalars()
    )

"""The roster workbooks: the import template, the rows not imported, the activation links, the event's roster.
All written through lms/spreadsheets.py (identity numbers and phones as text, nothing read as a formula)."""

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from lms.auth.models import User
from lms.events.models import Enrolment, Event
from lms.events.roster_activation import token_for
from lms.events.roster_models import AccountActivation, RosterImport
from lms.extensions import db
from lms.i18n import format_date_range, format_datetime, to_local
from lms.spreadsheets import Text, add_table_sheet, new_workbook

TEMPLATE_ROWS = 300  # empty rows already formatted as text in the NIP/NIK/phone columns


def template_workbook(event: Event):
    headers = [
        _("No"),
        _("Nama Lengkap (beserta gelar)"),
        "NIP",
        "NIK",
        _("Instansi/OPD"),
        _("Jabatan"),
        _("Pangkat/Gol."),
        _("No. HP/WA"),
        _("E-mail"),
    ]
    empty = [None, None, Text(""), Text(""), None, None, None, Text(""), None]
    wb = new_workbook()
    add_table_sheet(
        wb,
        _("Peserta"),
        headers,
        (empty for _row in range(TEMPLATE_ROWS)),
        widths=[6, 36, 22, 20, 32, 28, 14, 18, 30],
        title_rows=[
            _("Daftar Peserta: %(title)s", title=event.title),
            _("Tulis NIP (18 digit) dan NIK (16 digit) sebagai teks, jangan sebagai angka; nama beserta gelarnya."),
        ],
    )
    return wb


def not_imported_workbook(batch: RosterImport, rows: list[dict]):
    """The rows that were not imported, with their original cells and a column that says why."""
    headers = [*batch.headers, _("Alasan"), _("Baris asal")]
    width = len(batch.headers)

    def lines():
        for row in rows:
            raw = (row["raw"] + [""] * width)[:width]
            yield [*(Text(value) for value in raw), row["reason"] or "", row["row"]]

    wb = new_workbook()
    add_table_sheet(
        wb,
        _("Tidak diimpor"),
        headers,
        lines(),
        title_rows=[_("Baris yang tidak diimpor dari %(file)s", file=batch.filename)],
    )
    return wb


def activation_workbook(event: Event, users: list[User], activations: dict[int, AccountActivation]):
    headers = [_("Nama"), "NIP/NIK", _("E-mail"), _("No. HP"), _("Instansi"), _("Tautan aktivasi"), _("Berlaku s.d.")]

    def lines():
        for user in users:
            activation = activations[user.id]
            link = url_for("auth.activate", token=token_for(activation), _external=True)
            yield [
                user.name,
                Text(user.identity_number),
                user.email or "",
                Text(user.phone or ""),
                user.agency.name,
                link,
                format_datetime(activation.expires_at, event.timezone),
            ]

    wb = new_workbook()
    add_table_sheet(
        wb,
        _("Aktivasi"),
        headers,
        lines(),
        widths=[34, 22, 30, 18, 30, 70, 26],
        title_rows=[
            _("Tautan aktivasi akun peserta: %(title)s", title=event.title),
            _("Setiap tautan hanya untuk satu orang dan hanya dapat dipakai sekali untuk membuat kata sandi."),
        ],
    )
    return wb


def roster_workbook(event: Event):
    """Every enrolment of the event with the person's data; the header names are the importer's own."""
    enrolments = db.session.execute(
        select(Enrolment)
        .join(Enrolment.user)
        .where(Enrolment.event_id == event.id)
        .options(contains_eager(Enrolment.user).joinedload(User.agency))
        .order_by(User.name, User.id)
    ).scalars()
    headers = [
        _("No"),
        _("Nama"),
        "NIP",
        "NIK",
        _("Instansi"),
        _("Jabatan"),
        _("Pangkat/Gol."),
        _("No. HP"),
        _("E-mail"),
        _("Status"),
        _("Waktu daftar"),
    ]

    def lines():
        for number, enrolment in enumerate(enrolments, start=1):
            user = enrolment.user
            yield [
                number,
                user.name,
                Text(user.nip or ""),
                Text(user.nik or ""),
                user.agency.name,
                user.position or "",
                user.rank or "",
                Text(user.phone or ""),
                user.email or "",
                enrolment.status.label,
                to_local(enrolment.requested_at, event.timezone).replace(tzinfo=None),
            ]

    wb = new_workbook()
    add_table_sheet(
        wb,
        _("Peserta"),
        headers,
        lines(),
        widths=[6, 36, 22, 20, 32, 28, 12, 18, 30, 20, 20],
        title_rows=[event.title, format_date_range(event.start_date, event.end_date)],
    )
    return wb

"""Forms for agencies, events, sessions (jadwal) and organiser teams."""

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from lms.events.models import EVENT_KIND_LABELS, EVENT_MODE_LABELS, TIMEZONES, EventKind, EventMode

DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
REQUIRED = _l("Wajib diisi.")
BAD_DATE = _l("Tanggal tidak valid.")
BAD_DATETIME = _l("Tanggal dan jam tidak valid.")
BAD_NUMBER = _l("Harus berupa bilangan bulat.")


def select_choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as SelectChoice objects (plain tuples are deprecated in WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


def strip(value):
    return value.strip() if isinstance(value, str) else value


def optional_int(value):
    """Coerce for a SelectField whose first option is empty ("" -> None)."""
    if value in ("", None, "None"):
        return None
    return int(value)


def http_url(form, field) -> None:
    """Only http:// and https:// links with a host (no javascript:, ftp:, mailto: ...)."""
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in field.data):
        raise ValidationError(_l("Tautan harus berupa alamat web yang diawali http:// atau https://."))


class AgencyForm(FlaskForm):
    name = StringField(
        _l("Nama instansi"), validators=[DataRequired(message=REQUIRED), Length(max=200)], filters=[strip]
    )
    short_name = StringField(
        _l("Singkatan"), validators=[Optional(), Length(max=50)], filters=[strip], description=_l("Misalnya BPSDMD.")
    )
    parent_id = SelectField(_l("Induk instansi"), coerce=optional_int)


class EventForm(FlaskForm):
    kind = SelectField(
        _l("Jenis acara"), coerce=EventKind, choices=select_choices((k.value, EVENT_KIND_LABELS[k]) for k in EventKind)
    )
    title = StringField(_l("Judul"), validators=[DataRequired(message=REQUIRED), Length(max=250)], filters=[strip])
    organiser_agency_id = SelectField(_l("Instansi penyelenggara"), coerce=int)
    description = TextAreaField(
        _l("Deskripsi"), validators=[Optional(), Length(max=20000)], filters=[strip], render_kw={"rows": 6}
    )
    mode = SelectField(
        _l("Moda pelaksanaan"),
        coerce=EventMode,
        choices=select_choices((m.value, EVENT_MODE_LABELS[m]) for m in EventMode),
    )
    place = StringField(
        _l("Tempat"),
        validators=[Optional(), Length(max=250)],
        filters=[strip],
        description=_l("Wajib untuk acara klasikal dan blended."),
    )
    meeting_url = URLField(
        _l("Tautan rapat daring"),
        validators=[Optional(), Length(max=500), http_url],
        filters=[strip],
        description=_l("Wajib untuk acara daring dan blended, diawali https://."),
    )
    start_date = DateField(
        _l("Tanggal mulai"), validators=[InputRequired(message=REQUIRED)], invalid_value_message=BAD_DATE
    )
    end_date = DateField(
        _l("Tanggal selesai"), validators=[InputRequired(message=REQUIRED)], invalid_value_message=BAD_DATE
    )
    timezone = SelectField(
        _l("Zona waktu"),
        choices=select_choices((tz, f"{label} ({tz})") for tz, label in TIMEZONES.items()),
        default="Asia/Jakarta",
    )
    registration_opens_at = DateTimeLocalField(
        _l("Pendaftaran dibuka"),
        validators=[Optional()],
        format=DATETIME_LOCAL_FORMATS,
        invalid_value_message=BAD_DATETIME,
        description=_l("Menurut zona waktu acara. Kosongkan bila pendaftaran dibuka sejak acara berstatus Dibuka."),
    )
    registration_closes_at = DateTimeLocalField(
        _l("Pendaftaran ditutup"),
        validators=[Optional()],
        format=DATETIME_LOCAL_FORMATS,
        invalid_value_message=BAD_DATETIME,
        description=_l("Menurut zona waktu acara."),
    )
    quota = IntegerField(
        _l("Kuota peserta"),
        validators=[Optional(), NumberRange(min=1, message=_l("Kuota harus lebih dari 0, atau kosongkan."))],
        description=_l("Kosongkan bila tidak dibatasi."),
    )
    requires_approval = BooleanField(_l("Pendaftaran perlu persetujuan penyelenggara"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        start, end = self.start_date.data, self.end_date.data
        if start and end and end < start:
            self.end_date.errors.append(_l("Tanggal selesai tidak boleh sebelum tanggal mulai."))
            ok = False
        mode = self.mode.data
        if mode in (EventMode.klasikal, EventMode.blended) and not self.place.data:
            self.place.errors.append(_l("Tempat wajib diisi untuk acara klasikal atau blended."))
            ok = False
        if mode in (EventMode.daring, EventMode.blended) and not self.meeting_url.data and not self.meeting_url.errors:
            self.meeting_url.errors.append(_l("Tautan rapat wajib diisi untuk acara daring atau blended."))
            ok = False
        opens, closes = self.registration_opens_at.data, self.registration_closes_at.data
        if opens and closes and closes <= opens:
            self.registration_closes_at.errors.append(_l("Penutupan pendaftaran harus setelah pembukaannya."))
            ok = False
        return ok


class SessionForm(FlaskForm):
    title = StringField(
        _l("Judul sesi / materi"), validators=[DataRequired(message=REQUIRED), Length(max=200)], filters=[strip]
    )
    starts_at = DateTimeLocalField(
        _l("Mulai"),
        validators=[InputRequired(message=REQUIRED)],
        format=DATETIME_LOCAL_FORMATS,
        invalid_value_message=BAD_DATETIME,
    )
    ends_at = DateTimeLocalField(
        _l("Selesai"),
        validators=[InputRequired(message=REQUIRED)],
        format=DATETIME_LOCAL_FORMATS,
        invalid_value_message=BAD_DATETIME,
    )
    jp = IntegerField(
        _l("JP (jam pelajaran)"),
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(min=0, max=100, message=_l("JP harus bilangan bulat 0 sampai 100.")),
        ],
        description=_l("1 JP = 45 menit."),
    )
    speaker = StringField(_l("Narasumber"), validators=[Optional(), Length(max=200)], filters=[strip])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.starts_at.data and self.ends_at.data and self.ends_at.data <= self.starts_at.data:
            self.ends_at.errors.append(_l("Waktu selesai harus setelah waktu mulai."))
            ok = False
        return ok


class OrganisersForm(FlaskForm):
    organiser_ids = SelectMultipleField(
        _l("Penyelenggara acara"),
        coerce=int,
        render_kw={"size": 8},
        description=_l("Tahan Ctrl (atau Cmd) untuk memilih lebih dari satu."),
    )

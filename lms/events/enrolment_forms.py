"""Forms of the catalogue, registration and the organiser's participant list."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SearchField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lms.events.models import (
    ENROLMENT_STATUS_LABELS,
    EVENT_KIND_LABELS,
    EVENT_MODE_LABELS,
    EnrolmentStatus,
    EventKind,
    EventMode,
)


def _enum_or_none(enum_cls):
    """Coerce a select value to a member of ``enum_cls``; blank or unknown values mean "all"."""

    def coerce(value):
        if isinstance(value, enum_cls):
            return value
        try:
            return enum_cls(value) if value else None
        except ValueError:
            return None

    return coerce


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class FilterForm(FlaskForm):
    """A GET form of list filters: no CSRF token, built from ``request.args``."""

    class Meta:
        csrf = False


class CatalogueFilterForm(FilterForm):
    q = SearchField(_l("Cari judul atau deskripsi"), validators=[Optional(), Length(max=100)])
    kind = SelectField(_l("Jenis"), validators=[Optional()])
    mode = SelectField(_l("Moda"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _l("Semua jenis"))] + [(k.value, label) for k, label in EVENT_KIND_LABELS.items()]
        self.mode.choices = [("", _l("Semua moda"))] + [(m.value, label) for m, label in EVENT_MODE_LABELS.items()]

    @property
    def kind_value(self):
        return _enum_or_none(EventKind)(self.kind.data)

    @property
    def mode_value(self):
        return _enum_or_none(EventMode)(self.mode.data)


class ParticipantFilterForm(FilterForm):
    q = SearchField(_l("Cari nama, NIP/NIK atau e-mail"), validators=[Optional(), Length(max=100)])
    status = SelectField(_l("Status"), validators=[Optional()])
    agency = SelectField(_l("Instansi"), validators=[Optional()])

    def __init__(self, *args, agencies: list[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [("", _l("Semua status"))] + [
            (s.value, label) for s, label in ENROLMENT_STATUS_LABELS.items()
        ]
        self.agency.choices = [("", _l("Semua instansi"))] + [(str(i), name) for i, name in agencies]

    @property
    def status_value(self):
        return _enum_or_none(EnrolmentStatus)(self.status.data)

    @property
    def agency_value(self) -> int | None:
        return _int_or_none(self.agency.data)


class ParticipantSearchForm(FilterForm):
    q = SearchField(
        _l("NIP, NIK, e-mail atau nama peserta"),
        validators=[Optional(), Length(max=100)],
        description=_l("Ketik minimal 3 karakter."),
    )


class ConfirmForm(FlaskForm):
    """A POST with nothing to fill in but the CSRF token (register, approve)."""

    next = HiddenField()


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Alasan (opsional)"), validators=[Optional(), Length(max=1000)])
    next = HiddenField()


class RejectForm(FlaskForm):
    reason = TextAreaField(
        _l("Alasan penolakan"),
        validators=[DataRequired(message=_l("Alasan penolakan wajib diisi.")), Length(max=1000)],
        description=_l("Alasan ini ditampilkan kepada peserta."),
    )
    next = HiddenField()


class BulkApproveForm(FlaskForm):
    enrolment_ids = SelectMultipleField(coerce=int, validate_choice=False)
    next = HiddenField()


class AddParticipantForm(FlaskForm):
    user_id = IntegerField(validators=[DataRequired()])

"""Forms of the certificates feature."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    SearchField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.auth.identity import IdentityError, validate_nip
from lms.certificates.models import ATTENDANCE_BASIS_LABELS, DEFAULT_PATTERN, OVERRIDE_RESULT_LABELS, AttendanceBasis
from lms.certificates.numbering import PatternError, validate_pattern
from lms.events.forms import select_choices

PATTERN_HELP = _l(
    "Penanda: {seq} nomor urut (atau {seq:04} dengan nol di depan, 4 digit), {year} tahun, {month} bulan, "
    "{roman_month} bulan dalam angka Romawi, {event_id} nomor acara. Nomor urut dimulai dari 1 setiap tahun "
    "untuk instansi penyelenggara."
)


class SettingsForm(FlaskForm):
    """Certificate settings and the pass rule of one event (the rule's fields shown only when their data exists)."""

    number_pattern = StringField(
        _l("Pola nomor sertifikat"),
        default=DEFAULT_PATTERN,
        validators=[DataRequired(), Length(max=120)],
        description=PATTERN_HELP,
    )
    signatory_name = StringField(_l("Nama penanda tangan (dengan gelar)"), validators=[DataRequired(), Length(max=200)])
    signatory_position = StringField(_l("Jabatan penanda tangan"), validators=[DataRequired(), Length(max=200)])
    signatory_nip = StringField(_l("NIP penanda tangan"), validators=[Optional(), Length(max=30)])
    issue_date = DateField(
        _l("Tanggal terbit"),
        validators=[Optional()],
        description=_l("Kosongkan untuk memakai tanggal saat diterbitkan."),
    )
    issue_attendance = BooleanField(_l("Terbitkan sertifikat kehadiran bagi peserta yang hadir tetapi tidak lulus"))
    attendance_title = StringField(
        _l("Judul sertifikat kehadiran"),
        validators=[Optional(), Length(max=120)],
        description=_l("Kosongkan untuk memakai “SERTIFIKAT KEHADIRAN”, misalnya “SURAT KETERANGAN MENGIKUTI”."),
    )
    attendance_pattern = StringField(
        _l("Pola nomor sertifikat kehadiran"),
        validators=[Optional(), Length(max=120)],
        description=_l(
            "Kosongkan untuk memakai pola di atas. Kedua jenis sertifikat memakai nomor urut tahunan yang sama, "
            "sehingga nomor tidak pernah kembar atau berlubang; pola sendiri hanya membedakan tampilan nomornya, "
            "misalnya 800/{seq:04}/KHD/{year}."
        ),
    )
    background = FileField(_l("Gambar latar (PNG/JPEG, A4 mendatar)"))
    logo = FileField(_l("Logo (PNG/JPEG)"))
    signature = FileField(_l("Gambar tanda tangan (PNG/JPEG, sebaiknya berlatar transparan)"))
    min_attendance = IntegerField(_l("Kehadiran minimal (%)"), validators=[Optional(), NumberRange(min=0, max=100)])
    attendance_basis = SelectField(
        _l("Kehadiran dihitung dari"),
        choices=select_choices((b.value, label) for b, label in ATTENDANCE_BASIS_LABELS.items()),
        default=AttendanceBasis.sessions.value,
    )
    min_post_test = FloatField(_l("Nilai post-test minimal"), validators=[Optional(), NumberRange(min=0, max=100)])
    require_evaluation = BooleanField(_l("Wajib mengisi evaluasi penyelenggaraan"))
    require_materials = BooleanField(_l("Wajib menyelesaikan semua materi"))

    def validate_number_pattern(self, field):
        try:
            field.data = validate_pattern(field.data)
        except PatternError as exc:
            raise ValidationError(str(exc)) from exc

    def validate_attendance_pattern(self, field):
        if field.data and field.data.strip():
            try:
                field.data = validate_pattern(field.data)
            except PatternError as exc:
                raise ValidationError(str(exc)) from exc

    def validate_signatory_nip(self, field):
        if field.data:
            try:
                field.data = validate_nip(field.data)
            except IdentityError as exc:
                raise ValidationError(str(exc)) from exc


class OverrideForm(FlaskForm):
    result = SelectField(
        _l("Keputusan"),
        choices=select_choices((r.value, label) for r, label in OVERRIDE_RESULT_LABELS.items()),
    )
    reason = TextAreaField(_l("Alasan"), validators=[DataRequired(), Length(min=5, max=1000)])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Alasan pencabutan"), validators=[DataRequired(), Length(min=5, max=1000)])
    reissue = BooleanField(_l("Terbitkan pengganti dengan nomor baru"))


class ConfirmForm(FlaskForm):
    """A button that changes data: only the CSRF token."""


class SignedUploadForm(FlaskForm):
    files = MultipleFileField(
        _l("PDF bertanda tangan (beberapa PDF atau satu ZIP)"),
        validators=[DataRequired(_l("Pilih berkas yang akan diunggah."))],
        render_kw={"accept": ".pdf,.zip,application/pdf,application/zip"},
    )


class CompletionFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Cari nama, NIP, atau instansi"), validators=[Optional(), Length(max=100)])
    result = SelectField(
        _l("Hasil"),
        choices=select_choices([("", _l("Semua")), ("lulus", _l("Lulus")), ("tidak", _l("Tidak lulus"))]),
        validators=[Optional()],
    )

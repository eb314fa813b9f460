"""Forms for check-in, the event's check-in settings and manual marking."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from lms.attendance.tokens import CODE_LENGTH
from lms.events.forms import REQUIRED


class SettingsForm(FlaskForm):
    opens_before_minutes = IntegerField(
        _l("Presensi dibuka sebelum sesi mulai (menit)"),
        validators=[InputRequired(message=REQUIRED), NumberRange(min=0, max=24 * 60)],
        description=_l("Misalnya 30: peserta bisa presensi mulai 30 menit sebelum sesi dimulai."),
    )
    closes_after_minutes = IntegerField(
        _l("Presensi ditutup setelah sesi mulai (menit)"),
        validators=[InputRequired(message=REQUIRED), NumberRange(min=0, max=24 * 60)],
    )
    late_after_minutes = IntegerField(
        _l("Batas terlambat setelah sesi mulai (menit)"),
        validators=[InputRequired(message=REQUIRED), NumberRange(min=0, max=24 * 60)],
        description=_l("Presensi setelah batas ini dicatat Terlambat."),
    )
    qr_rotation_seconds = IntegerField(
        _l("Kode QR berganti setiap (detik)"),
        validators=[InputRequired(message=REQUIRED), NumberRange(min=10, max=600)],
        description=_l(
            "Kode yang difoto dan dikirim ke orang lain tidak berlaku lagi setelah paling lama dua kali waktu ini."
        ),
    )


class CodeForm(FlaskForm):
    """The short code typed instead of scanning the QR."""

    code = StringField(
        _l("Kode presensi"),
        validators=[DataRequired(message=REQUIRED), Length(min=CODE_LENGTH, max=CODE_LENGTH + 4)],
        description=_l("Kode %(n)s karakter yang tampil di bawah kode QR.", n=CODE_LENGTH),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class ConfirmForm(FlaskForm):
    """The check-in button after scanning: carries the ticket issued when the code was scanned."""

    ticket = HiddenField()


class MarkForm(FlaskForm):
    """Manual marking: only the CSRF token here; the rows (``status-<user id>``, ``reason-<user id>``) are
    read by the view, since their number depends on the event."""

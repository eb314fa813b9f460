"""Forms for log-in, self-registration, the profile and the admin's user management."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional, ValidationError

from lms.auth import operations
from lms.auth.identity import RANK_CHOICES, IdentityError, normalise_phone, validate_nik, validate_nip
from lms.auth.models import ROLE_LABELS, Role
from lms.auth.passwords import MIN_LENGTH, password_problem

PASSWORD_MIN_LENGTH = MIN_LENGTH
# WTForms has no Indonesian messages of its own: every validator gets one.
REQUIRED = _l("Wajib diisi.")
TOO_LONG = _l("Maksimal %(max)d karakter.")
INVALID_CHOICE = _l("Pilihan tidak valid.")
DUPLICATE_MESSAGES = {
    "email": _l("E-mail ini sudah terdaftar. Silakan masuk atau gunakan e-mail lain."),
    "nip": _l("NIP ini sudah terdaftar."),
    "nik": _l("NIK ini sudah terdaftar."),
}


# Field validators: each one also leaves the normal form of the value in ``field.data``.


def nip_valid(form, field) -> None:
    if field.data:
        try:
            field.data = validate_nip(field.data)
        except IdentityError as exc:
            raise ValidationError(str(exc)) from exc


def nik_valid(form, field) -> None:
    if field.data:
        try:
            field.data = validate_nik(field.data)
        except IdentityError as exc:
            raise ValidationError(str(exc)) from exc


def phone_valid(form, field) -> None:
    try:
        field.data = normalise_phone(field.data)
    except IdentityError as exc:
        raise ValidationError(str(exc)) from exc


def email_normal(form, field) -> None:
    field.data = operations.normalise_email(field.data)


def _identities(form) -> list[str | None]:
    """The e-mail, NIP and NIK of the account whose password is being set: typed in the form, or its own."""
    values = [getattr(getattr(form, name, None), "data", None) for name in ("email", "nip", "nik")]
    user = getattr(form, "user", None)
    if user is not None:
        values += [user.email, user.nip, user.nik]
    return values


def strong_password(form, field) -> None:
    """lms/auth/passwords.py: length, letters and digits, not the e-mail/NIP/NIK, not a common password."""
    problem = password_problem(field.data, _identities(form))
    if problem:
        raise ValidationError(problem)


def _select(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def optional_int(value) -> int | None:
    """``coerce`` for a select with an empty first option ("Pilih instansi")."""
    return None if value in ("", None) else int(value)


def select_field(label, **kwargs) -> SelectField:
    return SelectField(label, invalid_choice_message=INVALID_CHOICE, invalid_value_message=INVALID_CHOICE, **kwargs)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _password_fields(label: str):
    password = PasswordField(
        label,
        validators=[DataRequired(message=REQUIRED), strong_password],
        description=_l("Minimal 8 karakter, mengandung huruf dan angka."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi"),
        validators=[DataRequired(message=REQUIRED), EqualTo("password", message=_l("Kedua kata sandi tidak sama."))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


# Fields shared by several forms.


def name_field(**kwargs) -> StringField:
    validators = [DataRequired(message=REQUIRED), Length(max=200, message=TOO_LONG)]
    return StringField(_l("Nama lengkap dengan gelar"), validators=validators, filters=[_strip], **kwargs)


def email_field(required: bool = False, **kwargs) -> StringField:
    first = DataRequired(message=REQUIRED) if required else Optional()
    validators = [
        first,
        Email(message=_l("Alamat e-mail tidak valid.")),
        Length(max=254, message=TOO_LONG),
        email_normal,
    ]
    return StringField(_l("E-mail"), validators=validators, filters=[_strip], **kwargs)


def phone_field(**kwargs) -> StringField:
    kwargs.setdefault("render_kw", {"autocomplete": "tel", "inputmode": "tel"})
    return StringField(_l("Nomor HP"), validators=[Optional(), phone_valid], filters=[_strip], **kwargs)


def position_field() -> StringField:
    return StringField(_l("Jabatan"), validators=[Optional(), Length(max=200, message=TOO_LONG)], filters=[_strip])


def rank_field() -> SelectField:
    return select_field(_l("Pangkat/golongan"), choices=lambda: _select(RANK_CHOICES), validators=[Optional()])


def agency_field() -> SelectField:
    return select_field(_l("Instansi"), coerce=optional_int, validators=[InputRequired(message=REQUIRED)])


class IdentityFieldsMixin:
    """Checks e-mail / NIP / NIK against other accounts and puts the error on the field concerned."""

    def check_duplicates(self, exclude_id: int | None = None) -> bool:
        fields = [getattr(self, name, None) for name in ("email", "nip", "nik")]
        values = {f.name: f.data for f in fields if f is not None and not f.errors}
        taken = operations.identity_taken(exclude_id=exclude_id, **values)
        for name in taken:
            getattr(self, name).errors.append(str(DUPLICATE_MESSAGES[name]))
        return not taken


class LoginForm(FlaskForm):
    identifier = StringField(
        _l("E-mail atau NIP"),
        validators=[DataRequired(message=REQUIRED)],
        filters=[_strip],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("Kata sandi"), validators=[DataRequired(message=REQUIRED)], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Ingat saya di perangkat ini"))


class RegisterForm(IdentityFieldsMixin, FlaskForm):
    name = name_field(
        description=_l('Tulis seperti di sertifikat, misalnya "Dr. H. Ahmad Fauzi, S.Kom., M.T."'),
        render_kw={"autocomplete": "name"},
    )
    nip = StringField(
        _l("NIP (untuk ASN)"),
        validators=[Optional(), nip_valid],
        filters=[_strip],
        description=_l("18 digit. Peserta non-ASN mengisi NIK."),
        render_kw={"inputmode": "numeric"},
    )
    nik = StringField(
        _l("NIK (untuk non-ASN)"),
        validators=[Optional(), nik_valid],
        filters=[_strip],
        description=_l("16 digit sesuai KTP."),
        render_kw={"inputmode": "numeric"},
    )
    agency = agency_field()
    position = position_field()
    rank = rank_field()
    phone = phone_field(description=_l("Contoh: 0812 3456 7890"))
    email = email_field(required=True, render_kw={"autocomplete": "email"})
    password, password_confirm = _password_fields(_l("Kata sandi"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.nip.data and not self.nik.data and not (self.nip.errors or self.nik.errors):
            message = str(_l("Isi NIP (untuk ASN) atau NIK (untuk non-ASN)."))
            self.nip.errors.append(message)
            self.nik.errors.append(message)
            valid = False
        return self.check_duplicates() and valid


class ProfileForm(IdentityFieldsMixin, FlaskForm):
    """The user's own data. NIP/NIK are shown but changed only by an admin; agency only for participants."""

    name = name_field()
    agency = agency_field()
    position = position_field()
    rank = rank_field()
    phone = phone_field()
    email = email_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.email.data and not self.user.identity_number and not self.email.errors:
            self.email.errors.append(str(_l("E-mail wajib diisi untuk masuk ke aplikasi.")))
            valid = False
        return self.check_duplicates(exclude_id=self.user.id) and valid


class PasswordChangeForm(FlaskForm):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user  # whose password this is (the rules refuse its e-mail, NIP or NIK)

    current_password = PasswordField(
        _l("Kata sandi saat ini"),
        validators=[DataRequired(message=REQUIRED)],
        render_kw={"autocomplete": "current-password"},
    )
    password, password_confirm = _password_fields(_l("Kata sandi baru"))


class PasswordResetForm(FlaskForm):
    password, password_confirm = _password_fields(_l("Kata sandi baru"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user  # whose password this is (the rules refuse its e-mail, NIP or NIK)


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, str(ROLE_LABELS[role])) for role in Role]


class AdminUserForm(IdentityFieldsMixin, FlaskForm):
    """An admin creates or edits any account; ``password`` is removed when editing."""

    role = select_field(
        _l("Peran"), choices=lambda: _select(role_choices()), validators=[DataRequired(message=REQUIRED)]
    )
    agency = agency_field()
    name = name_field()
    email = email_field()
    nip = StringField(_l("NIP"), validators=[Optional(), nip_valid], filters=[_strip])
    nik = StringField(_l("NIK"), validators=[Optional(), nik_valid], filters=[_strip])
    position = position_field()
    rank = rank_field()
    phone = phone_field()
    password = PasswordField(
        _l("Kata sandi awal"),
        validators=[DataRequired(message=REQUIRED), strong_password],
        description=_l("Minimal 8 karakter, mengandung huruf dan angka. Sampaikan kepada pengguna secara langsung."),
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None:
            del self.password

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.email.data or self.nip.data or self.nik.data) and not self.email.errors:
            self.email.errors.append(str(_l("Isi e-mail atau NIP/NIK agar pengguna dapat masuk.")))
            valid = False
        return self.check_duplicates(exclude_id=self.user.id if self.user else None) and valid

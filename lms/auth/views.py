"""Log-in, log-out, self-registration and the user's own profile."""

from functools import cache

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from lms.auth import operations
from lms.auth.forms import LoginForm, PasswordChangeForm, PasswordResetForm, ProfileForm, RegisterForm
from lms.auth.identity import format_phone
from lms.auth.models import Role, User
from lms.auth.redirects import safe_next_url
from lms.events.models import Agency
from lms.events.queries import agency_choices
from lms.extensions import db, limiter

bp = Blueprint("auth", __name__)


@cache
def _dummy_hash() -> str:
    return generate_password_hash("tidak-dipakai-0", method="scrypt")


def _credentials_ok(user: User | None, password: str) -> bool:
    """Check the password; for an unknown identifier spend the same time on a dummy hash."""
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        return False
    return user.check_password(password)


def _start_session(user: User, remember: bool = False) -> None:
    """A new session for ``user``: nothing from the anonymous session is carried over."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang  # the chosen language is the only thing kept
    login_user(user, remember=remember)
    operations.record_login(user)


def _failed(response) -> bool:
    """Only failed attempts count towards the log-in limit (a successful log-in redirects)."""
    return response.status_code != 302


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed)
def login():
    target = safe_next_url(request.args.get("next")) or url_for("main.index")
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        user = operations.find_user_for_login(form.identifier.data)
        if not _credentials_ok(user, form.password.data):
            form.form_errors.append(_("E-mail/NIP atau kata sandi salah."))
        elif not user.is_active:
            form.form_errors.append(_("Akun Anda tidak aktif. Hubungi admin untuk mengaktifkannya kembali."))
        else:
            _start_session(user, remember=form.remember.data)
            db.session.commit()
            flash(_("Selamat datang, %(name)s.", name=user.name), "success")
            return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.route("/keluar", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        operations.end_session(current_user)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/daftar", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_RATE_LIMIT"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    form.agency.choices = agency_choices(blank=_("Pilih instansi"))
    if form.validate_on_submit():
        try:
            user = operations.create_user(
                name=form.name.data,
                agency=db.get_or_404(Agency, form.agency.data),
                role=Role.participant,
                email=form.email.data,
                password=form.password.data,
                nip=form.nip.data,
                nik=form.nik.data,
                position=form.position.data,
                rank=form.rank.data,
                phone=form.phone.data,
            )
            _start_session(user)
            db.session.commit()
        except IntegrityError:  # the same e-mail/NIP registered a moment ago by another request
            db.session.rollback()
            form.form_errors.append(_("E-mail, NIP atau NIK ini sudah terdaftar."))
        else:
            flash(_("Pendaftaran berhasil. Selamat datang, %(name)s.", name=user.name), "success")
            return redirect(url_for("enrolment.my_trainings"))
    return render_template("auth/register.html", form=form)


@bp.route("/profil", methods=["GET", "POST"])
@login_required
def profile():
    user = current_user._get_current_object()
    form = ProfileForm(
        user=user,
        data={
            "name": user.name,
            "agency": user.agency_id,
            "position": user.position,
            "rank": user.rank or "",
            "phone": format_phone(user.phone),
            "email": user.email,
        },
    )
    password_form = PasswordChangeForm(prefix="pw", user=user)
    if user.role is Role.participant:
        form.agency.choices = agency_choices()
    else:
        del form.agency

    if request.method == "POST" and "pw-current_password" in request.form:
        if password_form.validate():
            if not user.check_password(password_form.current_password.data):
                password_form.current_password.errors.append(_("Kata sandi saat ini salah."))
            else:
                operations.set_password(user, password_form.password.data)
                login_user(user)  # the session token changed: keep this browser logged in
                db.session.commit()
                flash(_("Kata sandi berhasil diubah. Sesi di perangkat lain telah diakhiri."), "success")
                return redirect(url_for("auth.profile"))
    elif form.validate_on_submit():
        fields = {
            "name": form.name.data,
            "position": form.position.data,
            "rank": form.rank.data,
            "phone": form.phone.data,
            "email": form.email.data,
        }
        if "agency" in form:
            fields["agency"] = db.get_or_404(Agency, form.agency.data)
        operations.update_user(user, **fields)
        db.session.commit()
        flash(_("Profil berhasil disimpan."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form, password_form=password_form, user=user)


# Account activation (accounts created by a roster import have no password yet) ----------------------------


@bp.route("/aktivasi/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed)
def activate(token: str):
    """The participant opens the one-time link from the organiser and sets his first password."""
    from lms.events.roster_activation import activate as activate_account
    from lms.events.roster_activation import find_activation

    activation = find_activation(token)
    if activation is None:
        return render_template("auth/activate.html", form=None, user=None), 404
    form = PasswordResetForm(user=activation.user)
    if form.validate_on_submit():
        user = activate_account(activation, form.password.data)
        _start_session(user)
        db.session.commit()
        flash(_("Akun Anda aktif. Selamat datang, %(name)s.", name=user.name), "success")
        return redirect(url_for("enrolment.my_trainings"))
    return render_template("auth/activate.html", form=form, user=activation.user)

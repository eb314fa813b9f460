"""Admin: user accounts (list, create, edit, activate/deactivate, reset password)."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from lms.actions import apply_change
from lms.auth import operations
from lms.auth.forms import AdminUserForm, PasswordResetForm, role_choices
from lms.auth.identity import format_phone
from lms.auth.models import Role, User
from lms.auth.permissions import agency_subtree_ids, role_required
from lms.auth.redirects import safe_next_url
from lms.events.models import Agency
from lms.events.operations import OperationError
from lms.events.queries import agency_choices
from lms.extensions import db

bp = Blueprint("users_admin", __name__, url_prefix="/admin/pengguna")


def _users_query(q: str, role: Role | None, agency_id: int | None):
    query = select(User).order_by(User.name, User.id)
    if q:
        pattern = f"%{q.lower()}%"
        digits = q.replace(" ", "").replace(".", "")
        query = query.where(
            or_(
                db.func.lower(User.name).like(pattern),
                db.func.lower(User.email).like(pattern),
                User.nip.like(f"%{digits}%"),
                User.nik.like(f"%{digits}%"),
            )
        )
    if role is not None:
        query = query.where(User.role == role)
    if agency_id is not None:
        query = query.where(User.agency_id.in_(agency_subtree_ids(agency_id)))
    return query


def _get_user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


def _back_to_list():
    """Back to the (filtered, paged) list the admin came from; the form sends it as ``next``."""
    return redirect(safe_next_url(request.form.get("next")) or url_for("users_admin.index"))


def _save_failed(form: AdminUserForm) -> None:
    db.session.rollback()
    form.form_errors.append(_("E-mail, NIP atau NIK ini sudah terdaftar."))


@bp.route("")
@role_required(Role.admin)
def index():
    q = request.args.get("q", "").strip()
    role = next((r for r in Role if r.value == request.args.get("role")), None)
    agency_id = request.args.get("agency", type=int)
    page = request.args.get("page", 1, type=int)
    pagination = db.paginate(
        _users_query(q, role, agency_id), page=page, per_page=current_app.config["PER_PAGE"], error_out=False
    )
    return render_template(
        "users/index.html",
        pagination=pagination,
        users=pagination.items,
        q=q,
        role=role,
        agency_id=agency_id,
        roles=role_choices(),
        agencies=agency_choices(),
    )


@bp.route("/baru", methods=["GET", "POST"])
@role_required(Role.admin)
def create():
    form = AdminUserForm()
    form.agency.choices = agency_choices(blank=_("Pilih instansi"))
    if form.validate_on_submit():
        try:
            user = operations.create_user(
                name=form.name.data,
                agency=db.get_or_404(Agency, form.agency.data),
                role=Role(form.role.data),
                email=form.email.data,
                password=form.password.data,
                nip=form.nip.data,
                nik=form.nik.data,
                position=form.position.data,
                rank=form.rank.data,
                phone=form.phone.data,
            )
            db.session.commit()
        except IntegrityError:
            _save_failed(form)
        else:
            flash(_("Akun %(name)s berhasil dibuat.", name=user.name), "success")
            return redirect(url_for("users_admin.index"))
    return render_template("users/form.html", form=form, user=None)


@bp.route("/<int:user_id>/ubah", methods=["GET", "POST"])
@role_required(Role.admin)
def edit(user_id: int):
    user = _get_user_or_404(user_id)
    form = AdminUserForm(
        user=user,
        data={
            "role": user.role.value,
            "agency": user.agency_id,
            "name": user.name,
            "email": user.email,
            "nip": user.nip,
            "nik": user.nik,
            "position": user.position,
            "rank": user.rank or "",
            "phone": format_phone(user.phone),
        },
    )
    form.agency.choices = agency_choices()
    if form.validate_on_submit():
        try:
            operations.change_role(user, Role(form.role.data), by=current_user)
            operations.update_user(
                user,
                agency=db.get_or_404(Agency, form.agency.data),
                name=form.name.data,
                email=form.email.data,
                nip=form.nip.data,
                nik=form.nik.data,
                position=form.position.data,
                rank=form.rank.data,
                phone=form.phone.data,
            )
            db.session.commit()
        except OperationError as exc:
            db.session.rollback()
            form.role.errors.append(str(exc))
        except IntegrityError:
            _save_failed(form)
        else:
            flash(_("Data %(name)s berhasil disimpan.", name=user.name), "success")
            return redirect(url_for("users_admin.index"))
    return render_template("users/form.html", form=form, user=user)


@bp.route("/<int:user_id>/aktifkan", methods=["POST"])
@role_required(Role.admin)
def activate(user_id: int):
    user = _get_user_or_404(user_id)
    operations.change_active(user, True, by=current_user)
    db.session.commit()
    flash(_("Akun %(name)s diaktifkan.", name=user.name), "success")
    return _back_to_list()


@bp.route("/<int:user_id>/nonaktifkan", methods=["POST"])
@role_required(Role.admin)
def deactivate(user_id: int):
    user = _get_user_or_404(user_id)
    apply_change(
        lambda: operations.change_active(user, False, by=current_user),
        _("Akun %(name)s dinonaktifkan; semua sesinya diakhiri.", name=user.name),
    )
    return _back_to_list()


@bp.route("/<int:user_id>/reset-sandi", methods=["GET", "POST"])
@role_required(Role.admin)
def reset_password(user_id: int):
    user = _get_user_or_404(user_id)
    form = PasswordResetForm(user=user)
    if form.validate_on_submit():
        operations.set_password(user, form.password.data)
        if user.id == current_user.id:
            login_user(user)  # own password: keep this browser logged in with the new token
        db.session.commit()
        flash(_("Kata sandi %(name)s telah diganti; sesi lamanya diakhiri.", name=user.name), "success")
        return redirect(url_for("users_admin.index"))
    return render_template("users/reset_password.html", form=form, user=user)

"""Everything that changes modules, materials and progress. Each function flushes; the view commits."""

import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.auth.models import User
from lms.courses.content import sanitise_html
from lms.courses.models import Material, MaterialKind, MaterialProgress, Module
from lms.db import utcnow
from lms.events.models import Event
from lms.events.operations import OperationError
from lms.extensions import db
from lms.storage import delete_after_commit, discard_on_rollback, get_storage
from lms.uploads import CheckedUpload

log = logging.getLogger(__name__)

UP, DOWN = "up", "down"


# Modules --------------------------------------------------------------------------------------------


def create_module(
    event: Event,
    *,
    title: str,
    jp: int = 0,
    speaker: str | None = None,
    description: str = "",
    opens_at: datetime | None = None,
    requires_previous: bool = False,
) -> Module:
    last = db.session.execute(
        select(func.coalesce(func.max(Module.position), 0)).where(Module.event_id == event.id)
    ).scalar_one()
    module = Module(
        event_id=event.id,
        position=last + 1,
        title=title,
        jp=jp,
        speaker=speaker or None,
        description=description or "",
        opens_at=opens_at,
        requires_previous=requires_previous,
    )
    db.session.add(module)
    db.session.flush()
    log.info("module created id=%s event=%s", module.id, event.id)
    return module


def update_module(
    module: Module,
    *,
    title: str,
    jp: int,
    speaker: str | None,
    description: str,
    opens_at: datetime | None,
    requires_previous: bool,
) -> Module:
    module.title = title
    module.jp = jp
    module.speaker = speaker or None
    module.description = description or ""
    module.opens_at = opens_at
    module.requires_previous = requires_previous
    db.session.flush()
    log.info("module updated id=%s", module.id)
    return module


def _swap_with_neighbour(items: list, item, direction: str) -> bool:
    """Renumber ``items`` (already in display order) 1..n, then swap ``item`` with its neighbour."""
    for position, each in enumerate(items, start=1):
        each.position = position
    index = items.index(item)
    other = index - 1 if direction == UP else index + 1
    if direction not in (UP, DOWN) or not 0 <= other < len(items):
        return False
    items[index].position, items[other].position = items[other].position, items[index].position
    return True


def move_module(module: Module, direction: str) -> bool:
    """Move a module one place up or down; False when it is already first/last."""
    siblings = list(
        db.session.execute(
            select(Module).where(Module.event_id == module.event_id).order_by(Module.position, Module.id)
        ).scalars()
    )
    moved = _swap_with_neighbour(siblings, module, direction)
    db.session.flush()
    return moved


def delete_module(module: Module) -> None:
    if module.materials:
        raise OperationError(
            _("Modul yang masih berisi materi tidak bisa dihapus. Hapus atau pindahkan materinya dulu.")
        )
    db.session.delete(module)
    db.session.flush()
    log.info("module deleted id=%s", module.id)


# Materials ------------------------------------------------------------------------------------------


def _store(material: Material, upload: CheckedUpload) -> None:
    """Keep the uploaded content; the file is removed again if the transaction does not commit."""
    key = get_storage().save(upload.stream, upload.original_name)
    discard_on_rollback(db.session, key)
    if material.storage_key:
        delete_after_commit(db.session, material.storage_key)  # the replaced version
    material.storage_key = key
    material.original_name = upload.original_name
    material.mimetype = upload.mimetype
    material.size = upload.size


def _check_content(kind: MaterialKind, *, url: str | None, body_html: str | None, has_file: bool) -> None:
    if kind is MaterialKind.file and not has_file:
        raise OperationError(_("Pilih berkas yang akan diunggah."))
    if kind in (MaterialKind.link, MaterialKind.video) and not url:
        raise OperationError(_("Isi alamat tautan."))
    if kind is MaterialKind.text and not body_html:
        raise OperationError(_("Isi teks materi."))


def add_material(
    module: Module,
    *,
    kind: MaterialKind,
    title: str,
    url: str | None = None,
    body: str | None = None,
    upload: CheckedUpload | None = None,
    hidden: bool = False,
) -> Material:
    body_html = sanitise_html(body or "") if kind is MaterialKind.text else None
    url = ((url or "").strip() or None) if kind in (MaterialKind.link, MaterialKind.video) else None
    _check_content(kind, url=url, body_html=body_html, has_file=upload is not None)
    last = db.session.execute(
        select(func.coalesce(func.max(Material.position), 0)).where(Material.module_id == module.id)
    ).scalar_one()
    material = Material(
        module=module, position=last + 1, kind=kind, title=title, hidden=hidden, url=url, body_html=body_html
    )
    if kind is MaterialKind.file:
        _store(material, upload)
    db.session.add(material)
    db.session.flush()
    log.info("material created id=%s module=%s kind=%s", material.id, module.id, kind.value)
    return material


def update_material(
    material: Material,
    *,
    title: str,
    url: str | None = None,
    body: str | None = None,
    upload: CheckedUpload | None = None,
    hidden: bool | None = None,
) -> Material:
    """Change a material; for a file, a new upload replaces the old content (progress is kept)."""
    kind = material.kind
    if kind in (MaterialKind.link, MaterialKind.video):
        material.url = (url or "").strip() or None
    if kind is MaterialKind.text:
        material.body_html = sanitise_html(body or "")
    _check_content(kind, url=material.url, body_html=material.body_html, has_file=True)
    material.title = title
    if hidden is not None:
        material.hidden = hidden
    if kind is MaterialKind.file and upload is not None:
        _store(material, upload)
    db.session.flush()
    log.info("material updated id=%s replaced_file=%s", material.id, upload is not None)
    return material


def move_material(material: Material, direction: str) -> bool:
    siblings = list(
        db.session.execute(
            select(Material).where(Material.module_id == material.module_id).order_by(Material.position, Material.id)
        ).scalars()
    )
    moved = _swap_with_neighbour(siblings, material, direction)
    db.session.flush()
    return moved


def set_hidden(material: Material, hidden: bool) -> Material:
    material.hidden = hidden
    db.session.flush()
    log.info("material id=%s hidden=%s", material.id, hidden)
    return material


def delete_material(material: Material) -> None:
    if material.storage_key:
        delete_after_commit(db.session, material.storage_key)
    db.session.delete(material)
    db.session.flush()
    log.info("material deleted id=%s", material.id)


# Progress -------------------------------------------------------------------------------------------


def mark_done(material: Material, user: User) -> None:
    """Record that ``user`` completed ``material`` (once; later calls change nothing, even concurrent ones)."""
    values = {"material_id": material.id, "user_id": user.id, "completed_at": utcnow()}
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        statement = pg_insert(MaterialProgress).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite_insert(MaterialProgress).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - other databases: check first
        exists = db.session.execute(
            select(MaterialProgress.id).filter_by(material_id=material.id, user_id=user.id)
        ).first()
        if exists:
            return
        db.session.add(MaterialProgress(**values))
        db.session.flush()
        return
    db.session.execute(statement)

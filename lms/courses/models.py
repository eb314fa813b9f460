"""Course material of an event: modules (mata pelatihan) in order, their materials, and who completed what."""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.courses.content import video_embed_url
from lms.db import TimestampMixin, enum_type, utcnow
from lms.extensions import db


class Module(TimestampMixin, db.Model):
    """A mata pelatihan: ordered within its event, with JP and a speaker; may open later or after the previous one."""

    __tablename__ = "course_modules"
    __table_args__ = (CheckConstraint("jp >= 0", name="jp_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(250))
    jp: Mapped[int] = mapped_column(Integer, default=0)  # jam pelajaran, 45 minutes each
    speaker: Mapped[str | None] = mapped_column(String(200))  # narasumber / widyaiswara
    description: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime | None] = mapped_column(DateTime)  # UTC; None: open at once
    requires_previous: Mapped[bool] = mapped_column(Boolean, default=False)

    event = relationship("Event")
    materials = relationship(
        "Material",
        back_populates="module",
        order_by=lambda: (Material.position, Material.id),
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Module {self.id} event={self.event_id} #{self.position} {self.title!r}>"

    def is_open_at(self, now: datetime) -> bool:
        return self.opens_at is None or now >= self.opens_at


class MaterialKind(enum.Enum):
    file = "file"
    link = "link"
    video = "video"
    text = "text"

    @property
    def label(self) -> str:
        return str(MATERIAL_KIND_LABELS[self])


MATERIAL_KIND_LABELS = {
    MaterialKind.file: _l("Berkas"),
    MaterialKind.link: _l("Tautan"),
    MaterialKind.video: _l("Video"),
    MaterialKind.text: _l("Teks"),
}


class Material(TimestampMixin, db.Model):
    __tablename__ = "course_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_modules.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[MaterialKind] = mapped_column(enum_type(MaterialKind))
    title: Mapped[str] = mapped_column(String(250))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # kind == file: where the content is kept (lms.storage key) and what it was when uploaded
    storage_key: Mapped[str | None] = mapped_column(String(200))
    original_name: Mapped[str | None] = mapped_column(String(255))
    mimetype: Mapped[str | None] = mapped_column(String(120))
    size: Mapped[int | None] = mapped_column(Integer)
    # kind == link or video
    url: Mapped[str | None] = mapped_column(String(1000))
    # kind == text: HTML already cleaned by nh3 when saved (lms.courses.content.sanitise_html)
    body_html: Mapped[str | None] = mapped_column(Text)

    module = relationship("Module", back_populates="materials")

    def __repr__(self) -> str:
        return f"<Material {self.id} module={self.module_id} {self.kind.value} {self.title!r}>"

    @property
    def embed_url(self) -> str | None:
        return video_embed_url(self.url) if self.kind is MaterialKind.video else None


class MaterialProgress(db.Model):
    """A participant completed a material (opened the file or link, or said so for a text)."""

    __tablename__ = "course_material_progress"
    __table_args__ = (UniqueConstraint("material_id", "user_id", name="uq_course_material_progress_material_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("course_materials.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

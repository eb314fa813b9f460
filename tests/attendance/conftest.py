"""Attendance fixtures: an event whose first session starts now, its organiser and approved participants."""

import re
from datetime import timedelta

import pytest
from PIL import Image, ImageDraw

from lms.attendance import tokens
from lms.auth.models import Role
from lms.db import utcnow
from lms.events.models import Enrolment, EnrolmentSource, EnrolmentStatus, EventStatus


@pytest.fixture
def organiser(make_user):
    return make_user(Role.organiser, name="Dra. Nurhayati, M.Si.")


@pytest.fixture
def event(make_event, organiser, db):
    """Running event with 3 sessions: the first started 5 minutes ago (4, 2 and 6 JP)."""
    ev = make_event(organisers=[organiser], sessions=3, status=EventStatus.running, title="Bimtek Literasi Digital")
    now = utcnow().replace(microsecond=0)
    for index, (session, jp) in enumerate(zip(ev.sessions, (4, 2, 6), strict=True)):
        session.starts_at = now - timedelta(minutes=5) + timedelta(days=index)
        session.ends_at = session.starts_at + timedelta(hours=3)
        session.jp = jp
    db.session.commit()
    return ev


@pytest.fixture
def enrol(db):
    def do(event, user, status=EnrolmentStatus.approved):
        db.session.add(Enrolment(event_id=event.id, user_id=user.id, status=status, source=EnrolmentSource.organiser))
        db.session.commit()
        return user

    return do


@pytest.fixture
def participant(make_user, enrol, event):
    return enrol(event, make_user(name="Dr. H. Ahmad Fauzi, S.Kom., M.T."))


@pytest.fixture
def secret(app):
    return app.config["SECRET_KEY"]


@pytest.fixture
def code_of(secret):
    """The code of a session shown ``steps_ago`` rotations ago (default rotation: 30 s)."""

    def make(session, steps_ago: int = 0, rotation: int = 30) -> str:
        return tokens.code_for(secret, session.id, tokens.time_step(rotation) - steps_ago)

    return make


@pytest.fixture
def clock(monkeypatch):
    """Move the clock of codes and tickets forward by ``seconds``."""
    import time

    def forward(seconds: float) -> None:
        monkeypatch.setattr(tokens, "now", lambda: time.time() + seconds)

    return forward


_RECT = re.compile(r"M(\d+) (\d+)h(\d+)v(\d+)h-\d+Z")


def decode_svg_qr(svg: str) -> str:
    """Rasterise zxing-cpp's SVG (rectangles in one path) and read it back with zxing-cpp."""
    import zxingcpp

    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    scale = 6
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, w, h in _RECT.findall(svg):
        x, y, w, h = int(x), int(y), int(w), int(h)
        draw.rectangle([x * scale, y * scale, (x + w) * scale - 1, (y + h) * scale - 1], fill=0)
    result = zxingcpp.read_barcode(image)
    assert result is not None, "QR code not readable"
    return result.text

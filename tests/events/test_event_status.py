"""Event status moves (the lifecycle draf > dibuka > berjalan > selesai > diarsipkan) and the event's organisers."""

import pytest

from lms.auth.models import Role
from lms.events.models import (
    EVENT_TRANSITIONS,
    EventStatus,
)

# Status ------------------------------------------------------------------------------------------

ALLOWED = sorted(
    ((old, new) for old, targets in EVENT_TRANSITIONS.items() for new in targets),
    key=lambda p: (p[0].value, p[1].value),
)
REFUSED = [(old, new) for old in EventStatus for new in EventStatus if new not in EVENT_TRANSITIONS[old]]


@pytest.mark.parametrize(("old", "new"), ALLOWED, ids=lambda s: s.value)
def test_every_allowed_status_move_works(client_as, organiser, make_event, db, old, new):
    event = make_event(organisers=[organiser], status=old, sessions=1)

    response = client_as(organiser).post(
        f"/kelola/acara/{event.id}/status", data={"status": new.value}, follow_redirects=True
    )

    assert f"Status acara sekarang: {new.label}." in response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.status is new


@pytest.mark.parametrize(("old", "new"), REFUSED, ids=lambda s: s.value)
def test_invalid_status_moves_refused(client_as, organiser, make_event, db, old, new):
    event = make_event(organisers=[organiser], status=old, sessions=1)

    response = client_as(organiser).post(
        f"/kelola/acara/{event.id}/status", data={"status": new.value}, follow_redirects=True
    )

    assert "Status acara tidak bisa diubah" in response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.status is old


def test_status_buttons_only_for_allowed_moves(client_as, organiser, make_event):
    event = make_event(organisers=[organiser], status=EventStatus.open, sessions=1)

    html = client_as(organiser).get(f"/kelola/acara/{event.id}").get_data(as_text=True)

    assert 'name="status" value="draft"' in html and 'name="status" value="running"' in html
    assert 'name="status" value="finished"' not in html and 'name="status" value="archived"' not in html
    assert 'name="status" value="open"' not in html


def test_open_without_sessions_refused(client_as, organiser, make_event, db):
    event = make_event(organisers=[organiser], status=EventStatus.draft)

    response = client_as(organiser).post(
        f"/kelola/acara/{event.id}/status", data={"status": "open"}, follow_redirects=True
    )

    assert "Acara belum memiliki sesi jadwal" in response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.status is EventStatus.draft


def test_unknown_status_is_bad_request(client_as, organiser, make_event, db):
    event = make_event(organisers=[organiser], status=EventStatus.draft, sessions=1)

    assert client_as(organiser).post(f"/kelola/acara/{event.id}/status", data={"status": "x"}).status_code == 400
    assert client_as(organiser).get(f"/kelola/acara/{event.id}/status").status_code == 405
    db.session.refresh(event)
    assert event.status is EventStatus.draft


# Organisers -------------------------------------------------------------------------------------


def test_admin_assigns_and_unassigns_organisers(client_as, admin, make_user, make_event, db):
    a, b, c = (make_user(role=Role.organiser, name=f"Panitia {x}") for x in "ABC")
    make_user(role=Role.participant, name="Peserta Biasa")
    event = make_event(organisers=[a])
    client = client_as(admin)

    page = client.get(f"/kelola/acara/{event.id}/penyelenggara").get_data(as_text=True)
    client.post(f"/kelola/acara/{event.id}/penyelenggara", data={"organiser_ids": [str(b.id), str(c.id)]})
    db.session.refresh(event)
    assigned = sorted(u.id for u in event.organisers)
    client.post(f"/kelola/acara/{event.id}/penyelenggara", data={})

    assert "Panitia A" in page and "Panitia C" in page and "Peserta Biasa" not in page
    assert assigned == sorted([b.id, c.id])
    db.session.refresh(event)
    assert event.organisers == []  # an admin may leave the event without organisers


def test_organiser_adds_colleague_but_cannot_leave_event_without_organiser(
    client_as, organiser, make_user, make_event, db
):
    colleague = make_user(role=Role.organiser)
    event = make_event(organisers=[organiser])
    client = client_as(organiser)

    empty = client.post(f"/kelola/acara/{event.id}/penyelenggara", data={}, follow_redirects=True)
    db.session.refresh(event)
    after_empty = [u.id for u in event.organisers]
    client.post(
        f"/kelola/acara/{event.id}/penyelenggara", data={"organiser_ids": [str(organiser.id), str(colleague.id)]}
    )

    assert "Acara harus memiliki minimal satu penyelenggara." in empty.get_data(as_text=True)
    assert after_empty == [organiser.id]
    db.session.refresh(event)
    assert sorted(u.id for u in event.organisers) == sorted([organiser.id, colleague.id])
    assert client_as(colleague).get(f"/kelola/acara/{event.id}").status_code == 200


def test_organiser_handing_event_over_loses_access(client_as, organiser, make_user, make_event, db):
    colleague = make_user(role=Role.organiser)
    event = make_event(organisers=[organiser])
    client = client_as(organiser)

    response = client.post(f"/kelola/acara/{event.id}/penyelenggara", data={"organiser_ids": [str(colleague.id)]})

    assert response.headers["Location"].endswith("/kelola/acara/")
    assert client.get(f"/kelola/acara/{event.id}").status_code == 404
    db.session.refresh(event)
    assert [u.id for u in event.organisers] == [colleague.id]


def test_participant_cannot_be_made_organiser(client_as, admin, make_user, make_event, db):
    participant = make_user(role=Role.participant)
    organiser = make_user(role=Role.organiser)
    event = make_event(organisers=[organiser])

    response = client_as(admin).post(
        f"/kelola/acara/{event.id}/penyelenggara", data={"organiser_ids": [str(participant.id)]}
    )

    assert response.status_code == 200  # the form is shown again with an error
    db.session.refresh(event)
    assert [u.id for u in event.organisers] == [organiser.id]

"""Links that features contribute for participants appear only on approved enrolments."""

from lms.events.models import Enrolment, EnrolmentStatus


def test_materials_link_only_for_approved(db, client_as, make_event, make_user):
    approved_event, pending_event = make_event(title="Bimtek Diterima"), make_event(title="Bimtek Menunggu")
    user = make_user()
    db.session.add_all(
        [
            Enrolment(event=approved_event, user=user, status=EnrolmentStatus.approved),
            Enrolment(event=pending_event, user=user, status=EnrolmentStatus.pending),
        ]
    )
    db.session.commit()
    http = client_as(user)

    page = http.get("/pelatihan-saya").get_data(as_text=True)
    assert f'href="/pelatihan/{approved_event.id}/materi"' in page
    assert f"/pelatihan/{pending_event.id}/materi" not in page

    assert f'href="/pelatihan/{approved_event.id}/materi"' in http.get(f"/pelatihan/{approved_event.id}").get_data(
        as_text=True
    )
    assert f"/pelatihan/{pending_event.id}/materi" not in http.get(f"/pelatihan/{pending_event.id}").get_data(
        as_text=True
    )

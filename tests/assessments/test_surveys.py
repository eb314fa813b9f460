"""Evaluation surveys: the nine default unsur, editing, one response each, IKM per event and per speaker,
anonymity, and the pass-rule provider."""

from lms.assessments import surveys
from lms.assessments.models import Survey, SurveyResponse
from lms.assessments.queries import evaluation_filled
from lms.certificates import criteria
from lms.events.models import EnrolmentStatus


def _fill(client, event, survey, values, comment=""):
    data = {f"item{item.id}": v for item, v in zip(survey.items, values, strict=True)}
    data["comment"] = comment
    return client.post(f"/pelatihan/{event.id}/tes/evaluasi/{survey.id}", data=data)


def test_organiser_creates_event_and_speaker_surveys(db, client_as, organiser, event):
    client = client_as(organiser)
    page = client.get(f"/kelola/acara/{event.id}/evaluasi").text
    assert "Narasumber 1" in page and "Narasumber 2" in page  # speakers from the sessions
    client.post(f"/kelola/acara/{event.id}/evaluasi/baru", data={"speaker": "", "title": "Evaluasi Penyelenggaraan"})
    client.post(
        f"/kelola/acara/{event.id}/evaluasi/baru", data={"speaker": "Narasumber 1", "title": "Evaluasi Narasumber"}
    )
    dup = client.post(
        f"/kelola/acara/{event.id}/evaluasi/baru", data={"speaker": "", "title": "Lagi"}, follow_redirects=True
    )
    assert "sudah ada" in dup.text
    assert (
        client.post(f"/kelola/acara/{event.id}/evaluasi/baru", data={"speaker": "Orang lain", "title": "X"}).status_code
        == 400
    )
    event_survey = db.session.query(Survey).filter(Survey.speaker.is_(None)).one()
    assert len(event_survey.items) == 9
    assert event_survey.items[0].text == "Persyaratan" and event_survey.items[8].text == "Sarana dan prasarana"
    speaker_survey = db.session.query(Survey).filter_by(speaker="Narasumber 1").one()
    # Adapt the items to the training.
    client.post(
        f"/kelola/acara/{event.id}/evaluasi/{speaker_survey.id}/ubah",
        data={
            "title": "Evaluasi Narasumber",
            "items": "Penguasaan materi\nCara penyajian\n\nKetepatan waktu",
            "is_open": "y",
        },
    )
    db.session.refresh(speaker_survey)
    assert [i.text for i in speaker_survey.items] == ["Penguasaan materi", "Cara penyajian", "Ketepatan waktu"]


def test_participants_fill_once_and_ikm_is_shown(db, client_as, organiser, make_user, enrol, event):
    survey = surveys.create_survey(event, None, "Evaluasi Penyelenggaraan")
    db.session.commit()
    r1 = [4, 4, 3, 3, 4, 3, 4, 3, 4]
    r2 = [3, 4, 3, 2, 4, 3, 4, 3, 3]
    ana = enrol(event, make_user(name="Ana Rahmawati"))
    budi = enrol(event, make_user(name="Budi Santoso"))
    pending = enrol(event, make_user(), EnrolmentStatus.pending)
    assert _fill(client_as(ana), event, survey, r1, "Ruangannya dingin sekali").status_code == 302
    assert _fill(client_as(budi), event, survey, r2).status_code == 302
    # Twice: refused, once counted.
    again = client_as(ana).get(f"/pelatihan/{event.id}/tes/evaluasi/{survey.id}", follow_redirects=True)
    assert "sudah mengisi" in again.text
    assert _fill(client_as(ana), event, survey, r1).status_code == 302
    assert _fill(client_as(pending), event, survey, r1).status_code == 404
    assert db.session.query(SurveyResponse).count() == 2
    # Missing or out-of-range rating: refused, nothing stored.
    carl = enrol(event, make_user())
    bad = _fill(client_as(carl), event, survey, [5, 4, 3, 3, 4, 3, 4, 3, 4])
    assert bad.status_code == 400 and "1 sampai 4" in bad.text
    assert db.session.query(SurveyResponse).count() == 2
    result = surveys.survey_ikm(survey)
    assert (result.ikm, result.band, result.respondents) == (84.72, "B", 2)
    page = client_as(organiser).get(f"/kelola/acara/{event.id}/evaluasi/{survey.id}/hasil").text
    assert 'id="ikm">84.72<' in page and 'id="band">B<' in page
    assert "Ruangannya dingin sekali" in page
    assert "Ana Rahmawati" not in page and "Budi Santoso" not in page  # anonymous
    assert "84.72" in client_as(organiser).get(f"/kelola/acara/{event.id}/evaluasi").text
    # Pass rule: who filled the event evaluation.
    assert evaluation_filled(event) == {ana.id: True, budi.id: True}
    assert criteria.EVALUATION in criteria.available_criteria()


def test_speaker_survey_does_not_count_as_the_event_evaluation(db, client_as, participant, event):
    survey = surveys.create_survey(event, "Narasumber 1", "Evaluasi Narasumber", ["Penguasaan materi"])
    db.session.commit()
    assert _fill(client_as(participant), event, survey, [4]).status_code == 302
    assert surveys.survey_ikm(survey).ikm == 100.0
    assert evaluation_filled(event) == {}


def test_items_are_locked_once_answered_and_closed_survey_refuses(db, client_as, organiser, participant, event):
    survey = surveys.create_survey(event, None, "Evaluasi")
    db.session.commit()
    _fill(client_as(participant), event, survey, [4] * 9)
    response = client_as(organiser).post(
        f"/kelola/acara/{event.id}/evaluasi/{survey.id}/ubah", data={"title": "Evaluasi", "items": "Satu saja"}
    )
    assert "tidak bisa diubah" in response.text
    db.session.refresh(survey)
    assert len(survey.items) == 9 and survey.is_open
    client_as(organiser).post(
        f"/kelola/acara/{event.id}/evaluasi/{survey.id}/ubah",
        data={"title": "Evaluasi", "items": "\n".join(i.text for i in survey.items)},
    )
    db.session.refresh(survey)
    assert not survey.is_open
    index = client_as(participant).get(f"/pelatihan/{event.id}/tes").text
    assert "Sudah diisi" in index

"""Taking a test: approved participants only, answers saved one by one, the server's deadline, double
submission, attempts limit, stable shuffling, and no answer key in the page."""

import json
import random
import re
import threading
from datetime import timedelta

from sqlalchemy import select

from lms.assessments import operations as ops
from lms.assessments.models import Answer, Attempt, AttemptStatus, QuestionKind
from lms.db import utcnow
from lms.events.models import Enrolment, EnrolmentStatus

from .conftest import answer, correct, start, wrong

CSRF_TOKEN = re.compile(r"[\w-]+\.[\w-]{6}\.[\w-]{27}")  # itsdangerous: payload.timestamp.signature


def _answers(db, attempt):
    return {a.question_id: a for a in db.session.query(Answer).filter_by(attempt_id=attempt.id)}


def test_only_approved_participants_may_take_a_test(client_as, make_user, enrol, event, pre_test):
    pending = enrol(event, make_user(), EnrolmentStatus.pending)
    stranger = make_user()
    for user in (pending, stranger):
        client = client_as(user)
        assert client.get(f"/pelatihan/{event.id}/tes").status_code == 404
        assert client.post(f"/pelatihan/{event.id}/tes/{pre_test.id}/mulai").status_code == 404


def test_take_page_never_contains_the_answer_key(db, client_as, participant, event, pre_test, bank):
    client = client_as(participant)
    attempt = start(client, event, pre_test)
    page = client.get(f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}")
    html = page.text
    assert page.status_code == 200
    assert "Ibu kota Banten?" in html and "Serang" in html and "Cilegon" in html
    assert "is_correct" not in html and "kunci" not in html.lower()
    assert "Aparatur Sipil Negara" not in html  # the short answer key
    assert 'id="countdown"' in html and "js/countdown.js" in html
    assert "<script>" not in html  # no inline script
    # Every option is rendered the same way: nothing marks the correct ones.
    for o in bank["single"].options:
        assert f'name="q{bank["single"].id}" id="o{o.id}" value="{o.id}" >' in html
    assert page.headers["Cache-Control"] == "no-store"


def test_answers_are_saved_one_by_one_and_kept_on_reload(db, client_as, participant, event, pre_test, bank):
    client = client_as(participant)
    attempt = start(client, event, pre_test)
    single, multiple, short = bank["single"], bank["multiple"], bank["short"]
    response = answer(client, event, attempt, single, correct(single))
    assert response.status_code == 200 and "Tersimpan" in response.text
    answer(client, event, attempt, multiple, correct(multiple))
    answer(client, event, attempt, short, "Aparatur Sipil Negara")
    answer(client, event, attempt, single, wrong(single))  # changed their mind
    saved = _answers(db, attempt)
    assert saved[single.id].option_ids == wrong(single)
    assert sorted(saved[multiple.id].option_ids) == sorted(correct(multiple))
    assert saved[short.id].text == "Aparatur Sipil Negara"
    # Reload (lost connection, new page): the answers are checked/filled in again.
    html = client.get(f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}").text
    assert f'value="{wrong(single)[0]}" checked' in html
    assert f'value="{correct(single)[0]}" >' in html
    assert ">Aparatur Sipil Negara</textarea>" in html
    # Starting again resumes the same attempt.
    assert start(client, event, pre_test).id == attempt.id


def test_plain_form_submit_saves_and_scores(db, client_as, participant, event, pre_test, bank):
    client = client_as(participant)
    attempt = start(client, event, pre_test)
    data = {"shown": [q.id for q in bank.values()]}
    data[f"q{bank['single'].id}"] = correct(bank["single"])
    data[f"q{bank['multiple'].id}"] = correct(bank["multiple"])
    data[f"q{bank['true_false'].id}"] = wrong(bank["true_false"])
    data[f"q{bank['short'].id}"] = "ASN itu pegawai"
    response = client.post(f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}/kirim", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/hasil")
    db.session.refresh(attempt)
    assert attempt.status is AttemptStatus.submitted
    assert attempt.score == 50.0  # 2 + 1 of 6 points; the short answer waits for grading
    assert attempt.needs_grading
    result = client.get(response.headers["Location"]).text
    assert "50.00" in result and "menunggu penilaian" in result
    assert "Serang" not in result  # no review unless the organiser allows it


def test_submission_sent_twice_counts_once(db, client_as, participant, event, pre_test, bank):
    client = client_as(participant)
    attempt = start(client, event, pre_test)
    answer(client, event, attempt, bank["single"], correct(bank["single"]))
    url = f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}/kirim"
    assert client.post(url).status_code == 302
    db.session.refresh(attempt)
    first = (attempt.submitted_at, attempt.score)
    # The second identical submission, carrying a different answer, changes nothing.
    data = {"shown": [bank["single"].id], f"q{bank['single'].id}": wrong(bank["single"])}
    assert client.post(url, data=data).status_code == 302
    db.session.refresh(attempt)
    assert (attempt.submitted_at, attempt.score) == first
    assert db.session.query(Attempt).count() == 1
    assert _answers(db, attempt)[bank["single"].id].option_ids == correct(bank["single"])
    # Answers after closing are refused.
    response = answer(client, event, attempt, bank["single"], wrong(bank["single"]))
    assert "ditutup" in response.text
    assert ops.submit_attempt(attempt, utcnow()) is False


def test_answers_after_the_deadline_are_not_counted(db, client_as, participant, event, pre_test, bank):
    client = client_as(participant)
    attempt = start(client, event, pre_test)
    assert attempt.deadline == attempt.started_at + timedelta(minutes=30)
    answer(client, event, attempt, bank["single"], correct(bank["single"]))
    attempt.deadline = utcnow() - timedelta(seconds=1)  # time is up
    db.session.commit()
    response = answer(client, event, attempt, bank["true_false"], correct(bank["true_false"]))
    assert "habis" in response.text and response.headers["HX-Refresh"] == "true"  # the page reloads to the result
    # A late plain submission with more answers: only what was saved in time counts.
    data = {"shown": [bank["multiple"].id], f"q{bank['multiple'].id}": correct(bank["multiple"])}
    client.post(f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}/kirim", data=data)
    db.session.refresh(attempt)
    assert attempt.status is AttemptStatus.submitted
    assert set(_answers(db, attempt)) == {bank["single"].id}
    assert attempt.score == round(100 * 2 / 6, 2)
    assert attempt.submitted_at == attempt.deadline


def test_expired_attempt_is_closed_when_the_page_is_opened(db, client_as, participant, event, pre_test, bank):
    client = client_as(participant)
    attempt = start(client, event, pre_test)
    answer(client, event, attempt, bank["single"], correct(bank["single"]))
    attempt.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/hasil")
    db.session.refresh(attempt)
    assert attempt.status is AttemptStatus.submitted and attempt.score == 33.33


def test_attempts_limit(db, client_as, participant, event, make_test):
    test = make_test(max_attempts=2)
    client = client_as(participant)
    for number in (1, 2):
        attempt = start(client, event, test)
        assert attempt.number == number
        client.post(f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}/kirim")
    response = client.post(f"/pelatihan/{event.id}/tes/{test.id}/mulai", follow_redirects=True)
    assert "Batas jumlah percobaan sudah tercapai." in response.text
    assert db.session.query(Attempt).count() == 2


def test_test_window(db, client_as, participant, event, make_test):
    test = make_test(opens_at=utcnow() + timedelta(hours=1))
    response = client_as(participant).post(f"/pelatihan/{event.id}/tes/{test.id}/mulai", follow_redirects=True)
    assert "Tes ini sedang tidak dibuka." in response.text
    assert db.session.query(Attempt).count() == 0


def test_closing_time_caps_the_deadline(db, client_as, participant, event, make_test):
    closes = utcnow().replace(microsecond=0) + timedelta(minutes=10)
    test = make_test(time_limit_minutes=60, closes_at=closes)
    attempt = start(client_as(participant), event, test)
    assert attempt.deadline == closes


def test_shuffle_is_stable_within_an_attempt(db, client_as, make_user, enrol, event, bank, make_test):
    extra = [
        ops.create_question(event, QuestionKind.single, f"Soal tambahan {i}", 1, [(f"A{i}", True), (f"B{i}", False)])
        for i in range(8)
    ]
    db.session.commit()
    test = make_test(questions=list(bank.values()) + extra, shuffle_questions=True, shuffle_options=True)
    orders = set()
    for _ in range(4):
        user = enrol(event, make_user())
        client = client_as(user)
        attempt = start(client, event, test)
        pages = [client.get(f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}").text for _ in range(2)]
        # Same order on every reload. The CSRF token carries a signing timestamp, so two loads
        # a second apart differ there; everything else must be identical.
        assert CSRF_TOKEN.search(pages[0]) and CSRF_TOKEN.sub("", pages[0]) == CSRF_TOKEN.sub("", pages[1])
        order = json.loads(attempt.order_json)
        positions = [pages[0].index(f"Soal tambahan {i}") for i in range(8)]
        expected = [q for q in order["questions"] if q in {e.id for e in extra}]
        assert [extra[i].id for i in sorted(range(8), key=lambda i: positions[i])] == expected
        orders.add(tuple(order["questions"]))
    assert len(orders) > 1  # 12! orders: four participants do not all get the same one


def test_shuffle_uses_the_given_random_source(db, participant, event, make_test):
    test = make_test(shuffle_questions=True)
    attempt = ops.start_attempt(test, participant, utcnow(), rng=random.Random(7))
    ids = [q.id for q in test.questions]
    random.Random(7).shuffle(ids)
    assert attempt.order["questions"] == ids


def test_one_question_per_page(db, client_as, participant, event, make_test, bank):
    test = make_test(one_per_page=True)
    client = client_as(participant)
    attempt = start(client, event, test)
    first = client.get(f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}").text
    assert "Ibu kota Banten?" in first and "NIP terdiri" not in first
    data = {"shown": [bank["single"].id], f"q{bank['single'].id}": correct(bank["single"]), "goto": 2}
    response = client.post(f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}/simpan", data=data)
    assert response.headers["Location"].endswith("no=2")
    second = client.get(response.headers["Location"]).text
    assert "Mana yang termasuk data pribadi?" in second and "Ibu kota Banten?" not in second
    assert _answers(db, attempt)[bank["single"].id].option_ids == correct(bank["single"])


def test_someone_elses_attempt_is_404(db, client_as, participant, make_user, enrol, event, pre_test):
    attempt = start(client_as(participant), event, pre_test)
    other = client_as(enrol(event, make_user()))
    assert other.get(f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}").status_code == 404
    assert other.post(f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}/kirim").status_code == 404


def test_an_attempt_is_found_only_under_its_own_event_and_while_approved(
    db, client_as, participant, make_event, enrol, event, pre_test, bank
):
    client = client_as(participant)
    attempt = start(client, event, pre_test)
    other_event = make_event(title="Acara Lain")
    enrol(other_event, participant)
    single = bank["single"]
    url = f"/pelatihan/{other_event.id}/tes/percobaan/{attempt.id}"
    assert client.get(url).status_code == 404  # his attempt, under an event it does not belong to
    assert client.post(url + "/jawab", data={"question_id": single.id}).status_code == 404
    own = f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}/jawab"
    outside = ops.create_question(event, QuestionKind.single, "Soal di luar tes", 1, [("Ya", True), ("Tidak", False)])
    db.session.commit()
    for question_id in (outside.id, 0, 10**9, "x"):  # a question of the event but not of this test, none, junk
        assert client.post(own, data={"question_id": question_id, f"q{question_id}": "1"}).status_code == 404
    enrolment = db.session.execute(
        select(Enrolment).where(Enrolment.event_id == event.id, Enrolment.user_id == participant.id)
    ).scalar_one()
    enrolment.status = EnrolmentStatus.withdrawn
    db.session.commit()
    assert answer(client, event, attempt, single, correct(single)).status_code == 404
    assert _answers(db, attempt) == {}


def test_saving_an_answer_reads_once_and_writes_once(db, client_as, participant, event, pre_test, bank, count_queries):
    client = client_as(participant)
    attempt = start(client, event, pre_test)
    single = bank["single"]
    answer(client, event, attempt, single, wrong(single))
    url = f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}/jawab"
    data = {"question_id": single.id, f"q{single.id}": correct(single)}
    with count_queries() as counted:
        assert client.post(url, data=data, headers={"HX-Request": "true"}).status_code == 200
    statements = [s.split()[0].upper() for s in counted.statements]
    # the user; his attempt with its test and event and the question with its options (one join); one upsert
    assert statements == ["SELECT", "SELECT", "INSERT"], counted.statements
    assert "ON CONFLICT" in counted.statements[-1]
    assert _answers(db, attempt)[single.id].option_ids == correct(single)


def test_the_same_answer_saved_twice_at_once_is_stored_once(app, db, login, participant, event, pre_test, bank):
    attempt = start(login(app.test_client(), participant), event, pre_test)
    single = bank["single"]
    clients = [login(app.test_client(), participant) for _ in range(4)]
    url = f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}/jawab"
    question_id = single.id
    barrier = threading.Barrier(len(clients))
    codes, errors = [], []

    def worker(client, values) -> None:
        try:
            barrier.wait()
            data = {"question_id": question_id, f"q{question_id}": values}
            codes.append(client.post(url, data=data, headers={"HX-Request": "true"}).status_code)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    choices = [correct(single), wrong(single)] * 2
    threads = [threading.Thread(target=worker, args=(c, v)) for c, v in zip(clients, choices, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and codes == [200] * 4
    db.session.expire_all()
    rows = db.session.execute(select(Answer).where(Answer.attempt_id == attempt.id)).scalars().all()
    assert len(rows) == 1 and rows[0].option_ids in (correct(single), wrong(single))


def test_review_after_closing_when_allowed(db, client_as, participant, event, make_test, bank):
    test = make_test(show_review=True)
    client = client_as(participant)
    attempt = start(client, event, test)
    response = client.post(f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}/kirim", follow_redirects=True)
    assert "Pembahasan" in response.text and "(kunci)" in response.text

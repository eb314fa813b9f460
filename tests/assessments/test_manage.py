"""The organiser's side: question bank, tests, results with grading and reopening, the pre/post report,
item analysis and the pass-rule providers."""

import re

from lms.assessments import operations as ops
from lms.assessments.models import Assessment, AssessmentKind, Attempt, AttemptStatus, Question, QuestionKind
from lms.assessments.queries import gain_report, item_analysis, post_test_scores
from lms.auth.models import Role
from lms.certificates import criteria
from lms.db import utcnow

from .conftest import answer, correct, start, wrong


def test_organiser_creates_edits_and_deletes_questions(db, client_as, organiser, event):
    client = client_as(organiser)
    base = f"/kelola/acara/{event.id}/tes/soal"
    response = client.post(
        base + "/baru", data={"kind": "single", "text": "Apa itu SIASN?", "points": 3, "options": "*Sistem\nSapi"}
    )
    assert response.status_code == 302
    question = db.session.query(Question).one()
    assert (question.kind, question.points, [(o.text, o.is_correct) for o in question.options]) == (
        QuestionKind.single,
        3,
        [("Sistem", True), ("Sapi", False)],
    )
    client.post(
        base + "/baru", data={"kind": "true_false", "text": "Benar?", "points": 1, "true_false_answer": "false"}
    )
    tf = db.session.query(Question).filter_by(kind=QuestionKind.true_false).one()
    assert [(o.text, o.is_correct) for o in tf.options] == [("Benar", False), ("Salah", True)]
    # Invalid: two correct answers for single choice; no option for multiple.
    bad = client.post(base + "/baru", data={"kind": "single", "text": "X", "points": 1, "options": "*A\n*B"})
    assert bad.status_code == 200 and "tepat satu jawaban benar" in bad.text
    bad = client.post(base + "/baru", data={"kind": "multiple", "text": "X", "points": 1, "options": "A"})
    assert "sedikitnya dua pilihan" in bad.text
    assert db.session.query(Question).count() == 2
    page = client.get(base)
    assert "Apa itu SIASN?" in page.text and "(kunci)" in page.text
    assert "Apa itu SIASN?" not in client.get(base + "?jenis=true_false").text
    edit = client.get(f"{base}/{question.id}/ubah")
    assert "*Sistem\nSapi" in edit.text
    client.post(
        f"{base}/{question.id}/ubah",
        data={"kind": "multiple", "text": "Apa itu SIASN? (ubah)", "points": 2, "options": "*Sistem\n*Aplikasi\nSapi"},
    )
    db.session.refresh(question)
    assert question.kind is QuestionKind.multiple and len(question.correct_ids) == 2
    question_id = question.id
    client.post(f"{base}/{question_id}/hapus")
    db.session.expunge_all()
    assert db.session.get(Question, question_id) is None


def test_answered_question_cannot_be_deleted_or_rekeyed(db, client_as, organiser, participant, event, pre_test, bank):
    attempt = start(client_as(participant), event, pre_test)
    answer(client_as(participant), event, attempt, bank["single"], correct(bank["single"]))
    client = client_as(organiser)
    response = client.post(f"/kelola/acara/{event.id}/tes/soal/{bank['single'].id}/hapus", follow_redirects=True)
    assert "tidak bisa dihapus" in response.text
    assert db.session.get(Question, bank["single"].id) is not None


def test_other_organisers_get_404(client_as, make_user, event, pre_test, bank):
    other = client_as(make_user(Role.organiser))
    for url in (
        f"/kelola/acara/{event.id}/tes",
        f"/kelola/acara/{event.id}/tes/soal",
        f"/kelola/acara/{event.id}/tes/{pre_test.id}/hasil",
        f"/kelola/acara/{event.id}/tes/laporan",
        f"/kelola/acara/{event.id}/evaluasi",
    ):
        assert other.get(url).status_code == 404, url
    assert client_as(make_user()).get(f"/kelola/acara/{event.id}/tes").status_code == 403


def test_organiser_creates_pre_test_and_post_test_reusing_its_questions(db, client_as, organiser, event, bank):
    client = client_as(organiser)
    data = {
        "kind": "pre",
        "title": "Pre-test Literasi",
        "opens_at": "2026-11-22T08:00",
        "time_limit_minutes": 20,
        "max_attempts": 1,
        "passing_grade": "70",
        "shuffle_questions": "y",
        "question_ids": [bank["single"].id, bank["true_false"].id],
    }
    assert client.post(f"/kelola/acara/{event.id}/tes/baru", data=data).status_code == 302
    pre = db.session.query(Assessment).one()
    assert pre.opens_at.hour == 1  # 08.00 WIB is 01.00 UTC
    assert {q.id for q in pre.questions} == {bank["single"].id, bank["true_false"].id}
    form = client.get(f"/kelola/acara/{event.id}/tes/baru?dari={pre.id}").text
    assert f'name="question_ids" type="checkbox" value="{bank["single"].id}"' in form
    checked = re.findall(
        r"<input checked class=\"form-check-input\" id=\"question_ids-\d+\" name=\"question_ids\" "
        r"type=\"checkbox\" value=\"(\d+)\"",
        form,
    )
    assert sorted(map(int, checked)) == sorted([bank["single"].id, bank["true_false"].id])
    assert 'value="post" selected' in form or 'selected value="post"' in form
    data.update(kind="post", title="Post-test Literasi")
    client.post(f"/kelola/acara/{event.id}/tes/baru", data=data)
    post = db.session.query(Assessment).filter_by(kind=AssessmentKind.post).one()
    assert {q.id for q in post.questions} == {q.id for q in pre.questions}
    assert "Post-test Literasi" in client.get(f"/kelola/acara/{event.id}/tes").text


def test_questions_of_another_event_are_refused(db, make_event, organiser, event, bank):
    other = make_event(organisers=[organiser])
    foreign = ops.create_question(other, QuestionKind.short, "Asing", 1, [])
    try:
        ops.save_assessment(Assessment(event_id=event.id), [foreign], kind=AssessmentKind.quiz, title="Kuis")
    except ops.OperationError:
        db.session.rollback()
    else:
        raise AssertionError("accepted a question of another event")


def test_organiser_grades_short_answers_and_reopens(db, client_as, organiser, participant, event, pre_test, bank):
    pclient = client_as(participant)
    attempt = start(pclient, event, pre_test)
    answer(pclient, event, attempt, bank["single"], correct(bank["single"]))
    answer(pclient, event, attempt, bank["short"], "Aparatur Sipil Negara")
    pclient.post(f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}/kirim")
    db.session.refresh(attempt)
    assert attempt.score == 33.33 and attempt.needs_grading
    client = client_as(organiser)
    results = client.get(f"/kelola/acara/{event.id}/tes/{pre_test.id}/hasil").text
    assert participant.name in results and "33.33" in results and "Perlu dinilai" in results
    base = f"/kelola/acara/{event.id}/tes/{pre_test.id}/percobaan/{attempt.id}"
    detail = client.get(base).text
    assert "Aparatur Sipil Negara" in detail
    assert (
        client.post(f"{base}/nilai/{bank['short'].id}", data={"points": "3"}, follow_redirects=True).status_code == 200
    )
    db.session.refresh(attempt)
    assert attempt.needs_grading  # 3 > 2 points: refused
    client.post(f"{base}/nilai/{bank['short'].id}", data={"points": "2"})
    db.session.refresh(attempt)
    assert attempt.score == 66.67 and not attempt.needs_grading
    # Reopen: the participant may answer again, with a fresh time limit.
    client.post(f"{base}/buka-kembali")
    db.session.refresh(attempt)
    assert attempt.status is AttemptStatus.open and attempt.score is None and attempt.deadline > utcnow()
    answer(pclient, event, attempt, bank["true_false"], correct(bank["true_false"]))
    pclient.post(f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}/kirim")
    db.session.refresh(attempt)
    assert (
        attempt.status is AttemptStatus.submitted and attempt.score == 83.33
    )  # the graded short answer keeps its points
    assert db.session.query(Attempt).count() == 1


def _take(db, user, test, picks, now=None):
    """Start and submit an attempt directly, answering {question: option_ids}."""
    now = now or utcnow()
    attempt = ops.start_attempt(test, user, now)
    for q, ids in picks.items():
        ops.save_answer(attempt, q, ids, None, now)
    ops.submit_attempt(attempt, now)
    db.session.commit()
    return attempt


def test_gain_report_with_a_perfect_pre_test(db, client_as, organiser, make_user, enrol, event, bank, make_test):
    objective = [bank["single"], bank["multiple"], bank["true_false"]]  # 2 + 1 + 1 points
    pre = make_test(AssessmentKind.pre, questions=objective)
    post = make_test(AssessmentKind.post, questions=objective)
    s, m, t = objective
    ana = enrol(event, make_user(name="Ana"))
    budi = enrol(event, make_user(name="Budi"))
    citra = enrol(event, make_user(name="Citra"))
    enrol(event, make_user(name="Dedi"))  # took nothing
    _take(db, ana, pre, {s: wrong(s), m: correct(m)})  # 25
    _take(db, ana, post, {s: correct(s), m: correct(m)})  # 75
    _take(db, budi, pre, {s: correct(s), m: correct(m), t: correct(t)})  # 100: perfect pre-test
    _take(db, budi, post, {s: correct(s), m: correct(m), t: correct(t)})  # 100
    _take(db, citra, pre, {t: correct(t)})  # 25
    _take(db, citra, post, {s: correct(s)})  # 50
    report = gain_report(event)
    rows = {r.user.name: r for r in report.rows}
    assert (rows["Ana"].pre, rows["Ana"].post, rows["Ana"].gain) == (25.0, 75.0, 50.0)
    assert rows["Ana"].g == 50 / 75
    assert rows["Budi"].g is None and rows["Budi"].gain == 0.0
    assert rows["Citra"].g == 25 / 75
    assert rows["Dedi"].pre is None and rows["Dedi"].passed is None
    assert report.mean_g == (50 / 75 + 25 / 75) / 2  # Budi excluded
    assert [rows[n].passed for n in ("Ana", "Budi", "Citra")] == [True, True, False]
    page = client_as(organiser).get(f"/kelola/acara/{event.id}/tes/laporan").text
    assert f'id="g-{budi.id}">—<' in page  # Budi's g is undefined
    assert f'id="g-{ana.id}">0.67<' in page
    assert f'id="mean-g">{(50 / 75 + 25 / 75) / 2:.2f}<' in page
    # Pass-rule provider: best post-test score per participant.
    assert post_test_scores(event) == {ana.id: 75.0, budi.id: 100.0, citra.id: 50.0}
    assert criteria.POST_TEST in criteria.available_criteria()


def test_item_analysis(db, client_as, organiser, make_user, enrol, event, bank, make_test):
    s, m, t = bank["single"], bank["multiple"], bank["true_false"]
    test = make_test(AssessmentKind.post, questions=[s, m, t])
    users = [enrol(event, make_user()) for _ in range(4)]
    _take(db, users[0], test, {s: correct(s), m: correct(m), t: correct(t)})  # 100
    _take(db, users[1], test, {s: correct(s), m: correct(m), t: wrong(t)})  # 75
    _take(db, users[2], test, {s: wrong(s), m: correct(m), t: correct(t)})  # 50
    _take(db, users[3], test, {s: wrong(s), m: wrong(m), t: wrong(t)})  # 0
    stats = {st.question.id: st for st in item_analysis(test)}
    assert stats[s.id].correct_share == 0.5 and stats[s.id].discrimination == 1.0  # n = round(1.08) = 1
    assert stats[m.id].correct_share == 0.75
    assert stats[t.id].discrimination == 1.0
    page = client_as(organiser).get(f"/kelola/acara/{event.id}/tes/{test.id}/hasil").text
    assert "Analisis butir soal" in page and "50%" in page and "75%" in page


def test_results_report_and_submit_queries_do_not_grow(
    db, client_as, organiser, make_user, enrol, event, bank, make_test, count_queries
):
    s, m, t = bank["single"], bank["multiple"], bank["true_false"]
    test = make_test(AssessmentKind.post, questions=[s, m, t])
    client = client_as(organiser)
    urls = [
        f"/kelola/acara/{event.id}/tes/{test.id}/hasil",
        f"/kelola/acara/{event.id}/tes/laporan",
        f"/kelola/acara/{event.id}/tes",
    ]

    def measure() -> list[int]:
        counts = []
        for url in urls:
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            counts.append(counter.count)
        return counts

    _take(db, enrol(event, make_user()), test, {s: correct(s)})
    few = measure()
    for _ in range(6):
        _take(db, enrol(event, make_user()), test, {s: correct(s), m: wrong(m), t: correct(t)})
    assert measure() == few


def test_submission_queries_do_not_grow_with_questions(db, client_as, participant, event, make_test, count_queries):
    def submit_with(n: int) -> int:
        questions = [
            ops.create_question(event, QuestionKind.single, f"Soal {n}-{i}", 1, [("A", True), ("B", False)])
            for i in range(n)
        ]
        db.session.commit()
        test = make_test(AssessmentKind.quiz, questions=questions)
        client = client_as(participant)
        attempt = start(client, event, test)
        data = {"shown": [q.id for q in questions]} | {f"q{q.id}": correct(q) for q in questions}
        with count_queries() as counter:
            assert client.post(f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}/kirim", data=data).status_code == 302
        db.session.refresh(attempt)
        assert attempt.score == 100.0
        return counter.count

    few = submit_with(3)
    many = submit_with(12)
    # PostgreSQL: the same count (one batched INSERT); SQLite: at most one INSERT per extra answer.
    assert many <= few + 9

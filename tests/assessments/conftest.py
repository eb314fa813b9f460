"""Assessment fixtures: a running event with its organiser, approved participants, a question bank of every
kind and a pre-test over it."""

import re

import pytest

from lms.assessments import operations as ops
from lms.assessments.models import Assessment, AssessmentKind, Attempt, QuestionKind
from lms.auth.models import Role
from lms.events.models import Enrolment, EnrolmentSource, EnrolmentStatus, EventStatus


@pytest.fixture
def organiser(make_user):
    return make_user(Role.organiser, name="Dra. Nurhayati, M.Si.")


@pytest.fixture
def event(make_event, organiser):
    return make_event(organisers=[organiser], sessions=2, status=EventStatus.running, title="Bimtek Literasi Digital")


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
def bank(db, event):
    """Four questions, one of each kind: single (2 pts), multiple, true/false, short (2 pts)."""
    single = ops.create_question(
        event, QuestionKind.single, "Ibu kota Banten?", 2, [("Serang", True), ("Cilegon", False), ("Tangerang", False)]
    )
    multiple = ops.create_question(
        event,
        QuestionKind.multiple,
        "Mana yang termasuk data pribadi?",
        1,
        [("NIK", True), ("Nama jalan umum", False), ("Nomor HP", True)],
    )
    true_false = ops.create_question(
        event, QuestionKind.true_false, "NIP terdiri dari 18 digit.", 1, ops.true_false_options(True)
    )
    short = ops.create_question(event, QuestionKind.short, "Sebutkan singkatan ASN.", 2, [], "Aparatur Sipil Negara")
    db.session.commit()
    return {"single": single, "multiple": multiple, "true_false": true_false, "short": short}


@pytest.fixture
def make_test(db, event, bank):
    def factory(kind=AssessmentKind.pre, questions=None, **fields):
        fields.setdefault("title", {"pre": "Pre-test", "post": "Post-test", "quiz": "Kuis"}[kind.value])
        fields.setdefault("max_attempts", 1)
        fields.setdefault("passing_grade", 70)
        test = ops.save_assessment(Assessment(event_id=event.id), questions or list(bank.values()), kind=kind, **fields)
        db.session.commit()
        return test

    return factory


@pytest.fixture
def pre_test(make_test):
    return make_test(time_limit_minutes=30)


def correct(question) -> list[int]:
    return [o.id for o in question.options if o.is_correct]


def wrong(question) -> list[int]:
    return [next(o.id for o in question.options if not o.is_correct)]


def start(client, event, test) -> Attempt:
    from lms.extensions import db

    response = client.post(f"/pelatihan/{event.id}/tes/{test.id}/mulai")
    assert response.status_code == 302, response.text
    attempt_id = int(re.search(r"/percobaan/(\d+)", response.headers["Location"]).group(1))
    return db.session.get(Attempt, attempt_id)


def answer(client, event, attempt, question, values, htmx=True):
    data = {"question_id": question.id, f"q{question.id}": values}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/pelatihan/{event.id}/tes/percobaan/{attempt.id}/jawab", data=data, headers=headers)

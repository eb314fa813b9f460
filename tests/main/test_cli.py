"""The demo data that `make run` loads, through the real CLI command."""

from sqlalchemy import func, select

from lms.auth.models import Role, User
from lms.demo import DEMO_LOGINS, DEMO_PASSWORD
from lms.events.models import Agency, Enrolment, EnrolmentStatus, Event, EventStatus


def test_seed_demo_builds_a_realistic_bpsdmd(app, db):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    for _role, login, password in DEMO_LOGINS:
        assert login in result.output
        assert password in result.output

    event = db.session.execute(
        select(Event).where(Event.title == "Bimtek Pengelolaan Media Sosial Pemerintah")
    ).scalar_one()
    assert event.status is EventStatus.open
    assert len(event.sessions) == 3
    assert event.total_jp == sum(s.jp for s in event.sessions) == 12
    assert event.organisers and event.organisers[0].role is Role.organiser
    assert event.organiser_agency.short_name == "BPSDMD"
    assert event.organiser_agency.parent.name == "Pemerintah Provinsi Banten"

    participants = db.session.execute(select(User).where(User.role == Role.participant)).scalars().all()
    assert len(participants) == 30
    assert all(p.nip and len(p.nip) == 18 for p in participants)
    assert len({p.agency_id for p in participants}) >= 4
    counts = dict(
        db.session.execute(
            select(Enrolment.status, func.count()).where(Enrolment.event_id == event.id).group_by(Enrolment.status)
        ).all()
    )
    assert counts == {EnrolmentStatus.approved: 20, EnrolmentStatus.pending: 10}
    assert db.session.execute(select(func.count(Agency.id))).scalar_one() >= 6

    for _role, login, _password in DEMO_LOGINS:
        user = db.session.execute(select(User).where(User.email == login)).scalar_one()
        assert user.check_password(DEMO_PASSWORD)


def test_seed_demo_if_empty_does_not_duplicate(app, db):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0
    second = runner.invoke(args=["seed-demo", "--if-empty"])
    assert second.exit_code == 0
    assert "tidak dimuat ulang" in second.output
    assert db.session.execute(select(func.count(Event.id))).scalar_one() == 4


def test_demo_nips_are_structurally_valid():
    from lms.auth.identity import validate_nip
    from lms.demo import demo_nip

    for i in range(30):
        assert validate_nip(demo_nip(i, female=i % 2 == 1)) == demo_nip(i, female=i % 2 == 1)

"""A small world of civil servants across events of 2025 and 2026, with known JP and certificates."""

from datetime import date, timedelta

import pytest

from lms.auth.models import Role
from lms.certificates.models import Certificate, CertificateKind
from lms.db import utcnow
from lms.events.models import Enrolment, EnrolmentStatus, EventStatus


@pytest.fixture
def people_world(db, make_agency, make_user, make_event):
    province = make_agency("Pemerintah Provinsi Uji")
    bpsdmd = make_agency("BPSDMD", parent=province)
    office = make_agency("Dinas Kominfo", parent=province)
    unit = make_agency("UPT Data", parent=office)
    other = make_agency("Dinas Sosial", parent=province)
    officer = make_user(Role.agency_officer, agency=office, name="Petugas Kominfo")
    other_officer = make_user(Role.agency_officer, agency=other, name="Petugas Dinsos")
    admin = make_user(Role.admin, agency=bpsdmd)
    ani = make_user(agency=office, name="Ani Lengkap", position="Analis", rank="III/b")
    budi = make_user(agency=unit, name="Budi Kurang")
    citra = make_user(agency=other, name="Citra Dinsos")

    def event(title, start, jp_sessions, status=EventStatus.finished):
        made = make_event(
            title=title,
            sessions=jp_sessions,
            organiser_agency=bpsdmd,
            start_date=start,
            end_date=start + timedelta(days=2),
            status=status,
        )
        return made  # each session carries 4 JP

    first = event("Bimtek Satu Data", date(2026, 3, 2), 3)  # 12 JP
    second = event("Pelatihan Keamanan Siber", date(2026, 6, 1), 2)  # 8 JP
    old = event("Bimtek Lama", date(2025, 5, 5), 5)  # 20 JP, other year
    upcoming = event("Bimtek Nanti", date(2026, 11, 2), 2, status=EventStatus.open)  # not followed yet

    def enrol(user, ev, status=EnrolmentStatus.approved):
        db.session.add(Enrolment(event=ev, user=user, status=status))

    def certify(user, ev, jp, number, revoked=False):
        db.session.add(
            Certificate(
                event=ev,
                user=user,
                kind=CertificateKind.completion,
                number=number,
                holder_name=user.name,
                holder_nip=user.nip,
                holder_agency=user.agency.name,
                total_jp=jp,
                issue_date=ev.end_date,
                revoked_at=utcnow() if revoked else None,
            )
        )

    for ev in (first, second, old, upcoming):
        enrol(ani, ev)
    certify(ani, first, 12, "800/0001/BPSDMD/2026")
    certify(ani, second, 8, "800/0002/BPSDMD/2026")
    certify(ani, old, 20, "800/0009/BPSDMD/2025")
    enrol(budi, first)
    enrol(budi, second, EnrolmentStatus.pending)
    certify(budi, first, 12, "800/0003/BPSDMD/2026")
    certify(budi, second, 8, "800/0004/BPSDMD/2026", revoked=True)
    enrol(citra, first)
    certify(citra, first, 12, "800/0005/BPSDMD/2026")
    db.session.commit()
    return {
        "agencies": {"province": province, "office": office, "unit": unit, "other": other},
        "users": {
            "officer": officer,
            "other_officer": other_officer,
            "admin": admin,
            "ani": ani,
            "budi": budi,
            "citra": citra,
        },
        "events": {"first": first, "second": second, "old": old, "upcoming": upcoming},
    }

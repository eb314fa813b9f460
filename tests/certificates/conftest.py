"""Fixtures of the certificate tests: an event with approved participants and settings, fake criterion providers."""

from datetime import date

import pytest

from lms.auth.models import Role
from lms.certificates import criteria
from lms.certificates.models import CertificateSettings
from lms.events.models import Enrolment, EnrolmentStatus


@pytest.fixture
def providers():
    """Register fake criterion providers for one test: ``providers(name, {user_id: value})``."""
    saved = dict(criteria._PROVIDERS)
    criteria._PROVIDERS.clear()

    def register(name: str, values: dict):
        criteria.register_criterion(name, lambda event: values)

    yield register
    criteria._PROVIDERS.clear()
    criteria._PROVIDERS.update(saved)


@pytest.fixture
def setup(db, make_agency, make_user, make_event):
    """An organiser, an event (3 sessions of 4 JP) of BPSDMD, ``n`` approved participants and settings."""

    def factory(n: int = 2, organiser_agency=None, **settings_fields):
        agency = organiser_agency or make_agency("Badan Pengembangan SDM Daerah", short_name="BPSDMD")
        organiser = make_user(role=Role.organiser, agency=agency)
        event = make_event(
            organisers=[organiser],
            sessions=3,
            organiser_agency=agency,
            title="Bimtek Transformasi Digital",
            start_date=date(2026, 11, 22),
            end_date=date(2026, 11, 24),
            place="Aula BPSDMD",
        )
        users = [make_user(name=f"Peserta {i + 1}, S.Kom.") for i in range(n)]
        for user in users:
            db.session.add(Enrolment(event_id=event.id, user_id=user.id, status=EnrolmentStatus.approved))
        settings_fields.setdefault("signatory_name", "Dr. H. Ahmad Fauzi, S.Kom., M.T.")
        settings_fields.setdefault("signatory_position", "Kepala BPSDMD")
        settings_fields.setdefault("signatory_nip", "197001012005011001")
        settings_fields.setdefault("issue_date", date(2026, 11, 22))
        db.session.add(CertificateSettings(event_id=event.id, **settings_fields))
        db.session.commit()
        return organiser, event, users

    return factory


@pytest.fixture
def storage_dir(app, tmp_path):
    """Stored files (job results, signed PDFs) in a temporary folder for one test."""
    old = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    yield tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = old

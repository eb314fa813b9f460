"""Number patterns and the yearly sequence: unique, gap-free, never reused, also under concurrency."""

import threading
from datetime import date

import pytest
from sqlalchemy import select

from lms.certificates import operations
from lms.certificates.models import Certificate, NumberSequence
from lms.certificates.numbering import PatternError, next_value, render_number, validate_pattern
from lms.events.operations import OperationError


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("800/{seq:04}/BPSDMD/{year}", "800/0123/BPSDMD/2026"),
        ("{seq}/{roman_month}/{year}", "123/XI/2026"),
        ("SRT-{event_id}-{month}-{year}-{seq:06}", "SRT-42-11-2026-000123"),
        ("{year}.{seq:01}", "2026.123"),
    ],
)
def test_render_number(pattern, expected):
    assert validate_pattern(pattern) == pattern
    assert render_number(pattern, 123, date(2026, 11, 22), 42) == expected


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "wajib diisi"),
        ("800/{seq:04}/BPSDMD", "{year}"),
        ("800/BPSDMD/{year}", "tepat satu kali"),
        ("{seq}/{seq}/{year}", "tepat satu kali"),
        ("{seq}/{tahun}/{year}", "tidak dikenal"),
        ("{seq.__class__}/{year}", "tidak dikenal"),
        ("{seq:4}/{year}", "tidak dikenal"),
        ("{seq}/{year}" + "x" * 200, "terlalu panjang"),
    ],
)
def test_invalid_patterns_explained_in_indonesian(app, pattern, message):
    with app.test_request_context(), pytest.raises(PatternError) as err:
        validate_pattern(pattern)
    assert message in str(err.value)


def test_sequence_per_agency_and_year(db, make_agency):
    a, b = make_agency(), make_agency()
    assert [next_value(a.id, 2026) for _ in range(3)] == [1, 2, 3]
    assert next_value(b.id, 2026) == 1
    assert next_value(a.id, 2027) == 1
    db.session.commit()
    assert next_value(a.id, 2026) == 4


def test_rolled_back_issue_does_not_leave_a_gap(db, make_agency):
    agency = make_agency()
    assert next_value(agency.id, 2026) == 1
    db.session.commit()
    assert next_value(agency.id, 2026) == 2
    db.session.rollback()
    assert next_value(agency.id, 2026) == 2


def _in_threads(app, count: int, work):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        with app.app_context():
            from lms.extensions import db

            try:
                barrier.wait()
                results.append(work())
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_many_threads_get_unique_gap_free_numbers(app, db, make_agency):
    """No sequence row yet: the threads also race to create it."""
    agency = make_agency()
    agency_id = agency.id
    results, errors = _in_threads(app, 12, lambda: next_value(agency_id, 2026))
    assert errors == []
    assert sorted(results) == list(range(1, 13))
    db.session.expire_all()
    row = db.session.execute(select(NumberSequence).where(NumberSequence.agency_id == agency_id)).scalar_one()
    assert row.last_value == 12


def test_two_events_of_one_organiser_issue_at_once(app, db, setup, make_agency):
    """Two organisers press "Terbitkan" at the same moment for two events of the same agency."""
    agency = make_agency("BPSDMD Uji", short_name="BPSDMD")
    events = [setup(n=5, organiser_agency=agency)[:2] for _ in range(2)]
    ids = iter([(o.id, e.id) for o, e in events] * 2)
    lock = threading.Lock()

    def issue():
        from lms.auth.models import User
        from lms.events.models import Event
        from lms.extensions import db as thread_db

        with lock:
            organiser_id, event_id = next(ids)
        event = thread_db.session.get(Event, event_id)
        return len(operations.issue_certificates(event, thread_db.session.get(User, organiser_id)))

    results, errors = _in_threads(app, 4, issue)
    assert [e for e in errors if not isinstance(e, OperationError)] == []
    assert sum(results) == 10  # each event once; the second press of each found nothing left to issue
    db.session.expire_all()
    numbers = db.session.execute(select(Certificate.number)).scalars().all()
    assert sorted(numbers) == [f"800/{n:04d}/BPSDMD/2026" for n in range(1, 11)]

"""The pre/post gain distribution on the dashboard: bins of the normalised gain, scoped to the managed events."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from lms.auth.models import Role
from lms.events.models import Enrolment, EnrolmentStatus, EventStatus
from tests.reports.results_world import add_attempts, make_tests
from tests.reports.test_dashboard import chart_figures

LABELS = ["< 0"] + [f"0,{i}–0,{i + 1}" for i in range(9)] + ["0,9–1,0"]


@pytest.fixture
def gains(db, make_agency, make_user, make_event):
    agency = make_agency("BPSDMD")
    organiser = make_user(Role.organiser, agency=agency)
    other_organiser = make_user(Role.organiser, agency=agency)
    admin = make_user(Role.admin, agency=agency)
    people = [make_user(agency=agency, name=f"Peserta {i}") for i in range(8)]

    def event(start, organisers, scores):
        """``scores``: (person index, pre or None, post or None, enrolment status)."""
        made = make_event(organisers=organisers, start_date=start, end_date=start, status=EventStatus.finished)
        pre, post = make_tests(db, made)
        for index, pre_score, post_score, status in scores:
            db.session.add(Enrolment(event=made, user=people[index], status=status))
            if pre_score is not None:
                add_attempts(db, pre, people[index], pre_score)
            if post_score is not None:
                add_attempts(db, post, people[index], *post_score)
        return made

    approved, pending = EnrolmentStatus.approved, EnrolmentStatus.pending
    event(
        date(2026, 3, 2),
        [organiser],
        [
            (1, 40, (60, 70), approved),  # best post 70: g = 0.5
            (2, 50, (45,), approved),  # g = -0.1
            (3, 100, (100,), approved),  # perfect pre-test: g undefined
            (4, 20, (100,), approved),  # g = 1.0, the last bin
            (5, 60, None, approved),  # no post-test: not counted
            (6, 0, (100,), pending),  # not an approved participant
            (7, 40, (58,), approved),  # g = 18/60 = 0.3 exactly: the 0.3-0.4 bin
        ],
    )
    event(date(2026, 6, 1), [organiser], [(1, 0, (25,), approved)])  # the same person in another event: g = 0.25
    event(date(2025, 6, 1), [organiser], [(1, 0, (95,), approved)])  # another year
    event(date(2026, 7, 1), [other_organiser], [(2, 0, (85,), approved)])  # not his event: g = 0.85
    db.session.commit()
    return {"organiser": organiser, "other": other_organiser, "admin": admin}


def test_gain_chart_figures_for_the_organiser(client_as, gains):
    page = client_as(gains["organiser"]).get("/laporan/dasbor?tahun=2026").get_data(as_text=True)
    figures = chart_figures(page, "gain")
    assert figures["labels"] == LABELS
    assert figures["participants"] == [1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1]
    assert figures["undefined"] == 1
    assert 'id="gain-figures"' in page and "1 peserta dengan pre-test 100 tidak dihitung" in page


def test_gain_chart_figures_for_the_admin_cover_every_event(client_as, gains):
    page = client_as(gains["admin"]).get("/laporan/dasbor?tahun=2026").get_data(as_text=True)
    assert chart_figures(page, "gain")["participants"] == [1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 1]
    older = client_as(gains["admin"]).get("/laporan/dasbor?tahun=2025").get_data(as_text=True)
    assert chart_figures(older, "gain")["participants"] == [0] * 10 + [1]


def test_gain_numbers_download(client_as, gains):
    response = client_as(gains["organiser"]).get("/laporan/dasbor.xlsx?tahun=2026")
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.data))["Sebaran gain"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows.index(("Gain ternormalisasi (g)", "Peserta"))
    assert "1 peserta dengan pre-test 100 tidak dihitung" in rows[header - 2][0]
    assert rows[header + 1 :] == list(zip(LABELS, [1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1], strict=True))
    assert ws.freeze_panes == f"A{header + 2}" and ws.auto_filter.ref


def test_no_scores_yet(client_as, make_user, make_event):
    organiser = make_user(Role.organiser)
    make_event(organisers=[organiser], start_date=date(2030, 1, 6), end_date=date(2030, 1, 7))
    page = client_as(organiser).get("/laporan/dasbor?tahun=2030").get_data(as_text=True)
    assert 'data-chart="gain"' not in page
    assert "Belum ada peserta dengan nilai pre-test dan post-test pada periode ini." in page

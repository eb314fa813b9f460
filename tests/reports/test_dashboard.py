"""The dashboard: figures per event and per agency for the events a user manages, and their .xlsx."""

import json
import re
from html import unescape
from io import BytesIO

from openpyxl import load_workbook

from lms.auth.models import Role


def chart_figures(page: str, name: str) -> dict:
    match = re.search(rf'data-chart="{name}" data-figures="([^"]*)"', page)
    assert match, f"no {name} chart"
    return json.loads(unescape(match.group(1)))


def test_admin_dashboard_figures(client_as, people_world):
    response = client_as(people_world["users"]["admin"]).get("/laporan/dasbor?tahun=2026")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "vendor/chart.js-4.6.1/chart.umd.js" in page and "js/dashboard.js" in page
    events = chart_figures(page, "events")
    # events of 2026: first (ani, budi, citra approved; three valid completions), second (ani approved; budi pending;
    # ani's certificate valid, budi's revoked), the open upcoming one (ani approved, no certificate)
    assert events["labels"] == ["Bimtek Satu Data", "Pelatihan Keamanan Siber", "Bimtek Nanti"]
    assert events["participants"] == [3, 1, 1]
    assert events["passed"] == [3, 1, 0]
    assert events["pass_rate"] == [100.0, 100.0, 0.0]
    agencies = chart_figures(page, "agencies")
    by_name = dict(
        zip(agencies["labels"], zip(agencies["participants"], agencies["certified_jp"], strict=True), strict=True)
    )
    assert by_name == {"Dinas Kominfo": (1, 20), "UPT Data": (1, 12), "Dinas Sosial": (1, 12)}


def test_organiser_sees_only_his_events(client_as, make_user, people_world):
    page = client_as(make_user(Role.organiser)).get("/laporan/dasbor?tahun=2026").get_data(as_text=True)
    assert "Bimtek Satu Data" not in page
    assert "Belum ada acara pada periode ini." in page


def test_dashboard_numbers_download(client_as, people_world):
    response = client_as(people_world["users"]["admin"]).get("/laporan/dasbor.xlsx?tahun=2026")
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.data))
    assert wb.sheetnames == ["Per acara", "Per instansi", "Sebaran gain"]
    rows = [r for r in wb["Per acara"].iter_rows(min_row=4, values_only=True)]
    assert rows[0] == ("Acara", "Peserta diterima", "Lulus (sertifikat)", "Tingkat kelulusan (%)")
    assert rows[1] == ("Bimtek Satu Data", 3, 3, 100)
    agencies = {r[0]: r[1:] for r in wb["Per instansi"].iter_rows(min_row=5, values_only=True)}
    assert agencies["Dinas Kominfo"] == (1, 20)


def test_dashboard_is_for_managers(client_as, people_world):
    assert client_as(people_world["users"]["officer"]).get("/laporan/dasbor").status_code == 403
    assert client_as(people_world["users"]["ani"]).get("/laporan/dasbor.xlsx").status_code == 403

"""Cross-event recap per civil servant: JP against the 20 JP obligation, on screen, .xlsx and SIASN."""

from datetime import date
from io import BytesIO

from openpyxl import load_workbook

from lms.auth.models import Role
from lms.reports.queries import Period, PersonTotals, people_rows
from lms.reports.xlsx import SIASN_HEADERS


def rows_of(ws):
    rows = list(ws.iter_rows())
    start = next(i for i, row in enumerate(rows) if row[0].value in ("No.", "NIP"))
    return [c.value for c in rows[start]], [list(r) for r in rows[start + 1 :]]


def test_totals_per_civil_servant(db, people_world):
    users = people_world["users"]
    totals = {user.id: t for user, t in people_rows(Period.year(2026), None)}
    # approved, running/finished events of 2026: first (12 JP) and second (8 JP); the open event is not counted
    assert totals[users["ani"].id] == PersonTotals(events=2, event_jp=20, certificates=2, certified_jp=20)
    assert not totals[users["ani"].id].below_obligation
    # pending on the second event, its certificate revoked: 12 JP only
    assert totals[users["budi"].id] == PersonTotals(events=1, event_jp=12, certificates=1, certified_jp=12)
    assert totals[users["budi"].id].below_obligation
    assert totals[users["citra"].id].certified_jp == 12
    assert users["officer"].id not in totals  # no NIP: not a civil servant record
    last_year = {user.id: t for user, t in people_rows(Period.year(2025), None)}
    assert last_year[users["ani"].id] == PersonTotals(events=1, event_jp=20, certificates=1, certified_jp=20)
    spring = {u.id: t for u, t in people_rows(Period(date(2026, 1, 1), date(2026, 4, 30)), None)}
    assert spring[users["ani"].id].certified_jp == 12


def test_admin_page_filters_by_agency_subtree_and_obligation(client_as, people_world):
    users, agencies = people_world["users"], people_world["agencies"]
    http = client_as(users["admin"])
    page = http.get("/laporan/asn?tahun=2026").get_data(as_text=True)
    assert "Ani Lengkap" in page and "Budi Kurang" in page and "Citra Dinsos" in page
    page = http.get(f"/laporan/asn?tahun=2026&instansi={agencies['office'].id}").get_data(as_text=True)
    assert "Ani Lengkap" in page and "Budi Kurang" in page and "Citra Dinsos" not in page
    page = http.get("/laporan/asn?tahun=2026&kurang=1").get_data(as_text=True)
    assert "Ani Lengkap" not in page and "Budi Kurang" in page
    page = http.get("/laporan/asn?tahun=2026&q=ani").get_data(as_text=True)
    assert "Ani Lengkap" in page and "Budi Kurang" not in page


def test_admin_pages_are_for_admins_only(client_as, make_user, people_world):
    for user in (people_world["users"]["officer"], make_user(Role.organiser), people_world["users"]["ani"]):
        http = client_as(user)
        assert http.get("/laporan/asn").status_code == 403
        assert http.get("/laporan/asn.xlsx").status_code == 403
        assert http.get("/laporan/siasn.xlsx").status_code == 403


def test_people_xlsx(client_as, people_world):
    users, agencies = people_world["users"], people_world["agencies"]
    response = client_as(users["admin"]).get(f"/laporan/asn.xlsx?tahun=2026&instansi={agencies['office'].id}")
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.data))
    assert wb.sheetnames == ["Rekap ASN", "SIASN"]
    header, rows = rows_of(wb["Rekap ASN"])
    assert header[1:3] == ["NIP", "Nama"] and header[-2:] == ["JP diakui (sertifikat)", "Kurang dari 20 JP"]
    by_nip = {row[1].value: [c.value for c in row] for row in rows}
    assert set(by_nip) == {users["ani"].nip, users["budi"].nip}
    assert all(row[1].data_type == "s" for row in rows)
    assert by_nip[users["ani"].nip][2:] == ["Ani Lengkap", "Dinas Kominfo", "Analis", "III/b", 2, 20, 2, 20, "Tidak"]
    assert by_nip[users["budi"].nip][6:] == [1, 12, 1, 12, "Ya"]


def test_siasn_export_columns(client_as, people_world):
    users = people_world["users"]
    response = client_as(users["admin"]).get("/laporan/siasn.xlsx?dari=2026-01-01&sampai=2026-12-31")
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.data))
    assert wb.sheetnames == ["SIASN"]
    header, rows = rows_of(wb["SIASN"])
    assert tuple(header) == SIASN_HEADERS
    assert header == [
        "NIP",
        "Nama",
        "Nama Kursus/Diklat",
        "Institusi Penyelenggara",
        "Jumlah Jam (JP)",
        "Nomor Sertifikat",
        "Tahun",
        "Tanggal Mulai",
        "Tanggal Selesai",
    ]
    values = [[c.value for c in row] for row in rows]
    # valid certificates of 2026 only: ani x2, budi x1 (the other revoked), citra x1
    assert sorted(v[5] for v in values) == [
        "800/0001/BPSDMD/2026",
        "800/0002/BPSDMD/2026",
        "800/0003/BPSDMD/2026",
        "800/0005/BPSDMD/2026",
    ]
    ani_first = next(v for v in values if v[5] == "800/0001/BPSDMD/2026")
    assert ani_first[:5] == [users["ani"].nip, "Ani Lengkap", "Bimtek Satu Data", "BPSDMD", 12]
    assert ani_first[6] == 2026
    assert ani_first[7].date() == date(2026, 3, 2) and ani_first[8].date() == date(2026, 3, 4)
    assert all(row[0].data_type == "s" for row in rows)

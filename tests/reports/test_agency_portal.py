"""The agency portal: an officer sees his agency and its sub-agencies only; anything else is 404."""

import re
from io import BytesIO

from openpyxl import load_workbook


def test_officer_is_sent_to_the_portal(client_as, people_world):
    response = client_as(people_world["users"]["officer"]).get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/instansi-saya/")


def test_staff_list_shows_his_agency_and_sub_agencies_only(client_as, people_world):
    http = client_as(people_world["users"]["officer"])
    page = http.get("/instansi-saya/?tahun=2026").get_data(as_text=True)
    assert "Ani Lengkap" in page and "Budi Kurang" in page
    assert "Citra Dinsos" not in page
    assert "kurang dari 20 JP" in page
    assert 'href="/instansi/sertifikat"' in page  # certificates of his staff, with the ZIP
    unit = people_world["agencies"]["unit"]
    page = http.get(f"/instansi-saya/?tahun=2026&instansi={unit.id}").get_data(as_text=True)
    assert "Budi Kurang" in page and "Ani Lengkap" not in page


def test_other_agency_is_404(client_as, people_world):
    http = client_as(people_world["users"]["officer"])
    other = people_world["agencies"]["other"]
    province = people_world["agencies"]["province"]
    assert http.get(f"/instansi-saya/?instansi={other.id}").status_code == 404
    assert http.get(f"/instansi-saya/?instansi={province.id}").status_code == 404  # his parent is out of scope
    assert http.get(f"/instansi-saya/rekap.xlsx?instansi={other.id}").status_code == 404
    assert http.get(f"/instansi-saya/pegawai/{people_world['users']['citra'].id}").status_code == 404
    assert http.get("/instansi-saya/pegawai/999999").status_code == 404


def test_person_page_shows_participation_results_and_certificates(client_as, people_world):
    users = people_world["users"]
    http = client_as(users["officer"])
    page = http.get(f"/instansi-saya/pegawai/{users['budi'].id}").get_data(as_text=True)
    assert "Bimtek Satu Data" in page and "800/0003/BPSDMD/2026" in page
    assert "Pelatihan Keamanan Siber" in page  # pending enrolment shown with its status
    assert "800/0004/BPSDMD/2026" not in page  # revoked
    assert "Menunggu persetujuan" in page
    assert re.search(r'href="/instansi/sertifikat/\d+\.pdf"', page)  # the certificate download of his staff
    other = client_as(users["other_officer"])
    assert other.get(f"/instansi-saya/pegawai/{users['budi'].id}").status_code == 404
    assert other.get(f"/instansi-saya/pegawai/{users['citra'].id}").status_code == 200


def test_agency_recap_xlsx(client_as, people_world):
    users = people_world["users"]
    response = client_as(users["officer"]).get("/instansi-saya/rekap.xlsx?tahun=2026")
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.data))
    ws = wb["Rekap ASN"]
    nips = {row[1] for row in ws.iter_rows(min_row=6, values_only=True)}
    assert nips == {users["ani"].nip, users["budi"].nip}
    siasn = {row[5] for row in wb["SIASN"].iter_rows(min_row=2, values_only=True)}
    assert siasn == {"800/0001/BPSDMD/2026", "800/0002/BPSDMD/2026", "800/0003/BPSDMD/2026"}


def test_portal_is_for_agency_officers(client_as, people_world):
    assert client_as(people_world["users"]["admin"]).get("/instansi-saya/").status_code == 403
    assert client_as(people_world["users"]["ani"]).get("/instansi-saya/rekap.xlsx").status_code == 403

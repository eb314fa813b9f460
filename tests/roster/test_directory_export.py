"""The roster export of an event, the participant directory and a person's page."""

from lms.auth.models import Role
from lms.events.models import Enrolment, EnrolmentStatus
from tests.conftest import valid_nip
from tests.roster.conftest import read_xlsx


def enrol(db, event, user, status=EnrolmentStatus.approved):
    db.session.add(Enrolment(event_id=event.id, user_id=user.id, status=status))
    db.session.commit()


def test_roster_export_is_reimportable(db, org_client, event, make_event, organiser, make_agency, make_user, upload):
    agency = make_agency("Dinas Sosial", short_name="Dinsos")
    ahmad = make_user(
        name="Dr. H. Ahmad Fauzi, S.Kom., M.T.",
        nip="198507152010011003",
        agency=agency,
        phone="+6281234567890",
        rank="III/c",
    )
    dewi = make_user(name="=Dewi", nip=None, nik="3201014507850012", agency=agency)
    enrol(db, event, ahmad)
    enrol(db, event, dewi, EnrolmentStatus.pending)
    response = org_client.get(f"/kelola/acara/{event.id}/peserta.xlsx")
    assert response.status_code == 200
    rows = read_xlsx(response.data)
    assert rows[0][0] == event.title
    header = rows[3]
    assert header[:4] == ("No", "Nama", "NIP", "NIK")
    body = {row[1]: row for row in rows[4:]}
    assert body["Dr. H. Ahmad Fauzi, S.Kom., M.T."][2] == "198507152010011003"  # text, all 18 digits
    assert body["Dr. H. Ahmad Fauzi, S.Kom., M.T."][7] == "+6281234567890"
    assert body["=Dewi"][3] == "3201014507850012" and body["=Dewi"][9] == "Menunggu persetujuan"

    # The export is a roster the importer reads: into another event everyone is an existing person.
    other = make_event(organisers=[organiser])
    _, batch = upload(org_client, other, response.data, "peserta.xlsx")
    assert batch.summary["counts"]["enrol"] == 1  # "=Dewi" is read as a formula and refused
    assert batch.summary["counts"]["rejected"] == 1


def test_directory_search_and_person_page(db, client_as, organiser, event, make_event, make_agency, make_user):
    province = make_agency("Pemerintah Provinsi Banten")
    dinsos = make_agency("Dinas Sosial", parent=province)
    lebak = make_agency("Pemerintah Kabupaten Lebak")
    ahmad = make_user(name="Ahmad Fauzi", nip="198507152010011003", agency=dinsos, email="ahmad@dinsos.go.id")
    make_user(name="Budi Santoso", nip=valid_nip(900), agency=lebak)
    make_user(Role.organiser, name="Ahmad Panitia", agency=dinsos)  # not a participant
    enrol(db, event, ahmad)
    foreign = make_event(title="Pelatihan Lain")
    enrol(db, foreign, ahmad, EnrolmentStatus.withdrawn)
    c = client_as(organiser)

    def names(**args):
        html = c.get("/direktori", query_string=args).get_data(as_text=True)
        return {n for n in ("Ahmad Fauzi", "Budi Santoso", "Ahmad Panitia") if n in html}

    assert names() == {"Ahmad Fauzi", "Budi Santoso"}
    assert names(q="ahmad") == {"Ahmad Fauzi"}
    assert names(q="19850715") == {"Ahmad Fauzi"}
    assert names(q="dinsos.go") == {"Ahmad Fauzi"}
    assert names(instansi=province.id) == {"Ahmad Fauzi"}  # the agency and everything under it
    assert names(instansi=lebak.id) == {"Budi Santoso"}

    page = c.get(f"/direktori/{ahmad.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert event.title in html and "Pelatihan Lain" in html and "Mengundurkan diri" in html
    assert f'href="/kelola/acara/{event.id}"' in html or f"/acara/{event.id}" in html
    assert c.get(f"/direktori/{organiser.id}").status_code == 404  # staff accounts are not in the directory
    assert c.get("/direktori/99999").status_code == 404


def test_directory_roles(db, client, client_as, make_user):
    person = make_user()
    for role, status in ((Role.participant, 403), (Role.agency_officer, 403), (Role.admin, 200), (Role.organiser, 200)):
        c = client_as(make_user(role))
        assert c.get("/direktori").status_code == status
        assert c.get(f"/direktori/{person.id}").status_code == status
    assert client.get("/direktori").status_code == 302

"""Roster import through the pages: preview first (nothing written), confirm writes everything at once,
rows not imported downloadable with the reason; per-row rules; idempotent re-import."""

from sqlalchemy import func, select

from lms.auth.models import Role, User
from lms.events.models import Agency, Enrolment, EnrolmentSource, EnrolmentStatus
from lms.events.roster_models import AccountActivation, ImportStatus
from tests.conftest import valid_nip
from tests.roster.conftest import build_roster, read_xlsx

NIP_A = valid_nip(101)
NIP_B = valid_nip(102, female=True)
NIP_C = valid_nip(103)
NIK_D = "3201014507850012"  # woman (day 05 + 40), born 5 July 1985


def count(db, model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def user_by(db, **where) -> User | None:
    return db.session.execute(select(User).filter_by(**where)).scalar_one_or_none()


def messy_roster() -> bytes:
    return build_roster(
        [
            (
                1,
                "Dr. H. Ahmad Fauzi, S.Kom., M.T.",
                NIP_A,
                "dinas sosial",
                "Analis Kebijakan",
                "III/c",
                "0812-3456-7890",
                " Ahmad.Fauzi@Dinsos.go.id ",
            ),
            (None, None, None, None, None, None, None, None),  # blank row
            (
                2,
                "Siti Aminah, S.E.",
                NIP_B,
                "DISKOMINFO",
                "Pranata Komputer",
                "Penata Muda Tk. I (III/b)",
                "+62 813 1111 2222",
                "siti@kominfo.go.id",
            ),
            (
                3,
                "Budi Santoso",
                198507152010011003,
                "Dinas Sosial",
                None,
                None,
                None,
                "budi@dinsos.go.id",
            ),  # NIP typed as a number
            (
                4,
                '=CONCAT("Rina"," Wati")',
                NIP_C,
                "Dinas Sosial",
                None,
                None,
                None,
                "rina@dinsos.go.id",
            ),  # formula in the name
            (5, "Ahmad Fauzi", NIP_A, "Dinas Sosial", None, None, None, None),  # same NIP as row 5: the same person
            (6, "Dewi Lestari", NIK_D, "Kecamatan Cibeber", "Staf", None, "6281377778888", None),  # unknown agency, NIK
            ("", "   ", "", "", "", "", "", ""),  # blank row of empty strings
            (7, "Tanpa Identitas", None, "Dinas Sosial", None, None, None, None),
        ]
    )


def test_preview_then_confirm(db, org_client, event, make_agency, make_user, upload, confirm):
    province = make_agency("Pemerintah Provinsi Banten")
    dinsos = make_agency("Dinas Sosial", parent=province)
    kominfo = make_agency("Dinas Komunikasi dan Informatika", parent=province, short_name="Diskominfo")
    existing = make_user(name="Siti Aminah, S.E.", nip=NIP_B, email="siti@kominfo.go.id", agency=kominfo)
    users_before, agencies_before = count(db, User), count(db, Agency)

    response, batch = upload(org_client, event, messy_roster())
    assert response.status_code == 302 and batch is not None
    assert batch.status is ImportStatus.preview and batch.header_row == 4
    # Nothing written but the preview itself.
    assert count(db, User) == users_before and count(db, Enrolment) == 0 and count(db, Agency) == agencies_before

    rows = {row["row"]: row for row in batch.rows}
    assert sorted(rows) == [5, 7, 8, 9, 10, 11, 13]  # rows 6 and 12 blank
    assert rows[5]["action"] == "new" and rows[5]["agency_id"] == dinsos.id
    assert rows[5]["name"] == "Dr. H. Ahmad Fauzi, S.Kom., M.T."
    assert rows[5]["email"] == "ahmad.fauzi@dinsos.go.id" and rows[5]["phone"] == "+6281234567890"
    assert rows[5]["rank"] == "III/c"
    assert rows[7]["action"] == "enrol" and rows[7]["user_id"] == existing.id
    assert rows[8]["action"] == "rejected" and "angka" in rows[8]["reason"] and "15 digit" in rows[8]["reason"]
    assert rows[9]["action"] == "rejected" and "rumus" in rows[9]["reason"] and "CONCAT" in rows[9]["reason"]
    assert rows[10]["action"] == "duplicate" and rows[10]["same_as"] == 5
    assert rows[11]["action"] == "new" and rows[11]["nik"] == NIK_D and rows[11]["agency_id"] is None
    assert rows[11]["phone"] == "+6281377778888"
    assert rows[13]["action"] == "rejected" and "NIP, NIK atau e-mail" in rows[13]["reason"]
    assert [u["name"] for u in batch.summary["unknown_agencies"]] == ["Kecamatan Cibeber"]

    page = org_client.get(f"/kelola/acara/{event.id}/impor-peserta/{batch.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Pratinjau impor" in html and "Kecamatan Cibeber" in html and "Excel hanya menyimpan" in html
    assert 'id="count-new">2<' in html and 'id="count-rejected">3<' in html

    # The unknown agency needs a decision before anything is written.
    response = confirm(org_client, event, batch)
    assert response.status_code == 302
    assert count(db, Enrolment) == 0 and db.session.get(type(batch), batch.id).status is ImportStatus.preview

    response = confirm(org_client, event, batch, **{"kecamatan cibeber": "new"})
    assert response.status_code == 302
    batch = db.session.get(type(batch), batch.id)
    assert batch.status is ImportStatus.confirmed
    assert batch.summary["counts"] == {"new": 2, "enrol": 1, "enrolled": 0, "duplicate": 1, "rejected": 3}

    ahmad = user_by(db, nip=NIP_A)
    assert (ahmad.name, ahmad.email, ahmad.phone, ahmad.rank, ahmad.position, ahmad.agency_id) == (
        "Dr. H. Ahmad Fauzi, S.Kom., M.T.",
        "ahmad.fauzi@dinsos.go.id",
        "+6281234567890",
        "III/c",
        "Analis Kebijakan",
        dinsos.id,
    )
    assert ahmad.password_hash is None and ahmad.role is Role.participant
    dewi = user_by(db, nik=NIK_D)
    assert dewi.agency.name == "Kecamatan Cibeber" and dewi.agency.parent_id is None
    assert count(db, User) == users_before + 2
    assert count(db, AccountActivation) == 2
    enrolments = db.session.execute(select(Enrolment).where(Enrolment.event_id == event.id)).scalars().all()
    assert {e.user_id for e in enrolments} == {ahmad.id, dewi.id, existing.id}
    assert all(e.status is EnrolmentStatus.approved and e.source is EnrolmentSource.imported for e in enrolments)
    assert user_by(db, email="budi@dinsos.go.id") is None and user_by(db, email="rina@dinsos.go.id") is None
    # The existing account is enrolled, not changed.
    assert db.session.get(User, existing.id).agency_id == kominfo.id

    # The rows not imported, with their original cells and the reason.
    response = org_client.get(f"/kelola/acara/{event.id}/impor-peserta/{batch.id}/tidak-diimpor.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = read_xlsx(response.data)
    header_at = next(i for i, r in enumerate(sheet) if len(r) > 1 and r[1] == "Nama Lengkap (beserta gelar)")
    header, lines = sheet[header_at], sheet[header_at + 1 :]
    assert header[-2:] == ("Alasan", "Baris asal")
    assert [line[-1] for line in lines] == [8, 9, 10, 13]
    assert lines[0][2] == "198507152010011000" and "angka" in lines[0][-2]  # written as text, never a number
    assert lines[1][1] == '=CONCAT("Rina"," Wati")'  # the formula's text, not a formula
    assert "baris 5" in lines[2][-2]


def test_second_import_of_the_same_file_changes_nothing(db, org_client, event, make_agency, upload, confirm):
    make_agency("Dinas Sosial")
    make_agency("Dinas Komunikasi dan Informatika", short_name="Diskominfo")
    data = messy_roster()
    _, first = upload(org_client, event, data)
    confirm(org_client, event, first, **{"kecamatan cibeber": "new"})
    snapshot = (count(db, User), count(db, Enrolment), count(db, Agency), count(db, AccountActivation))
    updated = {u.id: u.updated_at for u in db.session.execute(select(User)).scalars()}

    _, second = upload(org_client, event, data)
    assert second.summary["unknown_agencies"] == []  # created by the first import
    assert second.summary["counts"] == {"new": 0, "enrol": 0, "enrolled": 3, "duplicate": 1, "rejected": 3}
    confirm(org_client, event, second)
    assert db.session.get(type(second), second.id).status is ImportStatus.confirmed
    assert (count(db, User), count(db, Enrolment), count(db, Agency), count(db, AccountActivation)) == snapshot
    assert {u.id: u.updated_at for u in db.session.execute(select(User)).scalars()} == updated


def test_confirm_twice_writes_once(db, org_client, event, make_agency, upload, confirm):
    make_agency("Dinas Sosial")
    _, batch = upload(org_client, event, build_roster([(1, "Ahmad", NIP_A, "Dinas Sosial", None, None, None, None)]))
    confirm(org_client, event, batch)
    response = confirm(org_client, event, batch)
    assert response.status_code == 302
    assert user_by(db, nip=NIP_A) is not None
    assert count(db, Enrolment) == 1
    follow = org_client.get(response.headers["Location"])
    assert "sudah dikonfirmasi" in follow.get_data(as_text=True)


def test_cancel_writes_nothing(db, org_client, event, make_agency, upload):
    make_agency("Dinas Sosial")
    _, batch = upload(org_client, event, build_roster([(1, "Ahmad", NIP_A, "Dinas Sosial", None, None, None, None)]))
    response = org_client.post(f"/kelola/acara/{event.id}/impor-peserta/{batch.id}/batal")
    assert response.status_code == 302
    assert db.session.get(type(batch), batch.id).status is ImportStatus.cancelled
    assert user_by(db, nip=NIP_A) is None and count(db, Enrolment) == 0
    org_client.post(f"/kelola/acara/{event.id}/impor-peserta/{batch.id}/konfirmasi")
    assert user_by(db, nip=NIP_A) is None and count(db, Enrolment) == 0


def test_agency_mapping_to_existing_and_skip(db, org_client, event, make_agency, upload, confirm):
    province = make_agency("Pemerintah Provinsi Banten")
    make_agency("Dinas Sosial", parent=province)
    kab = make_agency("Pemerintah Kabupaten Lebak")
    kab_dinsos = make_agency("Dinas Sosial", parent=kab)  # the same name twice: ambiguous
    agencies_before = count(db, Agency)
    data = build_roster(
        [
            (1, "Ahmad", NIP_A, "Dinas Sosial", None, None, None, None),
            (2, "Siti", NIP_B, "BPBD Lebak", None, None, None, None),
        ]
    )
    _, batch = upload(org_client, event, data)
    unknown = {u["key"]: u for u in batch.summary["unknown_agencies"]}
    assert unknown["dinas sosial"]["ambiguous"] and not unknown["bpbd lebak"]["ambiguous"]
    confirm(org_client, event, batch, **{"dinas sosial": str(kab_dinsos.id), "bpbd lebak": "skip"})
    assert user_by(db, nip=NIP_A).agency_id == kab_dinsos.id
    assert user_by(db, nip=NIP_B) is None
    batch = db.session.get(type(batch), batch.id)
    assert batch.summary["counts"]["rejected"] == 1
    assert count(db, Agency) == agencies_before


def test_people_matched_by_email_and_conflicts(db, org_client, event, make_agency, make_user, upload, confirm):
    agency = make_agency("Dinas Sosial")
    by_email = make_user(name="Rudi", email="rudi@uji.go.id", nip=None, agency=agency)
    with_nip = make_user(name="Tono", email="tono@uji.go.id", nip=NIP_C, agency=agency)
    staff = make_user(Role.organiser, name="Panitia Lain", email="panitia2@uji.go.id", agency=agency)
    make_user(name="Ani", email="ani@uji.go.id", nip=NIP_B, agency=agency)
    data = build_roster(
        [
            (
                1,
                "Rudi, S.H.",
                NIP_A,
                "Dinas Sosial",
                None,
                None,
                None,
                "RUDI@uji.go.id",
            ),  # account without NIP: same person
            (2, "Tono", valid_nip(200), "Dinas Sosial", None, None, None, "tono@uji.go.id"),  # e-mail of another NIP
            (3, "Panitia", None, "Dinas Sosial", None, None, None, "panitia2@uji.go.id"),  # not a participant
            (4, "Campur", NIP_B, "Dinas Sosial", None, None, None, "tono@uji.go.id"),  # NIP of Ani, e-mail of Tono
            (5, "Baru", valid_nip(300), "Dinas Sosial", None, None, None, "baru@uji.go.id"),
            (
                6,
                "Baru Lagi",
                valid_nip(301),
                "Dinas Sosial",
                None,
                None,
                None,
                "baru@uji.go.id",
            ),  # same e-mail, other NIP
            (7, "Tono Lagi", NIP_C, "Dinas Sosial", None, None, None, None),
            (8, "Tono Sekali Lagi", None, "Dinas Sosial", None, None, None, "tono@uji.go.id"),  # same account as row 11
        ]
    )
    _, batch = upload(org_client, event, data)
    rows = {row["row"] - 4: row for row in batch.rows}
    assert rows[1]["action"] == "enrol" and rows[1]["user_id"] == by_email.id and not rows[1]["warnings"]
    assert rows[2]["action"] == "rejected" and "NIP" in rows[2]["reason"]
    assert rows[3]["action"] == "rejected" and "bukan akun peserta" in rows[3]["reason"]
    assert rows[4]["action"] == "rejected" and "akun yang berbeda" in rows[4]["reason"]
    assert rows[5]["action"] == "new"
    assert rows[6]["action"] == "rejected" and "baris 9" in rows[6]["reason"]  # same e-mail, another NIP
    assert rows[7]["action"] == "enrol" and rows[7]["user_id"] == with_nip.id
    assert rows[8]["action"] == "duplicate" and rows[8]["same_as"] == 11
    confirm(org_client, event, batch)
    enrolled = set(db.session.execute(select(Enrolment.user_id).where(Enrolment.event_id == event.id)).scalars())
    assert enrolled == {by_email.id, with_nip.id, user_by(db, email="baru@uji.go.id").id}
    assert db.session.get(User, by_email.id).nip is None  # existing accounts are not changed
    assert staff.id not in enrolled


def test_earlier_enrolments_are_approved(db, org_client, event, make_agency, make_user, upload, confirm):
    agency = make_agency("Dinas Sosial")
    waiting = make_user(name="Menunggu", nip=NIP_A, agency=agency)
    db.session.add(Enrolment(event_id=event.id, user_id=waiting.id, status=EnrolmentStatus.pending))
    db.session.commit()
    _, batch = upload(org_client, event, build_roster([(1, "Menunggu", NIP_A, "Dinas Sosial", None, None, None, None)]))
    assert batch.rows[0]["action"] == "enrol" and "Menunggu persetujuan" in batch.rows[0]["reason"]
    confirm(org_client, event, batch)
    enrolment = db.session.execute(select(Enrolment).where(Enrolment.user_id == waiting.id)).scalar_one()
    assert enrolment.status is EnrolmentStatus.approved


def test_indonesian_header_variants(db, org_client, event, make_agency, upload):
    make_agency("Badan Kepegawaian Daerah", short_name="BKD")
    headers = ["NO", "NAMA", "NIP", "NIK", "UNIT KERJA", "JABATAN", "GOL", "No. WA", "Alamat E-mail"]
    data = build_roster(
        [
            (1, "Ir. Joko, M.M.", NIP_A, None, "bkd", "Kepala Bidang", "IV/a", "08123456789", "joko@bkd.go.id"),
            (2, "Lina", None, NIK_D, "B K D", "Staf", "ii-c", None, None),
        ],
        headers=headers,
        title_rows=("REKAP", None),
    )
    _, batch = upload(org_client, event, data)
    assert batch.header_row == 3
    first, second = batch.rows
    assert (first["nip"], first["rank"], first["phone"], first["email"]) == (
        NIP_A,
        "IV/a",
        "+628123456789",
        "joko@bkd.go.id",
    )
    assert first["action"] == "new" and first["agency_id"] is not None
    assert (second["nik"], second["rank"], second["action"]) == (NIK_D, "II/c", "new")


def test_identity_rules(db, org_client, event, make_agency, upload):
    make_agency("Dinas Sosial")
    data = build_roster(
        [
            (1, "A", "198507152010011000", "Dinas Sosial", None, None, None, None),  # text, but the digits were lost
            (2, "B", "1.98507E+17", "Dinas Sosial", None, None, None, None),  # scientific notation as text
            (3, "C", "198513152010011003", "Dinas Sosial", None, None, None, None),  # month 13
            (4, "D", "3201019907850012", "Dinas Sosial", None, None, None, None),  # NIK day 99
            (5, "E", "12345", "Dinas Sosial", None, None, None, None),
            (6, "F", "19850715 201001 1 003", "Dinas Sosial", None, "Golongan Z", "12", "f@x.go.id"),  # spaces ok
            (7, "G", NIP_B, "Dinas Sosial", None, None, None, "bukan-email"),
            (8, "H", 3201014507850012.0, "Dinas Sosial", None, None, None, None),  # NIK as a number
        ]
    )
    _, batch = upload(org_client, event, data)
    rows = {row["row"] - 4: row for row in batch.rows}
    for n in (1, 2, 8):
        assert rows[n]["action"] == "rejected" and "digit terakhirnya hilang" in rows[n]["reason"], n
    assert "TMT CPNS" in rows[3]["reason"] or "tanggal lahir" in rows[3]["reason"]
    assert "NIK tidak valid" in rows[4]["reason"]
    assert "18 digit" in rows[5]["reason"]
    assert rows[6]["action"] == "new" and rows[6]["nip"] == "198507152010011003"
    assert rows[6]["rank"] is None and rows[6]["phone"] is None and len(rows[6]["warnings"]) == 2
    assert rows[7]["action"] == "rejected" and "E-mail tidak valid" in rows[7]["reason"]


def test_preview_uses_few_queries(db, org_client, event, make_agency, make_user, upload, count_queries):
    agency = make_agency("Dinas Sosial")
    for n in range(5):
        make_user(nip=valid_nip(1000 + n), agency=agency)
    rows = [
        (n, f"Peserta {n}", valid_nip(1000 + n), "Dinas Sosial", None, None, None, f"p{n}@uji.go.id")
        for n in range(300)
    ]
    with count_queries() as counter:
        _, batch = upload(org_client, event, build_roster(rows))
    assert batch.summary["counts"]["enrol"] == 5 and batch.summary["counts"]["new"] == 295
    # Same NIP, another e-mail: the same person (the NIP decides), the account is left as it is, with a warning.
    assert "e-mail" in batch.rows[0]["warnings"][0]
    assert counter.count < 20, counter.statements

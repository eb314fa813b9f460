"""Admin user management: access, list with search/filters/pagination, create, edit, (de)activate, reset."""

import pytest

from lms.auth.models import Role, User
from tests.conftest import PASSWORD


@pytest.fixture
def admin(make_user):
    return make_user(role=Role.admin, name="Admin Utama", email="admin@bpsdmd.go.id")


@pytest.fixture
def admin_client(client_as, admin):
    return client_as(admin)


def get_user(db, **filters) -> User | None:
    return db.session.execute(db.select(User).filter_by(**filters)).scalar_one_or_none()


PROTECTED = [
    ("get", "/admin/pengguna"),
    ("get", "/admin/pengguna/baru"),
    ("post", "/admin/pengguna/baru"),
    ("get", "/admin/pengguna/{id}/ubah"),
    ("post", "/admin/pengguna/{id}/ubah"),
    ("post", "/admin/pengguna/{id}/aktifkan"),
    ("post", "/admin/pengguna/{id}/nonaktifkan"),
    ("get", "/admin/pengguna/{id}/reset-sandi"),
    ("post", "/admin/pengguna/{id}/reset-sandi"),
]


@pytest.mark.parametrize("role", [Role.organiser, Role.agency_officer, Role.participant])
@pytest.mark.parametrize("method, url", PROTECTED)
def test_non_admins_get_403(client_as, db, make_user, role, method, url):
    target = make_user(email="target@x.id")
    response = getattr(client_as(make_user(role=role)), method)(url.format(id=target.id), data={"password": "X1234567"})
    assert response.status_code == 403
    db.session.refresh(target)
    assert target.active and target.check_password(PASSWORD)


@pytest.mark.parametrize("method, url", PROTECTED)
def test_anonymous_redirected_to_login(client, make_user, method, url):
    target = make_user()
    response = getattr(client, method)(url.format(id=target.id))
    assert response.status_code == 302
    assert response.location.startswith("/masuk?next=")


def test_list_search_and_filters(admin_client, make_user, make_agency):
    pemprov = make_agency("Pemerintah Provinsi Banten")
    dinsos = make_agency("Dinas Sosial", parent=pemprov)
    other = make_agency("Kota Lain")
    make_user(name="Budi Santoso, S.T.", email="budi@dinsos.go.id", agency=dinsos, nip="198001012005011001")
    make_user(name="Citra Lestari", email="citra@kota.go.id", agency=other, role=Role.organiser)
    make_user(name="Dewi Agency", email="dewi@pemprov.go.id", agency=pemprov, role=Role.agency_officer)

    html = admin_client.get("/admin/pengguna").get_data(as_text=True)
    assert all(name in html for name in ("Budi Santoso, S.T.", "Citra Lestari", "Dewi Agency", "admin@bpsdmd.go.id"))

    def names(**args):
        html = admin_client.get("/admin/pengguna", query_string=args).get_data(as_text=True)
        return {n for n in ("Budi Santoso, S.T.", "Citra Lestari", "Dewi Agency", "admin@bpsdmd.go.id") if n in html}

    assert names(q="santoso") == {"Budi Santoso, S.T."}
    assert names(q="CITRA@KOTA") == {"Citra Lestari"}
    assert names(q="19800101 2005") == {"Budi Santoso, S.T."}
    assert names(role="organiser") == {"Citra Lestari"}
    assert names(agency=pemprov.id) == {"Budi Santoso, S.T.", "Dewi Agency"}  # includes sub-agencies
    assert names(agency=dinsos.id, role="agency_officer") == set()
    assert "Tidak ada pengguna yang cocok." in admin_client.get("/admin/pengguna?q=zzzz").get_data(as_text=True)


def test_list_paginates_without_n_plus_1(app, admin_client, make_agency, db, count_queries):
    agencies = [make_agency() for _ in range(3)]
    per_page = app.config["PER_PAGE"]
    for i in range(per_page + 5):
        db.session.add(User(name=f"Peserta {i:03d}", email=f"p{i}@x.id", agency=agencies[i % 3]))
    db.session.commit()
    with count_queries() as counter:
        page1 = admin_client.get("/admin/pengguna").get_data(as_text=True)
    assert counter.count <= 6, counter.statements
    assert "Peserta 000" in page1 and f"Peserta {per_page + 4:03d}" not in page1
    page2 = admin_client.get("/admin/pengguna?page=2").get_data(as_text=True)
    assert f"Peserta {per_page + 4:03d}" in page2 and "Peserta 000" not in page2
    assert "Berikutnya" in page1


def test_admin_creates_organiser_who_can_log_in(app, admin_client, db, make_agency, form_login):
    agency = make_agency("Diskominfo")
    assert "Tambah pengguna" in admin_client.get("/admin/pengguna/baru").get_data(as_text=True)
    response = admin_client.post(
        "/admin/pengguna/baru",
        data={
            "role": "organiser",
            "agency": agency.id,
            "name": "Rina Wati, S.Kom.",
            "email": "Rina@Diskominfo.go.id",
            "nip": "",
            "nik": "",
            "phone": "0812 1111 2222",
            "rank": "",
            "password": "Awal2026x",
        },
    )
    assert response.status_code == 302 and response.location == "/admin/pengguna"
    user = get_user(db, email="rina@diskominfo.go.id")
    assert user.role is Role.organiser and user.agency_id == agency.id
    assert user.name == "Rina Wati, S.Kom." and user.phone == "+6281211112222" and user.nip is None
    assert form_login(app.test_client(), "rina@diskominfo.go.id", "Awal2026x").status_code == 302


@pytest.mark.parametrize("role", ["admin", "agency_officer", "participant"])
def test_admin_creates_other_roles(admin_client, db, make_agency, role):
    agency = make_agency()
    data = {
        "role": role,
        "agency": agency.id,
        "name": "Akun Baru",
        "nip": "198001012005011001",
        "password": "Awal2026x",
    }
    assert admin_client.post("/admin/pengguna/baru", data=data).status_code == 302
    user = get_user(db, nip="198001012005011001")
    assert user.role.value == role and user.email is None


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"email": "admin@bpsdmd.go.id"}, "E-mail ini sudah terdaftar"),
        ({"nip": "198001012005013001"}, "jenis kelamin"),
        ({"email": "", "nip": "", "nik": ""}, "Isi e-mail atau NIP/NIK"),
        ({"password": "lemah"}, "huruf dan angka"),
        ({"role": "superuser"}, "Pilihan tidak valid."),
    ],
)
def test_create_validation(admin_client, db, make_agency, fields, message):
    agency = make_agency()
    data = {"role": "organiser", "agency": agency.id, "name": "X", "email": "x@x.id", "password": "Awal2026x"}
    data.update(fields)
    response = admin_client.post("/admin/pengguna/baru", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(User.id))).scalar() == 1  # only the admin


def test_admin_edits_user(admin_client, db, make_user, make_agency):
    user = make_user(name="Nama Lama", email="lama@x.id")
    new_agency = make_agency("BKD")
    page = admin_client.get(f"/admin/pengguna/{user.id}/ubah").get_data(as_text=True)
    assert "Nama Lama" in page and "Kata sandi awal" not in page
    response = admin_client.post(
        f"/admin/pengguna/{user.id}/ubah",
        data={
            "role": "agency_officer",
            "agency": new_agency.id,
            "name": "Nama Baru, M.Si.",
            "email": "baru@x.id",
            "nip": user.nip,
            "nik": "3201014501900001",
            "position": "Kepala Subbagian",
            "rank": "III/d",
            "phone": "",
        },
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.role is Role.agency_officer and user.agency_id == new_agency.id
    assert (user.name, user.email, user.nik, user.rank) == (
        "Nama Baru, M.Si.",
        "baru@x.id",
        "3201014501900001",
        "III/d",
    )
    assert user.check_password(PASSWORD)  # editing never touches the password


def test_edit_refuses_duplicate_and_unknown_user(admin_client, db, make_user):
    make_user(email="dipakai@x.id")
    user = make_user(email="saya@x.id")
    data = {"role": "participant", "agency": user.agency_id, "name": "X", "email": "dipakai@x.id", "nip": user.nip}
    response = admin_client.post(f"/admin/pengguna/{user.id}/ubah", data=data)
    assert "E-mail ini sudah terdaftar" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.email == "saya@x.id"
    assert admin_client.get("/admin/pengguna/99999/ubah").status_code == 404


def test_admin_cannot_demote_himself(admin_client, db, admin):
    data = {"role": "organiser", "agency": admin.agency_id, "name": admin.name, "email": admin.email}
    response = admin_client.post(f"/admin/pengguna/{admin.id}/ubah", data=data)
    assert response.status_code == 200
    assert "tidak dapat mengubah peran akun Anda sendiri" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role is Role.admin


def test_deactivate_ends_sessions_and_activate_restores(app, admin_client, client_as, db, make_user, form_login):
    user = make_user(email="peserta@x.id")
    user_client = client_as(user)
    assert user_client.get("/profil").status_code == 200
    response = admin_client.post(f"/admin/pengguna/{user.id}/nonaktifkan", data={"next": "/admin/pengguna?q=peserta"})
    assert response.status_code == 302 and response.location == "/admin/pengguna?q=peserta"
    db.session.refresh(user)
    assert not user.active
    assert user_client.get("/profil").status_code == 302
    assert form_login(app.test_client(), "peserta@x.id").status_code == 200

    response = admin_client.post(f"/admin/pengguna/{user.id}/aktifkan", data={"next": "https://evil.com"})
    assert response.location == "/admin/pengguna"
    db.session.refresh(user)
    assert user.active
    assert form_login(app.test_client(), "peserta@x.id").status_code == 302


def test_admin_cannot_deactivate_himself(admin_client, db, admin):
    response = admin_client.post(f"/admin/pengguna/{admin.id}/nonaktifkan", follow_redirects=True)
    assert "tidak dapat menonaktifkan akun Anda sendiri" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.active
    assert admin_client.get("/admin/pengguna").status_code == 200


def test_reset_password(app, admin_client, client_as, db, make_user, form_login):
    user = make_user(email="lupa@x.id")
    user_client = client_as(user)
    assert "lupa@x.id" in admin_client.get(f"/admin/pengguna/{user.id}/reset-sandi").get_data(as_text=True)
    bad = admin_client.post(
        f"/admin/pengguna/{user.id}/reset-sandi", data={"password": "Baru2026x", "password_confirm": "x"}
    )
    assert bad.status_code == 200
    response = admin_client.post(
        f"/admin/pengguna/{user.id}/reset-sandi", data={"password": "Baru2026x", "password_confirm": "Baru2026x"}
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.check_password("Baru2026x")
    assert user_client.get("/profil").status_code == 302  # the old session is over
    assert form_login(app.test_client(), "lupa@x.id", PASSWORD).status_code == 200
    assert form_login(app.test_client(), "lupa@x.id", "Baru2026x").status_code == 302


def test_admin_resets_own_password_and_stays_logged_in(admin_client, db, admin):
    data = {"password": "Baru2026x", "password_confirm": "Baru2026x"}
    assert admin_client.post(f"/admin/pengguna/{admin.id}/reset-sandi", data=data).status_code == 302
    assert admin_client.get("/admin/pengguna").status_code == 200

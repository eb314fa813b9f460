"""Self-registration of participants: happy path and every validation rule."""

import pytest
from flask import url_for

from lms.auth.models import Role, User
from tests.conftest import PASSWORD

NIP = "198001012005011001"
NIK = "3201014501900001"


@pytest.fixture
def agency(make_agency):
    return make_agency("Dinas Komunikasi dan Informatika")


@pytest.fixture
def register(client, agency):
    """POST the registration form with valid defaults, overridden by ``fields``."""

    def post(**fields):
        data = {
            "name": "Dr. H. Ahmad Fauzi, S.Kom., M.T.",
            "nip": NIP,
            "nik": "",
            "agency": str(agency.id),
            "position": "Pranata Komputer Ahli Muda",
            "rank": "III/c",
            "phone": "081234567890",
            "email": "ahmad.fauzi@diskominfo.go.id",
            "password": "Sandi2026",
            "password_confirm": "Sandi2026",
        }
        data.update(fields)
        return client.post("/daftar", data=data)

    return post


def users(db) -> list[User]:
    return list(db.session.execute(db.select(User).order_by(User.id)).scalars())


def test_register_page_lists_agencies_and_ranks(client, agency):
    html = client.get("/daftar").get_data(as_text=True)
    assert "Dinas Komunikasi dan Informatika" in html
    assert "III/c — Penata" in html
    assert "NIP (untuk ASN)" in html and "NIK (untuk non-ASN)" in html


def test_register_happy_path_logs_in(app, client, db, register, agency):
    response = register(email="Ahmad.Fauzi@Diskominfo.go.id")
    assert response.status_code == 302
    with app.test_request_context():
        assert response.location == url_for("enrolment.my_trainings")
    [user] = users(db)
    assert user.name == "Dr. H. Ahmad Fauzi, S.Kom., M.T."  # titles kept as typed
    assert user.role is Role.participant
    assert user.nip == NIP and user.nik is None
    assert user.agency_id == agency.id
    assert user.position == "Pranata Komputer Ahli Muda" and user.rank == "III/c"
    assert user.phone == "+6281234567890"
    assert user.email == "ahmad.fauzi@diskominfo.go.id"
    assert user.check_password("Sandi2026") and user.password_hash.startswith("scrypt:")
    assert user.last_login_at is not None
    with client.session_transaction() as sess:
        assert sess["_user_id"] == user.session_token
        assert any("Pendaftaran berhasil" in str(m) for _, m in sess.get("_flashes", []))


def test_register_non_asn_with_nik_and_no_rank(db, register):
    assert register(nip="", nik="32.0101.450190.0001", rank="", phone="").status_code == 302
    [user] = users(db)
    assert user.nip is None and user.nik == NIK
    assert user.rank is None and user.phone is None


@pytest.mark.parametrize("phone", ["0812 3456 7890", "+62 812-3456-7890", "6281234567890", "0812-3456-7890"])
def test_phone_forms_stored_as_e164(db, register, phone):
    assert register(phone=phone).status_code == 302
    assert users(db)[0].phone == "+6281234567890"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"nip": "198001012005013001"}, "jenis kelamin"),  # sex digit 3
        ({"nip": "198013012005011001"}, "tanggal lahir"),  # birth month 13
        ({"nip": "19800101200501100"}, "NIP harus 18 digit"),
        ({"nip": "", "nik": "3201013202900001"}, "NIK tidak valid: tanggal lahir"),  # day 32
        ({"nip": "", "nik": "3201017202900001"}, "NIK tidak valid: tanggal lahir"),  # woman's day 72
        ({"nip": "", "nik": ""}, "Isi NIP (untuk ASN) atau NIK (untuk non-ASN)."),
        ({"password": "pendek1", "password_confirm": "pendek1"}, "minimal 8 karakter"),
        ({"password": "hanyahuruf", "password_confirm": "hanyahuruf"}, "huruf dan angka"),
        ({"password": "1234567890", "password_confirm": "1234567890"}, "huruf dan angka"),
        ({"password_confirm": "Sandi2027"}, "Kedua kata sandi tidak sama."),
        ({"email": "bukan-email"}, "Alamat e-mail tidak valid."),
        ({"email": ""}, "wajib"),
        ({"phone": "12"}, "Nomor telepon tidak dikenali."),
        ({"name": ""}, "wajib"),
        ({"agency": ""}, "wajib"),
        ({"rank": "V/z"}, "Pilihan tidak valid."),
        ({"agency": "99999"}, "Pilihan tidak valid."),
        ({"name": "x" * 201}, "Maksimal 200 karakter."),
    ],
)
def test_register_validation_errors(client, db, register, fields, message):
    response = register(**fields)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "is-invalid" in html
    assert message.lower() in html.lower()
    assert users(db) == []
    with client.session_transaction() as sess:
        assert "_user_id" not in sess


@pytest.mark.parametrize(
    "existing, fields, message",
    [
        (
            {"email": "ahmad.fauzi@diskominfo.go.id"},
            {"email": "AHMAD.FAUZI@diskominfo.go.id"},
            "E-mail ini sudah terdaftar",
        ),
        ({"nip": NIP}, {"nip": "19800101 200501 1 001"}, "NIP ini sudah terdaftar"),
        ({"nik": NIK, "nip": None}, {"nip": "", "nik": NIK}, "NIK ini sudah terdaftar"),
    ],
)
def test_register_duplicates_refused(db, register, make_user, existing, fields, message):
    make_user(**existing)
    response = register(**fields)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert len(users(db)) == 1


def test_logged_in_user_is_sent_home(client_as, make_user):
    response = client_as(make_user()).get("/daftar")
    assert response.status_code == 302 and response.location == "/"


def test_registration_rate_limited(app_with, agency):
    limited = app_with(RATELIMIT_ENABLED=True, REGISTER_RATE_LIMIT="2 per hour")
    client = limited.test_client()
    data = {"name": "X", "nip": "", "nik": "", "agency": str(agency.id), "email": "x@x.id", "password": PASSWORD}
    assert [client.post("/daftar", data=data).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/daftar").status_code == 200

"""Agencies (instansi): tree, search, create, edit with cycle refusal, delete refusals, admin only."""

import pytest
from sqlalchemy import select

from lms.auth.models import Role
from lms.events.models import Agency


@pytest.fixture
def admin(make_user):
    return make_user(role=Role.admin)


def test_tree_is_indented_and_ordered(client_as, admin, make_agency):
    root = make_agency("Pemerintah Provinsi Banten")
    dinsos = make_agency("Dinas Sosial", parent=root)
    make_agency("Bidang Rehabilitasi Sosial", parent=dinsos)
    make_agency("Badan Pengembangan SDM Daerah", parent=root, short_name="BPSDMD")

    response = client_as(admin).get("/admin/instansi/")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # Children sorted by name under their parent, grandchild right after its parent.
    order = [
        html.index(n)
        for n in ("Pemerintah Provinsi Banten", "Badan Pengembangan SDM Daerah", "Dinas Sosial", "Bidang Rehabilitasi")
    ]
    assert order == sorted(order)
    assert 'class="tree-depth-2"' in html  # depth 2 (padding-left: 3.5rem in app.css; no inline style under the CSP)
    assert "BPSDMD" in html


def test_search_shows_matches_with_their_ancestors(client_as, admin, make_agency):
    root = make_agency("Pemerintah Kota Serang")
    dinsos = make_agency("Dinas Sosial", parent=root)
    make_agency("Dinas Kesehatan", parent=root)
    make_agency("Bidang Linjamsos", parent=dinsos)

    html = client_as(admin).get("/admin/instansi/?q=linjam").get_data(as_text=True)

    assert "Bidang Linjamsos" in html
    assert "Dinas Sosial" in html and "Pemerintah Kota Serang" in html  # the path to the match
    assert "Dinas Kesehatan" not in html


def test_create_top_level_and_child(client_as, admin, db):
    client = client_as(admin)
    response = client.post("/admin/instansi/baru", data={"name": " Pemerintah Provinsi Banten ", "parent_id": ""})
    assert response.status_code == 302
    root = db.session.execute(select(Agency).filter_by(name="Pemerintah Provinsi Banten")).scalar_one()
    assert root.parent_id is None

    client.post("/admin/instansi/baru", data={"name": "Diskominfo", "short_name": "DKIS", "parent_id": str(root.id)})

    child = db.session.execute(select(Agency).filter_by(name="Diskominfo")).scalar_one()
    assert (child.parent_id, child.short_name) == (root.id, "DKIS")


def test_create_requires_name_and_refuses_duplicate_under_same_parent(client_as, admin, make_agency, db):
    root = make_agency("Pemprov")
    make_agency("Dinas Sosial", parent=root)
    client = client_as(admin)

    empty = client.post("/admin/instansi/baru", data={"name": "", "parent_id": ""})
    duplicate = client.post("/admin/instansi/baru", data={"name": "dinas sosial", "parent_id": str(root.id)})

    assert "Wajib diisi." in empty.get_data(as_text=True)
    assert "sudah ada di bawah induk yang sama" in duplicate.get_data(as_text=True)
    assert len(db.session.execute(select(Agency).where(Agency.name.ilike("dinas sosial"))).scalars().all()) == 1


def test_edit_moves_agency(client_as, admin, make_agency, db):
    a, b = make_agency("Pemprov A"), make_agency("Pemprov B")
    dinas = make_agency("Dinas X", parent=a)

    form = client_as(admin).get(f"/admin/instansi/{dinas.id}/ubah").get_data(as_text=True)
    response = client_as(admin).post(
        f"/admin/instansi/{dinas.id}/ubah", data={"name": "Dinas X Baru", "short_name": "", "parent_id": str(b.id)}
    )

    assert 'value="Dinas X"' in form
    assert response.status_code == 302
    db.session.refresh(dinas)
    assert (dinas.name, dinas.parent_id) == ("Dinas X Baru", b.id)


@pytest.mark.parametrize("target", ["self", "child", "grandchild"])
def test_edit_refuses_cycle(client_as, admin, make_agency, db, target):
    root = make_agency("Induk")
    child = make_agency("Anak", parent=root)
    grandchild = make_agency("Cucu", parent=child)
    parent = {"self": root, "child": child, "grandchild": grandchild}[target]

    response = client_as(admin).post(
        f"/admin/instansi/{root.id}/ubah", data={"name": "Induk", "parent_id": str(parent.id)}, follow_redirects=True
    )

    assert response.status_code == 200
    assert "tidak bisa menjadi induk" in response.get_data(as_text=True)
    db.session.refresh(root)
    assert root.parent_id is None


def test_delete_empty_agency(client_as, admin, make_agency, db):
    agency = make_agency("Kosong")
    agency_id = agency.id

    response = client_as(admin).post(f"/admin/instansi/{agency_id}/hapus", follow_redirects=True)

    assert "Instansi Kosong dihapus." in response.get_data(as_text=True)
    assert db.session.get(Agency, agency_id) is None


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("child", "masih memiliki sub-instansi"),
        ("user", "masih memiliki pengguna"),
        ("event", "masih menjadi penyelenggara acara"),
    ],
)
def test_delete_refused_when_in_use(client_as, admin, make_agency, make_user, make_event, db, setup, message):
    agency = make_agency("Dipakai")
    if setup == "child":
        make_agency("Sub", parent=agency)
    elif setup == "user":
        make_user(agency=agency)
    else:
        make_event(organiser_agency=agency)

    response = client_as(admin).post(f"/admin/instansi/{agency.id}/hapus", follow_redirects=True)

    html = response.get_data(as_text=True)
    assert "Dipakai tidak bisa dihapus" in html and message in html
    assert db.session.get(Agency, agency.id) is not None


def test_delete_requires_post(client_as, admin, make_agency, db):
    agency = make_agency()
    assert client_as(admin).get(f"/admin/instansi/{agency.id}/hapus").status_code == 405
    assert db.session.get(Agency, agency.id) is not None


@pytest.mark.parametrize("role", [Role.organiser, Role.agency_officer, Role.participant])
def test_non_admin_forbidden(client_as, make_user, make_agency, db, role):
    agency = make_agency("Tetap")
    client = client_as(make_user(role=role))

    assert client.get("/admin/instansi/").status_code == 403
    assert client.get("/admin/instansi/baru").status_code == 403
    assert client.post("/admin/instansi/baru", data={"name": "Baru", "parent_id": ""}).status_code == 403
    assert client.post(f"/admin/instansi/{agency.id}/ubah", data={"name": "X", "parent_id": ""}).status_code == 403
    assert client.post(f"/admin/instansi/{agency.id}/hapus").status_code == 403
    assert "Baru" not in db.session.execute(select(Agency.name)).scalars().all()
    db.session.refresh(agency)
    assert agency.name == "Tetap"


def test_anonymous_redirected_to_login(client):
    response = client.get("/admin/instansi/")
    assert response.status_code == 302
    assert "next=" in response.headers["Location"]

"""The organiser's side: modules and materials, visibility, the progress table and its export."""

import re
from datetime import datetime
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from lms.auth.models import Role
from lms.courses.models import Material, MaterialKind, Module
from lms.events.models import EnrolmentStatus


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_event_page_has_the_materials_tool(event, organiser, client_as):
    page = text_of(client_as(organiser).get(f"/kelola/acara/{event.id}"))
    assert f'href="/kelola/acara/{event.id}/materi"' in page and ">Materi<" in page


def test_create_and_edit_module_in_the_event_zone(db, event, organiser, client_as):
    client = client_as(organiser)
    response = client.post(
        f"/kelola/acara/{event.id}/materi/modul/baru",
        data={
            "title": "Keamanan Siber Dasar",
            "jp": "4",
            "speaker": "Dr. Budi Santoso, M.Kom.",
            "description": "Ancaman dan kebiasaan aman.",
            "opens_at": "2026-12-01T08:00",
            "requires_previous": "y",
        },
    )
    assert response.status_code == 302
    module = db.session.execute(select(Module)).scalar_one()
    assert (module.title, module.jp, module.speaker, module.requires_previous) == (
        "Keamanan Siber Dasar",
        4,
        "Dr. Budi Santoso, M.Kom.",
        True,
    )
    assert module.opens_at == datetime(2026, 12, 1, 1, 0)  # 08.00 WIB stored as UTC

    form = text_of(client.get(f"/kelola/acara/{event.id}/materi/modul/{module.id}/ubah"))
    assert 'value="2026-12-01T08:00"' in form
    client.post(
        f"/kelola/acara/{event.id}/materi/modul/{module.id}/ubah",
        data={"title": "Keamanan Siber", "jp": "3", "opens_at": ""},
    )
    db.session.refresh(module)
    assert (module.title, module.jp, module.opens_at, module.requires_previous) == ("Keamanan Siber", 3, None, False)

    response = client.post(f"/kelola/acara/{event.id}/materi/modul/baru", data={"title": "", "jp": "-1"})
    assert response.status_code == 200 and "Wajib diisi." in text_of(response)
    assert db.session.execute(select(Module)).scalars().all() == [module]


def test_module_with_materials_is_not_deleted(db, event, organiser, make_module, make_material, client_as):
    full, empty = make_module(event, "Berisi"), make_module(event, "Kosong")
    make_material(full)
    client = client_as(organiser)
    client.post(f"/kelola/acara/{event.id}/materi/modul/{full.id}/hapus")
    client.post(f"/kelola/acara/{event.id}/materi/modul/{empty.id}/hapus")
    assert [m.title for m in db.session.execute(select(Module)).scalars()] == ["Berisi"]


def test_link_must_be_http(db, event, organiser, make_module, client_as):
    module = make_module(event)
    client = client_as(organiser)
    url = f"/kelola/acara/{event.id}/materi/modul/{module.id}/materi/baru?jenis=link"
    response = client.post(url, data={"title": "Jahat", "url": "javascript:alert(1)"})
    assert response.status_code == 200 and "http://" in text_of(response)
    response = client.post(url, data={"title": "Kosong", "url": ""})
    assert "Isi alamat tautan." in text_of(response)
    assert client.post(url, data={"title": "JDIH", "url": "https://jdih.go.id/"}).status_code == 302
    assert [m.url for m in db.session.execute(select(Material)).scalars()] == ["https://jdih.go.id/"]
    assert client.get(f"/kelola/acara/{event.id}/materi/modul/{module.id}/materi/baru?jenis=apa").status_code == 302


def test_hide_and_show(db, event, organiser, participant, make_module, make_material, client_as):
    module = make_module(event)
    material = make_material(module, title="Materi rahasia")
    boss, learner = client_as(organiser), client_as(participant)
    boss.post(f"/kelola/acara/{event.id}/materi/{material.id}/tampil", data={"hidden": "1"})
    db.session.refresh(material)
    assert material.hidden
    assert "Materi rahasia" not in text_of(learner.get(f"/pelatihan/{event.id}/materi/modul/{module.id}"))
    assert "Disembunyikan" in text_of(boss.get(f"/kelola/acara/{event.id}/materi"))
    boss.post(f"/kelola/acara/{event.id}/materi/{material.id}/tampil", data={"hidden": "0"})
    assert "Materi rahasia" in text_of(learner.get(f"/pelatihan/{event.id}/materi/modul/{module.id}"))


def test_only_the_events_organisers_manage(db, event, make_user, make_module, make_material, client_as, participant):
    module = make_module(event)
    material = make_material(module)
    stranger = make_user(Role.organiser)
    admin = make_user(Role.admin)
    urls = [
        f"/kelola/acara/{event.id}/materi",
        f"/kelola/acara/{event.id}/materi/modul/{module.id}/ubah",
        f"/kelola/acara/{event.id}/materi/{material.id}/ubah",
        f"/kelola/acara/{event.id}/materi/progres",
        f"/kelola/acara/{event.id}/materi/progres.xlsx",
    ]
    for url in urls:
        assert client_as(stranger).get(url).status_code == 404, url
        assert client_as(participant).get(url).status_code == 403, url
        assert client_as(admin).get(url).status_code == 200, url
    assert client_as(stranger).post(f"/kelola/acara/{event.id}/materi/{material.id}/hapus").status_code == 404
    assert db.session.get(Material, material.id) is not None


def test_progress_table_filter_and_export(
    db, event, organiser, make_user, make_agency, enrol, make_module, make_material, client_as
):
    dinsos, diskominfo = make_agency("Dinas Sosial"), make_agency("Diskominfo")
    siti = make_user(name="Siti Aminah, S.E.", agency=dinsos, nip="198507152010012003")
    budi = make_user(name="Budi Hartono", agency=diskominfo)
    waiting = make_user(name="Calon Peserta", agency=dinsos)
    enrol(event, siti)
    enrol(event, budi)
    enrol(event, waiting, EnrolmentStatus.pending)
    one, two = make_module(event, "Modul Satu"), make_module(event, "Modul Dua")
    a, b = make_material(one), make_material(one, MaterialKind.link)
    c = make_material(two)
    make_material(two, title="Tersembunyi", hidden=True)
    learner = client_as(siti)
    learner.post(f"/pelatihan/{event.id}/materi/{a.id}/selesai")
    learner.get(f"/pelatihan/{event.id}/materi/{b.id}/buka")
    learner.post(f"/pelatihan/{event.id}/materi/{c.id}/selesai")
    client_as(budi).post(f"/pelatihan/{event.id}/materi/{a.id}/selesai")

    client = client_as(organiser)
    page = text_of(client.get(f"/kelola/acara/{event.id}/materi/progres"))
    assert "Siti Aminah" in page and "Budi Hartono" in page and "Calon Peserta" not in page
    table = page[page.index('id="progress-table"') :]
    siti_row = table[table.index("Siti Aminah") : table.index("</tr>", table.index("Siti Aminah"))]
    budi_row = table[table.index("Budi Hartono") : table.index("</tr>", table.index("Budi Hartono"))]
    assert re.findall(r">(\d+)%<", siti_row) == ["100", "100", "100"]
    assert re.findall(r">(\d+)%<", budi_row) == ["50", "0", "33"]

    page = text_of(client.get(f"/kelola/acara/{event.id}/materi/progres?q=siti"))
    assert "Siti Aminah" in page and "Budi Hartono" not in page
    page = text_of(client.get(f"/kelola/acara/{event.id}/materi/progres?agency={diskominfo.id}"))
    assert "Siti Aminah" not in page and "Budi Hartono" in page

    response = client.get(f"/kelola/acara/{event.id}/materi/progres.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(BytesIO(response.data)).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = rows.index(
        ["No.", "Nama", "NIP", "Instansi", "1. Modul Satu (%)", "2. Modul Dua (%)", "Materi selesai", "Total (%)"]
    )
    data = rows[header + 1 :]
    assert data == [
        [1, "Budi Hartono", budi.nip, "Diskominfo", 50, 0, 1, 33],
        [2, "Siti Aminah, S.E.", "198507152010012003", "Dinas Sosial", 100, 100, 3, 100],
    ]
    assert ws.cell(row=header + 3, column=3).data_type == "s"  # NIP kept as text

    response = client.get(f"/kelola/acara/{event.id}/materi/progres.xlsx?agency={dinsos.id}")
    rows = [list(r) for r in load_workbook(BytesIO(response.data)).active.iter_rows(values_only=True)]
    assert [r[1] for r in rows[header + 1 :]] == ["Siti Aminah, S.E."]

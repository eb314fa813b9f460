"""Scoping: organisers of the event and admins only; another organiser gets 404, a participant 403."""

import pytest

from lms.auth.models import Role
from tests.roster.conftest import build_roster

ROUTES = [
    ("get", "/kelola/acara/{e}/impor-peserta"),
    ("post", "/kelola/acara/{e}/impor-peserta"),
    ("get", "/kelola/acara/{e}/impor-peserta/templat.xlsx"),
    ("get", "/kelola/acara/{e}/impor-peserta/{b}"),
    ("post", "/kelola/acara/{e}/impor-peserta/{b}/konfirmasi"),
    ("post", "/kelola/acara/{e}/impor-peserta/{b}/batal"),
    ("get", "/kelola/acara/{e}/impor-peserta/{b}/tidak-diimpor.xlsx"),
    ("post", "/kelola/acara/{e}/aktivasi.xlsx"),
    ("get", "/kelola/acara/{e}/peserta.xlsx"),
]


@pytest.fixture
def batch(org_client, event, make_agency, upload):
    make_agency("Dinas Sosial")
    _, batch = upload(org_client, event, build_roster([(1, "Ahmad", "198507152010011003", "Dinas Sosial")]))
    return batch


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_scoping(db, client, client_as, make_user, make_event, event, batch, method, path):
    url = path.format(e=event.id, b=batch.id)
    other_organiser = make_user(Role.organiser)
    make_event(organisers=[other_organiser])
    assert getattr(client_as(other_organiser), method)(url).status_code == 404
    assert getattr(client_as(make_user(Role.participant)), method)(url).status_code == 403
    assert getattr(client_as(make_user(Role.agency_officer)), method)(url).status_code == 403
    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302 and "/masuk" in anonymous.headers["Location"]
    # The batch belongs to this event: asked through another event it does not exist.
    other_event = make_event(organisers=[other_organiser])
    if "{b}" in path:
        assert getattr(client_as(other_organiser), method)(path.format(e=other_event.id, b=batch.id)).status_code == 404
    admin_response = getattr(client_as(make_user(Role.admin)), method)(url)
    assert admin_response.status_code in (200, 302, 400)
    assert batch.status.value == "preview" or method == "post"

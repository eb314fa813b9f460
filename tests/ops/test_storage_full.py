"""The disk full during an upload: a clear Indonesian message, no row, no partial or temporary file left."""

import errno
import os

import pytest
from sqlalchemy import func, select

import lms.storage
from lms.courses.models import Material
from lms.storage import LocalStorage, StorageFull
from tests.ops.conftest import PDF_BYTES, stored_files


class _FillingFile:
    """A file whose disk fills up after ``room`` bytes: the first bytes are written, then ENOSPC."""

    def __init__(self, real, room: int):
        self.real, self.room = real, room

    def write(self, data: bytes) -> int:
        if len(data) > self.room:
            self.real.write(data[: self.room])
            self.real.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return self.real.write(data)

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.real.close()


@pytest.fixture(params=["write", "fsync"])
def full_disk(request, monkeypatch):
    """The storage's disk fills up in the middle of a write, or only when the data is flushed (NFS, quotas)."""
    if request.param == "write":
        real_fdopen = os.fdopen
        monkeypatch.setattr(
            lms.storage.os, "fdopen", lambda fd, mode="r", *a, **k: _FillingFile(real_fdopen(fd, mode), 40)
        )
    else:

        def no_room(fd):
            raise OSError(errno.EDQUOT, os.strerror(errno.EDQUOT))

        monkeypatch.setattr(lms.storage.os, "fsync", no_room)
    return request.param


def test_upload_on_a_full_disk_keeps_nothing(db, event, module, upload_material, upload_dir, full_disk, monkeypatch):
    response = upload_material(event, module, PDF_BYTES * 20, "materi-besar.pdf")
    html = response.get_data(as_text=True)
    assert response.status_code == 507
    assert "Ruang penyimpanan penuh" in html and "tidak ada perubahan yang tersimpan" in html
    assert "ENOSPC" not in html and "Errno" not in html
    assert db.session.execute(select(func.count(Material.id))).scalar_one() == 0
    assert stored_files(upload_dir) == []  # neither the half-written temporary file nor the final one

    monkeypatch.undo()  # room again: the same upload now works
    assert upload_material(event, module, PDF_BYTES * 20, "materi-besar.pdf").status_code == 302
    (material,) = db.session.execute(select(Material)).scalars().all()
    (path,) = stored_files(upload_dir)
    assert path.read_bytes() == PDF_BYTES * 20 and path.relative_to(upload_dir).as_posix() == material.storage_key


def test_storage_full_is_an_oserror_with_its_errno(tmp_path, full_disk):
    import io

    storage = LocalStorage(tmp_path)
    with pytest.raises(StorageFull) as caught:
        storage.save(io.BytesIO(b"x" * 1000), "a.pdf")
    assert isinstance(caught.value, OSError) and caught.value.errno in (errno.ENOSPC, errno.EDQUOT)
    assert stored_files(tmp_path) == []


def test_other_os_errors_are_not_called_a_full_disk(tmp_path, monkeypatch):
    import io

    def denied(fd):
        raise PermissionError(errno.EACCES, "denied")

    monkeypatch.setattr(lms.storage.os, "fsync", denied)
    with pytest.raises(PermissionError):
        LocalStorage(tmp_path).save(io.BytesIO(b"x"), "a.pdf")
    assert stored_files(tmp_path) == []

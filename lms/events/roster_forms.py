"""Forms of the roster import (the agency mapping fields of the confirmation are read by name in the view)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class RosterUploadForm(FlaskForm):
    file = FileField(
        _l("Berkas daftar peserta (.xlsx)"),
        validators=[FileRequired(message=_l("Pilih berkas .xlsx yang akan diunggah."))],
        description=_l("Baris judul kolom boleh berada di bawah judul dokumen; baris kosong dilewati."),
        render_kw={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    )


class PostForm(FlaskForm):
    """A button that changes something (CSRF only)."""

"""Forms for modules, materials and the progress table's filter."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateTimeLocalField, IntegerField, SearchField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.courses.models import MaterialKind
from lms.events.forms import BAD_DATETIME, DATETIME_LOCAL_FORMATS, REQUIRED, http_url, optional_int
from lms.events.forms import strip as strip_text


class ModuleForm(FlaskForm):
    title = StringField(
        _l("Judul mata pelatihan"),
        validators=[DataRequired(message=REQUIRED), Length(max=250)],
        filters=[strip_text],
    )
    jp = IntegerField(
        _l("JP (jam pelajaran)"),
        default=0,
        validators=[
            InputRequired(message=REQUIRED),
            NumberRange(min=0, max=200, message=_l("JP harus bilangan bulat 0 sampai 200.")),
        ],
        description=_l("1 JP = 45 menit."),
    )
    speaker = StringField(_l("Narasumber"), validators=[Optional(), Length(max=200)], filters=[strip_text])
    description = TextAreaField(_l("Deskripsi"), validators=[Optional(), Length(max=5000)], filters=[strip_text])
    opens_at = DateTimeLocalField(
        _l("Dibuka mulai"),
        validators=[Optional()],
        format=DATETIME_LOCAL_FORMATS,
        invalid_value_message=BAD_DATETIME,
        description=_l("Kosongkan agar langsung terbuka. Waktu menurut zona acara."),
    )
    requires_previous = BooleanField(_l("Peserta harus menyelesaikan modul sebelumnya dulu"))


class MaterialForm(FlaskForm):
    """Edit a material; which fields apply depends on its kind (the view removes the others)."""

    title = StringField(
        _l("Judul materi"), validators=[DataRequired(message=REQUIRED), Length(max=250)], filters=[strip_text]
    )
    file = FileField(_l("Berkas"), description=_l("PDF, Word, PowerPoint, Excel, atau gambar (PNG, JPEG, GIF, WebP)."))
    url = StringField(
        _l("Alamat tautan"),
        validators=[Optional(), Length(max=1000), http_url],
        filters=[strip_text],
        description=_l("Untuk video: tautan YouTube atau Vimeo ditampilkan langsung di halaman."),
    )
    body = TextAreaField(
        _l("Isi materi"),
        validators=[Optional(), Length(max=100_000)],
        render_kw={"rows": 12},
        description=_l(
            "Teks biasa (baris kosong memisahkan paragraf) atau HTML sederhana: judul, tebal, miring, daftar, "
            "tabel, tautan. Skrip, gaya dan gambar dibuang."
        ),
    )
    hidden = BooleanField(_l("Sembunyikan dari peserta"))

    def keep_fields_for(self, kind: MaterialKind) -> None:
        """Drop the content fields that do not belong to ``kind``."""
        keep = {
            MaterialKind.file: "file",
            MaterialKind.link: "url",
            MaterialKind.video: "url",
            MaterialKind.text: "body",
        }
        for name in ("file", "url", "body"):
            if name != keep[kind]:
                delattr(self, name)


class ProgressFilterForm(FlaskForm):
    """GET filter of the progress table: no CSRF token, built from ``request.args``."""

    class Meta:
        csrf = False

    q = SearchField(_l("Nama atau NIP"), validators=[Optional(), Length(max=100)])
    agency = SelectField(_l("Instansi"), coerce=optional_int, validators=[Optional()])

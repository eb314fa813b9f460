"""Error pages in Indonesian (403, 404, 413, 429, 500)."""

from flask import render_template, request
from flask_babel import gettext as _

from lms.extensions import db


def register(app) -> None:
    messages = {
        400: lambda: (
            _("Permintaan tidak valid"),
            _("Permintaan Anda tidak dapat diproses. Muat ulang halaman lalu coba lagi."),
        ),
        403: lambda: (_("Akses ditolak"), _("Anda tidak memiliki izin untuk membuka halaman ini.")),
        404: lambda: (_("Halaman tidak ditemukan"), _("Halaman yang Anda cari tidak ada atau sudah dipindahkan.")),
        405: lambda: (_("Metode tidak diizinkan"), _("Cara membuka halaman ini tidak diizinkan.")),
        413: lambda: (_("Berkas terlalu besar"), _("Berkas yang Anda kirim melebihi batas ukuran.")),
        429: lambda: (_("Terlalu banyak percobaan"), _("Anda mencoba terlalu sering. Tunggu sebentar lalu coba lagi.")),
        500: lambda: (
            _("Terjadi kesalahan"),
            _("Terjadi kesalahan pada server. Tim kami akan memeriksanya; silakan coba lagi nanti."),
        ),
    }

    def handler(error):
        code = getattr(error, "code", 500) or 500
        if code == 500:
            db.session.rollback()
        title, text = messages.get(code, messages[500])()
        if request.headers.get("HX-Request"):
            return f"<div class='alert alert-danger'>{text}</div>", code
        return render_template("errors/error.html", code=code, title=title, text=text), code

    for code in messages:
        app.register_error_handler(code, handler)

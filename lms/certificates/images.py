"""Checks of the certificate's images (background, logo, signature) beyond lms.uploads' type and size check:
the image must really decode (a PNG header over garbage would break every certificate drawn with it), stay
within sane dimensions (no decompression bomb), and a signature stays small."""

from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from lms.uploads import MB, CheckedUpload, UploadError

MAX_PIXELS = 40_000_000  # e.g. 7,000 x 5,000: an A4 page at 600 dpi
SIGNATURE_MAX_BYTES = 2 * MB
SIGNATURE_MAX_SIDE = 3000


def check_image(upload: CheckedUpload, attribute: str) -> None:
    """Raise UploadError (Indonesian) when the uploaded PNG/JPEG cannot be used on a certificate."""
    if attribute == "signature_key" and upload.size > SIGNATURE_MAX_BYTES:
        raise UploadError(_("Gambar tanda tangan terlalu besar: paling besar %(mb)s MB.", mb=SIGNATURE_MAX_BYTES // MB))
    stream = upload.stream
    try:
        with Image.open(stream) as image:
            width, height = image.size
            if width * height <= MAX_PIXELS:
                image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise UploadError(_("Gambar rusak atau tidak dapat dibaca. Simpan ulang sebagai PNG atau JPEG.")) from exc
    finally:
        stream.seek(0)
    if width * height > MAX_PIXELS:
        raise UploadError(_("Ukuran gambar terlalu besar (%(w)s x %(h)s piksel).", w=width, h=height))
    if attribute == "signature_key" and max(width, height) > SIGNATURE_MAX_SIDE:
        raise UploadError(_("Gambar tanda tangan paling besar %(n)s piksel per sisi.", n=SIGNATURE_MAX_SIDE))

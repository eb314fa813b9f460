"""The certificate template (tata letak): position, size, font, alignment and visibility of every field.

A layout is a plain dict ``{field: {property: value}}`` kept in ``CertificateSettings.layout`` (JSON); ``None``
there means the default layout, which the renderer draws as it always has (lms.certificates.pdf.draw_front: a
logo pushes the text down, a missing NIP closes its gap). ``default_layout()`` describes that same page in
millimetres, as the editor's starting values.

Positions are in millimetres from the page's left and top edges (A4 landscape: 297 x 210 mm). A text field is a
box ``x``..``x + width`` whose first baseline is ``y`` mm from the top; the text is aligned in the box and
shrinks (multi-line fields wrap first) until it fits its width, so it never overflows. An image field (logo,
signature, QR) is a box whose top-left corner is (``x``, ``y``). Every value is bounded and unknown fields or
properties are refused (``LayoutError`` with an Indonesian message), so what is stored can always be drawn.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MM = 72 / 25.4  # points per millimetre
PAGE_W_MM, PAGE_H_MM = 297.0, 210.0
FONTS = {
    "Helvetica": _l("Helvetica"),
    "Helvetica-Bold": _l("Helvetica tebal"),
    "Times-Roman": _l("Times"),
    "Times-Bold": _l("Times tebal"),
    "Courier": _l("Courier"),
    "Courier-Bold": _l("Courier tebal"),
}
ALIGNS = {"left": _l("Kiri"), "center": _l("Tengah"), "right": _l("Kanan")}
TEXT, IMAGE = "text", "image"
# property: (minimum, maximum) in mm, or points for ``size``
BOUNDS = {"x": (0.0, PAGE_W_MM), "y": (0.0, PAGE_H_MM), "width": (5.0, PAGE_W_MM), "height": (5.0, PAGE_H_MM)}
SIZE_BOUNDS = (4.0, 72.0)
PROPERTY_LABELS = {
    "x": _l("posisi X"),
    "y": _l("posisi Y"),
    "width": _l("lebar"),
    "height": _l("tinggi"),
    "size": _l("ukuran huruf"),
    "font": _l("huruf"),
    "align": _l("perataan"),
    "visible": _l("tampil"),
}


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: object  # lazy string
    kind: str  # TEXT or IMAGE
    lines: int = 1  # most lines a text field wraps onto before it shrinks further

    @property
    def properties(self) -> tuple[str, ...]:
        if self.kind == TEXT:
            return ("x", "y", "width", "size", "font", "align", "visible")
        return ("x", "y", "width", "height", "visible")


FIELDS = {
    spec.key: spec
    for spec in (
        FieldSpec("organiser", _l("Nama penyelenggara"), TEXT),
        FieldSpec("title", _l("Judul sertifikat"), TEXT),
        FieldSpec("number", _l("Nomor sertifikat"), TEXT),
        FieldSpec("intro", _l("Kalimat \u201cdiberikan kepada\u201d"), TEXT),
        FieldSpec("holder_name", _l("Nama peserta"), TEXT),
        FieldSpec("holder_nip", _l("NIP peserta"), TEXT),
        FieldSpec("holder_agency", _l("Instansi peserta"), TEXT),
        FieldSpec("statement", _l("Pernyataan (lulus / hadir)"), TEXT),
        FieldSpec("event_title", _l("Judul kegiatan"), TEXT, lines=2),
        FieldSpec("facts", _l("Penyelenggara, tanggal, tempat, dan JP"), TEXT, lines=2),
        FieldSpec("issue_date", _l("Tanggal terbit"), TEXT),
        FieldSpec("signatory_position", _l("Jabatan penanda tangan"), TEXT, lines=2),
        FieldSpec("signatory_name", _l("Nama penanda tangan"), TEXT),
        FieldSpec("signatory_nip", _l("NIP penanda tangan"), TEXT),
        FieldSpec("signature", _l("Gambar tanda tangan"), IMAGE),
        FieldSpec("qr", _l("Kode QR"), IMAGE),
        FieldSpec("logo", _l("Logo"), IMAGE),
    )
}


class LayoutError(ValueError):
    """An invalid layout; ``errors`` lists every problem in Indonesian (``str(err)`` joins them)."""

    def __init__(self, errors: list[str]):
        super().__init__(" ".join(errors))
        self.errors = errors


def _mm(points: float) -> float:
    return round(points / MM, 1)


def _text(x_pt, width_pt, top_pt, size, font="Helvetica", align="center") -> dict:
    return {"x": _mm(x_pt), "y": _mm(top_pt), "width": _mm(width_pt), "size": size, "font": font, "align": align}


def default_layout(with_logo: bool = False) -> dict:
    """The default page (pdf.draw_front) in millimetres: baselines as drawn for a one-line event title and a
    participant with a NIP; with a logo the text below it moves down as it does there."""
    page_w, page_h, margin = PAGE_W_MM * MM, PAGE_H_MM * MM, 70.0
    text_w, down = page_w - 2 * margin, 70.0 if with_logo else 0.0
    sign_x, sign_w = page_w - margin - 300, 300.0
    fields = {
        "organiser": _text(margin, text_w, 59 + down, 14, "Helvetica-Bold"),
        "title": _text(margin, text_w, 103 + down, 34, "Helvetica-Bold"),
        "number": _text(margin, text_w, 125 + down, 12),
        "intro": _text(margin, text_w, 157 + down, 13),
        "holder_name": _text(margin, text_w, 191 + down, 28, "Helvetica-Bold"),
        "holder_nip": _text(margin, text_w, 211 + down, 12),
        "holder_agency": _text(margin, text_w, 227 + down, 12),
        "statement": _text(margin, text_w, 255 + down, 13),
        "event_title": _text(margin, text_w, 281 + down, 18, "Helvetica-Bold"),
        "facts": _text(margin, text_w, 307.5 + down, 12),
        "issue_date": _text(sign_x, sign_w, page_h - 168, 11),
        "signatory_position": _text(sign_x, sign_w, page_h - 154.25, 11),
        "signatory_name": _text(sign_x, sign_w, page_h - 72, 12, "Helvetica-Bold"),
        "signatory_nip": _text(sign_x, sign_w, page_h - 57, 11),
        "signature": {"x": _mm(sign_x + 90), "y": _mm(page_h - 132), "width": _mm(120), "height": _mm(48)},
        "qr": {"x": _mm(margin), "y": _mm(page_h - 136), "width": _mm(84), "height": _mm(84)},
        "logo": {"x": _mm(page_w / 2 - 30), "y": _mm(45), "width": _mm(60), "height": _mm(60)},
    }
    for values in fields.values():
        values["visible"] = True
    return fields


def _label(key: str) -> str:
    return str(FIELDS[key].label)


def _number(key: str, prop: str, value, bounds: tuple[float, float], errors: list[str]) -> float | None:
    try:
        number = float(str(value).strip().replace(",", "."))
    except (TypeError, ValueError):
        errors.append(_("%(field)s: %(prop)s harus berupa angka.", field=_label(key), prop=PROPERTY_LABELS[prop]))
        return None
    low, high = bounds
    if not low <= number <= high:  # also refuses NaN
        errors.append(
            _(
                "%(field)s: %(prop)s harus antara %(low)s dan %(high)s.",
                field=_label(key),
                prop=PROPERTY_LABELS[prop],
                low=f"{low:g}",
                high=f"{high:g}",
            )
        )
        return None
    return round(number, 1)


def _visible(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "y", "yes", "on", "true")


def _field(key: str, raw: dict, errors: list[str]) -> dict:
    spec, clean = FIELDS[key], {}
    for prop in raw:
        if prop not in spec.properties:
            errors.append(_("%(field)s: isian \u201c%(prop)s\u201d tidak dikenal.", field=_label(key), prop=str(prop)))
    for prop in spec.properties:
        if prop not in raw:
            if prop == "visible":
                clean[prop] = False
                continue
            errors.append(_("%(field)s: %(prop)s wajib diisi.", field=_label(key), prop=PROPERTY_LABELS[prop]))
            continue
        value = raw[prop]
        if prop == "visible":
            clean[prop] = _visible(value)
        elif prop == "font":
            if not isinstance(value, str) or value not in FONTS:
                errors.append(_("%(field)s: jenis huruf tidak dikenal.", field=_label(key)))
            clean[prop] = value
        elif prop == "align":
            if not isinstance(value, str) or value not in ALIGNS:
                errors.append(_("%(field)s: perataan harus kiri, tengah, atau kanan.", field=_label(key)))
            clean[prop] = value
        else:
            clean[prop] = _number(key, prop, value, SIZE_BOUNDS if prop == "size" else BOUNDS[prop], errors)
    x, y, width = clean.get("x"), clean.get("y"), clean.get("width")
    height = clean.get("height", 0.0)
    if None not in (x, y, width, height) and (x + width > PAGE_W_MM + 0.05 or y + (height or 0) > PAGE_H_MM + 0.05):
        errors.append(
            _(
                "%(field)s: kotaknya melewati tepi halaman (halaman %(w)s x %(h)s mm).",
                field=_label(key),
                w=f"{PAGE_W_MM:g}",
                h=f"{PAGE_H_MM:g}",
            )
        )
    return clean


def validate_layout(raw) -> dict:
    """A complete, bounded layout from ``raw`` (``{field: {property: value}}``, strings or numbers); raises
    LayoutError listing every problem. Fields left out keep the default; unknown ones are refused."""
    if not isinstance(raw, dict):
        raise LayoutError([_("Tata letak tidak valid.")])
    errors: list[str] = []
    layout = default_layout()
    for key, values in raw.items():
        if key not in FIELDS:
            errors.append(_("Bagian tata letak tidak dikenal: %(key)s.", key=str(key)[:40]))
        elif not isinstance(values, dict):
            errors.append(_("%(field)s: isian tidak valid.", field=_label(key)))
        else:
            layout[key] = _field(key, values, errors)
    if errors:
        raise LayoutError(errors)
    return layout


def layout_from_form(form) -> dict:
    """``{field: {property: value}}`` from form names ``<field>.<property>`` (an unchecked ``visible`` box is
    absent, so every field named in the form starts invisible). Names without a dot (csrf_token) are skipped."""
    raw: dict[str, dict] = {}
    for name in form:
        key, dot, prop = name.partition(".")
        if not dot:
            continue
        raw.setdefault(key, {})[prop] = form.get(name)
    return raw


def is_default(layout: dict | None, with_logo: bool = False) -> bool:
    return layout is None or layout == default_layout(with_logo)

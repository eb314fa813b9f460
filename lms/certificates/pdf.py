"""The certificate PDF (reportlab): A4 landscape, page 1 the certificate, page 2 the modules with their JP.

The renderer takes plain data (``CertificateData``) so it can be timed and tested without the database. User
text is drawn with ``drawString`` (never parsed as markup); long names and titles shrink (and titles wrap onto
a few lines) until they fit the width, so nothing overflows or gets cut. The document is Indonesian whatever
the reader's interface language: it is an official document.
"""

from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from lms.certificates.qr import draw_qr

PAGE_W, PAGE_H = landscape(A4)
MARGIN = 70
TEXT_W = PAGE_W - 2 * MARGIN
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"
MM = 72 / 25.4  # points per millimetre (layouts are in mm)


@dataclass
class CertificateData:
    number: str
    title: str  # "SERTIFIKAT" / "SERTIFIKAT KEHADIRAN"
    statement: str  # "telah mengikuti dan dinyatakan LULUS pada"
    holder_name: str
    holder_nip: str | None
    holder_agency: str
    event_title: str
    organiser: str
    dates: str  # "22 - 24 November 2026"
    place: str
    total_jp: int
    issue_date: str  # "22 November 2026"
    signatory_name: str
    signatory_position: str
    signatory_nip: str | None
    verification_url: str
    syllabus: list[tuple[str, int]] = field(default_factory=list)  # (module or session title, JP)
    syllabus_heading: str = "Daftar Mata Pelatihan"
    background: ImageReader | None = None
    logo: ImageReader | None = None
    signature: ImageReader | None = None  # the signatory's signature, drawn above the name
    layout: dict | None = None  # lms.certificates.layout; None: the default page
    intro: str = "diberikan kepada:"
    qr_caption: str = "Pindai untuk memeriksa keaslian sertifikat"

    @property
    def facts(self) -> str:
        place = f" di {self.place}" if self.place else ""
        return (
            f"yang diselenggarakan oleh {self.organiser} pada tanggal {self.dates}{place}, sebanyak {self.total_jp} JP."
        )


def fit_size(text: str, font: str, max_size: float, width: float) -> float:
    """The largest size up to ``max_size`` at which ``text`` fits ``width`` on one line."""
    unit = stringWidth(text, font, 1)
    return max_size if unit * max_size <= width else width / unit if unit else max_size


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap; a word wider than ``width`` stays on its own line (the caller shrinks then)."""
    return _Words(text, font).lines(size, width)[0]


class _Words:
    """A text's words with their widths at size 1: a line's width at any size is their sum (plus spaces) times
    the size (the standard fonts have no kerning), so trying many sizes measures each word only once."""

    def __init__(self, text: str, font: str):
        self.words = text.split()
        self.widths = [stringWidth(word, font, 1) for word in self.words]
        self.space = stringWidth(" ", font, 1)

    def lines(self, size: float, width: float) -> tuple[list[str], float]:
        """(lines, widest line) at ``size``."""
        limit = width / size
        lines, widest, current, current_w = [], 0.0, [], 0.0
        for word, word_w in zip(self.words, self.widths, strict=True):
            candidate_w = current_w + self.space + word_w if current else word_w
            if current and candidate_w > limit:
                lines.append(" ".join(current))
                widest = max(widest, current_w)
                current, current_w = [word], word_w
            else:
                current.append(word)
                current_w = candidate_w
        lines.append(" ".join(current))
        return lines, max(widest, current_w) * size


@lru_cache(maxsize=2048)
def fit_lines(text: str, font: str, max_size: float, width: float, max_lines: int) -> tuple[float, tuple[str, ...]]:
    """Shrink (by half a point) until ``text`` wraps into at most ``max_lines`` lines, each within ``width``.
    Memoised: an event's certificates repeat the same title, modules and signatory."""
    words = _Words(text, font)
    size = max_size
    while True:
        lines, widest = words.lines(size, width)
        if len(lines) <= max_lines and widest <= width:
            return size, tuple(lines)
        if size <= 2:  # an absurd text: one line, small enough to fit
            line = " ".join(words.words)
            return fit_size(line, font, size, width), (line,)
        size -= 0.5


def centred(canvas: Canvas, text: str, font: str, max_size: float, y: float, width: float = TEXT_W) -> float:
    size = fit_size(text, font, max_size, width)
    canvas.setFont(font, size)
    canvas.drawCentredString(PAGE_W / 2, y, text)
    return size


def centred_lines(canvas, text, font, max_size, y, max_lines, width=TEXT_W, x=PAGE_W / 2) -> float:
    """Draw wrapped, centred lines from baseline ``y`` downwards; returns the baseline below the last line."""
    size, lines = fit_lines(text, font, max_size, width, max_lines)
    canvas.setFont(font, size)
    for line in lines:
        canvas.drawCentredString(x, y, line)
        y -= size * 1.25
    return y


def _nip(nip: str | None) -> str:
    return f"NIP. {nip}" if nip else ""


def draw_front(canvas: Canvas, data: CertificateData) -> None:
    """The default page: fields placed one below the other (a logo pushes them down, a missing NIP closes its
    gap). A custom layout is drawn by ``draw_front_layout``."""
    if data.layout is not None:
        draw_front_layout(canvas, data, data.layout)
        return
    if data.background is not None:
        canvas.drawImage(data.background, 0, 0, PAGE_W, PAGE_H, preserveAspectRatio=False, mask="auto")
    top = PAGE_H - 45
    if data.logo is not None:
        canvas.drawImage(data.logo, PAGE_W / 2 - 30, top - 60, 60, 60, preserveAspectRatio=True, mask="auto")
        top -= 70
    centred(canvas, data.organiser.upper(), BOLD, 14, top - 14)
    centred(canvas, data.title, BOLD, 34, top - 58)
    centred(canvas, f"Nomor: {data.number}", REGULAR, 12, top - 80)
    centred(canvas, data.intro, REGULAR, 13, top - 112)
    centred(canvas, data.holder_name, BOLD, 28, top - 146)
    y = top - 166
    if data.holder_nip:
        centred(canvas, _nip(data.holder_nip), REGULAR, 12, y)
        y -= 16
    centred(canvas, data.holder_agency, REGULAR, 12, y)
    centred(canvas, data.statement, REGULAR, 13, y - 28)
    y = centred_lines(canvas, data.event_title, BOLD, 18, y - 54, max_lines=2)
    centred_lines(canvas, data.facts, REGULAR, 12, y - 4, max_lines=2)
    _draw_signature(canvas, data)
    draw_qr(canvas, data.verification_url, MARGIN, 52, 84)
    canvas.setFont(REGULAR, 7)
    canvas.drawString(MARGIN, 42, data.qr_caption)


def _image_box(canvas: Canvas, image: ImageReader, x: float, y: float, width: float, height: float) -> None:
    """``image`` scaled to fit the box with lower-left corner (x, y), keeping its proportions, centred in it."""
    canvas.drawImage(image, x, y, width, height, preserveAspectRatio=True, anchor="c", mask="auto")


def _draw_signature(canvas: Canvas, data: CertificateData) -> None:
    x, width = PAGE_W - MARGIN - 150, 300
    if data.signature is not None:
        _image_box(canvas, data.signature, x - 60, 84, 120, 48)
    y = centred_lines(canvas, f"Diterbitkan tanggal {data.issue_date}", REGULAR, 11, 168, 1, width, x)
    centred_lines(canvas, data.signatory_position, REGULAR, 11, y, 2, width, x)
    size, lines = fit_lines(data.signatory_name, BOLD, 12, width, 1)
    canvas.setFont(BOLD, size)
    canvas.drawCentredString(x, 72, lines[0])
    line_w = stringWidth(lines[0], BOLD, size)
    canvas.setLineWidth(0.6)
    canvas.line(x - line_w / 2, 70, x + line_w / 2, 70)
    if data.signatory_nip:
        canvas.setFont(REGULAR, 11)
        canvas.drawCentredString(x, 57, _nip(data.signatory_nip))


_FIELD_TEXT = {
    "organiser": lambda d: d.organiser.upper(),
    "title": lambda d: d.title,
    "number": lambda d: f"Nomor: {d.number}",
    "intro": lambda d: d.intro,
    "holder_name": lambda d: d.holder_name,
    "holder_nip": lambda d: _nip(d.holder_nip),
    "holder_agency": lambda d: d.holder_agency,
    "statement": lambda d: d.statement,
    "event_title": lambda d: d.event_title,
    "facts": lambda d: d.facts,
    "issue_date": lambda d: f"Diterbitkan tanggal {d.issue_date}",
    "signatory_position": lambda d: d.signatory_position,
    "signatory_name": lambda d: d.signatory_name,
    "signatory_nip": lambda d: _nip(d.signatory_nip),
}


def _draw_text_field(canvas: Canvas, key: str, text: str, spec: dict, lines: int) -> None:
    x, width, size = spec["x"] * MM, spec["width"] * MM, spec["size"]
    y, font, align = PAGE_H - spec["y"] * MM, spec["font"], spec["align"]
    if lines == 1:
        size, wrapped = fit_size(text, font, size, width), (text,)
    else:
        size, wrapped = fit_lines(text, font, size, width, lines)
    canvas.setFont(font, size)
    for line in wrapped:
        if align == "left":
            canvas.drawString(x, y, line)
        elif align == "right":
            canvas.drawRightString(x + width, y, line)
        else:
            canvas.drawCentredString(x + width / 2, y, line)
        if key == "signatory_name":  # underlined, as on the default page
            line_w = stringWidth(line, font, size)
            left = x if align == "left" else x + width - line_w if align == "right" else x + (width - line_w) / 2
            canvas.setLineWidth(0.6)
            canvas.line(left, y - 2, left + line_w, y - 2)
        y -= size * 1.25


def draw_front_layout(canvas: Canvas, data: CertificateData, layout: dict) -> None:
    """Page 1 from a validated layout (lms.certificates.layout): every field in its own box, in millimetres
    from the top-left corner; text shrinks to fit its box's width."""
    from lms.certificates.layout import FIELDS

    if data.background is not None:
        canvas.drawImage(data.background, 0, 0, PAGE_W, PAGE_H, preserveAspectRatio=False, mask="auto")
    for key, spec in layout.items():
        if not spec.get("visible", True):
            continue
        if key in _FIELD_TEXT:
            text = _FIELD_TEXT[key](data)
            if text:
                _draw_text_field(canvas, key, text, spec, FIELDS[key].lines)
            continue
        x, width, height = spec["x"] * MM, spec["width"] * MM, spec["height"] * MM
        bottom = PAGE_H - spec["y"] * MM - height
        if key == "qr":
            side = min(width, height)
            draw_qr(canvas, data.verification_url, x, bottom + height - side, side)
            canvas.setFont(REGULAR, 7)
            canvas.drawString(x, bottom + height - side - 10, data.qr_caption)
        elif key == "logo" and data.logo is not None:
            _image_box(canvas, data.logo, x, bottom, width, height)
        elif key == "signature" and data.signature is not None:
            _image_box(canvas, data.signature, x, bottom, width, height)


def draw_syllabus(canvas: Canvas, data: CertificateData) -> None:
    """Page 2 (and more when long): the modules or sessions with their JP, and the total."""
    no_x, title_x, jp_x = MARGIN, MARGIN + 40, PAGE_W - MARGIN
    title_w = jp_x - 50 - title_x

    def header() -> float:
        centred(canvas, data.syllabus_heading.upper(), BOLD, 16, PAGE_H - 60)
        centred(canvas, f"Lampiran sertifikat nomor {data.number} a.n. {data.holder_name}", REGULAR, 10, PAGE_H - 80)
        canvas.setFont(BOLD, 11)
        canvas.drawString(no_x, PAGE_H - 115, "No")
        canvas.drawString(title_x, PAGE_H - 115, "Materi")
        canvas.drawRightString(jp_x, PAGE_H - 115, "JP")
        canvas.line(MARGIN, PAGE_H - 121, PAGE_W - MARGIN, PAGE_H - 121)
        return PAGE_H - 140

    y = header()
    for index, (title, jp) in enumerate(data.syllabus, start=1):
        size, lines = fit_lines(title, REGULAR, 11, title_w, 2)
        if y - size * 1.25 * len(lines) < 70:
            canvas.showPage()
            y = header()
        canvas.setFont(REGULAR, 11)
        canvas.drawString(no_x, y, str(index))
        canvas.drawRightString(jp_x, y, str(jp))
        canvas.setFont(REGULAR, size)
        for line in lines:
            canvas.drawString(title_x, y, line)
            y -= size * 1.25
        y -= 6
    canvas.line(MARGIN, y + 8, PAGE_W - MARGIN, y + 8)
    canvas.setFont(BOLD, 11)
    canvas.drawString(title_x, y - 8, "Jumlah")
    canvas.drawRightString(jp_x, y - 8, f"{data.total_jp} JP")


def render_pdf(data: CertificateData) -> bytes:
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_W, PAGE_H))
    canvas.setTitle(f"{data.title.title()} {data.number}")
    canvas.setAuthor(data.organiser)
    draw_front(canvas, data)
    canvas.showPage()
    draw_syllabus(canvas, data)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()

"""Question bank import and export as .xlsx, in one format so an export can be edited and imported again.

Columns: Jenis, Pertanyaan, Poin, Pilihan 1 ... Pilihan 6, Kunci. Jenis: ``pg`` (pilihan ganda, one answer),
``pg-kompleks`` (several answers), ``bs`` (benar/salah), ``isian`` (short answer); the English codes
(single, multiple, true_false, short) are accepted too. Kunci: the numbers (or letters) of the correct options,
comma-separated ("2" or "1,3" or "A,C"); "Benar"/"Salah" for bs; the model answer for isian. Valid rows are
imported; each refused row is reported with its row number and the reason.
"""

from dataclasses import dataclass, field
from typing import BinaryIO

from flask_babel import gettext as _

from lms.assessments import operations as ops
from lms.assessments.models import QuestionKind
from lms.events.operations import OperationError
from lms.events.roster_parse import RosterFileError, RowError, check_file, display, text_value
from lms.spreadsheets import Text, add_table_sheet, new_workbook

OPTION_COLUMNS = 6
HEADERS = ["Jenis", "Pertanyaan", "Poin"] + [f"Pilihan {i}" for i in range(1, OPTION_COLUMNS + 1)] + ["Kunci"]
KIND_CODES = {
    QuestionKind.single: "pg",
    QuestionKind.multiple: "pg-kompleks",
    QuestionKind.true_false: "bs",
    QuestionKind.short: "isian",
}
KIND_ALIASES = {code: kind for kind, code in KIND_CODES.items()} | {k.value: k for k in QuestionKind}
KIND_ALIASES |= {"pilihan ganda": QuestionKind.single, "benar/salah": QuestionKind.true_false}
MAX_ROWS = 2000


def export_workbook(questions):
    rows = []
    for q in questions:
        options = [o.text for o in q.options] if q.kind is not QuestionKind.true_false else []
        if q.kind is QuestionKind.true_false:
            key = "Benar" if q.options and q.options[0].is_correct else "Salah"
        elif q.kind is QuestionKind.short:
            key = q.answer_key or ""
        else:
            key = ",".join(str(i) for i, o in enumerate(q.options, start=1) if o.is_correct)
        rows.append([KIND_CODES[q.kind], q.text, q.points, *(options + [""] * OPTION_COLUMNS)[:OPTION_COLUMNS], key])
    wb = new_workbook()
    add_table_sheet(wb, "Soal", HEADERS, rows, widths=[12, 60, 8] + [24] * OPTION_COLUMNS + [16])
    return wb


@dataclass
class ImportResult:
    imported: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)


def _key_indexes(key: str, count: int) -> set[int]:
    indexes = set()
    for part in key.replace(";", ",").split(","):
        part = part.strip().upper()
        if not part:
            continue
        if part.isdigit():
            index = int(part)
        elif len(part) == 1 and "A" <= part <= "Z":
            index = ord(part) - ord("A") + 1
        else:
            raise RowError(_("Kunci %(key)s tidak dikenali: tulis nomor pilihan, misalnya 1 atau 1,3.", key=key))
        if not 1 <= index <= count:
            raise RowError(_("Kunci %(key)s menunjuk pilihan yang tidak ada.", key=key))
        indexes.add(index)
    return indexes


def parse_row(cells: tuple) -> tuple[QuestionKind, str, int, list[tuple[str, bool]], str | None]:
    cells = tuple(cells) + (None,) * (len(HEADERS) - len(cells))
    kind_text = (text_value(cells[0], "Jenis") or "").lower()
    kind = KIND_ALIASES.get(kind_text)
    if kind is None:
        raise RowError(_("Jenis soal %(kind)s tidak dikenali (pg, pg-kompleks, bs, isian).", kind=kind_text or "—"))
    text = text_value(cells[1], "Pertanyaan")
    if not text:
        raise RowError(_("Pertanyaan kosong."))
    points_text = display(cells[2]) or "1"
    try:
        points = int(float(points_text))
    except ValueError:
        raise RowError(_("Poin harus bilangan bulat 1-100.")) from None
    if not 1 <= points <= 100:
        raise RowError(_("Poin harus bilangan bulat 1-100."))
    options = [text_value(cells[3 + i], f"Pilihan {i + 1}") for i in range(OPTION_COLUMNS)]
    options = [o for o in options if o]
    key = text_value(cells[3 + OPTION_COLUMNS], "Kunci") or ""
    if kind is QuestionKind.true_false:
        if key.lower() not in ("benar", "salah", "b", "s", "true", "false"):
            raise RowError(_("Kunci soal benar/salah harus Benar atau Salah."))
        return kind, text, points, ops.true_false_options(key.lower() in ("benar", "b", "true")), None
    if kind is QuestionKind.short:
        return kind, text, points, [], key or None
    correct = _key_indexes(key, len(options))
    return kind, text, points, [(o, i in correct) for i, o in enumerate(options, start=1)], None


def import_questions(event, stream: BinaryIO) -> ImportResult:
    """Import the valid rows of the first sheet (row 1 is the header); raises RosterFileError for a bad file."""
    from openpyxl import load_workbook

    check_file(stream)
    try:
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        raise RosterFileError(_("Berkas Excel tidak dapat dibaca. Buka dan simpan ulang di Excel.")) from exc
    result = ImportResult()
    try:
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number == 1 or all(c is None or str(c).strip() == "" for c in cells):
                continue
            if number > MAX_ROWS + 1:
                result.rejected.append((number, _("Terlalu banyak baris (paling banyak %(n)s).", n=MAX_ROWS)))
                break
            try:
                ops.create_question(event, *parse_row(cells))
            except (RowError, OperationError) as error:
                result.rejected.append((number, str(error)))
            else:
                result.imported += 1
    finally:
        workbook.close()
    return result


def gain_workbook(event, report):
    """The pre/post report: one row per approved participant, then the class means."""

    def num(value):
        return None if value is None else round(value, 2)

    rows = [
        [
            r.user.name,
            Text(r.user.nip or ""),
            r.user.agency.name if r.user.agency else "",
            num(r.pre),
            num(r.post),
            num(r.gain),
            num(r.g),
            "" if r.passed is None else (_("Ya") if r.passed else _("Tidak")),
        ]
        for r in report.rows
    ]
    rows.append([_("Rata-rata kelas"), "", "", num(report.mean_pre), num(report.mean_post), num(report.mean_gain),
                 num(report.mean_g), f"{report.passed_count}/{len(report.rows)}"])  # fmt: skip
    headers = [_("Nama"), _("NIP"), _("Instansi"), _("Pre-test"), _("Post-test"), _("Gain"), "g", _("Lulus")]
    wb = new_workbook()
    add_table_sheet(
        wb,
        _("Pre-post"),
        headers,
        rows,
        widths=[36, 22, 36, 10, 10, 10, 10, 8],
        title_rows=[
            event.title,
            _("g = (post - pre) / (100 - pre); kosong bila pre-test 100 (tidak dihitung dalam rata-rata)."),
        ],
    )
    return wb

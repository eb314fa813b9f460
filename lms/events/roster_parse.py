"""Reading a roster spreadsheet: the file checks before parsing, the header row, and each row's clean values.

Nothing here touches the database. The file is checked first (size, a real .xlsx zip, no zip bomb), then read
with openpyxl in read-only mode without evaluating anything: a formula arrives as its text ("=CONCAT(...)")
and the row is refused with a message. NIP and NIK must be text: a number cell has already lost digits in
Excel (15 significant digits), so the row is refused with a message that says so.
"""

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.auth.identity import RANKS, IdentityError, clean_digits, normalise_phone, validate_nik, validate_nip
from lms.uploads import OLE_MAGIC, XLSX, sniff

MB = 1024 * 1024
HEADER_SEARCH_ROWS = 30  # the header row is looked for among the first rows (title blocks sit above it)
MAX_ZIP_MEMBERS = 2000
RATIO_CHECK_FROM = 1 * MB  # members smaller than this are not checked for their compression ratio


class RosterFileError(ValueError):
    """The file as a whole cannot be imported; ``str(err)`` is a message for the user."""


class RowError(ValueError):
    """One cell makes its row unusable; ``str(err)`` is the reason shown to the organiser."""


# Header names --------------------------------------------------------------------------------------------

FIELD_LABELS = {
    "name": _l("Nama"),
    "identity": _l("NIP/NIK"),
    "nip": _l("NIP"),
    "nik": _l("NIK"),
    "agency": _l("Instansi"),
    "position": _l("Jabatan"),
    "rank": _l("Pangkat/Gol."),
    "phone": _l("No. HP"),
    "email": _l("E-mail"),
}
IDENTIFIERS = ("identity", "nip", "nik", "email")

_EXACT_HEADERS = {
    "no": None,
    "no urut": None,
    "nomor": None,
    "nama": "name",
    "nama lengkap": "name",
    "nama peserta": "name",
    "nip": "nip",
    "nip baru": "nip",
    "nomor induk pegawai": "nip",
    "nik": "nik",
    "nomor induk kependudukan": "nik",
    "no ktp": "nik",
    "nip nik": "identity",
    "nik nip": "identity",
    "instansi": "agency",
    "instansi opd": "agency",
    "opd": "agency",
    "unit kerja": "agency",
    "satuan kerja": "agency",
    "satker": "agency",
    "skpd": "agency",
    "perangkat daerah": "agency",
    "asal instansi": "agency",
    "nama instansi": "agency",
    "jabatan": "position",
    "nama jabatan": "position",
    "pangkat": "rank",
    "golongan": "rank",
    "gol": "rank",
    "pangkat gol": "rank",
    "pangkat golongan": "rank",
    "pangkat gol ruang": "rank",
    "email": "email",
    "e mail": "email",
    "alamat email": "email",
    "alamat e mail": "email",
    "surel": "email",
}


def normalise_header(text) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text or "").lower()).split())


def header_field(text) -> str | None:
    """The roster field a header names ("Nama Lengkap (beserta gelar)" -> "name"), or None."""
    key = normalise_header(text)
    if not key:
        return None
    if key in _EXACT_HEADERS:
        return _EXACT_HEADERS[key]
    words = set(key.split())
    if "mail" in words or "email" in words:
        return "email"
    if "nip" in words and "nik" in words:
        return "identity"
    if "nip" in words:
        return "nip"
    if "nik" in words:
        return "nik"
    if words & {"hp", "wa", "whatsapp", "telp", "telepon", "handphone", "ponsel", "telpon"}:
        return "phone"
    if words & {"instansi", "opd", "skpd", "satker"} or "unit kerja" in key or "satuan kerja" in key:
        return "agency"
    if "pangkat" in words or "golongan" in words or "gol" in words:
        return "rank"
    if "jabatan" in words:
        return "position"
    if key.startswith("nama"):
        return "name"
    return None


def columns_of(header: tuple) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for index, text in enumerate(header):
        name = header_field(text) if isinstance(text, str) else None
        if name:
            found.setdefault(name, []).append(index)
    return found


def is_header(columns: dict[str, list[int]]) -> bool:
    return "name" in columns and any(name in columns for name in IDENTIFIERS)


# File checks ---------------------------------------------------------------------------------------------


def _limit(name: str, default_mb: int) -> int:
    return int(current_app.config.get(name, default_mb)) * MB


def check_file(stream: BinaryIO) -> int:
    """Refuse what must not reach the parser; returns the size. Checked with zipfile, before openpyxl opens it:
    the size limit, a real .xlsx ([Content_Types].xml naming a workbook, xl/workbook.xml), and the declared
    uncompressed sizes (total and ratio). zipfile never inflates a member past its declared size (the CRC
    check fails first), so the declared sizes bound what openpyxl can read."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    if size == 0:
        raise RosterFileError(_("Berkas kosong."))
    if size > _limit("ROSTER_MAX_UPLOAD_MB", 10):
        raise RosterFileError(
            _("Berkas terlalu besar (paling besar %(mb)s MB).", mb=current_app.config.get("ROSTER_MAX_UPLOAD_MB", 10))
        )
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(OLE_MAGIC):
        raise RosterFileError(
            _("Berkas ini berformat Excel lama (.xls). Buka di Excel lalu simpan sebagai Excel Workbook (.xlsx).")
        )
    not_xlsx = RosterFileError(
        _("Berkas ini bukan berkas Excel .xlsx (isinya diperiksa, bukan namanya). Simpan sebagai .xlsx lalu unggah.")
    )
    if sniff(stream) is not XLSX:
        raise not_xlsx
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise not_xlsx from exc
    finally:
        stream.seek(0)
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise not_xlsx
    total = sum(member.file_size for member in members)
    ratio_limit = int(current_app.config.get("ROSTER_MAX_ZIP_RATIO", 100))
    inflated = any(
        member.file_size > RATIO_CHECK_FROM and member.file_size > ratio_limit * max(member.compress_size, 1)
        for member in members
    )
    if len(members) > MAX_ZIP_MEMBERS or total > _limit("ROSTER_MAX_UNCOMPRESSED_MB", 100) or inflated:
        raise RosterFileError(
            _("Isi berkas terlalu besar setelah dibuka (kemungkinan zip bomb). Berkas tidak diproses.")
        )
    return size


# Cells ---------------------------------------------------------------------------------------------------

_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE][+]?\d+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_RANK = re.compile(r"\b(IV|III|II|I)\s*[/.\-]?\s*([A-Ea-e])\b", re.IGNORECASE)
_RANK_TITLES = {title.lower(): code for code, title in RANKS.items()}
_MOBILE = re.compile(r"^(?:\+?62|0)(8\d{8,11})$")
_PHONE_NOISE = re.compile(r"[\s.\-()]")


def display(value) -> str:
    """A cell as the organiser saw it in Excel (numbers without exponent), for the preview and rejected rows."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # The shortest repr, as Excel shows it: 1.98507152010011e+17 -> "198507152010011000" (not ...008).
        return format(Decimal(repr(value)).normalize(), "f") if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != datetime.min.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _formula_error(column: str, text: str) -> RowError:
    shown = text if len(text) <= 40 else text[:37] + "..."
    return RowError(
        _(
            "Kolom %(column)s berisi rumus (%(formula)s); rumus tidak dihitung saat impor. "
            "Ketik nilainya langsung, bukan rumus.",
            column=column,
            formula=shown,
        )
    )


def text_value(value, column: str) -> str | None:
    """A text cell, whitespace collapsed; None when empty. A formula is refused."""
    if value is None:
        return None
    if value.__class__ is str:
        text = " ".join(value.split())
        if text.startswith("="):
            raise _formula_error(column, text)
        return text or None
    return display(value) or None


def lost_digits_error(column: str) -> RowError:
    return RowError(
        _(
            "%(column)s tersimpan sebagai angka di Excel sehingga digit terakhirnya hilang (Excel hanya menyimpan "
            "15 digit). Ubah format kolom %(column)s menjadi Teks lalu ketik ulang nomornya.",
            column=column,
        )
    )


def identity_value(value, column: str) -> tuple[str, str] | None:
    """("nip", digits) or ("nik", digits) told apart by length, or None when empty; RowError otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise RowError(_("%(column)s tidak valid.", column=column))
    if isinstance(value, int | float):
        raise lost_digits_error(column)
    text = text_value(value, column)
    if text is None:
        return None
    text = text.lstrip("'")
    if _SCIENTIFIC.match(text.replace(" ", "")):
        raise lost_digits_error(column)
    digits = clean_digits(text)
    if digits.isdigit() and len(digits) >= 17 and set(digits[15:]) == {"0"}:
        raise lost_digits_error(column)
    try:
        if len(digits) == 16:
            return "nik", validate_nik(digits)
        if len(digits) == 18:
            return "nip", validate_nip(digits)
    except IdentityError as exc:
        raise RowError(str(exc)) from exc
    raise RowError(_("%(column)s harus 18 digit (NIP) atau 16 digit (NIK).", column=column))


def email_value(value, column: str = "E-mail") -> str | None:
    text = text_value(value, column)
    if text is None:
        return None
    email = text.lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise RowError(_("E-mail tidak valid: %(value)s", value=text))
    return email


def rank_value(text: str | None) -> str | None:
    """ "III/a", "iii-a", "Penata Muda (III/a)", "Penata Muda" -> "III/a"; None when not recognised."""
    if not text:
        return None
    match = _RANK.search(text)
    if match:
        return f"{match.group(1).upper()}/{match.group(2).lower()}"
    return _RANK_TITLES.get(text.lower().replace("tk.", "tingkat").replace("tk ", "tingkat ").strip())


def phone_value(value, column: str = "No. HP") -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = display(value)
    text = text_value(value, column)
    if text is None:
        return None
    first = re.split(r"[/,;]| atau ", text)[0]
    mobile = _MOBILE.match(_PHONE_NOISE.sub("", first))
    if mobile:  # the usual 08xx / +62 8xx / 628xx mobile number, without the cost of a full parse
        return "+62" + mobile.group(1)
    try:
        return normalise_phone(first)
    except IdentityError as exc:
        raise RowError(_("Nomor HP tidak dikenali (%(value)s); tidak disimpan.", value=text)) from exc


# Rows ----------------------------------------------------------------------------------------------------


@dataclass
class ParsedRoster:
    header_row: int
    headers: list[str]
    columns: dict[str, list[int]]
    rows: list[dict] = field(default_factory=list)


def _first(cells: tuple, indexes: list[int] | None):
    """The first non-empty cell among the columns of one field (e.g. "No. HP" and "No. WA")."""
    for index in indexes or ():
        if index < len(cells):
            value = cells[index]
            if value is not None and not (isinstance(value, str) and not value.strip()):
                return value
    return None


def field_labels() -> dict[str, str]:
    """The column names used in messages, in the active language (computed once per file)."""
    return {name: str(label) for name, label in FIELD_LABELS.items()}


def parse_row(number: int, cells: tuple, columns: dict[str, list[int]], width: int, labels: dict[str, str]) -> dict:
    """One data row -> a dict of clean values, the raw cells, errors (refuse the row) and warnings (kept)."""
    raw = [v if v is None or v.__class__ is str else display(v) for v in cells[:width]]
    row = {"row": number, "raw": raw, "errors": [], "warnings": []}
    errors, warnings = row["errors"], row["warnings"]

    def take(name, reader, *args):
        try:
            return reader(_first(cells, columns.get(name)), *args)
        except RowError as exc:
            errors.append(str(exc))
            return None

    name = take("name", text_value, labels["name"])
    if name is None and not errors:
        errors.append(_("Nama wajib diisi."))
    elif name is not None and len(name) > 200:
        errors.append(_("Nama terlalu panjang (paling banyak 200 karakter)."))
    row["name"] = name
    row["nip"] = row["nik"] = None
    for column in ("identity", "nip", "nik"):
        found = take(column, identity_value, labels[column])
        if found:
            kind, digits = found
            if row[kind] and row[kind] != digits:
                errors.append(_("Baris ini berisi dua %(kind)s yang berbeda.", kind=kind.upper()))
            row[kind] = digits
    row["email"] = take("email", email_value, labels["email"])
    row["agency"] = take("agency", text_value, labels["agency"])
    position = take("position", text_value, labels["position"])
    row["position"] = position[:200] if position else None
    rank_text = take("rank", text_value, labels["rank"])
    row["rank"] = rank_value(rank_text)
    if rank_text and row["rank"] is None:
        warnings.append(_("Pangkat/golongan tidak dikenali (%(value)s); tidak disimpan.", value=rank_text))
    try:
        row["phone"] = phone_value(_first(cells, columns.get("phone")), labels["phone"])
    except RowError as exc:
        row["phone"] = None
        warnings.append(str(exc))
    if not errors and not (row["nip"] or row["nik"] or row["email"]):
        errors.append(_("Isi NIP, NIK atau e-mail: tanpa salah satunya orang ini tidak dapat dikenali."))
    return row


def _blank(cells: tuple) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in cells)


def read_roster(stream: BinaryIO) -> ParsedRoster:
    """Check, open and parse the first sheet that has a recognisable header row."""
    from openpyxl import load_workbook

    check_file(stream)
    max_rows = int(current_app.config.get("ROSTER_MAX_ROWS", 10000))
    labels = field_labels()
    try:
        workbook = load_workbook(stream, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        raise RosterFileError(_("Berkas Excel tidak dapat dibaca. Buka dan simpan ulang di Excel.")) from exc
    try:
        for sheet in workbook.worksheets:
            if not hasattr(sheet, "iter_rows"):
                continue
            parsed = None
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                if parsed is None:
                    if number > HEADER_SEARCH_ROWS:
                        break
                    columns = columns_of(cells)
                    if is_header(columns):
                        headers = [display(v) for v in cells]
                        while headers and not headers[-1]:
                            headers.pop()
                        parsed = ParsedRoster(number, headers, columns)
                    continue
                if _blank(cells):
                    continue
                if len(parsed.rows) >= max_rows:
                    raise RosterFileError(_("Terlalu banyak baris (paling banyak %(n)s).", n=max_rows))
                parsed.rows.append(parse_row(number, cells, parsed.columns, len(parsed.headers), labels))
            if parsed is not None:
                return parsed
    except RosterFileError:
        raise
    except Exception as exc:
        raise RosterFileError(_("Berkas Excel tidak dapat dibaca. Buka dan simpan ulang di Excel.")) from exc
    finally:
        workbook.close()
    raise RosterFileError(
        _(
            "Baris judul kolom tidak ditemukan. Pastikan ada kolom Nama dan salah satu dari NIP, NIK atau E-mail "
            "(dalam %(n)s baris pertama). Unduh templat bila perlu.",
            n=HEADER_SEARCH_ROWS,
        )
    )

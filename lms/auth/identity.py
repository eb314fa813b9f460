"""Indonesian identity numbers, ranks and phone numbers: validation and normal forms.

NIP (ASN id, 18 digits): birth date YYYYMMDD + CPNS start YYYYMM + sex (1/2) + sequence (3).
NIK (population id, 16 digits): province, regency, district (2+2+2) + DDMMYY (women: DD + 40) + sequence (4).
Both are text: a leading zero or the 15-significant-digit limit of spreadsheets must never touch them.
"""

import re
from datetime import date

import phonenumbers
from flask_babel import lazy_gettext as _l

# Pangkat/golongan: 17 grades, code -> title.
RANKS: dict[str, str] = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}
RANK_CHOICES = [("", "—")] + [(code, f"{code} — {title}") for code, title in RANKS.items()]

_DIGITS = re.compile(r"\d+")


class IdentityError(ValueError):
    """The value is not a valid identity number; ``str(err)`` is a message for the user."""


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def clean_digits(value: str | None) -> str:
    """Remove spaces, dots and dashes people type inside long numbers."""
    return re.sub(r"[\s.\-]", "", value or "")


def validate_nip(value: str, today: date | None = None) -> str:
    """Return the 18-digit NIP or raise IdentityError with the reason."""
    nip = clean_digits(value)
    today = today or date.today()
    if not nip.isdigit() or len(nip) != 18:
        raise IdentityError(_l("NIP harus 18 digit angka."))
    birth = _real_date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    if birth is None or birth.year < 1900 or birth > today:
        raise IdentityError(_l("NIP tidak valid: tanggal lahir (digit 1-8) bukan tanggal yang benar."))
    start_year, start_month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= start_month <= 12 or start_year < birth.year + 14 or start_year > today.year + 1:
        raise IdentityError(_l("NIP tidak valid: TMT CPNS (digit 9-14) bukan bulan dan tahun yang benar."))
    if nip[14] not in "12":
        raise IdentityError(_l("NIP tidak valid: digit ke-15 (jenis kelamin) harus 1 atau 2."))
    if nip[15:18] == "000":
        raise IdentityError(_l("NIP tidak valid: nomor urut (digit 16-18) tidak boleh 000."))
    return nip


def validate_nik(value: str, today: date | None = None) -> str:
    """Return the 16-digit NIK or raise IdentityError with the reason."""
    nik = clean_digits(value)
    today = today or date.today()
    if not nik.isdigit() or len(nik) != 16:
        raise IdentityError(_l("NIK harus 16 digit angka."))
    province = int(nik[0:2])
    if province < 11 or province > 99 or nik[2:4] == "00" or nik[4:6] == "00":
        raise IdentityError(_l("NIK tidak valid: kode wilayah (digit 1-6) tidak benar."))
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:
        day -= 40
    century = 2000 if 2000 + year2 <= today.year else 1900
    if _real_date(century + year2, month, day) is None:
        raise IdentityError(_l("NIK tidak valid: tanggal lahir (digit 7-12) bukan tanggal yang benar."))
    if nik[12:16] == "0000":
        raise IdentityError(_l("NIK tidak valid: nomor urut (digit 13-16) tidak boleh 0000."))
    return nik


def nip_sex(nip: str) -> str:
    return "L" if nip[14] == "1" else "P"


def normalise_phone(value: str | None) -> str | None:
    """Bring 0812..., +62 812..., 62812... to E.164 (+62812...). Raise IdentityError if not a phone number."""
    raw = (value or "").strip()
    if not raw:
        return None
    digits = re.sub(r"[^\d+]", "", raw)
    if digits.startswith("62"):
        digits = "+" + digits
    try:
        number = phonenumbers.parse(digits, "ID")
    except phonenumbers.NumberParseException as exc:
        raise IdentityError(_l("Nomor telepon tidak dikenali.")) from exc
    if not phonenumbers.is_possible_number(number):
        raise IdentityError(_l("Nomor telepon tidak dikenali."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str | None) -> str:
    """Show +62812... as 0812-... the way Indonesian users read it."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "ID")
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)

"""Unit tests for NIP, NIK and phone number validation (lms/auth/identity.py)."""

from datetime import date

import pytest

from lms.auth.identity import (
    RANK_CHOICES,
    RANKS,
    IdentityError,
    clean_digits,
    format_phone,
    nip_sex,
    normalise_phone,
    validate_nik,
    validate_nip,
)

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("198001012005011001", "198001012005011001"),
        ("19800101 200501 1 001", "198001012005011001"),  # typed with spaces
        ("19800101.200501.2.001", "198001012005012001"),  # with dots, a woman
        ("199912312024121999", "199912312024121999"),
    ],
)
def test_valid_nip(value, expected):
    assert validate_nip(value, today=TODAY) == expected


@pytest.mark.parametrize(
    "value, reason",
    [
        ("19800101200501100", "18 digit"),  # 17 digits
        ("1980010120050110011", "18 digit"),  # 19 digits
        ("1.98001012005011E+17", "18 digit"),  # what a spreadsheet makes of it
        ("", "18 digit"),
        ("198013012005011001", "tanggal lahir"),  # month 13
        ("198002302005011001", "tanggal lahir"),  # 30 February
        ("203001012005011001", "tanggal lahir"),  # born in the future
        ("198001012005131001", "TMT CPNS"),  # start month 13
        ("198001011990011001", "TMT CPNS"),  # started at age 10
        ("198001012005013001", "jenis kelamin"),  # sex digit 3
        ("198001012005010001", "jenis kelamin"),  # sex digit 0
        ("198001012005011000", "nomor urut"),
    ],
)
def test_invalid_nip(value, reason):
    with pytest.raises(IdentityError) as exc:
        validate_nip(value, today=TODAY)
    assert reason in str(exc.value)


def test_nip_sex():
    assert nip_sex("198001012005011001") == "L"
    assert nip_sex("198001012005012001") == "P"


@pytest.mark.parametrize(
    "value",
    [
        "3201010501900001",  # man born 5 January 1990
        "3201014501900001",  # woman born 5 January 1990: day + 40
        "3201017112990001",  # woman born 31 December 1999
        "3674062902040003",  # 29 February 2004 (leap year)
        "32.01.01 050190 0001",  # typed with dots and spaces
    ],
)
def test_valid_nik(value):
    assert validate_nik(value, today=TODAY) == clean_digits(value)


@pytest.mark.parametrize(
    "value, reason",
    [
        ("320101050190000", "16 digit"),
        ("32010105019000011", "16 digit"),
        ("0901010501900001", "kode wilayah"),  # province 09
        ("3200010501900001", "kode wilayah"),  # regency 00
        ("3201000501900001", "kode wilayah"),  # district 00
        ("3201013202900001", "tanggal lahir"),  # day 32
        ("3201017202900001", "tanggal lahir"),  # woman's day 72 = 32
        ("3201010513900001", "tanggal lahir"),  # month 13
        ("3201012902050001", "tanggal lahir"),  # 29 February 2005
        ("3201010501900000", "nomor urut"),
    ],
)
def test_invalid_nik(value, reason):
    with pytest.raises(IdentityError) as exc:
        validate_nik(value, today=TODAY)
    assert reason in str(exc.value)


@pytest.mark.parametrize(
    "value",
    ["081234567890", "0812-3456-7890", "0812 3456 7890", "+62 812 3456 7890", "+62-812-3456-7890", "6281234567890"],
)
def test_phone_forms_share_one_normal_form(value):
    assert normalise_phone(value) == "+6281234567890"


def test_phone_landline_and_empty():
    assert normalise_phone("(021) 5551234") == "+62215551234"
    assert normalise_phone("") is None
    assert normalise_phone(None) is None


@pytest.mark.parametrize("value", ["abc", "12", "0812"])
def test_phone_rejected(value):
    with pytest.raises(IdentityError):
        normalise_phone(value)


def test_format_phone_for_display():
    assert format_phone("+6281234567890").replace("-", "").replace(" ", "") == "081234567890"
    assert format_phone(None) == ""


def test_ranks():
    assert len(RANKS) == 17
    assert RANKS["I/a"] == "Juru Muda" and RANKS["IV/e"] == "Pembina Utama"
    assert RANK_CHOICES[0][0] == "" and len(RANK_CHOICES) == 18

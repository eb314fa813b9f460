"""English as the second language: translated pages, dates, WTForms' own messages, complete catalogues."""

import html
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import session
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, Email, Length

from lms.i18n import format_date, format_date_range, format_datetime

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
EN_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
EN_MO = EN_PO.with_suffix(".mo")
ID_WTFORMS_PO = TRANSLATIONS / "id" / "LC_MESSAGES" / "wtforms.po"
ID_WTFORMS_MO = ID_WTFORMS_PO.with_suffix(".mo")

HOW_TO_FIX = """
Update the English catalogue from the project root:
    PYTHONPATH=. .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
    .venv/bin/pybabel update -i translations/messages.pot -d translations
then give every new or fuzzy entry of translations/en/LC_MESSAGES/messages.po an English msgstr
(and remove its "#, fuzzy" flag), and compile (the .mo files are committed):
    .venv/bin/pybabel compile -d translations -D "messages wtforms" --statistics
which must report 100% translated."""


def _read(path: Path):
    with path.open("rb") as fh:
        return read_po(fh)


def _singular(msgid) -> str:
    return msgid[0] if isinstance(msgid, tuple) else msgid


def _untranslated(catalog) -> list[str]:
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s.strip() for s in strings):
            missing.append(_singular(message.id))
    return missing


@pytest.fixture(scope="module")
def english():
    """Indonesian msgid -> English msgstr of every entry that differs ("NIP" or "JP" stay as they are)."""
    return {_singular(m.id): m.string for m in _read(EN_PO) if m.id and m.string and m.string != _singular(m.id)}


def _page_text(response) -> str:
    """The visible text and attribute values of a page, entities decoded; scripts and styles left out."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html.unescape(body)


def _indonesian_left(text: str, english: dict[str, str]) -> list[str]:
    """Catalogue msgids still present as whole words in an English page."""
    found = []
    for msgid in english:
        if "%(" in msgid:  # filled-in placeholders: compare the fixed words only
            parts = [p for p in re.split(r"%\([a-z_]+\)[sd]", msgid) if len(p.strip()) > 3]
            if parts and all(p in text for p in parts):
                found.append(msgid)
        elif re.search(rf"(?<!\w){re.escape(msgid)}(?!\w)", text):
            found.append(msgid)
    return found


def _h1(text: str) -> str:
    match = re.search(r"<h1[^>]*>\s*(.*?)\s*</h1>", text, flags=re.S)
    assert match, "the page has no <h1>"
    return match.group(1)


def _to_english(client):
    response = client.post("/bahasa/en", data={"next": "/pelatihan"})
    assert response.status_code == 302


# Pages in English ------------------------------------------------------------------------------


def test_catalogue_in_english_and_back(client, make_event, english):
    event = make_event(
        title="Bimtek Keamanan Siber", quota=30, start_date=date(2026, 11, 22), end_date=date(2026, 11, 22)
    )
    _to_english(client)

    text = _page_text(client.get("/pelatihan"))
    assert '<html lang="en">' in text
    assert _h1(text) == "Training Catalogue"
    assert "<title>Training Catalogue · SiPelatihan</title>" in text
    for words in ("Log in", "Register", "Search", "Technical workshop (bimtek)", "Bahasa Indonesia"):
        assert words in text
    assert "Bimtek Keamanan Siber" in text  # user data is never translated
    assert "22 November 2026" in text
    assert _indonesian_left(text, english) == []

    event_page = _page_text(client.get(f"/pelatihan/{event.id}"))
    assert _h1(event_page) == "Bimtek Keamanan Siber"
    assert "Log in to register" in event_page
    assert _indonesian_left(event_page, english) == []

    client.post("/bahasa/id")
    text = _page_text(client.get("/pelatihan"))
    assert '<html lang="id">' in text
    assert _h1(text) == "Katalog Pelatihan"
    assert "Bimbingan Teknis" in text
    assert "Training Catalogue" not in text
    assert "English" in text


def test_login_page_in_english(client, english):
    _to_english(client)
    text = _page_text(client.get("/masuk"))
    assert _h1(text) == "Log in"
    for words in ("E-mail or NIP", "Password", "Remember me on this device", "No account yet?"):
        assert words in text
    for indonesian in ("Kata sandi", "Belum punya akun?", "Ingat saya di perangkat ini"):
        assert indonesian not in text
    assert _indonesian_left(text, english) == []

    client.post("/bahasa/id")
    text = _page_text(client.get("/masuk"))
    assert _h1(text) == "Masuk"
    assert "Kata sandi" in text


def test_registration_page_and_its_errors_in_english(client, make_agency, english):
    make_agency("Dinas Komunikasi dan Informatika")
    _to_english(client)
    text = _page_text(client.get("/daftar"))
    assert _h1(text) == "Register as a participant"
    for words in ("Full name with titles", "NIP (for civil servants)", "Identity number", "Agency", "Repeat password"):
        assert words in text
    assert _indonesian_left(text, english) == []

    response = client.post("/daftar", data={})
    assert response.status_code == 200
    text = _page_text(response)
    assert "This field is required." in text
    assert "Wajib diisi." not in text
    assert _indonesian_left(text, english) == []

    client.post("/bahasa/id")
    text = _page_text(client.post("/daftar", data={}))
    assert _h1(text) == "Daftar sebagai peserta"
    assert "Wajib diisi." in text
    assert "This field is required." not in text


# Dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "full", "long_range"),
    [
        ("id", "Minggu, 22 November 2026", "30 November - 2 Desember 2026"),
        ("en", "Sunday, 22 November 2026", "30 November - 2 December 2026"),
    ],
)
def test_dates_follow_the_language(app, lang, full, long_range):
    with app.test_request_context("/"):
        session["lang"] = lang
        assert format_date(date(2026, 11, 22), "full") == full
        assert format_date(date(2026, 11, 22)) == "22 November 2026"
        assert format_date_range(date(2026, 11, 30), date(2026, 12, 2)) == long_range
        # 01.00 UTC is 08.00 in Jakarta
        assert format_datetime(datetime(2026, 11, 22, 1, 0), "Asia/Jakarta", "full") == f"{full} 08.00 WIB"


# WTForms' own messages ------------------------------------------------------------------------


class ThrowawayForm(FlaskForm):
    """Built-in validators without messages of our own: their texts come from WTForms."""

    name = StringField("Nama", validators=[DataRequired()])
    email = StringField("E-mail", validators=[Email()])
    code = StringField("Kode", validators=[Length(min=5)])
    count = IntegerField("Jumlah")
    colour = SelectField("Warna", choices=[SelectChoice("merah", "Merah")])


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "id",
            {
                "name": "Isian ini wajib diisi.",
                "email": "Alamat e-mail tidak valid.",
                "code": "Isian minimal 5 karakter.",
                "count": "Harus berupa bilangan bulat.",
                "colour": "Pilihan tidak valid.",
            },
        ),
        (
            "en",
            {
                "name": "This field is required.",
                "email": "Invalid email address.",
                "code": "Field must be at least 5 characters long.",
                "count": "Not a valid integer value.",
                "colour": "Not a valid choice.",
            },
        ),
    ],
)
def test_wtforms_messages_follow_the_language(app, lang, expected):
    data = {"name": "", "email": "bukan-email", "code": "abc", "count": "dua", "colour": "biru"}
    with app.test_request_context("/", method="POST", data=data):
        session["lang"] = lang
        form = ThrowawayForm()
        assert not form.validate()
        assert {name: errors[0] for name, errors in form.errors.items()} == expected


def test_wtforms_messages_are_indonesian_by_default(app):
    with app.test_request_context("/", method="POST", data={}):
        form = ThrowawayForm()
        form.validate()
        assert form.errors["name"] == ["Isian ini wajib diisi."]


# Catalogues -----------------------------------------------------------------------------------


def test_english_catalogue_is_complete():
    catalog = _read(EN_PO)
    missing = _untranslated(catalog)
    assert not missing, (
        f"{len(missing)} untranslated or fuzzy entries in {EN_PO.relative_to(ROOT)}: {missing[:10]}{HOW_TO_FIX}"
    )
    assert not catalog.obsolete, f"obsolete entries (#~) left in {EN_PO.relative_to(ROOT)}{HOW_TO_FIX}"


def test_every_string_in_the_code_is_in_the_english_catalogue():
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = dict(DEFAULT_KEYWORDS, _l=None, lazy_gettext=None)
    in_code = {_singular(m[2]) for m in extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords)}
    in_catalogue = {_singular(m.id) for m in _read(EN_PO) if m.id}
    missing = sorted(in_code - in_catalogue)
    assert not missing, f"{len(missing)} strings in the code are not in the catalogue: {missing[:10]}{HOW_TO_FIX}"


def test_compiled_english_catalogue_matches_the_po():
    with EN_MO.open("rb") as fh:
        compiled = Translations(fh)
    stale = [m.id for m in _read(EN_PO) if m.id and not m.pluralizable and compiled.gettext(m.id) != m.string]
    assert not stale, f"{EN_MO.relative_to(ROOT)} is out of date ({len(stale)} entries, e.g. {stale[:5]}){HOW_TO_FIX}"


def test_indonesian_wtforms_catalogue_covers_installed_wtforms():
    with open(Path(messages_path()) / "wtforms.pot", "rb") as fh:
        template = read_po(fh)
    ours = _read(ID_WTFORMS_PO)
    missing = [_singular(m.id) for m in template if m.id and _singular(m.id) not in ours]
    assert not missing, (
        f"WTForms has messages without an Indonesian text in {ID_WTFORMS_PO.relative_to(ROOT)}: {missing}"
    )
    assert not _untranslated(ours)
    with ID_WTFORMS_MO.open("rb") as fh:
        compiled = Translations(fh)
    assert all(compiled.gettext(_singular(m.id)) == _singular(m.string) for m in ours if m.id), (
        f"{ID_WTFORMS_MO.relative_to(ROOT)} is out of date: .venv/bin/pybabel compile -d translations -D wtforms"
    )

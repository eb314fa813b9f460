"""Password rules, one place for every way a password is set: registration, activation, password change, the
admin's new accounts and resets, and ``flask create-admin``.

At least 8 characters (NIST SP 800-63B's minimum for a chosen password; the demo password "Demo#2026" keeps
working), with letters and digits, not the account's own e-mail, NIP or NIK, and not one of the passwords every
guessing list starts with (here: the common ones and their Indonesian favourites).
"""

import re

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 8

COMMON_PASSWORDS = frozenset(
    """
    password password1 password12 password123 passw0rd p@ssw0rd p@ssword 12345678 123456789 1234567890
    12345678a a1234567 abc12345 abcd1234 qwerty12 qwerty123 qwertyuiop1 1q2w3e4r 1qaz2wsx zaq12wsx asdf1234
    iloveyou1 welcome1 welcome123 letmein1 admin123 admin1234 administrator1 user1234 test1234 changeme1
    sayang123 sayangku1 cintaku1 bismillah1 bismillah123 indonesia1 indonesia123 merdeka45 merdeka1945
    garuda123 pancasila1 rahasia1 rahasia123 katasandi1 katasandi123 sandi123 jakarta123 bandung123
    surabaya1 semarang1 sipelatihan1 pelatihan1 pelatihan123 bimtek123 bpsdmd123 diskominfo1 asn12345
    """.split()
)

TOO_WEAK = _l("Kata sandi minimal %(n)s karakter dan harus mengandung huruf dan angka.", n=MIN_LENGTH)
SAME_AS_IDENTITY = _l("Kata sandi tidak boleh sama dengan atau memuat e-mail, NIP atau NIK akun ini.")
TOO_COMMON = _l("Kata sandi ini terlalu umum dan mudah ditebak. Pilih kata sandi lain.")


def _normal(value: str) -> str:
    return value.strip().lower()


def password_problem(password: str | None, identities=()) -> str | None:
    """Why ``password`` is refused (an Indonesian message), or None when it may be used.

    ``identities`` are the account's e-mail, NIP and NIK (missing ones may be None)."""
    value = password or ""
    if len(value) < MIN_LENGTH or not re.search(r"[^\W\d_]", value) or not re.search(r"\d", value):
        return str(TOO_WEAK)
    lowered = _normal(value)
    for identity in identities:
        if not identity:
            continue
        identity = _normal(str(identity))
        local_part = identity.split("@", 1)[0]
        if lowered in (identity, local_part) or (len(local_part) >= 5 and local_part in lowered):
            return str(SAME_AS_IDENTITY)
        if identity.isdigit() and identity in re.sub(r"\D", "", value):
            return str(SAME_AS_IDENTITY)
    if lowered in COMMON_PASSWORDS or re.sub(r"[\W_]+", "", lowered) in COMMON_PASSWORDS:
        return str(TOO_COMMON)
    return None

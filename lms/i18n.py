"""Locale selection and Indonesian date/time formatting for templates."""

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.support import NullTranslations, Translations
from flask import current_app, request, session
from flask.globals import _cv_app
from flask_babel import get_babel, get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup
from wtforms.i18n import messages_path

UTC = ZoneInfo("UTC")
TZ_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def select_locale() -> str:
    """Indonesian unless the user chose another language (stored in the session)."""
    lang = session.get("lang") if request else None
    if lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _locale() -> str:
    try:
        return str(get_locale() or "id")
    except RuntimeError:  # outside a request
        return "id"


def format_date(value: date | datetime | None, style: str = "long") -> str:
    """``long``: "22 November 2026"; ``full``: "Minggu, 22 November 2026"; ``short``: "22/11/2026"."""
    if value is None:
        return ""
    patterns = {"long": "d MMMM y", "full": "EEEE, d MMMM y", "short": "dd/MM/y", "medium": "d MMM y"}
    return _babel_date(value, type(value), getattr(value, "tzinfo", None), patterns.get(style, style), _locale())


@lru_cache(maxsize=4096)
def _babel_date(value, kind, tzinfo, pattern: str, locale: str) -> str:
    """Babel's format_date, memoised: a list page formats the same few dates over and over. ``kind`` and
    ``tzinfo`` are only part of the key (a date equals no datetime; aware datetimes of one instant in two
    zones compare equal but print differently)."""
    return babel_format_date(value, pattern, locale=locale)


def to_local(value: datetime | None, tz: str = "Asia/Jakarta") -> datetime | None:
    """A stored naive-UTC datetime as an aware datetime in ``tz``."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(tz))


def to_utc(value: datetime | None, tz: str = "Asia/Jakarta") -> datetime | None:
    """A naive local datetime typed in ``tz`` (e.g. from a form) as naive UTC for storage."""
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC).replace(tzinfo=None)


def format_datetime(value: datetime | None, tz: str = "Asia/Jakarta", style: str = "long") -> str:
    """A stored UTC datetime shown in the event's zone: "22 November 2026 08.00 WIB"."""
    if value is None:
        return ""
    patterns = {"long": "d MMMM y HH.mm", "full": "EEEE, d MMMM y HH.mm", "short": "dd/MM/y HH.mm", "time": "HH.mm"}
    return _babel_datetime(value, value.tzinfo, tz, patterns.get(style, style), _locale())


@lru_cache(maxsize=4096)
def _babel_datetime(value: datetime, tzinfo, tz: str, pattern: str, locale: str) -> str:
    """``format_datetime``'s work, memoised (``tzinfo`` is only part of the key, as in ``_babel_date``)."""
    text = babel_format_datetime(to_local(value, tz), pattern, tzinfo=ZoneInfo(tz), locale=locale)
    return f"{text} {TZ_ABBREVIATIONS.get(tz, tz)}"


def format_date_range(start: date, end: date) -> str:
    """ "22 November 2026" or "22 - 24 November 2026" or "30 November - 2 Desember 2026"."""
    if start == end:
        return format_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day} - {format_date(end)}"
    if start.year == end.year:
        return f"{format_date(start, 'd MMMM')} - {format_date(end)}"
    return f"{format_date(start)} - {format_date(end)}"


def request_translations():
    """The active catalogue, looked up once per request (Flask-Babel's own lookup costs ~30 µs a call,
    and a list page makes a few hundred)."""
    ctx = _cv_app.get(None)
    if ctx is None:
        return get_translations()
    cached = getattr(ctx.g, "_lms_translations", None)
    if cached is None:
        cached = ctx.g._lms_translations = get_translations()
    return cached


def _template_gettext(string: str) -> str:
    return request_translations().ugettext(string)


def _template_ngettext(singular: str, plural: str, n: int) -> str:
    return request_translations().ungettext(singular, plural, n)


class WTFormsTranslations:
    """The messages of WTForms' own validators and fields ("This field is required.") in the request's
    locale. WTForms ships no Indonesian catalogue, so ours (translations/id/LC_MESSAGES/wtforms.po)
    comes first; other locales fall back to the catalogues inside WTForms. One loaded catalogue per
    locale, kept for the life of the process."""

    def __init__(self, dirnames: list[str]):
        self.dirnames = [*dirnames, messages_path()]
        self._cache: dict[str, NullTranslations] = {}

    def for_locale(self, locale: str) -> NullTranslations:
        found = self._cache.get(locale)
        if found is None:
            for dirname in self.dirnames:
                found = Translations.load(dirname, [locale], domain="wtforms")
                if isinstance(found, Translations):  # NullTranslations when the file is missing
                    break
            self._cache[locale] = found
        return found

    def ugettext(self, string: str) -> str:
        return self.for_locale(_locale()).ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return self.for_locale(_locale()).ungettext(singular, plural, n)


def register_wtforms_translations(app) -> None:
    """Flask-WTF (WTF_I18N_ENABLED, on by default) translates WTForms' messages with the object it
    finds at ``request.wtforms_translations``, loading WTForms' own catalogue only when that is unset;
    our request class provides it, so every FlaskForm follows the chosen language without a base class."""
    translations = WTFormsTranslations(get_babel(app).translation_directories)
    app.request_class = type("Request", (app.request_class,), {"wtforms_translations": translations})


@pass_context
def _template_underscore(__context, __string: str, **variables):
    """``_()`` in templates: what Jinja's alias does (newstyle gettext: translate, mark safe under autoescape,
    always ``%``-format) without resolving ``gettext`` and nesting two context calls on every use."""
    rv = request_translations().ugettext(__string)
    if __context.eval_ctx.autoescape:
        rv = Markup(rv)  # noqa: S704 - as Jinja's own newstyle gettext: the catalogue is trusted, % escapes values
    return rv % variables


def register_filters(app) -> None:
    register_wtforms_translations(app)
    app.jinja_env.install_gettext_callables(gettext=_template_gettext, ngettext=_template_ngettext, newstyle=True)
    app.jinja_env.globals["_"] = _template_underscore
    from lms.auth.identity import format_phone

    app.jinja_env.filters.update(
        date=format_date,
        datetime=format_datetime,
        date_range=format_date_range,
        phone=format_phone,
    )
    app.jinja_env.globals.update(current_locale=_locale)

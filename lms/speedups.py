"""Per-request framework work kept small (see bench/README.md for how it is measured).

- Flask-Limiter's ``before_request`` hook only enforces application, default, blueprint and fallback limits;
  this app declares none (its limits are decorators on the log-in, registration, check-in and verification
  views, which the decorators enforce themselves). The hook is wrapped so that it runs only when such limits
  exist, decided on every request, so a limit added later (config or code) is never skipped.
- ``url_for`` in templates is memoised: a page builds the same navigation and static URLs on every request.
  The key is the endpoint (relative ones resolved against the current blueprint), the values with their
  types, and what a path-only URL depends on (the application root and the host); URLs with options
  (``_external``, ``_anchor`` ...) or unhashable values, and apps with URL-default functions, are built as usual.
- ``csrf_token()`` in templates signs a session's token once (``stable_csrf_token``), the session cookie's
  serializer is built once and a cookie is verified once while it is young enough (``SessionInterface``), and
  Flask's per-call coroutine check of hooks and views is remembered per function (``cached_ensure_sync``).
- base.html's navigation, head links and footer are cached fragments (lms/fragment_cache.py).
"""

import time

from flask import Flask
from flask.globals import _cv_request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

URL_CACHE_SIZE = 4096


def _limits_need_the_hook(limiter) -> bool:
    manager = limiter.limit_manager
    return bool(
        manager._application_limits
        or manager._default_limits
        or manager._blueprint_limits
        or limiter._meta_limits
        or (limiter._in_memory_fallback_enabled and limiter._storage_dead)
    )


def wrap_limiter_hook(app: Flask, limiter) -> None:
    """Replace Flask-Limiter's ``before_request`` hook by one that returns at once when it has nothing to do."""
    hooks = app.before_request_funcs.get(None, [])
    check = limiter._check_request_limit
    for index, hook in enumerate(hooks):
        if hook == check:

            def limiter_hook() -> None:
                if _limits_need_the_hook(limiter):
                    check()

            hooks[index] = limiter_hook
            return


def memoised_url_for(app: Flask):
    build = app.url_for
    cache: dict = {}

    def url_for(endpoint: str, **values) -> str:
        ctx = _cv_request.get(None)
        if ctx is None or app.url_default_functions or any(k[:1] == "_" for k in values):
            return build(endpoint, **values)
        req = ctx.request
        if endpoint[:1] == ".":
            endpoint = f"{req.blueprint}{endpoint}" if req.blueprint else endpoint[1:]  # as Flask does
        try:
            key = (
                endpoint,
                req.script_root,
                req.environ.get("HTTP_HOST"),
                tuple(sorted((k, type(v), v) for k, v in values.items())),
            )
            url = cache.get(key)
        except TypeError:  # an unhashable value
            return build(endpoint, **values)
        if url is None:
            url = build(endpoint, **values)
            if len(cache) >= URL_CACHE_SIZE:
                cache.clear()
            cache[key] = url
        return url

    return url_for


def stable_csrf_token(app: Flask):
    """``csrf_token()`` for templates: Flask-WTF's signed token, signed once per session token and reused.

    Flask-WTF signs the session's raw token again on every request (a new timestamp each time); while
    ``WTF_CSRF_TIME_LIMIT`` is None the timestamp is never checked, so the first signed token of a session
    stays valid and is reused, which spares the signing and lets the navigation be a cached fragment. With a
    time limit every request signs anew, as Flask-WTF does.
    """
    from flask import g, session
    from flask_wtf.csrf import generate_csrf

    cache: dict = {}

    def csrf_token() -> str:
        config = app.config
        field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        if field in g or config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None:
            return generate_csrf()
        secret = config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        raw = session.get(field)
        token = cache.get((secret, raw)) if isinstance(raw, str) else None
        if token is not None:
            setattr(g, field, token)  # what generate_csrf does: forms of this request use the same token
            return token
        token = generate_csrf()  # creates the session's raw token when it has none yet
        raw = session.get(field)
        if isinstance(raw, str):
            if len(cache) >= URL_CACHE_SIZE:
                cache.clear()
            cache[(secret, raw)] = token
        return token

    return csrf_token


def drop_csrf_context_processor(app: Flask) -> None:
    """Flask-WTF puts ``csrf_token`` into every template's context as well as into the globals, and the context
    wins: without this, templates would call Flask-WTF's ``generate_csrf`` (a new signature per request) instead
    of ``stable_csrf_token``. The globals keep both of its names (``csrf_token``, ``csrf_meta_tag``)."""
    processors = app.template_context_processors.get(None, [])
    processors[:] = [p for p in processors if getattr(p, "__module__", None) != "flask_wtf.csrf"]


def cached_ensure_sync(app: Flask):
    """Flask asks ``inspect.iscoroutinefunction`` again for every hook and view on every request; a function
    does not change kind, so the answer is kept (per function object)."""
    ensure_sync = app.ensure_sync
    known: dict = {}

    def cached(func):
        try:
            return known[func]
        except KeyError:
            if len(known) >= URL_CACHE_SIZE:  # after_this_request callbacks are new functions each time
                known.clear()
            wrapped = known[func] = ensure_sync(func)
            return wrapped
        except TypeError:  # an unhashable callable
            return ensure_sync(func)

    return cached


SESSION_CACHE_SIZE = 4096
_PLAIN_VALUES = (str, int, float, bool, type(None))


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per set of keys instead of twice
    a request (itsdangerous checks its JSON serializer by dumping ``{}`` each time one is built), and a cookie
    verified once: a logged-in browser sends the same cookie on every page, so its signature check, base64,
    zlib and JSON work is done on its first request and the verified contents kept, keyed by the exact cookie
    string and the keys that verified it. The age limit is checked on every request against the signing time
    kept with it, as itsdangerous does. Only sessions of plain values are kept (a copy of their dict is a new
    session); one carrying flash messages or other structures is decoded every time, as Flask does."""

    def __init__(self) -> None:
        self._serializers: dict = {}
        self._opened: dict = {}

    def open_session(self, app: Flask, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (serializer, value)
        known = self._opened.get(key)
        if known is not None:
            signed_at, data = known
            if 0 <= int(time.time()) - signed_at <= max_age:
                return self.session_class(data)
            del self._opened[key]
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(isinstance(v, _PLAIN_VALUES) for v in data.values()):
            if len(self._opened) >= SESSION_CACHE_SIZE:
                self._opened.clear()
            self._opened[key] = (int(signed_at.timestamp()), dict(data))
        return self.session_class(data)

    def get_signing_serializer(self, app: Flask):
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        try:
            return self._serializers[key]
        except KeyError:
            serializer = super().get_signing_serializer(app)
            if serializer is not None:
                self._serializers = {key: serializer}  # one app, one set of keys: keep only the latest
                self._opened = {}  # cookies verified with other keys are checked again
            return serializer
        except TypeError:  # unhashable keys
            return super().get_signing_serializer(app)


def init_app(app: Flask) -> None:
    from lms.extensions import limiter
    from lms.fragment_cache import FragmentCacheExtension

    wrap_limiter_hook(app, limiter)
    app.jinja_env.globals["url_for"] = memoised_url_for(app)
    app.jinja_env.globals["csrf_token"] = stable_csrf_token(app)
    drop_csrf_context_processor(app)
    app.jinja_env.add_extension(FragmentCacheExtension)
    app.ensure_sync = cached_ensure_sync(app)
    if type(app.session_interface) is SecureCookieSessionInterface:
        app.session_interface = SessionInterface()

"""Log in through the real form (CSRF on) with http.client and hand back the session cookie."""

import http.client
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


class _LoginFormParser(HTMLParser):
    """The inputs of the form that holds a password field (the navbar has other forms)."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[dict]] = []
        self._current: list[dict] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = []
        elif tag == "input" and self._current is not None:
            self._current.append(attrs)

    def handle_endtag(self, tag):
        if tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None

    def login_fields(self) -> tuple[str, str, str]:
        """(csrf token, identifier field name, password field name)."""
        for inputs in self.forms:
            password = next((i["name"] for i in inputs if i.get("type") == "password"), None)
            if not password:
                continue
            csrf = next((i.get("value", "") for i in inputs if i.get("name") == "csrf_token"), "")
            login = next(i["name"] for i in inputs if i.get("type", "text") in {"text", "email"} and i.get("name"))
            return csrf, login, password
        raise RuntimeError("no log-in form with a password field on the log-in page")


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        for name, morsel in SimpleCookie(header).items():
            jar[name] = morsel.value


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def get(url: str, cookie: str = "") -> tuple[int, str]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers={"Cookie": cookie})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def login(login_url: str, identifier: str, password: str) -> str:
    """Return the ``Cookie`` header value of a logged-in session, as the browser holds it after the first page."""
    parts = urlsplit(login_url)
    jar: dict[str, str] = {}
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", parts.path)
        response = conn.getresponse()
        html = response.read().decode("utf-8")
        if response.status != 200:
            raise RuntimeError(f"GET {login_url} answered {response.status}")
        _cookies(response, jar)
        parser = _LoginFormParser()
        parser.feed(html)
        csrf, login_field, password_field = parser.login_fields()
        body = urlencode({"csrf_token": csrf, login_field: identifier, password_field: password})
        conn.close()
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": _cookie_header(jar),
            "Referer": login_url,
        }
        conn.request("POST", parts.path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 302:
            raise RuntimeError(f"log-in as {identifier} failed: POST answered {response.status}, not a redirect")
        _cookies(response, jar)
        # Follow the redirect as a browser does and keep the cookie it sends back: the first page shows (and so
        # removes from the session) the welcome message. With the cookie of the POST every measured request
        # would be that first page again, flash message and a new Set-Cookie included.
        for _ in range(5):  # "/" redirects again, to the participant's home page
            location = urlsplit(response.headers["Location"])
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            conn.request("GET", location.path, headers={"Cookie": _cookie_header(jar)})
            response = conn.getresponse()
            response.read()
            _cookies(response, jar)
            if response.status not in (301, 302, 303, 307, 308):
                break
        if response.status != 200:
            raise RuntimeError(f"after logging in as {identifier}, {location.path} answered {response.status}")
    finally:
        conn.close()
    return _cookie_header(jar)

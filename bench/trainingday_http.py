"""A small browser for the load generator: one keep-alive ``http.client`` connection to 127.0.0.1, a cookie jar,
redirects to the same server followed as a browser does, and every request timed under the name of its step.

Latency is measured per HTTP request (a followed redirect is a request of its own, under the same step), from
just before the request is sent to the last byte of the body. A request answered with a status the step did not
expect, or not answered at all, is an error: ``StepError`` is raised and the participant stops there.
"""

import http.client
import re
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

TIMEOUT = 60
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]*)"')
_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


class StepError(Exception):
    """A request of a step failed (unexpected status, missing content, connection error)."""


@dataclass
class Sample:
    step: str
    started: float  # time.monotonic()
    ms: float
    status: int  # 0: no answer
    ok: bool


class Stats:
    """Every request's sample, shared by all the simulated users (list.append is atomic)."""

    def __init__(self):
        self.samples: list[Sample] = []
        self.failures: list[str] = []
        self._lock = threading.Lock()

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)

    def fail(self, message: str) -> None:
        with self._lock:
            self.failures.append(message)


@dataclass
class Page:
    status: int
    body: str
    location: str | None
    headers: http.client.HTTPMessage
    raw: bytes
    path: str  # the path this page was loaded from (after redirects)

    def csrf(self) -> str:
        match = _CSRF.search(self.body) or _META_CSRF.search(self.body)
        if not match:
            raise StepError("no CSRF token on the page")
        return match.group(1)


class Browser:
    def __init__(self, base: str, stats: Stats):
        parts = urlsplit(base)
        self.host, self.port, self.stats = parts.hostname, parts.port, stats
        self.jar: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _send(
        self, method: str, path: str, body: bytes | None, headers: dict
    ) -> tuple[int, bytes, http.client.HTTPMessage]:
        headers = {**headers, "Host": f"{self.host}:{self.port}", "Accept-Language": "id"}
        if self.jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the server had already closed: reconnect once, as browsers do.
                self.close()
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.close()
            break
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value:
                    self.jar[name] = morsel.value
                else:
                    self.jar.pop(name, None)
        return response.status, raw, response.headers

    def request(
        self,
        step: str,
        method: str,
        path: str,
        form: dict | list | None = None,
        headers: dict | None = None,
        expect: tuple[int, ...] = (200,),
        follow: bool = True,
        hops: int = 0,
    ) -> Page:
        """Send one request (and follow a redirect to this server when ``follow``); the final page."""
        body = urlencode(form, doseq=True).encode() if form is not None else None
        headers = dict(headers or {})
        if body is not None:
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            headers.setdefault("Referer", f"http://{self.host}:{self.port}{path}")
        started = time.monotonic()
        try:
            status, raw, response_headers = self._send(method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            self.stats.add(Sample(step, started, 1000 * (time.monotonic() - started), 0, False))
            raise StepError(f"{step}: {method} {path}: {type(exc).__name__}: {exc}") from exc
        ok = status in expect
        self.stats.add(Sample(step, started, 1000 * (time.monotonic() - started), status, ok))
        if not ok:
            raise StepError(f"{step}: {method} {path} answered {status}, expected {expect}")
        location = response_headers.get("Location")
        page = Page(status, raw.decode("utf-8", "replace"), location, response_headers, raw, path)
        if follow and status in (301, 302, 303) and location and hops < 5:
            target = urlsplit(location)
            if target.hostname in (None, self.host) and (target.port in (None, self.port)):
                target_path = target.path + (f"?{target.query}" if target.query else "")
                return self.request(step, "GET", target_path, expect=(200, 301, 302, 303), hops=hops + 1)
        return page

    def login(self, step: str, identifier: str, password: str, think=None) -> Page:
        """The log-in form: GET it (CSRF token), type (``think()``), POST, land on the home page."""
        page = self.request(step, "GET", "/masuk")
        if think:
            think()
        form = {"csrf_token": page.csrf(), "identifier": identifier, "password": password}
        return self.request(step, "POST", "/masuk", form, expect=(302,))

"""Security headers on every response.

The Content-Security-Policy allows no inline script and no inline style: every script is a file under
``static/`` (``script-src 'self'``), every style is a class in ``static/css`` (``style-src 'self'``; the few
values that are data, such as a progress bar's width, are set by ``static/js/app.js`` through the CSSOM,
which CSP does not restrict). Images may be ``data:`` URIs (Bootstrap's form and navbar icons are SVG data
URIs in its stylesheet); the only frames are the privacy-friendly video players that course materials embed.
"""

from flask import Flask, current_app, request

VIDEO_FRAMES = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")


def content_security_policy() -> str:
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "frame-src": " ".join(VIDEO_FRAMES),
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


# Participants scan the check-in QR code with the phone's own camera app, not in the page: no feature is needed.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), magnetometer=(), gyroscope=()"


def _https() -> bool:
    """The request came over HTTPS (as seen after ProxyFix), or the deployment says it always does."""
    return request.is_secure or bool(current_app.config.get("SESSION_COOKIE_SECURE"))


def _static_headers(config) -> tuple[tuple[str, str], ...]:
    return (
        ("Content-Security-Policy", config.get("CONTENT_SECURITY_POLICY") or _CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    )


def set_security_headers(response):
    """Each header unless the view set its own (one pass over the response's headers, not one per header)."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    for name, value in _static_headers(current_app.config):
        if name.lower() not in present:
            headers.add(name, value)
    if _https() and "strict-transport-security" not in present:
        max_age = int(current_app.config.get("HSTS_MAX_AGE", 31536000))
        headers.add("Strict-Transport-Security", f"max-age={max_age}; includeSubDomains")
    return response


_CSP = content_security_policy()


def init_app(app: Flask) -> None:
    app.after_request(set_security_headers)
